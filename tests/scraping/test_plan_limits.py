"""Plans in the engine and the API: an ended trial refuses new searches and exports; a search
that reaches the month's creator allowance ends partial with "plan limit reached"; a creator
counts once per account per usage period, however many searches deliver it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import PaymentRequired
from scraping import engine
from scraping.models import ScrapingJob
from scraping.services import job_create, jobs_sweep
from tests.factories import make_campaign, make_job
from trials.models import DeliveredCreator, MonthlyUsage, UserProfile
from trials.selectors import plan_usage

pytestmark = pytest.mark.django_db(transaction=True)


def search(user, campaign, keywords: list[str], target: int = 30) -> ScrapingJob:
    """A TikTok keyword search, run to its end by the synchronous queue."""
    job = job_create(
        owner=user,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=keywords,
        target_results=target,
    )
    job.refresh_from_db()
    return job


def found(job) -> set[str]:
    return set(job.creators.values_list("external_id", flat=True))


def used(user) -> list[tuple[str, int]]:
    """(period, creators counted) of every usage period, oldest first."""
    rows = MonthlyUsage.objects.filter(user=user).order_by("month")
    return [(row.month.isoformat(), row.creators) for row in rows]


def this_period(user) -> str:
    return plan_usage(user)["usage_month"].isoformat()


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


def test_the_same_search_twice_counts_its_creators_once(fake_api, user, campaign):
    first = search(user, campaign, ["running"])
    again = search(user, make_campaign(user, name="Another brief"), ["running"])
    assert (first.status, again.status) == ("completed", "completed")
    assert (first.processed_results, again.processed_results) == (30, 30)
    assert found(first) == found(again)
    assert used(user) == [(this_period(user), 30)]
    assert plan_usage(user)["creators_used"] == 30
    assert DeliveredCreator.objects.filter(user=user).count() == 30


def test_two_searches_sharing_authors_count_their_union(fake_api, user, campaign):
    running = search(user, campaign, ["running"])
    both = search(user, campaign, ["marathon", "running"])
    shared = found(running) & found(both)
    assert (len(found(running)), len(found(both)), len(shared)) == (30, 30, 9)
    assert used(user) == [(this_period(user), 51)]  # 30 + 30 - 9


def test_delivered_creators_are_free_and_new_ones_take_what_is_left(fake_api, user, campaign):
    search(user, campaign, ["running"])
    MonthlyUsage.objects.filter(user=user).update(creators=995)  # 5 left of 1,000
    job = search(user, campaign, ["running"], target=100)
    # The 30 found before cost nothing; then exactly the 5 left, in the order found.
    assert (job.status, job.processed_results) == ("partial", 35)
    assert job.finish_reason == (
        "plan limit reached: found 35 of 100 creators. Upgrade your plan to find more."
    )
    assert used(user) == [(this_period(user), 1000)]


def test_a_new_month_counts_the_same_creators_again(fake_api, make_user, time_machine):
    time_machine.move_to(datetime(2025, 3, 31, 23, 0, tzinfo=UTC))
    paying = make_user(plan="starter")
    campaign = make_campaign(paying)
    search(paying, campaign, ["running"])
    search(paying, campaign, ["running"])
    time_machine.move_to(datetime(2025, 4, 1, 0, 5, tzinfo=UTC))
    search(paying, campaign, ["running"])
    assert used(paying) == [("2025-03-01", 30), ("2025-04-01", 30)]


def test_a_step_that_dies_inside_its_commit_counts_nothing_twice(
    fake_api, user, campaign, monkeypatch
):
    real_save_profiles = engine._save_profiles
    crashes = []

    class WorkerDied(Exception):
        pass

    def dying_save_profiles(platform, profiles):
        if not crashes and ScrapingJob.objects.get().processed_results == 0:
            crashes.append(1)  # after the grant and the creators, before the commit
            raise WorkerDied
        return real_save_profiles(platform, profiles)

    monkeypatch.setattr(engine, "_save_profiles", dying_save_profiles)
    with pytest.raises(WorkerDied):
        search(user, campaign, ["running"])
    assert (crashes, used(user), DeliveredCreator.objects.count()) == ([1], [], 0)
    ScrapingJob.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert jobs_sweep() == {"timed_out": 0, "resumed": 1}
    job = ScrapingJob.objects.get()
    assert (job.status, job.processed_results) == ("completed", 30)
    assert used(user) == [(this_period(user), 30)]


def test_a_repeated_unit_saves_and_counts_nothing_again(fake_api, user, campaign):
    job = search(user, campaign, ["running"])
    repeated = engine.Outcome(
        creators=[
            {"external_id": c.external_id, "username": c.username} for c in job.creators.all()
        ][:10]
    )
    with transaction.atomic():
        engine._save_creators(job, engine._within_plan(job, repeated))
    assert (job.processed_results, job.creators.count(), repeated.plan_limited) == (30, 30, False)
    assert used(user) == [(this_period(user), 30)]


def test_staff_are_never_stopped_but_are_counted(fake_api, make_user):
    staff = make_user(is_staff=True)
    MonthlyUsage.objects.create(user=staff, month=plan_usage(staff)["usage_month"], creators=1000)
    job = search(staff, make_campaign(staff), ["running"])
    assert (job.status, job.processed_results) == ("completed", 30)
    assert used(staff) == [(this_period(staff), 1030)]


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
