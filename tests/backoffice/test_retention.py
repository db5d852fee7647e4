"""Retention: finished searches go after their days in sysconfig, running ones never."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django_q.models import Schedule

from backoffice.models import AdminAction
from backoffice.services import retention_purge
from backoffice.tasks import purge_expired_jobs
from scraping.models import ApiCall, Creator, CreatorMetrics, ScrapingJob
from sysconfig import config
from sysconfig.models import SystemConfiguration
from tests.factories import make_campaign, make_creator, make_job
from trials.models import DeliveredCreator, MonthlyUsage, UserProfile

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def campaign(make_user):
    return make_campaign(make_user("owner@example.com"))


def finished(campaign, status, days_ago, *, creators=2, calls=3, **fields):
    """A search of `status` that finished `days_ago` days before NOW, with rows of its own."""
    job = make_job(
        campaign.owner,
        campaign,
        status=status,
        completed_at=NOW - timedelta(days=days_ago),
        **fields,
    )
    for _ in range(creators):
        make_creator(job)
    for _ in range(calls):
        ApiCall.objects.create(job=job, endpoint="/v1/tiktok/profile", at=job.completed_at)
    return job


def test_each_finished_state_goes_after_its_own_retention(campaign):
    keep = [
        finished(campaign, "completed", 29),
        finished(campaign, "partial", 29.9),
        finished(campaign, "error", 6),
        finished(campaign, "timeout", 6.9),
        finished(campaign, "cancelled", 1),
    ]
    gone = [
        finished(campaign, "completed", 31),
        finished(campaign, "partial", 30.1),
        finished(campaign, "error", 8),
        finished(campaign, "timeout", 7.1),
        finished(campaign, "cancelled", 100),
    ]
    with time_machine.travel(NOW, tick=False):
        summary = retention_purge()
    assert set(ScrapingJob.objects.all()) == set(keep)
    assert Creator.objects.count() == 2 * len(keep)
    assert ApiCall.objects.count() == 3 * len(keep)
    assert not Creator.objects.filter(job_id__in=[j.pk for j in gone]).exists()
    one = {"jobs": 1, "creators": 2, "api_calls": 3}
    assert summary["removed"] == {
        s: one for s in ("completed", "partial", "error", "timeout", "cancelled")
    }
    assert summary["total"] == {"jobs": 5, "creators": 10, "api_calls": 15}


def test_running_searches_are_never_touched_however_old(campaign):
    old = NOW - timedelta(days=400)
    pending = make_job(campaign.owner, campaign, status="pending", completed_at=old)
    processing = make_job(campaign.owner, campaign, status="processing", completed_at=old)
    ScrapingJob.objects.filter(pk__in=[pending.pk, processing.pk]).update(updated_at=old)
    make_creator(processing)
    with time_machine.travel(NOW, tick=False):
        summary = retention_purge()
    assert set(ScrapingJob.objects.all()) == {pending, processing}
    assert Creator.objects.count() == 1
    assert summary["total"] == {"jobs": 0, "creators": 0, "api_calls": 0}


def test_a_finished_search_without_completed_at_ages_from_its_last_update(campaign):
    job = make_job(campaign.owner, campaign, status="error", completed_at=None)
    ScrapingJob.objects.filter(pk=job.pk).update(updated_at=NOW - timedelta(days=8))
    fresh = make_job(campaign.owner, campaign, status="error", completed_at=None)
    ScrapingJob.objects.filter(pk=fresh.pk).update(updated_at=NOW - timedelta(days=2))
    with time_machine.travel(NOW, tick=False):
        retention_purge()
    assert list(ScrapingJob.objects.all()) == [fresh]


def test_retention_days_come_from_sysconfig(campaign):
    SystemConfiguration.objects.create(category="retention", key="completed_days", value="90")
    SystemConfiguration.objects.create(category="retention", key="failed_days", value="1")
    config.invalidate()
    kept = finished(campaign, "completed", 60)
    error = finished(campaign, "error", 2)
    with time_machine.travel(NOW, tick=False):
        summary = retention_purge()
    assert list(ScrapingJob.objects.all()) == [kept]
    assert not ScrapingJob.objects.filter(pk=error.pk).exists()
    assert summary["cutoffs"]["completed"] == (NOW - timedelta(days=90)).isoformat()
    assert summary["cutoffs"]["timeout"] == (NOW - timedelta(days=1)).isoformat()


def test_the_purge_is_recorded_as_one_system_action(campaign):
    finished(campaign, "completed", 40)
    finished(campaign, "cancelled", 10, creators=0, calls=1)
    with time_machine.travel(NOW, tick=False):
        purge_expired_jobs()
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin, entry.admin_email, entry.target_user) == (
        "retention_purge",
        None,
        "",
        None,
    )
    details = entry.details
    assert details["total"] == {"jobs": 2, "creators": 2, "api_calls": 4}
    assert details["removed"]["completed"] == {"jobs": 1, "creators": 2, "api_calls": 3}
    assert details["removed"]["cancelled"] == {"jobs": 1, "creators": 0, "api_calls": 1}
    assert details["removed"]["partial"] == {"jobs": 0, "creators": 0, "api_calls": 0}
    assert details["ran_at"] == NOW.isoformat()
    assert details["cutoffs"]["completed"] == (NOW - timedelta(days=30)).isoformat()


def test_a_run_with_nothing_to_remove_is_still_recorded(campaign):
    with time_machine.travel(NOW, tick=False):
        retention_purge()
    assert AdminAction.objects.get().details["total"] == {"jobs": 0, "creators": 0, "api_calls": 0}


def test_big_purges_go_in_batches(campaign):
    for _ in range(7):
        finished(campaign, "completed", 45, creators=1, calls=1)
    with time_machine.travel(NOW, tick=False):
        summary = retention_purge(batch_size=3)
    assert summary["total"] == {"jobs": 7, "creators": 7, "api_calls": 7}
    assert not ScrapingJob.objects.exists()


def test_upstream_calls_outside_any_search_follow_the_longest_retention(campaign):
    ApiCall.objects.create(job=None, endpoint="/v1/x", at=NOW - timedelta(days=31))
    recent = ApiCall.objects.create(job=None, endpoint="/v1/x", at=NOW - timedelta(days=29))
    with time_machine.travel(NOW, tick=False):
        summary = retention_purge()
    assert list(ApiCall.objects.all()) == [recent]
    assert summary["orphan_api_calls"] == 1


def test_a_daily_schedule_runs_the_purge():
    schedule = Schedule.objects.get(name="sysconfig: retention purge")
    assert (schedule.func, schedule.schedule_type, schedule.repeats) == (
        "backoffice.tasks.purge_expired_jobs",
        Schedule.DAILY,
        -1,
    )


def metrics_row(handle: str, *, fetched_days_ago=None, requested_days_ago=None) -> CreatorMetrics:
    ago = lambda days: None if days is None else NOW - timedelta(days=days)  # noqa: E731
    return CreatorMetrics.objects.create(
        platform="tiktok",
        external_id=handle,
        handle=handle,
        fetched_at=ago(fetched_days_ago),
        requested_at=ago(requested_days_ago),
    )


def test_creator_metrics_nobody_fetched_for_the_longest_retention_go():
    kept = [
        metrics_row("fetched_29_days_ago", fetched_days_ago=29, requested_days_ago=200),
        metrics_row("asked_for_yesterday", requested_days_ago=1),
    ]
    metrics_row("fetched_31_days_ago", fetched_days_ago=31, requested_days_ago=31)
    metrics_row("never_fetched", requested_days_ago=40)
    with time_machine.travel(NOW, tick=False):
        summary = retention_purge()
    assert set(CreatorMetrics.objects.all()) == set(kept)
    assert summary["creator_metrics"] == 2


def test_creator_metrics_still_fresh_stay_whatever_the_retention():
    SystemConfiguration.objects.create(category="metrics", key="cache_ttl", value=str(60 * 86400))
    config.invalidate()
    fresh = metrics_row("fetched_40_days_ago", fetched_days_ago=40)
    metrics_row("fetched_61_days_ago", fetched_days_ago=61)
    with time_machine.travel(NOW, tick=False):
        retention_purge()
    assert list(CreatorMetrics.objects.all()) == [fresh]


def delivered(user, month: date, external_id: str) -> DeliveredCreator:
    return DeliveredCreator.objects.create(
        user=user, month=month, platform="tiktok", external_id=external_id
    )


def test_which_creators_were_delivered_is_forgotten_once_their_period_is_over(make_user):
    """NOW is 1 March: February's usage period may still be read around the month's turn, and
    a running trial counts in the month it started, however long ago."""
    paying = make_user("paying@example.com", plan="pro")
    trial = make_user("trial@example.com")
    UserProfile.objects.filter(user=paying).update(trial_ends_at=NOW - timedelta(days=90))
    UserProfile.objects.filter(user=trial).update(
        trial_started_at=datetime(2025, 12, 20, tzinfo=UTC), trial_ends_at=NOW + timedelta(days=1)
    )
    usage = MonthlyUsage.objects.create(user=paying, month=date(2026, 1, 1), creators=1)
    delivered(paying, date(2025, 12, 1), "a")
    delivered(paying, date(2026, 1, 1), "b")
    kept = [
        delivered(paying, date(2026, 2, 1), "c"),
        delivered(paying, date(2026, 3, 1), "d"),
        delivered(trial, date(2025, 12, 1), "e"),
    ]
    with time_machine.travel(NOW, tick=False):
        summary = retention_purge()
    assert set(DeliveredCreator.objects.all()) == set(kept)
    assert summary["delivered_creators"] == 2
    assert list(MonthlyUsage.objects.filter(user=paying)) == [usage]  # the counts stay
