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
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import ParamSpec, TypeAlias, TypeVar

from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from core.queue import enqueue
from sysconfig import config
from trials.services.usage import creators_grant

from . import transitions
from .client import CallRecord, NotFound, RateLimited, UpstreamError, default_client
from .client.errors import user_message
from .models import ApiCall, Creator, ProfileCache, ScrapingJob
from .searches import SEARCHES, PageResult, Search, StepCancelled, StepContext, TargetNotFound
from .searches.base import CreatorFields
from .state import Chain, CreatorSeed, JobState, JSONObject
from .transitions import ACTIVE_STATUSES, TARGET_NOT_FOUND, JobStatus

logger = logging.getLogger(__name__)

STEP_TASK = "scraping.tasks.run_job_step"
DEFAULT_NEW_PER_PAGE = 8.0
CANCEL_CHECK_SECONDS = 0.5  # how often a running step looks for a cancel
# A seed whose profile call was refused (429) once near the end of its step: its call is made
# again from a later step, not before this time (upstream's Retry-After), and then waits out a
# refusal like any call. (A chain's refused page: `Chain.retry_at`.)
RETRY_AT = "_retry_at"
MAX_IDLE_WAIT = 10.0  # seconds a step waits for what was refused when nothing else is left
# A refused profile call waits out a Retry-After up to this long within its step (about one
# profile call: 1.7 s at the real API's median) while a round of the step's calls is still to
# start; a longer one would hold the step up.
MAX_IN_STEP_WAIT = 2.0

JobId: TypeAlias = uuid.UUID | str  # a job's primary key, or its text (as the queue passes it)
ProfileResult: TypeAlias = tuple[JSONObject | None, UpstreamError | None]  # body or error

_P = ParamSpec("_P")
_R = TypeVar("_R")


@dataclass
class Outcome:
    creators: list[CreatorFields] = field(default_factory=list)
    profiles: dict[str, JSONObject] = field(default_factory=dict)  # cache key → body to store
    pages_fetched: int = 0
    failure: str = ""  # a retryable failure (after the client's retries)
    fatal: str = ""
    fatal_code: str = ""
    plan_limited: bool = False

    @property
    def made_progress(self) -> bool:
        return bool(self.pages_fetched or self.creators)


class CancelWatch:
    """While a step runs, looks at the job's status every CANCEL_CHECK_SECONDS and sets the
    step's stop flag once it is no longer active (cancelled, timed out, forced by staff), so
    no further upstream call starts. Only an explicit status stops: a row this thread cannot
    see yet (an uncommitted test transaction) does not."""

    def __init__(self, job_id: JobId, stop: threading.Event) -> None:
        self.job_id, self.stop = job_id, stop
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"cancel-{job_id}", daemon=True)

    def __enter__(self) -> "CancelWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._finished.set()
        self._thread.join()

    def _watch(self) -> None:
        try:
            while not self._finished.wait(CANCEL_CHECK_SECONDS):
                status = (
                    ScrapingJob.objects.filter(pk=self.job_id)
                    .values_list("status", flat=True)
                    .first()
                )
                if status is not None and status not in ACTIVE_STATUSES:
                    self.stop.set()
                    return
        finally:
            connections.close_all()


