"""Every status change of a search goes through scraping.transitions: each moves a job only
from the statuses it may leave, and says how many rows moved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scraping.models import ScrapingJob
from scraping.transitions import (
    TARGET_NOT_FOUND,
    JobQuerySet,
    JobStatus,
    conclude,
    continue_later,
)
from tests.factories import make_campaign, make_job

pytestmark = pytest.mark.django_db

ALL = list(JobStatus)
NOW = timezone.now()
LEASE = timedelta(seconds=60)


@pytest.fixture
def jobs(user):
    """One job in each status."""
    campaign = make_campaign(user)
    return {status: make_job(user, campaign, status=status) for status in ALL}


def moved(jobs, transition, **kwargs) -> dict[str, str]:
    """Apply the transition to every job; {old status: new status} of those that moved."""
    result = {}
    for status, job in jobs.items():
        if transition(ScrapingJob.objects.filter(pk=job.pk), **kwargs):
            job.refresh_from_db()
            result[status] = job.status
    return result


def test_cancel_stops_only_pending_and_processing_jobs(jobs):
    assert moved(jobs, JobQuerySet.cancel, reason="r", now=NOW) == {
        "pending": "cancelled",
        "processing": "cancelled",
    }
    assert jobs["pending"].finish_reason == "r"
    assert jobs["pending"].completed_at == NOW


def test_time_out_ends_only_active_jobs_and_the_sweeper_leaves_the_lease(jobs):
    ScrapingJob.objects.filter(pk=jobs["processing"].pk).update(worker_id="w1")
    assert moved(jobs, JobQuerySet.time_out, message="m", now=NOW) == {
        "pending": "timeout",
        "processing": "timeout",
    }
    assert (jobs["processing"].error, jobs["processing"].worker_id) == ("m", "w1")


def test_a_worker_releases_its_own_overdue_job(jobs):
    job = jobs["processing"]
    ScrapingJob.objects.filter(pk=job.pk).update(worker_id="w1", locked_until=NOW)
    ScrapingJob.objects.filter(pk=job.pk).time_out(message="m", now=NOW, release_lease=True)
    job.refresh_from_db()
    assert (job.status, job.worker_id, job.locked_until) == ("timeout", "", None)


def test_staff_force_only_active_jobs_and_only_to_error_or_completed(jobs):
    assert moved(jobs, JobQuerySet.force, status="completed", reason="x", now=NOW) == {
        "pending": "completed",
        "processing": "completed",
    }
    assert jobs["pending"].progress == 100
    with pytest.raises(ValueError):
        ScrapingJob.objects.all().force(status="partial", reason="x", now=NOW)


def test_reopen_takes_back_finished_jobs_except_completed_and_not_found_targets(jobs):
    ScrapingJob.objects.filter(pk=jobs["error"].pk).update(error_code=TARGET_NOT_FOUND)
    later = NOW + timedelta(hours=1)
    assert moved(jobs, JobQuerySet.reopen, timeout_at=later, now=NOW) == {
        "partial": "pending",
        "timeout": "pending",
        "cancelled": "pending",
    }
    assert jobs["timeout"].timeout_at == later
    assert (jobs["timeout"].error, jobs["timeout"].attempts) == ("", 0)


def test_claim_takes_an_active_job_nobody_holds(jobs):
    held = jobs["processing"]
    ScrapingJob.objects.filter(pk=held.pk).update(locked_until=NOW + LEASE, worker_id="other")
    assert moved(jobs, JobQuerySet.claim, token="me", now=NOW, lease=LEASE) == {
        "pending": "processing"
    }
    assert jobs["pending"].worker_id == "me"
    assert jobs["pending"].locked_until == NOW + LEASE


def test_stale_jobs_are_overdue_or_abandoned(user):
    campaign = make_campaign(user)
    fresh = make_job(user, campaign, status="processing", locked_until=NOW + LEASE)
    lost = make_job(user, campaign, status="processing", locked_until=NOW - LEASE)
    overdue = make_job(user, campaign, status="processing", timeout_at=NOW - LEASE)
    finished = make_job(user, campaign, status="completed", locked_until=NOW - LEASE)
    stale = set(ScrapingJob.objects.stale(now=NOW, lease=LEASE))
    assert stale == {lost, overdue}
    assert fresh not in stale and finished not in stale
    assert set(ScrapingJob.objects.abandoned(now=NOW, lease=LEASE)) == {lost}
    assert set(ScrapingJob.objects.overdue(now=NOW)) == {overdue}


def test_the_engine_concludes_a_job_it_holds_or_queues_its_next_step(jobs):
    job = jobs["processing"]
    conclude(job, JobStatus.PARTIAL, now=NOW, progress=40, reason="ran dry")
    assert (job.status, job.progress, job.finish_reason, job.error) == (
        "partial",
        40,
        "ran dry",
        "",
    )
    continue_later(job)
    assert job.status == "pending"
    with pytest.raises(ValueError):
        conclude(job, JobStatus.CANCELLED, now=NOW, progress=0)
