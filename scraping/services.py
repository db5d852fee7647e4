"""Writes for searches: create, cancel, retry, sweep."""

import logging
import math
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign
from influencer.queue import enqueue
from sysconfig import config
from trials.services import entitlement_check

from .engine import STEP_TASK, make_initial_state, timeout_message
from .models import (
    ACTIVE_STATUSES,
    RETRYABLE_STATUSES,
    JobStatus,
    Platform,
    ScrapingJob,
    SearchType,
)
from .validation import normalize_handle, normalize_terms, validate_target

logger = logging.getLogger(__name__)

# Which search types each platform offers.
SEARCH_KINDS = {
    ("tiktok", "keyword"),
    ("tiktok", "similar"),
    ("instagram", "hashtag"),
    ("instagram", "similar"),
    ("youtube", "keyword"),
    ("youtube", "similar"),
}


class InvalidTransition(Exception):
    """The job's current status does not allow this action (HTTP 409)."""


def page_budget(search_key: str, target: int) -> int:
    """Search-page calls a job may make: what the target needs, capped by sysconfig."""
    needed = max(10, math.ceil(target / 4))
    return min(needed, int(config.get(f"api_limits.max_api_calls_{search_key}")))


@transaction.atomic
def job_create(
    *,
    owner,
    campaign: Campaign,
    platform: str,
    search_type: str,
    keywords=None,
    target_username: str | None = None,
    target_results=100,
    target_choices: tuple[int, ...] | None = None,
) -> ScrapingJob:
    """Validate, create the job and enqueue its first step in one transaction."""
    if (platform, search_type) not in SEARCH_KINDS:
        raise ValidationError({"search_type": f"{platform} has no {search_type} search."})
    if campaign.owner_id != owner.pk:
        raise ValidationError({"campaign": "Campaign not found."})
    entitlement_check(user=owner, action="search")
    if campaign.status == Campaign.Status.COMPLETED:
        raise ValidationError(
            {"campaign": "This campaign is completed. Reopen it to run new searches."}
        )
    errors = {}
    terms, handle = [], ""
    try:
        target = validate_target(target_results, choices=target_choices)
    except ValidationError as exc:
        errors["target_results"] = exc.messages
    if search_type == SearchType.SIMILAR:
        try:
            handle = normalize_handle(target_username, platform=platform)
        except ValidationError as exc:
            errors["target_username"] = exc.messages
    else:
        label = "hashtag" if search_type == SearchType.HASHTAG else "keyword"
        try:
            terms = normalize_terms(keywords, label=label)
        except ValidationError as exc:
            errors["keywords"] = exc.messages
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    job = ScrapingJob(
        owner=owner,
        campaign=campaign,
        platform=Platform(platform),
        search_type=SearchType(search_type),
        keywords=terms,
        target_username=handle,
        target_results=target,
        api_call_budget=page_budget(f"{platform}_{search_type}", target),
        timeout_at=now + timedelta(seconds=config.get("scraping.job_timeout")),
    )
    job.state = make_initial_state(job)
    job.save()
    if campaign.status == Campaign.Status.DRAFT:
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.ACTIVE)
        campaign.status = Campaign.Status.ACTIVE
    enqueue(STEP_TASK, str(job.pk))
    logger.info("job created", extra={"job_id": str(job.pk), "search": job.search_key})
    return job


def job_cancel(*, job: ScrapingJob) -> ScrapingJob:
    now = timezone.now()
    updated = ScrapingJob.objects.filter(pk=job.pk, status__in=ACTIVE_STATUSES).update(
        status=JobStatus.CANCELLED,
        error="",
        finish_reason="Cancelled by the user.",
        completed_at=now,
        updated_at=now,
    )
    if not updated:
        job.refresh_from_db()
        raise InvalidTransition(f"A {job.status} search cannot be cancelled.")
    job.refresh_from_db()
    return job


@transaction.atomic
def job_retry(*, job: ScrapingJob) -> ScrapingJob:
    """Resume from the saved cursors with the page budget topped up and a fresh timeout."""
    now = timezone.now()
    updated = ScrapingJob.objects.filter(pk=job.pk, status__in=RETRYABLE_STATUSES).update(
        status=JobStatus.PENDING,
        attempts=0,
        error="",
        finish_reason="",
        completed_at=None,
        locked_until=None,
        worker_id="",
        timeout_at=now + timedelta(seconds=config.get("scraping.job_timeout")),
        updated_at=now,
    )
    if not updated:
        job.refresh_from_db()
        raise InvalidTransition(f"A {job.status} search cannot be retried.")
    job.refresh_from_db()
    job.api_call_budget = job.search_calls + page_budget(job.search_key, job.target_results)
    job.save(update_fields=["api_call_budget"])
    enqueue(STEP_TASK, str(job.pk))
    return job


def jobs_cancel_for_campaign(*, campaign: Campaign) -> int:
    now = timezone.now()
    return ScrapingJob.objects.filter(campaign=campaign, status__in=ACTIVE_STATUSES).update(
        status=JobStatus.CANCELLED,
        finish_reason="Cancelled: the campaign was deleted.",
        completed_at=now,
        updated_at=now,
    )


def jobs_sweep() -> dict[str, int]:
    """Time out stale jobs and re-enqueue jobs whose worker vanished. Runs every minute."""
    now = timezone.now()
    counts = {"timed_out": 0, "resumed": 0}
    for job in ScrapingJob.objects.filter(status__in=ACTIVE_STATUSES, timeout_at__lt=now):
        counts["timed_out"] += ScrapingJob.objects.filter(
            pk=job.pk, status__in=ACTIVE_STATUSES
        ).update(
            status=JobStatus.TIMEOUT,
            error=timeout_message(job),
            finish_reason=timeout_message(job),
            completed_at=now,
            updated_at=now,
        )
    lease = timedelta(seconds=config.get("scraping.lease"))
    abandoned = ScrapingJob.objects.filter(
        status=JobStatus.PROCESSING, locked_until__lt=now
    ) | ScrapingJob.objects.filter(status=JobStatus.PENDING, updated_at__lt=now - lease)
    for job in abandoned:
        # Conditional, so two sweepers never resume one job twice.
        resumed = ScrapingJob.objects.filter(
            pk=job.pk, status=job.status, updated_at=job.updated_at
        ).update(status=JobStatus.PENDING, locked_until=None, worker_id="", updated_at=now)
        if resumed:
            counts["resumed"] += 1
            logger.warning("resuming abandoned job", extra={"job_id": str(job.pk)})
            enqueue(STEP_TASK, str(job.pk))
    return counts
