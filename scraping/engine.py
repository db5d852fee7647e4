"""The job engine: claim → one bounded unit of upstream work → one commit → continue or finish.

A unit is: fetch the next page of the cursor chains that are needed, and, at the same time,
enrich a batch of creators discovered earlier (one profile call each, bounded concurrency).
Everything the unit learned — creators, counters, progress, cursors, the pending queue — is
saved in one transaction that also enqueues the next step. A crash anywhere before that
commit only repeats the unit: the unique key on creators makes the repeat harmless.

Worker threads only talk HTTP; every database write happens in the step's own thread.
"""

import logging
import math
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connections, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from influencer.queue import enqueue
from sysconfig import config
from trials.services import creators_release, creators_reserve

from .client import CallRecord, NotFound, UpstreamError, default_client
from .client.errors import user_message
from .models import ACTIVE_STATUSES, ApiCall, Creator, JobStatus, ProfileCache, ScrapingJob
from .searches import SEARCHES, Search, StepContext, TargetNotFound

logger = logging.getLogger(__name__)

STEP_TASK = "scraping.tasks.run_job_step"
DEFAULT_NEW_PER_PAGE = 8.0


@dataclass
class Outcome:
    creators: list[dict] = field(default_factory=list)
    profiles: dict[str, dict] = field(default_factory=dict)  # cache key → body to store
    pages_fetched: int = 0
    failure: str = ""
    fatal: str = ""
    plan_limited: bool = False


