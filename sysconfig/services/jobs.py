"""Staff actions on searches (through the scraping app's services) and on the image cache."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import AdminAction
from .audit import Action, audit


def _job_details(job, before_status: str, **extra) -> dict[str, Any]:
    return {
        "job_id": str(job.pk),
        "search": job.search_key,
        "before": {"status": before_status},
        "after": {"status": job.status},
        **extra,
    }


@transaction.atomic
def job_cancel_by_staff(*, admin, job):
    """Cancel a pending or running search (InvalidTransition otherwise), and log it."""
    from scraping.services import job_cancel

    before = job.status
    job = job_cancel(job=job)
    audit(
        admin=admin,
        action=Action.JOB_CANCELLED,
        target_user=job.owner,
        details=_job_details(job, before),
    )
    return job


@transaction.atomic
def job_retry_by_staff(*, admin, job):
    """Resume a finished-but-retryable search (InvalidTransition otherwise), and log it."""
    from scraping.services import job_retry

    before = job.status
    job = job_retry(job=job)
    audit(
        admin=admin,
        action=Action.JOB_RETRIED,
        target_user=job.owner,
        details=_job_details(job, before),
    )
    return job


FORCEABLE = ("error", "completed")


@transaction.atomic
def job_force_status(*, admin, job, status: str, reason: str = ""):
    """End a stuck (pending or processing) search as `error` or `completed`, and log it.

    The lease is dropped too, so a worker still running a step discards that step's results.
    """
    from scraping.models import ACTIVE_STATUSES, JobStatus, ScrapingJob
    from scraping.services import InvalidTransition

    if status not in FORCEABLE:
        raise ValidationError({"status": "A job can be forced to error or completed only."})
    reason = reason.strip() or f"Marked {status} by staff."
    now = timezone.now()
    current = ScrapingJob.objects.select_for_update().get(pk=job.pk)
    if current.status not in ACTIVE_STATUSES:
        raise InvalidTransition(f"A {current.status} search is not stuck; it cannot be forced.")
    fields: dict[str, Any] = {
        "status": status,
        "finish_reason": reason,
        "completed_at": now,
        "locked_until": None,
        "worker_id": "",
        "updated_at": now,
    }
    if status == JobStatus.ERROR:
        fields["error"] = reason
    else:
        fields["error"] = ""
        fields["progress"] = 100
    ScrapingJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    audit(
        admin=admin,
        action=Action.JOB_STATUS_FORCED,
        target_user=job.owner,
        details=_job_details(
            job,
            current.status,
            reason=reason,
            progress={"before": current.progress, "after": job.progress},
        ),
    )
    return job


@transaction.atomic
def image_cache_purge(*, admin) -> AdminAction:
    """Forget every server-cached avatar (re-fetched on next request), and log it."""
    from imageproxy import cache as image_cache

    image_cache.purge()
    return audit(
        admin=admin,
        action=Action.IMAGE_CACHE_PURGED,
        details={"cache_key_prefix": image_cache.KEY_PREFIX},
    )