class CallLog:
    """Collects the call records of one step from every thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.records: list[CallRecord] = []

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self.records.append(record)


# --- the step --------------------------------------------------------------------------------


def job_step(job_id: JobId) -> None:
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
    state = JobState.from_json(job.state) if job.state else search.initial_state(job)
    state.similar_keywords = int(config.get("scraping.similar_keywords"))
    log = CallLog()
    ctx = StepContext(client=default_client(), on_record=log.add, state=state)
    outcome = Outcome()
    try:
        with CancelWatch(job.pk, ctx.stop):
            if not state.prepared:
                seed = search.prepare(ctx, job)
                if seed is not None:
                    state.apply(seed)
                state.prepared = True
                state.pending = _admit(search, state, state.pending)
            else:
                _run_unit(ctx, job, search, outcome)
    except StepCancelled:
        pass  # cancelled before the target was read: nothing was learned
    except TargetNotFound as exc:
        outcome.fatal, outcome.fatal_code = str(exc), TARGET_NOT_FOUND
    except UpstreamError as exc:
        if exc.fatal:
            outcome.fatal = user_message(exc)
        else:
            outcome.failure = user_message(exc)
    except Exception as exc:  # a bug must not leave the job stuck in processing
        logger.exception("job step crashed", extra={"job_id": str(job.pk)})
        outcome.failure = f"Internal error: {type(exc).__name__}"
    _commit(job.pk, token, state, outcome, log.records)


def _claim(job_id: JobId, token: str) -> ScrapingJob | None:
    lease = timedelta(seconds=config.get("scraping.lease"))
    claimed = ScrapingJob.objects.filter(pk=job_id).claim(
        token=token, now=timezone.now(), lease=lease
    )
    return ScrapingJob.objects.get(pk=job_id) if claimed else None


def _admit(search: Search, state: JobState, seeds: list[CreatorSeed]) -> list[CreatorSeed]:
    """Seeds not seen before in this job (and not the target), marked as seen."""
    seen = set(state.seen)
    admitted: list[CreatorSeed] = []
    for seed in seeds:
        key = seed.get("external_id")
        if not key or key in seen or search.excluded(state, seed):
            continue
        seen.add(key)
        state.seen.append(key)
        admitted.append(seed)
    return admitted


def _run_unit(ctx: StepContext, job: ScrapingJob, search: Search, outcome: Outcome) -> None:
    state = ctx.state
    need = job.target_results - job.processed_results
    pending = state.pending
    concurrency, taken = _parallel_calls(ctx)
    size = _batch_size(job, concurrency, taken)
    chains = _chains_to_fetch(state, job, need - len(pending))
    batch = _batch(pending, need, size)
    if not batch and not chains:  # only what was refused is left: wait here, not in empty steps
        _wait_for_refused(ctx, pending, state.chains)
        chains = _chains_to_fetch(state, job, need - len(pending))
        batch = _batch(pending, need, size)

    cached = _cached_profiles(search, batch)
    to_fetch = [seed for seed in batch if search.profile_key(seed) not in cached]
    workers = max(1, min(concurrency + len(chains), len(to_fetch) + len(chains)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"job-{job.pk}") as pool:
        # A call refused for the first time is not waited for at the step's end: see StepCalls,
        # _collect_profiles and _collect_pages.
        page_futures = [
            (c, pool.submit(_threaded, search.fetch_page, _call_ctx(ctx, c.retry_at, False), c))
            for c in chains
        ]
        calls = StepCalls(len(to_fetch), concurrency)
        profile_futures = {
            search.profile_key(s): pool.submit(
                _threaded,
                calls.fetch_profile,
                search,
                _call_ctx(ctx, s.get(RETRY_AT), calls.wait_if_refused),
                s,
            )
            for s in to_fetch
        }
        profiles = _collect_profiles(search, batch, cached, profile_futures, outcome)
        discovered = _collect_pages(page_futures, outcome)

    # The batch leaves the queue; seeds whose profile call never started (the job was
    # cancelled) or was refused (tried again from a later step) go back to its front.
    in_batch = {id(seed) for seed in batch}
    pending[:] = [seed for seed in pending if id(seed) not in in_batch]
    pending[:0] = [seed for seed in batch if search.profile_key(seed) not in profiles]
    for seed in batch:
        key = search.profile_key(seed)
        if key not in profiles:
            continue
        body, error = profiles[key]
        profile = search.parse_profile(body) if body else None
        # A creator the search found is always kept: when its profile cannot be read, with
        # what the search itself returned, flagged with the reason.
        fields = search.build(state, seed, profile)
        if error is not None or profile is None:
            fields["enrichment"] = Creator.Enrichment.UNAVAILABLE
            fields["enrichment_error"] = unavailable_reason(error)
        fields["raw"] = body or {}
        outcome.creators.append(fields)
        if body:
            pending.extend(_admit(search, state, search.expand(state, seed, body)))
    outcome.creators = outcome.creators[:need]
    found = _admit(search, state, discovered)
    pages_left = job.api_call_budget - job.search_calls - outcome.pages_fetched
    search.learn(state, found, pages_left=pages_left)
    pending.extend(found)
    # Fewer creators found than the next step can enrich: the pages are what holds the search
    # back, and a search that can page more sources at once should.
    still_needed = need - len(outcome.creators)
    # The limit read again: this step's answers may have raised it (slow start).
    next_batch = int(config.get("scraping.enrichment_batch_rounds")) * _parallel_calls(ctx)[0]
    if chains and len(pending) < min(still_needed, next_batch):
        search.widen(state, job)


def _batch(pending: list[CreatorSeed], need: int, size: int) -> list[CreatorSeed]:
    """The queued seeds to enrich now, in order: a refused seed not due yet keeps its place
    among the creators still needed (a search delivers the first creators it found, whatever
    upstream refused on the way)."""
    now = time.time()
    due = [seed for seed in pending if seed.get(RETRY_AT, 0.0) <= now]
    held = len(pending) - len(due)
    return due[: max(0, min(need - held, size))]


def _wait_for_refused(ctx: StepContext, pending: list[CreatorSeed], chains: list[Chain]) -> None:
    """Until the first refused seed or page may be asked for again (at most MAX_IDLE_WAIT;
    less on a cancel; not at all when nothing was refused)."""
    times = [seed[RETRY_AT] for seed in pending if RETRY_AT in seed]
    times += [c.retry_at for c in chains if not c.done and c.retry_at is not None]
    if times:
        ctx.stop.wait(max(0.0, min(min(times) - time.time(), MAX_IDLE_WAIT)))


def _call_ctx(
    ctx: StepContext, refused_at: float | None, first_refusal: Callable[[RateLimited], bool] | bool
) -> StepContext:
    """The step's context for one call: a call refused before waits out a refusal like any
    other; `first_refusal` decides for one not refused before (a step waits for its slowest
    call: a Retry-After waited out at its end would hold up every call of the step, so such a
    call raises the 429 and is made again from a later step)."""
    return replace(ctx, wait_if_refused=True if refused_at is not None else first_refusal)


class StepCalls:
    """A step's profile calls not started yet: a call refused for the first time waits out a
    short Retry-After (`MAX_IN_STEP_WAIT`) within the step only while at least a round of its
    calls is still to start. They run meanwhile and the step lasts past the wait anyway, so the
    creator is found in its place, with its neighbours. Refused nearer the step's end, the call
    is made again from a later step (which, at the end of a search, can cost a round for one
    creator)."""

    def __init__(self, calls: int, concurrency: int) -> None:
        self._unstarted = calls
        self._round = concurrency
        self._lock = threading.Lock()

    def fetch_profile(self, search: Search, ctx: StepContext, seed: CreatorSeed) -> JSONObject:
        with self._lock:
            self._unstarted -= 1
        return search.fetch_profile(ctx, seed)

    def wait_if_refused(self, error: RateLimited) -> bool:
        with self._lock:
            return _refused_for(error) <= MAX_IN_STEP_WAIT and self._unstarted >= self._round


def _refused_for(error: RateLimited) -> float:
    """Seconds upstream asked us to wait (1 s when it did not say)."""
    return 1.0 if error.retry_after is None else error.retry_after


def _refused_until(error: RateLimited) -> float:
    return time.time() + _refused_for(error)


def unavailable_reason(error: UpstreamError | None) -> str:
    """Why a found creator's profile could not be read, in words for the results table."""
    if error is None:
        return "The profile answer could not be read."
    if isinstance(error, NotFound):
        return f"Profile {_failure(error)}."
    return f"The profile call {_failure(error)}"[:255]