class CallLog:
    """Collects the call records of one step from every thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self.records: list[CallRecord] = []

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self.records.append(record)


# --- the step --------------------------------------------------------------------------------


def job_step(job_id) -> None:
    """Run one step of a job if it can be claimed; otherwise do nothing."""
    delay = config.get("scraping.continuation_delay")
    if delay:
        time.sleep(delay)
    token = uuid.uuid4().hex
    job = _claim(job_id, token)
    if job is None:
        return
    if job.timeout_at and timezone.now() >= job.timeout_at:
        _finish_timeout(job)
        return
    search = SEARCHES[job.search_key]
    state = dict(job.state) if job.state else search.initial_state(job)
    state["similar_keywords"] = int(config.get("scraping.similar_keywords"))
    log = CallLog()
    ctx = StepContext(client=default_client(), on_record=log.add, state=state)
    outcome = Outcome()
    try:
        if not state.get("prepared"):
            search.prepare(ctx, job)
            state["prepared"] = True
            state["pending"] = _admit(search, state, state.get("pending") or [])
        else:
            _run_unit(ctx, job, search, outcome)
    except TargetNotFound as exc:
        outcome.fatal = str(exc)
    except UpstreamError as exc:
        if exc.fatal:
            outcome.fatal = user_message(exc)
        else:
            outcome.failure = user_message(exc)
    except Exception as exc:  # a bug must not leave the job stuck in processing
        logger.exception("job step crashed", extra={"job_id": str(job.pk)})
        outcome.failure = f"Internal error: {type(exc).__name__}"
    _commit(job.pk, token, state, outcome, log.records)


def _claim(job_id, token: str) -> ScrapingJob | None:
    now = timezone.now()
    claimed = (
        ScrapingJob.objects.filter(pk=job_id, status__in=ACTIVE_STATUSES)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(
            status=JobStatus.PROCESSING,
            locked_until=now + timedelta(seconds=config.get("scraping.lease")),
            worker_id=token,
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
            updated_at=now,
        )
    )
    return ScrapingJob.objects.get(pk=job_id) if claimed else None


def _admit(search: Search, state: dict, seeds: list[dict]) -> list[dict]:
    """Seeds not seen before in this job (and not the target), marked as seen."""
    seen = set(state.setdefault("seen", []))
    admitted = []
    for seed in seeds:
        key = seed.get("external_id")
        if not key or key in seen or search.excluded(state, seed):
            continue
        seen.add(key)
        state["seen"].append(key)
        admitted.append(seed)
    return admitted


def _run_unit(ctx: StepContext, job: ScrapingJob, search: Search, outcome: Outcome) -> None:
    state = ctx.state
    need = job.target_results - job.processed_results
    pending: list[dict] = state.setdefault("pending", [])
    batch = pending[: max(0, min(need, _batch_size(job)))]
    chains = _chains_to_fetch(state, job, need - len(pending))

    cached = _cached_profiles(search, batch)
    to_fetch = [seed for seed in batch if search.profile_key(seed) not in cached]
    concurrency = int(config.get("scraping.enrichment_concurrency"))
    workers = max(1, min(concurrency + len(chains), len(to_fetch) + len(chains)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"job-{job.pk}") as pool:
        page_futures = [(c, pool.submit(_threaded, search.fetch_page, ctx, c)) for c in chains]
        profile_futures = {
            search.profile_key(s): pool.submit(_threaded, search.fetch_profile, ctx, s)
            for s in to_fetch
        }
        profiles = _collect_profiles(search, batch, cached, profile_futures, outcome)
        discovered = _collect_pages(page_futures, outcome)

    del pending[: len(batch)]
    for seed in batch:
        key = search.profile_key(seed)
        body, error = profiles[key]
        if isinstance(error, NotFound):
            continue  # that one creator is gone upstream; nothing to deliver
        profile = search.parse_profile(body) if body else None
        fields = search.build(state, seed, profile)
        if error is not None:
            fields["enrichment"], fields["enrichment_error"] = "failed", error.message[:255]
        elif profile is None:
            fields["enrichment"], fields["enrichment_error"] = "failed", "profile unreadable"
        fields["raw"] = body or {}
        outcome.creators.append(fields)
        if body:
            pending.extend(_admit(search, state, search.expand(state, seed, body)))
    outcome.creators = outcome.creators[:need]
    pending.extend(_admit(search, state, discovered))


def _batch_size(job: ScrapingJob) -> int:
    """Profiles per step: several rounds of the parallel calls, so that each step's slowest call
    (the tail every step waits for) and its claim and commit are shared by more creators. The
    first batch is one round: the first creators show within about one profile call."""
    concurrency = int(config.get("scraping.enrichment_concurrency"))
    if job.processed_results == 0:
        return concurrency
    return concurrency * int(config.get("scraping.enrichment_batch_rounds"))


def _chains_to_fetch(state: dict, job: ScrapingJob, shortfall: int) -> list[dict]:
    """Just enough live chains to cover what the pending queue cannot, within the budget."""
    live = [c for c in state.get("chains", []) if not c["done"]]
    budget_left = job.api_call_budget - job.search_calls
    if shortfall <= 0 or not live or budget_left <= 0:
        return []
    per_page = state.get("new_per_page") or DEFAULT_NEW_PER_PAGE
    wanted = min(len(live), budget_left, max(1, math.ceil(shortfall / per_page)))
    start = state.get("next_chain", 0) % len(live)
    chosen = (live[start:] + live[:start])[:wanted]
    state["next_chain"] = start + wanted
    return chosen


def _cached_profiles(search: Search, batch: list[dict]) -> dict[str, dict]:
    ttl = config.get("scraping.profile_cache_ttl")
    if not batch or ttl <= 0:
        return {}
    fresh_since = timezone.now() - timedelta(seconds=ttl)
    rows = ProfileCache.objects.filter(
        platform=search.platform,
        key__in=[search.profile_key(s) for s in batch],
        fetched_at__gte=fresh_since,
    )
    return {row.key: row.payload for row in rows}


def _threaded(fn, *args):
    try:
        return fn(*args)
    finally:
        connections.close_all()  # this thread's connections (the shared rate limiter's cache)


def _collect_profiles(search, batch, cached, futures, outcome) -> dict[str, tuple]:
    results: dict[str, tuple[dict | None, UpstreamError | None]] = {}
    for seed in batch:
        key = search.profile_key(seed)
        if key in cached:
            results[key] = (cached[key], None)
            continue
        try:
            body = futures[key].result()
        except UpstreamError as error:
            if error.fatal:
                raise
            results[key] = (None, error)
        else:
            results[key] = (body, None)
            outcome.profiles[key] = body
    return results


def _collect_pages(page_futures, outcome: Outcome) -> list[dict]:
    discovered: list[dict] = []
    for chain, future in page_futures:
        try:
            page = future.result()
        except UpstreamError as error:
            if error.fatal:
                raise
            outcome.failure = user_message(error)
            continue
        outcome.pages_fetched += 1
        chain["cursor"], chain["done"] = page.cursor, page.done
        chain["pages"] = chain.get("pages", 0) + 1
        discovered.extend(page.seeds)
    return discovered


# --- saving ----------------------------------------------------------------------------------


def _commit(job_id, token: str, state: dict, outcome: Outcome, records: list[CallRecord]) -> None:
    close_old_connections()
    with transaction.atomic():
        job = ScrapingJob.objects.select_for_update().get(pk=job_id)
        ApiCall.objects.bulk_create(
            ApiCall(job=job, step=job.steps + 1, lease_token=token, **vars(r)) for r in records
        )
        if job.worker_id != token:
            logger.warning(
                "lease lost before commit; discarding step", extra={"job_id": str(job_id)}
            )
            return
        _save_creators(job, _within_plan(job, outcome))
        _save_profiles(job.platform, outcome.profiles)
        _update_counters(job, state, outcome, records)
        should_continue = _decide(job, state, outcome)
        job.locked_until, job.worker_id = None, ""
        job.save()
        if should_continue:
            enqueue(STEP_TASK, str(job.pk))
    logger.info(
        "job step committed",
        extra={"job_id": str(job_id), "status": job.status, "saved": job.processed_results},
    )


def _within_plan(job: ScrapingJob, outcome: Outcome) -> list[dict]:
    """The creators the owner's plan still allows this month, reserved in this transaction."""
    wanted = len(outcome.creators)
    granted = creators_reserve(user=job.owner, wanted=wanted)
    if granted < wanted:
        outcome.plan_limited = True
    return outcome.creators[:granted]


