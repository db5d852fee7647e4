"""Staff actions on searches (through the scraping app's services) and on the image cache."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from imageproxy import cache as image_cache
from scraping.models import ScrapingJob
from scraping.services import InvalidTransition, job_cancel, job_retry
from scraping.transitions import ACTIVE_STATUSES, FORCEABLE_STATUSES

from ..models import AdminAction
from .audit import Action, audit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FORCEABLE = FORCEABLE_STATUSES  # what staff may end a stuck search as


def _job_details(job: ScrapingJob, before_status: str, **extra: Any) -> dict[str, Any]:
    return {
        "job_id": str(job.pk),
        "search": job.search_key,
        "before": {"status": before_status},
        "after": {"status": job.status},
        **extra,
    }


@transaction.atomic
def job_cancel_by_staff(*, admin: "User", job: ScrapingJob) -> ScrapingJob:
    """Cancel a pending or running search (InvalidTransition otherwise), and log it."""
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
def job_retry_by_staff(*, admin: "User", job: ScrapingJob) -> ScrapingJob:
    """Resume a finished-but-retryable search (InvalidTransition otherwise), and log it."""
    before = job.status
    job = job_retry(job=job)
    audit(
        admin=admin,
        action=Action.JOB_RETRIED,
        target_user=job.owner,
        details=_job_details(job, before),
    )
    return job


@transaction.atomic
def job_force_status(
    *, admin: "User", job: ScrapingJob, status: str, reason: str = ""
) -> ScrapingJob:
    """End a stuck (pending or processing) search as `error` or `completed`, and log it.

    The lease is dropped too, so a worker still running a step discards that step's results.
    """
    if status not in FORCEABLE:
        raise ValidationError({"status": "A job can be forced to error or completed only."})
    reason = reason.strip() or f"Marked {status} by staff."
    now = timezone.now()
    current = ScrapingJob.objects.select_for_update().get(pk=job.pk)
    if current.status not in ACTIVE_STATUSES:
        raise InvalidTransition(f"A {current.status} search is not stuck; it cannot be forced.")
    ScrapingJob.objects.filter(pk=job.pk).force(status=status, reason=reason, now=now)
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
def image_cache_purge(*, admin: "User") -> AdminAction:
    """Forget every server-cached avatar (re-fetched on next request), and log it."""
    image_cache.purge()
    return audit(
        admin=admin,
        action=Action.IMAGE_CACHE_PURGED,
        details={"cache_key_prefix": image_cache.KEY_PREFIX},
    )
