"""Plans in the engine and the API: an ended trial refuses new searches and exports; a search
that reaches the month's creator allowance ends partial with "plan limit reached"."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from scraping.services import job_create
from tests.factories import make_campaign, make_job
from trials.errors import PaymentRequired
from trials.models import MonthlyUsage, UserProfile
from trials.selectors import plan_usage

pytestmark = pytest.mark.django_db(transaction=True)


def end_trial(user) -> None:
    past = timezone.now() - timedelta(days=1)
    UserProfile.objects.filter(user=user).update(
        trial_started_at=past - timedelta(days=7), trial_ends_at=past
    )


def test_a_search_stops_at_the_months_allowance(fake_api, user, campaign):
    usage = plan_usage(user)
    MonthlyUsage.objects.update_or_create(
        user=user, month=usage["usage_month"], defaults={"creators": usage["creators_limit"] - 12}
    )
    job = job_create(
        owner=user,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running"],
        target_results=30,
    )
    job.refresh_from_db()
    assert (job.status, job.processed_results) == ("partial", 12)
    assert job.finish_reason == (
        "plan limit reached: found 12 of 30 creators. Upgrade your plan to find more."
    )
    assert plan_usage(user)["creators_used"] == usage["creators_limit"]


def test_an_ended_trial_refuses_new_searches_but_keeps_results(fake_api, user, campaign):
    end_trial(user)
    with pytest.raises(PaymentRequired, match="Your free trial has ended"):
        job_create(
            owner=user,
            campaign=campaign,
            platform="tiktok",
            search_type="keyword",
            keywords=["running"],
            target_results=30,
        )
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        "/api/scraping/tiktok", {"campaignId": str(campaign.pk), "keywords": ["a"]}, format="json"
    )
    assert response.status_code == 402
    body = response.json()
    assert body["message"].startswith("Your free trial has ended. Subscribe to start new searches")
    assert body["upgradeUrl"].endswith("/billing/")
    old = make_job(user, make_campaign(user))
    assert client.get(f"/api/jobs/{old.pk}/").status_code == 200  # results stay readable
    export = client.get(f"/api/export/csv?jobId={old.pk}")
    assert export.status_code == 402
    assert export.json()["message"].startswith("Your free trial has ended. Subscribe to export")
    created = client.post("/api/campaigns/", {"name": "Another"}, format="json")
    assert created.status_code == 402
