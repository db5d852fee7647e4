"""Writes for creator metrics: ask for one creator's, deep-enrich a search, fetch a batch.

Asking never fetches in the request: it marks the shared row pending and enqueues a task
(django-q2), and the caller polls. Starting upstream work passes the plan check and the start
throttle every search start passes (`trials.services.entitlements.search_start_allow`); a
creator whose metrics are fresh in the cache costs nothing and starts nothing.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connections, transaction
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from core.queue import enqueue
from scraping.client import (
    CallRecord,
    NotFound,
    ScrapeCreatorsClient,
    UpstreamError,
    default_client,
)
from scraping.client.errors import user_message
from scraping.engine import CallLog, JobId
from scraping.models import ApiCall, Creator, CreatorMetrics, ScrapingJob
from sysconfig import config
from trials.services.entitlements import search_start_allow

from . import selectors
from .compute import creator_metrics, with_engagement
from .fetch import Fetched, NoHandle, fetch_recent_posts

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

FETCH_TASK = "scraping.metrics.tasks.fetch_creator_metrics"


class SearchStillRunning(Exception):
    """Deep enrichment waits until the search has finished finding creators (HTTP 409)."""


class CostChanged(Exception):
    """The cost grew past what the caller confirmed (HTTP 409)."""


@dataclass
class Refresh:
    row: CreatorMetrics
    started: bool  # a fetch was queued by this request


def creator_metrics_refresh(*, user: "User", creator: Creator) -> Refresh:
    """Queue a fetch of one creator's recent posts unless its metrics are fresh or already
    being fetched. Raises PaymentRequired / StartThrottled when the plan refuses upstream work."""
    now = timezone.now()
    with transaction.atomic():
        row = _locked_row(creator)
        if selectors.is_fresh(row, now):
            engagement_fill(Creator.objects.filter(pk=creator.pk))
            return Refresh(row, started=False)
        if selectors.is_pending(row, now):
            return Refresh(row, started=False)
        search_start_allow(user=user)
        row.status, row.requested_at, row.error = CreatorMetrics.Status.PENDING, now, ""
        row.save(update_fields=["status", "requested_at", "error"])
        enqueue(FETCH_TASK, str(creator.job_id), [str(creator.pk)])
    logger.info("creator metrics requested", extra={"creator_id": str(creator.pk)})
    return Refresh(row, started=True)


def deep_enrichment_start(
    *, user: "User", job: ScrapingJob, max_credits: int | None = None
) -> selectors.Estimate:
    """Fetch the metrics of every creator of a finished search that is not fresh in the cache,
    in batches of `metrics.batch_size` (one task each). `max_credits`, when given, is the cost
    the caller agreed to: a larger estimate is refused (CostChanged)."""
    now = timezone.now()
    with transaction.atomic():
        # One start at a time per search: the second sees the first's creators as pending.
        job = ScrapingJob.objects.select_for_update().defer("state").get(pk=job.pk)
        if not job.is_terminal:
            raise SearchStillRunning(
                "Deep enrichment starts once the search has finished finding creators."
            )
        estimate = selectors.deep_enrichment_estimate(job=job, now=now)
        engagement_fill(Creator.objects.filter(job=job))  # from metrics already in the cache
        if max_credits is not None and estimate.max_credits > max_credits:
            raise CostChanged(
                f"Deep enrichment now costs up to {estimate.max_credits} credits, more than "
                f"the {max_credits} confirmed. Check the estimate again."
            )
        if not estimate.to_fetch:
            return estimate
        search_start_allow(user=user)
        ids = [creator.external_id for creator in estimate.to_fetch]
        CreatorMetrics.objects.bulk_create(
            [CreatorMetrics(platform=job.platform, external_id=i) for i in ids],
            ignore_conflicts=True,
        )
        CreatorMetrics.objects.filter(platform=job.platform, external_id__in=ids).update(
            status=CreatorMetrics.Status.PENDING, requested_at=now, error=""
        )
        size = estimate.batch_size
        for start in range(0, len(estimate.to_fetch), size):
            batch = estimate.to_fetch[start : start + size]
            enqueue(FETCH_TASK, str(job.pk), [str(c.pk) for c in batch])
    logger.info(
        "deep enrichment started",
        extra={"job_id": str(job.pk), "creators": len(estimate.to_fetch)},
    )
    return estimate


def metrics_purge(*, before: datetime) -> int:
    """Delete the metrics rows nobody has had fetched since `before` (public data shared by
    every search: asked for again, they are fetched again); the number deleted."""
    stale = Q(fetched_at__lt=before) | Q(
        Q(requested_at__lt=before) | Q(requested_at__isnull=True), fetched_at__isnull=True
    )
    deleted, _ = CreatorMetrics.objects.filter(stale).delete()
    return deleted


def engagement_fill(creators: QuerySet[Creator]) -> None:
    """Rows without an engagement rate (their search showed no content with likes: TikTok
    similar's user lists, YouTube search results) take the median engagement of the creator's
    recent posts from its ready metrics row, so the column, the sort, the filter and the export
    have it. A rate the search itself measured is never replaced."""
    ready = CreatorMetrics.objects.filter(
        platform=OuterRef("platform"),
        external_id=OuterRef("external_id"),
        status=CreatorMetrics.Status.READY,
    )
    median = ready.values_list(
        Cast(KeyTextTransform("median_engagement", "metrics"), FloatField())
    )[:1]
    creators.filter(Exists(ready), engagement__isnull=True).update(
        engagement=Subquery(median, output_field=FloatField())
    )


def _locked_row(creator: Creator) -> CreatorMetrics:
    row, _ = CreatorMetrics.objects.get_or_create(
        platform=creator.platform, external_id=creator.external_id
    )
    return CreatorMetrics.objects.select_for_update().get(pk=row.pk)


# --- the background fetch ----------------------------------------------------------------------


def creator_metrics_fetch(*, job_id: JobId, creator_ids: list[str]) -> None:
    """Fetch a batch of one search's creators in parallel (HTTP only in the threads), then
    store posts, metrics and the call log in one transaction. A creator someone else fetched
    meanwhile is skipped."""
    now = timezone.now()
    # The stubs type a foreign key lookup as the target's UUID only; like `pk=` (which they
    # accept as str), Django takes the text form the queue passes.
    creators = list(
        Creator.objects.filter(job_id=job_id, pk__in=creator_ids).only(  # type: ignore[misc]
            "id", "job_id", "platform", "external_id", "username", "followers"
        )
    )
    rows = {
        row.external_id: row
        for row in CreatorMetrics.objects.filter(
            platform__in={c.platform for c in creators},
            external_id__in=[c.external_id for c in creators],
        )
    }
    creators = [c for c in creators if not selectors.is_fresh(rows.get(c.external_id), now)]
    if not creators:
        return
    log = CallLog()
    client = default_client()
    with ThreadPoolExecutor(max_workers=len(creators), thread_name_prefix="metrics") as pool:
        futures = [(c, pool.submit(_fetch_one, client, c, log)) for c in creators]
        results = [(c, future.result()) for c, future in futures]
    _store(job_id, results, log.records, rows)


def _fetch_one(client: ScrapeCreatorsClient, creator: Creator, log: CallLog) -> Fetched | str:
    """The posts, or why they could not be fetched (in words for the API)."""
    try:
        return fetch_recent_posts(
            client,
            platform=creator.platform,
            external_id=creator.external_id,
            handle=creator.username,
            on_record=log.add,
        )
    except NoHandle:
        return "This creator has no handle to ask for its posts."
    except NotFound:
        return "The account was not found upstream (404): it may be gone or renamed."
    except UpstreamError as error:
        return user_message(error)[:255]
    except Exception as exc:  # one creator's bug must not leave the whole batch pending
        logger.exception("creator metrics fetch crashed", extra={"creator_id": str(creator.pk)})
        return f"Internal error: {type(exc).__name__}"
    finally:
        connections.close_all()  # this thread's connections (the shared rate limiter's cache)


def _store(
    job_id: JobId,
    results: list[tuple[Creator, Fetched | str]],
    records: list[CallRecord],
    rows: dict[str, CreatorMetrics],
) -> None:
    """`rows`: the creators' metrics rows read before the fetch (a creator has none yet when
    nobody asked for its metrics before)."""
    now = timezone.now()
    limit = int(config.get("metrics.posts_considered"))
    platform = results[0][0].platform  # one search's creators: one platform
    with transaction.atomic():
        ApiCall.objects.bulk_create(ApiCall(job_id=job_id, **vars(r)) for r in records)
        credits = sum(r.credits_charged or 0 for r in records if r.status_code == 200)
        if credits:
            ScrapingJob.objects.filter(pk=job_id).update(credits_used=F("credits_used") + credits)
        missing = [c.external_id for c, _ in results if c.external_id not in rows]
        if missing:  # another fetch may create one meanwhile: then that row is updated
            CreatorMetrics.objects.bulk_create(
                [CreatorMetrics(platform=platform, external_id=key) for key in missing],
                ignore_conflicts=True,
            )
            rows.update(
                (row.external_id, row)
                for row in CreatorMetrics.objects.filter(platform=platform, external_id__in=missing)
            )
        for creator, result in results:
            row = rows[creator.external_id]
            row.handle, row.requested_at = creator.username, row.requested_at or now
            if isinstance(result, str):
                row.status, row.error = CreatorMetrics.Status.FAILED, result
            else:
                followers = creator.followers or result.followers
                row.posts = with_engagement(creator.platform, result.posts, followers)
                row.metrics = creator_metrics(
                    platform=creator.platform,
                    posts=result.posts,
                    followers=followers,
                    now=now,
                    limit=limit,
                )
                row.followers, row.fetched_at = followers, now
                row.status, row.error = CreatorMetrics.Status.READY, ""
        # A failed fetch writes only its status: the previous posts and metrics stay.
        failed = [rows[c.external_id] for c, result in results if isinstance(result, str)]
        ready = [rows[c.external_id] for c, result in results if not isinstance(result, str)]
        status_fields = ["handle", "requested_at", "status", "error"]
        CreatorMetrics.objects.bulk_update(failed, status_fields)
        CreatorMetrics.objects.bulk_update(
            ready, [*status_fields, "posts", "metrics", "followers", "fetched_at"]
        )
        if ready:
            fetched = [row.external_id for row in ready]
            engagement_fill(Creator.objects.filter(platform=platform, external_id__in=fetched))
