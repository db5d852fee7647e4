"""Reads for creator metrics: the user's creator, its cached metrics, the deep-enrichment cost."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone

from scraping.models import Creator, CreatorMetrics, Platform, ScrapingJob
from sysconfig import config

# A fetch still "pending" after this long was lost (a worker died): it may be asked for again.
PENDING_FOR = timedelta(minutes=10)

MISSING = "missing"  # never asked for


def creator_get(*, user, creator_id) -> Creator:
    """The user's creator (the owner of the search that found it), or Http404."""
    creators = Creator.objects.filter(job__owner=user).select_related("job").defer("raw")
    return get_object_or_404(creators, pk=creator_id)


def metrics_get(*, creator: Creator) -> CreatorMetrics | None:
    """The shared metrics row of a creator (any search, any user found it), if any."""
    return CreatorMetrics.objects.filter(
        platform=creator.platform, external_id=creator.external_id
    ).first()


def is_fresh(row: CreatorMetrics | None, now: datetime) -> bool:
    ttl = config.get("metrics.cache_ttl")
    return bool(row and row.fetched_at and row.fetched_at >= now - timedelta(seconds=ttl))


def is_pending(row: CreatorMetrics | None, now: datetime) -> bool:
    return bool(
        row
        and row.status == CreatorMetrics.Status.PENDING
        and row.requested_at
        and row.requested_at >= now - PENDING_FOR
    )


def status_of(row: CreatorMetrics | None, now: datetime) -> str:
    """missing | pending | ready | failed (a pending fetch that was lost counts as failed)."""
    if row is None:
        return MISSING
    if row.status == CreatorMetrics.Status.PENDING and not is_pending(row, now):
        return CreatorMetrics.Status.FAILED
    return row.status


@dataclass
class Estimate:
    """What deep enrichment of a search would cost: one call per creator not fresh in the
    cache (Instagram: one more when its posts carry no views, hence `max_credits`)."""

    creators: int
    fresh: int
    pending: int
    to_fetch: list[Creator] = field(default_factory=list)
    batch_size: int = 1

    @property
    def estimated_credits(self) -> int:
        return len(self.to_fetch)

    @property
    def max_credits(self) -> int:
        extra = sum(1 for c in self.to_fetch if c.platform == Platform.INSTAGRAM)
        return len(self.to_fetch) + extra

    @property
    def batches(self) -> int:
        return math.ceil(len(self.to_fetch) / self.batch_size)


def deep_enrichment_estimate(*, job: ScrapingJob, now: datetime | None = None) -> Estimate:
    """Classify the search's creators: fresh in the cache, being fetched, or to fetch."""
    now = now or timezone.now()
    creators = list(
        Creator.objects.filter(job=job)
        .only("id", "job_id", "platform", "external_id", "username", "followers")
        .order_by("position")
    )
    rows = {
        row.external_id: row
        for row in CreatorMetrics.objects.filter(
            platform=job.platform, external_id__in=[c.external_id for c in creators]
        ).only("external_id", "status", "requested_at", "fetched_at")
    }
    estimate = Estimate(
        creators=len(creators),
        fresh=0,
        pending=0,
        batch_size=int(config.get("metrics.batch_size")),
    )
    for creator in creators:
        row = rows.get(creator.external_id)
        if is_fresh(row, now):
            estimate.fresh += 1
        elif is_pending(row, now):
            estimate.pending += 1
        else:
            estimate.to_fetch.append(creator)
    return estimate
