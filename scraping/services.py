"""Writes for searches: create, cancel, retry, sweep, and the related hashtags of a running one."""

import logging
import math
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import catalogue
from core.queue import enqueue
from sysconfig import config
from trials.services.entitlements import search_start_allow

from .engine import STEP_TASK, make_initial_state, timeout_message
from .models import Platform, ScrapingJob, SearchType
from .searches import related
from .state import Chain, JobState, JSONObject
from .transitions import ACTIVE_STATUSES, TARGET_NOT_FOUND
from .validation import normalize_handle, normalize_hashtag, normalize_terms, validate_target

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

CampaignRow: TypeAlias = Any
"""The `campaigns.Campaign` that campaigns.services.search_start hands down. scraping may not
import it (docs/ARCHITECTURE.md, "Apps and layers") and the foreign key takes only that model."""


class InvalidTransition(Exception):
    """The job's current status does not allow this action (HTTP 409)."""


def page_budget(search_key: str, target: int) -> int:
    """Search-page calls a job may make: what the target needs, capped by sysconfig."""
    needed = max(10, math.ceil(target / 4))
    return min(needed, int(config.get(f"api_limits.max_api_calls_{search_key}")))


@transaction.atomic
def job_create(
    *,
    owner: "User",
    campaign: CampaignRow,
    platform: str,
    search_type: str,
    keywords: object = None,
    target_username: str | None = None,
    target_results: object = 100,
    target_choices: tuple[int, ...] | None = None,
    expand_related: bool = False,
) -> ScrapingJob:
    """Validate, create the job and enqueue its first step in one transaction.

    The campaign's own rules (its owner, open for searches) are campaigns.services.search_start's;
    this is the search's part. `expand_related`: also search the hashtags found in the search's
    own results (TikTok keyword only; `scraping.searches.related`)."""
    spec = catalogue.search_for(platform, search_type)
    if spec is None:
        raise ValidationError({"search_type": f"{platform} has no {search_type} search."})
    if expand_related and not spec.related_hashtags:
        raise ValidationError(
            {"expand_related": f"A {spec.short_label} search cannot add related hashtags."}
        )
    search_start_allow(user=owner)
    errors: dict[str, list[str]] = {}
    terms: list[str] = []
    handle = ""
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
        expand_related=bool(expand_related),
        api_call_budget=page_budget(f"{platform}_{search_type}", target),
        timeout_at=now + timedelta(seconds=config.get("scraping.job_timeout")),
    )
    job.state = make_initial_state(job).to_json()
    job.save()
    enqueue(STEP_TASK, str(job.pk))
    logger.info("job created", extra={"job_id": str(job.pk), "search": job.search_key})
    return job


def job_cancel(*, job: ScrapingJob) -> ScrapingJob:
    updated = ScrapingJob.objects.filter(pk=job.pk).cancel(
        reason="Cancelled by the user.", now=timezone.now()
    )
    if not updated:
        job.refresh_from_db()
        raise InvalidTransition(f"A {job.status} search cannot be cancelled.")
    job.refresh_from_db()
    return job


@transaction.atomic
def job_retry(*, job: ScrapingJob) -> ScrapingJob:
    """Resume from the saved cursors with the page budget topped up and a fresh timeout.

    A retry spends upstream calls like a new search: the owner's plan and start throttle
    apply (checked after the transition, so a wrong state is a 409, not a spent start).
    """
    now = timezone.now()
    updated = ScrapingJob.objects.filter(pk=job.pk).reopen(
        timeout_at=now + timedelta(seconds=config.get("scraping.job_timeout")), now=now
    )
    if not updated:
        job.refresh_from_db()
        if job.error_code == TARGET_NOT_FOUND:
            raise InvalidTransition(f"{job.error} Retrying cannot help.")
        raise InvalidTransition(f"A {job.status} search cannot be retried.")
    search_start_allow(user=job.owner)
    job.refresh_from_db()
    job.api_call_budget = job.search_calls + page_budget(job.search_key, job.target_results)
    job.state = reopen_failed_chains(job.state)
    job.save(update_fields=["api_call_budget", "state"])
    enqueue(STEP_TASK, str(job.pk))
    return job


