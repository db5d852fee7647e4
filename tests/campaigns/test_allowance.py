"""What the plan has left, said before a search starts: next to the target on the workspace
forms, as a warning to confirm when the target is larger, and in the API's 201 answer."""

import pytest
from rest_framework.test import APIClient

from scraping.models import ScrapingJob
from tests.factories import make_campaign
from trials.models import MonthlyUsage
from trials.selectors import plan_usage

pytestmark = pytest.mark.django_db

WARNING_1000 = (
    "This search can find up to 1,000 creators but your trial has 412 left; it will stop at "
    "412 new creators. Start anyway?"
)


def use(user, creators: int) -> None:
    MonthlyUsage.objects.create(user=user, month=plan_usage(user)["usage_month"], creators=creators)


def start(client, campaign, target: str, **extra):
    data = {
        "search": "tiktok_keyword",
        "tiktok_keyword-keywords": "running",
        "tiktok_keyword-target_results": target,
        **{f"tiktok_keyword-{name}": value for name, value in extra.items()},
    }
    return client.post(f"/campaigns/{campaign.pk}/searches/", data)


def test_the_forms_say_what_is_left_next_to_the_target(auth_client, user):
    use(user, 588)
    page = auth_client.get(f"/campaigns/{make_campaign(user).pk}/").content.decode()
    line = (
        "412 creators left in your trial. A creator counts once per trial, however many "
        "searches find it."
    )
    assert page.count(line) == 6  # one per search form


def test_a_paying_account_sees_its_months_allowance(client, make_user):
    paying = make_user(plan="starter")
    use(paying, 9_588)
    client.force_login(paying)
    page = client.get(f"/campaigns/{make_campaign(paying).pk}/").content.decode()
    assert "412 creators left in your plan this month. A creator counts once a month" in page


def test_a_target_larger_than_what_is_left_is_warned_about_and_not_started(auth_client, user):
    use(user, 588)
    campaign = make_campaign(user)
    response = start(auth_client, campaign, "1000")
    page = response.content.decode()
    assert response.status_code == 200
    assert not ScrapingJob.objects.exists()
    assert f'data-testid="allowance-warning"><p>{WARNING_1000}</p>' in page
    assert '<input type="hidden" name="tiktok_keyword-confirmed_target" value="1000">' in page
    assert ">Start anyway</button>" in page
    assert "running</textarea>" in page  # what was typed is kept


def test_the_confirmed_target_starts_the_search(auth_client, user):
    use(user, 588)
    campaign = make_campaign(user)
    response = start(auth_client, campaign, "1000", confirmed_target="1000")
    job = ScrapingJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/searches/{job.pk}/"
    assert (job.keywords, job.target_results) == (["running"], 1000)


def test_another_target_than_the_confirmed_one_is_warned_about_again(auth_client, user):
    use(user, 588)
    campaign = make_campaign(user)
    response = start(auth_client, campaign, "500", confirmed_target="1000")
    assert "This search can find up to 500 creators but your trial has 412 left" in (
        response.content.decode()
    )
    assert not ScrapingJob.objects.exists()
    assert start(auth_client, campaign, "100", confirmed_target="1000").status_code == 302


def test_no_warning_with_enough_left_or_for_staff(client, user, make_user):
    use(user, 500)
    client.force_login(user)
    assert start(client, make_campaign(user), "500").status_code == 302
    staff = make_user(is_staff=True)
    use(staff, 999)
    client.force_login(staff)
    page = client.get(f"/campaigns/{make_campaign(staff).pk}/").content.decode()
    assert 'data-testid="allowance"' not in page
    assert start(client, make_campaign(staff), "1000").status_code == 302
    assert ScrapingJob.objects.count() == 2


def test_the_api_starts_and_says_the_same_words(user):
    use(user, 588)
    api = APIClient()
    api.force_authenticate(user)
    body = {"campaignId": str(make_campaign(user).pk), "keywords": ["running"]}
    small = api.post("/api/scraping/tiktok", {**body, "targetResults": 100}, format="json")
    assert (small.status_code, small.json()["warning"]) == (201, None)
    large = api.post("/api/scraping/tiktok", {**body, "targetResults": 1000}, format="json")
    assert large.status_code == 201
    assert large.json() == {
        "jobId": str(ScrapingJob.objects.get(target_results=1000).pk),
        "status": "pending",
        "warning": WARNING_1000,
    }