def _parallel_calls(ctx: StepContext) -> tuple[int, int]:
    """Profile calls this step runs at once, and how many of them upstream has taken before:
    the shared limiter's adaptive in-flight limit (what upstream has lately taken without a 429,
    a 5xx or a slowdown; it moves between steps), at most `scraping.enrichment_concurrency`. The
    limiter holds every call to that limit anyway; following it here keeps the step's threads,
    and its batch, the size of what can run. The two differ while the limit probes a ceiling
    that upstream refused (`AdaptiveLimit.levels`)."""
    most = int(config.get("scraping.enrichment_concurrency"))
    limiter = ctx.client.limiter
    if not limiter:
        return most, most
    calls, taken = limiter.levels()
    return max(1, min(most, calls)), max(1, min(most, taken))


def _batch_size(job: ScrapingJob, concurrency: int, taken: int) -> int:
    """Profiles per step: several rounds of the parallel calls, so that each step's slowest call
    (the tail every step waits for) and its claim and commit are shared by more creators. The
    first batch is one round: the first creators show within about one profile call. The
    rounds scale with the parallel calls: a step at 32 calls enriches 96 creators, not 24.
    While the limit probes a refused ceiling, the rounds are those of the calls upstream has
    taken, plus the probe: refused, as it most likely is, it leaves whole rounds (27 profiles
    sized for 9 calls would leave 26 for 8, a fourth round for two creators)."""
    if job.processed_results == 0:
        return concurrency
    return taken * int(config.get("scraping.enrichment_batch_rounds")) + concurrency - taken