def reopen_failed_chains(saved: JSONObject) -> JSONObject:
    """A retry gives the sources that failed another chance, from where they stopped (not the
    related hashtags the user removed)."""
    if not saved:
        return saved  # no step ran: the engine starts it from the beginning
    state = JobState.from_json(saved)
    for chain in state.chains:
        if chain.error and not chain.removed:
            chain.reopen()
    return state.to_json()


# --- related hashtags (TikTok keyword searches that expand with them) ---------------------------


def _locked_related(job: ScrapingJob) -> tuple[ScrapingJob, JobState]:
    """The job under its row lock (an engine step's commit waits for it, and keeps the edit: see
    `JobState.keep_related_edits`) and its state; refused unless it still runs and expands."""
    locked = ScrapingJob.objects.select_for_update().get(pk=job.pk)
    if locked.status not in ACTIVE_STATUSES:
        raise InvalidTransition(
            f"This search is {locked.get_status_display().lower()}: its related hashtags can "
            "no longer change."
        )
    state = JobState.from_json(locked.state)
    if state.related is None:
        raise InvalidTransition("This search does not search related hashtags.")
    return locked, state


def _save_related(job: ScrapingJob, state: JobState) -> None:
    job.state = state.to_json()
    job.save(update_fields=["state", "updated_at"])


@transaction.atomic
def related_hashtag_add(*, job: ScrapingJob, hashtag: object) -> str:
    """Also search `hashtag` in this running search (its chain starts with the next step; one
    removed before goes on from where it stopped). Returns the hashtag as searched."""
    locked, state = _locked_related(job)
    tag = normalize_hashtag(hashtag)
    if tag in {related.tag_of(term) for term in locked.keywords}:
        raise ValidationError(f"#{tag} is one of this search's own keywords.")
    chains = [c for c in state.chains if c.is_related]
    chain = next((c for c in chains if c.term == tag), None)
    if chain is not None and not chain.removed:
        raise ValidationError(f"#{tag} is already searched.")
    if sum(not c.removed for c in chains) >= related.MAX_RELATED:
        raise ValidationError(
            f"A search has at most {related.MAX_RELATED} related hashtags: remove one first."
        )
    if chain is None:
        state.chains.append(Chain(term=tag, kind="related", added_by="user"))
    else:
        chain.restore()
    _save_related(locked, state)
    return tag


@transaction.atomic
def related_hashtag_remove(*, job: ScrapingJob, hashtag: object) -> str:
    """Stop searching one related hashtag of this running search (the creators it found are
    kept; it is never chosen again). Returns the hashtag."""
    locked, state = _locked_related(job)
    tag = related.tag_of(hashtag) if isinstance(hashtag, str) else ""
    chain = next(
        (c for c in state.chains if c.is_related and c.term == tag and not c.removed), None
    )
    if chain is None:
        if not tag:
            raise ValidationError("Choose one of this search's related hashtags to remove.")
        raise ValidationError(f"#{tag} is not one of this search's related hashtags.")
    chain.remove()
    _save_related(locked, state)
    return tag


def jobs_cancel_for_campaign(*, campaign: CampaignRow) -> int:
    return ScrapingJob.objects.filter(campaign=campaign).cancel(
        reason="Cancelled: the campaign was deleted.", now=timezone.now()
    )


def jobs_sweep() -> dict[str, int]:
    """Time out stale jobs and re-enqueue jobs whose worker vanished. Runs every minute."""
    now = timezone.now()
    counts = {"timed_out": 0, "resumed": 0}
    for job in ScrapingJob.objects.overdue(now=now):
        counts["timed_out"] += ScrapingJob.objects.filter(pk=job.pk).time_out(
            message=timeout_message(job), now=now
        )
    lease = timedelta(seconds=config.get("scraping.lease"))
    for job in ScrapingJob.objects.abandoned(now=now, lease=lease):
        # Pinned to what was read, so two sweepers never resume one job twice.
        resumed = ScrapingJob.objects.filter(
            pk=job.pk, status=job.status, updated_at=job.updated_at
        ).resume(now=now)
        if resumed:
            counts["resumed"] += 1
            logger.warning("resuming abandoned job", extra={"job_id": str(job.pk)})
            enqueue(STEP_TASK, str(job.pk))
    return counts
