"""One entitlement and one throttle for every path that starts upstream work: the API, the
workspace form, retry (API, page, admin) and `run_search`."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from scraping.models import ScrapingJob
from tests.factories import make_campaign, make_job
from trials.models import UserProfile

pytestmark = pytest.mark.django_db

THROTTLED = "You have started {limit} searches in the last minute. Try again in {wait} seconds."
TRIAL_ENDED = "Your free trial has ended"


@pytest.fixture
def enqueued(monkeypatch):
    """The first step of each started search, instead of running it: these tests are about
    which starts are accepted, not about the searches themselves."""
    tasks = []
    monkeypatch.setattr("scraping.services.enqueue", lambda *args: tasks.append(args))
    return tasks


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def end_trial(user) -> None:
    past = timezone.now() - timedelta(days=1)
    UserProfile.objects.filter(user=user).update(
        trial_started_at=past - timedelta(days=7), trial_ends_at=past
    )


def page_start(client, campaign, keyword: str):
    return client.post(
        reverse("search_create", args=[campaign.pk]),
        {
            "search": "tiktok_keyword",
            "tiktok_keyword-keywords": keyword,
            "tiktok_keyword-target_results": "100",
        },
    )


def api_start(api, campaign, keyword: str):
    body = {"campaignId": str(campaign.pk), "keywords": [keyword]}
    return api.post("/api/scraping/tiktok", body, format="json")


@time_machine.travel("2026-12-04 10:00:00+00:00", tick=False)
def test_the_workspace_form_stops_at_the_per_minute_limit(auth_client, user, knobs, enqueued):
    knobs["api.throttle_search_per_minute"] = 30
    campaign = make_campaign(user)
    statuses = [page_start(auth_client, campaign, f"topic {n}").status_code for n in range(40)]
    assert statuses == [302] * 30 + [200] * 10
    assert ScrapingJob.objects.filter(owner=user).count() == 30
    assert len(enqueued) == 30
    refused = page_start(auth_client, campaign, "one more")
    assert THROTTLED.format(limit=30, wait=60) in refused.content.decode()


def test_the_api_and_the_form_share_one_limit(auth_client, api, user, knobs, enqueued):
    knobs["api.throttle_search_per_minute"] = 2
    campaign = make_campaign(user)
    with time_machine.travel("2026-12-04 10:00:00+00:00", tick=False) as clock:
        assert api_start(api, campaign, "first").status_code == 201
        assert page_start(auth_client, campaign, "second").status_code == 302
        clock.shift(timedelta(seconds=15))
        refused = api_start(api, campaign, "third")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"
        assert refused.json() == {
            "message": THROTTLED.format(limit=2, wait=45),
            "errors": {},
        }
        clock.shift(timedelta(seconds=45))  # a new minute
        assert api_start(api, campaign, "fourth").status_code == 201
    assert ScrapingJob.objects.filter(owner=user).count() == 3


def test_a_refused_start_with_bad_input_does_not_count(api, user, knobs, enqueued):
    knobs["api.throttle_search_per_minute"] = 1
    campaign = make_campaign(user)
    assert api_start(api, campaign, "x" * 101).status_code == 400
    assert api_start(api, campaign, "pottery").status_code == 201


def test_a_retry_counts_as_a_start(api, user, knobs, enqueued):
    knobs["api.throttle_search_per_minute"] = 1
    campaign = make_campaign(user)
    assert api_start(api, campaign, "pottery").status_code == 201
    stopped = make_job(user, campaign, status="partial", finish_reason="ran dry")
    response = api.post(f"/api/jobs/{stopped.pk}/retry/")
    assert response.status_code == 429
    stopped.refresh_from_db()
    assert (stopped.status, stopped.finish_reason) == ("partial", "ran dry")
    assert len(enqueued) == 1


def test_a_retry_in_a_wrong_state_is_a_409_and_spends_no_start(api, user, knobs, enqueued):
    knobs["api.throttle_search_per_minute"] = 1
    campaign = make_campaign(user)
    running = make_job(user, campaign, status="processing")
    assert api.post(f"/api/jobs/{running.pk}/retry/").status_code == 409
    assert api_start(api, campaign, "pottery").status_code == 201


def test_an_ended_trial_cannot_retry_through_the_api(api, user, enqueued):
    stopped = make_job(user, make_campaign(user), status="timeout")
    end_trial(user)
    response = api.post(f"/api/jobs/{stopped.pk}/retry/")
    assert response.status_code == 402
    assert response.json()["message"].startswith(TRIAL_ENDED)
    stopped.refresh_from_db()
    assert stopped.status == "timeout"
    assert enqueued == []


def test_an_ended_trial_cannot_retry_from_the_page(auth_client, user, enqueued):
    stopped = make_job(user, make_campaign(user), status="cancelled")
    end_trial(user)
    response = auth_client.post(reverse("search_retry", args=[stopped.pk]), follow=True)
    assert TRIAL_ENDED in response.content.decode()
    stopped.refresh_from_db()
    assert stopped.status == "cancelled"
    assert enqueued == []


def test_staff_cannot_retry_a_search_whose_owner_has_no_plan(client, make_user, user, enqueued):
    from backoffice.staff import staff_group

    staff = make_user("ops@example.com", is_staff=True)
    staff.groups.add(staff_group())
    stopped = make_job(user, make_campaign(user), status="error")
    end_trial(user)
    client.force_login(staff)
    url = reverse("admin:scraping_scrapingjob_operation", args=[stopped.pk, "retry"])
    response = client.post(url, follow=True)
    assert TRIAL_ENDED in response.content.decode()
    stopped.refresh_from_db()
    assert stopped.status == "error"
    assert enqueued == []


def test_run_search_refuses_an_ended_trial_and_the_throttle(user, knobs, enqueued):
    campaign = make_campaign(user, name="Runners")
    args = ["run_search", "--user", user.email, "--campaign", "Runners", "--platform", "tiktok"]
    args += ["--type", "keyword", "--keywords", "pottery", "--no-wait"]
    knobs["api.throttle_search_per_minute"] = 1
    call_command(*args, stdout=StringIO())
    with pytest.raises(CommandError, match="You have started 1 search in the last minute"):
        call_command(*args, stdout=StringIO())
    end_trial(user)
    with pytest.raises(CommandError, match=TRIAL_ENDED):
        call_command(*args, stdout=StringIO())
    assert ScrapingJob.objects.filter(campaign=campaign).count() == 1