def _chains_to_fetch(state: JobState, job: ScrapingJob, shortfall: int) -> list[Chain]:
    """Just enough live chains to cover what the pending queue cannot, within the budget (a
    chain whose page was refused waits for its Retry-After)."""
    now = time.time()
    live = [c for c in state.chains if not c.done and (c.retry_at or 0.0) <= now]
    budget_left = job.api_call_budget - job.search_calls
    if shortfall <= 0 or not live or budget_left <= 0:
        return []
    per_page = state.new_per_page or DEFAULT_NEW_PER_PAGE
    wanted = min(len(live), budget_left, max(1, math.ceil(shortfall / per_page)))
    start = (state.next_chain or 0) % len(live)
    chosen = (live[start:] + live[:start])[:wanted]
    state.next_chain = start + wanted
    return chosen


def _cached_profiles(search: Search, batch: list[CreatorSeed]) -> dict[str, JSONObject]:
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


def _threaded(fn: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    try:
        return fn(*args, **kwargs)
    finally:
        connections.close_all()  # this thread's connections (the shared rate limiter's cache)


def _collect_profiles(
    search: Search,
    batch: list[CreatorSeed],
    cached: dict[str, JSONObject],
    futures: dict[str, "Future[JSONObject]"],
    outcome: Outcome,
) -> dict[str, ProfileResult]:
    """Profile body or error by key. Left out: a seed whose call was never started, and one
    refused (429) for the first time too late to wait within the step (`StepCalls`), marked to
    be asked for again from a later step, after its Retry-After (at an upstream's ceiling, the
    adaptive limit's probes are such calls)."""
    results: dict[str, ProfileResult] = {}
    for seed in batch:
        key = search.profile_key(seed)
        if key in cached:
            results[key] = (cached[key], None)
            continue
        try:
            body = futures[key].result()
        except StepCancelled:
            continue
        except RateLimited as error:
            if RETRY_AT in seed:  # refused again after waiting: as any failed call
                results[key] = (None, error)
            else:
                seed[RETRY_AT] = _refused_until(error)
        except UpstreamError as error:
            if error.fatal:
                raise
            results[key] = (None, error)
        else:
            results[key] = (body, None)
            outcome.profiles[key] = body
    return results


def _collect_pages(
    page_futures: list[tuple[Chain, "Future[PageResult]"]], outcome: Outcome
) -> list[CreatorSeed]:
    """Seeds of the pages fetched. A failing chain ends alone, noted on the chain: at once on
    400/403/404 (that source is gone), after `scraping.max_step_failures` failures in a row
    on 429/5xx/timeouts. Only auth and credit errors (fatal) end the whole job. A page refused
    (429) for the first time is asked for again from a later step, after its Retry-After: not
    a failure."""
    discovered: list[CreatorSeed] = []
    give_up_after = int(config.get("scraping.max_step_failures"))
    for chain, future in page_futures:
        try:
            page = future.result()
        except StepCancelled:
            continue
        except UpstreamError as error:
            if error.fatal:
                raise
            if isinstance(error, RateLimited) and chain.retry_at is None:
                chain.retry_at = _refused_until(error)
                continue
            chain.retry_at = None
            chain.failures = (chain.failures or 0) + 1
            if not error.retryable or chain.failures >= give_up_after:
                chain.done, chain.error = True, _chain_error(error)
            else:
                outcome.failure = user_message(error)
            continue
        outcome.pages_fetched += 1
        chain.cursor, chain.done = page.cursor, page.done
        chain.pages += 1
        chain.failures, chain.retry_at = 0, None
        discovered.extend(page.seeds)
    return discovered


def _chain_error(error: UpstreamError) -> str:
    return _failure(error)[:200]


def _failure(error: UpstreamError) -> str:
    """What went wrong with a call, to follow its subject: "not found upstream (404)" or
    "failed (503): <upstream's message>"."""
    if isinstance(error, NotFound):
        return "not found upstream (404)"
    status = f" ({error.status})" if error.status else ""
    return f"failed{status}: {error.message}"


def chain_label(chain: Chain) -> str:
    """A chain as people know it: the keyword, hashtag, topic or account list it pages."""
    if chain.kind == "following":
        return f"accounts followed by {chain.term}"
    if chain.is_related:
        return f"#{chain.term}"
    if chain.sort:
        return f"“{chain.term}” ({chain.sort.replace('-', ' ')})"
    return f"“{chain.term}”"


# --- saving ----------------------------------------------------------------------------------


def _commit(
    job_id: JobId, token: str, state: JobState, outcome: Outcome, records: list[CallRecord]
) -> None:
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
        # Related hashtags the user added or removed while this step ran (under this lock).
        state.keep_related_edits(job.state)
        _save_creators(job, _within_plan(job, outcome))
        _save_profiles(job.platform, outcome.profiles)
        _update_counters(job, state, outcome, records)
        should_continue = _decide(job, state, outcome)
        job.state = state.to_json()
        job.locked_until, job.worker_id = None, ""
        job.save()
        if should_continue:
            enqueue(STEP_TASK, str(job.pk))
    logger.info(
        "job step committed",
        extra={"job_id": str(job_id), "status": job.status, "saved": job.processed_results},
    )


def _within_plan(job: ScrapingJob, outcome: Outcome) -> list[CreatorFields]:
    """The creators the owner's plan allows, counted in this transaction: one already delivered
    to the owner this period is free, a new one takes one of what the plan has left."""
    if not outcome.creators:
        return []
    # Already saved by this job (a repeated unit): ON CONFLICT would drop them, so they are
    # neither counted nor saved again.
    saved = set(
        job.creators.filter(
            external_id__in=[fields["external_id"] for fields in outcome.creators]
        ).values_list("external_id", flat=True)
    )
    fresh = [fields for fields in outcome.creators if fields["external_id"] not in saved]
    granted = creators_grant(
        user=job.owner, creators=[(job.platform, fields["external_id"]) for fields in fresh]
    )
    if not all(granted):
        outcome.plan_limited = True
    return [fields for fields, ok in zip(fresh, granted, strict=True) if ok]


def _save_creators(job: ScrapingJob, creators: list[CreatorFields]) -> None:
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
    # Nothing to give back: `_within_plan` left out what this job already saved, and a creator
    # delivered before in this period was granted free.


def _save_profiles(platform: str, profiles: dict[str, JSONObject]) -> None:
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


def _update_counters(
    job: ScrapingJob, state: JobState, outcome: Outcome, records: list[CallRecord]
) -> None:
    job.processed_runs += len(records)
    job.search_calls += outcome.pages_fetched
    job.credits_used += sum(r.credits_charged or 0 for r in records if r.status_code == 200)
    job.steps += 1
    if outcome.pages_fetched:
        # A running estimate of new creators per page, to size the next step's page fetches.
        new = len(state.seen) - (state.seen_before_step or 0)
        previous = state.new_per_page or DEFAULT_NEW_PER_PAGE
        state.new_per_page = round(0.7 * previous + 0.3 * (new / outcome.pages_fetched), 2)
    state.seen_before_step = len(state.seen)


def _decide(job: ScrapingJob, state: JobState, outcome: Outcome) -> bool:
    """Set the job's status after a step; True when another step should run."""
    now = timezone.now()
    running_progress = min(99, job.processed_results * 100 // max(1, job.target_results))
    if job.status != JobStatus.PROCESSING:  # cancelled or timed out while this step ran
        job.progress = running_progress
        return False
    if outcome.fatal:
        job.error_code = outcome.fatal_code
        return _conclude(job, JobStatus.ERROR, now, running_progress, error=outcome.fatal)
    if job.processed_results >= job.target_results:
        reason = f"Completed: found {job.processed_results} of {job.target_results} creators."
        return _conclude(job, JobStatus.COMPLETED, now, 100, reason=reason)
    if outcome.plan_limited:
        reason = (
            f"plan limit reached: found {job.processed_results} of {job.target_results} "
            "creators. Upgrade your plan to find more."
        )
        return _conclude(job, JobStatus.PARTIAL, now, running_progress, reason=reason)
    if outcome.failure and not outcome.made_progress:
        job.attempts += 1
        state.last_failure = outcome.failure
        if job.attempts >= int(config.get("scraping.max_step_failures")):
            message = f"Stopped after {job.attempts} failed attempts in a row: {outcome.failure}"
            return _conclude(job, JobStatus.ERROR, now, running_progress, error=message)
    else:
        job.attempts = 0
    job.progress = running_progress
    pending, chains = state.pending, state.chains
    if not pending and state.prepared and all(c.done for c in chains):
        reason = exhausted_reason(job, chains)
        return _conclude(job, JobStatus.PARTIAL, now, running_progress, reason=reason)
    if not pending and job.search_calls >= job.api_call_budget and state.prepared:
        reason = (
            f"API-call budget reached ({job.api_call_budget} search pages): "
            f"found {job.processed_results} of {job.target_results} creators."
        )
        return _conclude(job, JobStatus.PARTIAL, now, running_progress, reason=reason)
    transitions.continue_later(job)
    return True


def exhausted_reason(job: ScrapingJob, chains: list[Chain]) -> str:
    """Why a search ended below its target with nothing left to explore: only "ran dry" when
    every source really did; otherwise which sources stopped early and why."""
    found = f"found {job.processed_results} of {job.target_results} creators"
    chains = [c for c in chains if not c.removed]  # related hashtags the user removed
    if not chains:  # Instagram similar: related accounts, then their related accounts
        return f"No more related accounts to explore: {found}."
    failed = [c for c in chains if c.error]
    if not failed:
        return f"The source ran dry: {found}."
    notes = "; ".join(f"{chain_label(c)} {c.error}" for c in failed)
    if len(failed) == len(chains):
        return f"Every source failed ({notes}): {found}."[:255]
    dry = len(chains) - len(failed)
    return f"{dry} of {len(chains)} sources ran dry; the others failed ({notes}): {found}."[:255]


def _conclude(
    job: ScrapingJob,
    status: JobStatus,
    now: datetime,
    progress: int,
    *,
    error: str = "",
    reason: str = "",
) -> bool:
    """The job is over (see transitions.conclude); the step queues no other."""
    transitions.conclude(job, status, now=now, progress=progress, error=error, reason=reason)
    return False


def _finish_timeout(job: ScrapingJob) -> None:
    ScrapingJob.objects.filter(pk=job.pk, worker_id=job.worker_id).time_out(
        message=timeout_message(job), now=timezone.now(), release_lease=True
    )


def timeout_message(job: ScrapingJob) -> str:
    return (
        f"The search timed out; kept the {job.processed_results} creators found "
        f"of {job.target_results}. Retry to continue from where it stopped."
    )


def make_initial_state(job: ScrapingJob) -> JobState:
    return SEARCHES[job.search_key].initial_state(job)