def _save_creators(job: ScrapingJob, creators: list[dict]) -> None:
    if not creators:
        return
    model_fields = {f.name for f in Creator._meta.concrete_fields}
    start = job.processed_results
    rows = [
        Creator(
            job=job,
            platform=job.platform,
            position=start + i,
            **{k: v for k, v in fields.items() if k in model_fields and k not in ("id", "job")},
        )
        for i, fields in enumerate(creators)
    ]
    Creator.objects.bulk_create(rows, ignore_conflicts=True)
    inserted = job.creators.count() - start
    job.processed_results = start + inserted
    # A repeated unit inserts nothing new: give back what was reserved for the duplicates.
    creators_release(user=job.owner, count=len(rows) - inserted)


def _save_profiles(platform: str, profiles: dict[str, dict]) -> None:
    if not profiles:
        return
    now = timezone.now()
    ProfileCache.objects.bulk_create(
        [
            ProfileCache(platform=platform, key=k, payload=v, fetched_at=now)
            for k, v in profiles.items()
        ],
        update_conflicts=True,
        unique_fields=["platform", "key"],
        update_fields=["payload", "fetched_at"],
    )


def _update_counters(job, state, outcome: Outcome, records: list[CallRecord]) -> None:
    job.processed_runs += len(records)
    job.search_calls += outcome.pages_fetched
    job.credits_used += sum(r.credits_charged or 0 for r in records if r.status_code == 200)
    job.steps += 1
    if outcome.pages_fetched:
        # A running estimate of new creators per page, to size the next step's page fetches.
        new = len(state.get("seen", [])) - state.get("seen_before_step", 0)
        previous = state.get("new_per_page") or DEFAULT_NEW_PER_PAGE
        state["new_per_page"] = round(0.7 * previous + 0.3 * (new / outcome.pages_fetched), 2)
    state["seen_before_step"] = len(state.get("seen", []))
    job.state = state


def _decide(job: ScrapingJob, state: dict, outcome: Outcome) -> bool:
    """Set the job's status after a step; True when another step should run."""
    now = timezone.now()
    running_progress = min(99, job.processed_results * 100 // max(1, job.target_results))
    if job.status != JobStatus.PROCESSING:  # cancelled or timed out while this step ran
        job.progress = running_progress
        return False
    if outcome.fatal:
        return _end(job, JobStatus.ERROR, now, running_progress, error=outcome.fatal)
    if job.processed_results >= job.target_results:
        reason = f"Completed: found {job.processed_results} of {job.target_results} creators."
        return _end(job, JobStatus.COMPLETED, now, 100, reason=reason)
    if outcome.plan_limited:
        reason = (
            f"plan limit reached: found {job.processed_results} of {job.target_results} "
            "creators. Upgrade your plan to find more."
        )
        return _end(job, JobStatus.PARTIAL, now, running_progress, reason=reason)
    if outcome.failure:
        job.attempts += 1
        state["last_failure"] = outcome.failure
        if job.attempts >= int(config.get("scraping.max_step_failures")):
            message = f"Stopped after {job.attempts} failed attempts in a row: {outcome.failure}"
            return _end(job, JobStatus.ERROR, now, running_progress, error=message)
    else:
        job.attempts = 0
    job.progress = running_progress
    pending = state.get("pending") or []
    chains = state.get("chains") or []
    if not pending and state.get("prepared") and all(c["done"] for c in chains):
        reason = (
            f"The source ran dry: found {job.processed_results} of {job.target_results} creators."
        )
        return _end(job, JobStatus.PARTIAL, now, running_progress, reason=reason)
    if not pending and job.search_calls >= job.api_call_budget and state.get("prepared"):
        reason = (
            f"API-call budget reached ({job.api_call_budget} search pages): "
            f"found {job.processed_results} of {job.target_results} creators."
        )
        return _end(job, JobStatus.PARTIAL, now, running_progress, reason=reason)
    job.status = JobStatus.PENDING
    return True


def _end(job, status, now, progress, *, error: str = "", reason: str = "") -> bool:
    job.status, job.progress, job.completed_at = status, progress, now
    job.error, job.finish_reason = error, reason or error
    return False


def _finish_timeout(job: ScrapingJob) -> None:
    ScrapingJob.objects.filter(pk=job.pk, worker_id=job.worker_id).update(
        status=JobStatus.TIMEOUT,
        error=timeout_message(job),
        finish_reason=timeout_message(job),
        completed_at=timezone.now(),
        locked_until=None,
        worker_id="",
    )


def timeout_message(job: ScrapingJob) -> str:
    return (
        f"The search timed out; kept the {job.processed_results} creators found "
        f"of {job.target_results}. Retry to continue from where it stopped."
    )


def make_initial_state(job: ScrapingJob) -> dict[str, Any]:
    return SEARCHES[job.search_key].initial_state(job)
