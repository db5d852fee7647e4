"""Retention: finished searches older than their sysconfig days are deleted, and logged; with
them the creator metrics nobody fetched for as long, and the record of which creators were
delivered in usage periods that are over."""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from scraping.metrics.services import metrics_purge
from scraping.models import ApiCall, ScrapingJob
from sysconfig import config
from trials.services.usage import delivered_purge

from .audit import Action, audit

logger = logging.getLogger(__name__)

RETENTION_KNOBS = {
    "completed": "retention.completed_days",
    "partial": "retention.partial_days",
    "error": "retention.failed_days",
    "timeout": "retention.failed_days",
    "cancelled": "retention.failed_days",
}


def retention_purge(*, now: datetime | None = None, batch_size: int = 200) -> dict[str, Any]:
    """Delete finished searches older than their retention, with their creators and upstream
    calls; searches still pending or running are never touched. Logged as one system action.

    A search's age is counted from when it finished (`completed_at`; `updated_at` for a finished
    row that lacks it). Deletes run in batches, each in its own transaction.
    """
    now = now or timezone.now()
    removed: dict[str, dict[str, int]] = {}
    cutoffs: dict[str, str] = {}
    for status, knob_name in RETENTION_KNOBS.items():
        days = int(config.get(knob_name))
        cutoff = now - timedelta(days=days)
        cutoffs[status] = cutoff.isoformat()
        expired = ScrapingJob.objects.filter(status=status).filter(
            Q(completed_at__lt=cutoff) | Q(completed_at__isnull=True, updated_at__lt=cutoff)
        )
        counts = {"jobs": 0, "creators": 0, "api_calls": 0}
        while ids := list(expired.values_list("pk", flat=True)[:batch_size]):
            with transaction.atomic():
                # Filtered again: a search retried since the select is running and stays.
                _, per_model = expired.filter(pk__in=ids).delete()
            counts["jobs"] += per_model.get("scraping.ScrapingJob", 0)
            counts["creators"] += per_model.get("scraping.Creator", 0)
            counts["api_calls"] += per_model.get("scraping.ApiCall", 0)
            if per_model.get("scraping.ScrapingJob", 0) == 0:
                break
        removed[status] = counts

    # Upstream calls made outside any search (none today) follow the longest retention.
    longest = max(int(config.get(name)) for name in set(RETENTION_KNOBS.values()))
    orphan_calls, _ = ApiCall.objects.filter(
        job__isnull=True, at__lt=now - timedelta(days=longest)
    ).delete()
    totals = {
        key: sum(counts[key] for counts in removed.values())
        for key in ("jobs", "creators", "api_calls")
    }
    totals["api_calls"] += orphan_calls
    # Creator metrics are kept as long as the longest retention, and never while still fresh.
    metrics_days = max(longest, config.get("metrics.cache_ttl") / 86400)
    summary = {
        "removed": removed,
        "total": totals,
        "orphan_api_calls": orphan_calls,
        "creator_metrics": metrics_purge(before=now - timedelta(days=metrics_days)),
        "delivered_creators": delivered_purge(now=now),
        "cutoffs": cutoffs,
        "ran_at": now.isoformat(),
    }
    audit(admin=None, action=Action.RETENTION_PURGE, details=summary)
    logger.info("retention purge", extra={"removed": totals})
    return summary
