"""The API's metrics shapes: plain functions build them, Serializer classes describe them for
the OpenAPI schema (as in `scraping.serializers`)."""

from datetime import datetime

from rest_framework import serializers

from core.api import iso_time
from scraping.models import Creator, CreatorMetrics, Platform
from scraping.transform.values import safe_http_url

from . import selectors

# --- schema ------------------------------------------------------------------------------------


class RecentContentMetrics(serializers.Serializer):
    medianViews = serializers.IntegerField(allow_null=True)
    medianEngagement = serializers.FloatField(
        allow_null=True, help_text="A fraction (0.0412 = 4.12 %), the platform's definition."
    )
    postsPerWeek = serializers.FloatField(allow_null=True)
    lastPostedAt = serializers.DateTimeField(allow_null=True)
    postsConsidered = serializers.IntegerField()
    quality = serializers.ChoiceField(choices=["strong", "average", "weak", "unknown"])
    reasons = serializers.ListField(child=serializers.CharField())


class RecentPost(serializers.Serializer):
    url = serializers.CharField()
    publishedAt = serializers.DateTimeField(allow_null=True)
    views = serializers.IntegerField(allow_null=True)
    likes = serializers.IntegerField(allow_null=True)
    comments = serializers.IntegerField(allow_null=True)
    shares = serializers.IntegerField(allow_null=True)
    caption = serializers.CharField()
    engagement = serializers.FloatField(allow_null=True)


class CreatorMetricsOut(serializers.Serializer):
    creatorId = serializers.UUIDField()
    platform = serializers.CharField()
    username = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["missing", "pending", "ready", "failed"],
        help_text="missing: never fetched; pending: a fetch is queued or running (poll); "
        "ready: fetched; failed: the last fetch failed (`error` says why).",
    )
    fresh = serializers.BooleanField(
        help_text="Fetched within metrics.cache_ttl: a refresh would reuse it for free."
    )
    fetchedAt = serializers.DateTimeField(allow_null=True)
    requestedAt = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()
    followers = serializers.IntegerField(
        allow_null=True, help_text="The follower count the metrics were computed with."
    )
    metrics = RecentContentMetrics(allow_null=True, help_text="Null until a fetch succeeded.")
    posts = RecentPost(many=True, help_text="Recent posts, newest first.")


class DeepEnrichmentEstimate(serializers.Serializer):
    jobId = serializers.UUIDField()
    creators = serializers.IntegerField(help_text="Creators the search found.")
    fresh = serializers.IntegerField(help_text="Cached and fresh: free.")
    pending = serializers.IntegerField(help_text="Being fetched already: free.")
    toFetch = serializers.IntegerField(help_text="One upstream call each.")
    estimatedCredits = serializers.IntegerField()
    maxCredits = serializers.IntegerField(
        help_text="Instagram creators whose posts carry no views take one more call (reels)."
    )
    batchSize = serializers.IntegerField()
    batches = serializers.IntegerField()
    queued = serializers.IntegerField(help_text="Creators queued by this request (POST).")


class DeepEnrichmentStart(serializers.Serializer):
    maxCredits = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The cost you agreed to (the estimate's maxCredits): refused with 409 when "
        "the estimate has grown past it.",
    )


# --- output ------------------------------------------------------------------------------------


def creator_metrics_out(creator: Creator, row: CreatorMetrics | None, now: datetime) -> dict:
    status = selectors.status_of(row, now)
    metrics = (row.metrics or None) if row else None
    return {
        "creatorId": str(creator.pk),
        "platform": Platform(creator.platform).label,
        "username": creator.username,
        "status": status,
        "fresh": selectors.is_fresh(row, now),
        "fetchedAt": iso_time(row.fetched_at) if row else None,
        "requestedAt": iso_time(row.requested_at) if row else None,
        "error": _error(row, status),
        "followers": row.followers if row else None,
        "metrics": _metrics(metrics) if metrics else None,
        "posts": [_post(p) for p in row.posts] if row else [],
    }


def _error(row: CreatorMetrics | None, status: str) -> str:
    if row is not None and status == "failed" and not row.error:
        return "The fetch did not finish. Ask for the metrics again."
    return row.error if row else ""


def _metrics(m: dict) -> dict:
    return {
        "medianViews": m["median_views"],
        "medianEngagement": m["median_engagement"],
        "postsPerWeek": m["posts_per_week"],
        "lastPostedAt": iso_time(m["last_posted_at"]),
        "postsConsidered": m["posts_considered"],
        "quality": m["quality"],
        "reasons": m["reasons"],
    }


def _post(p: dict) -> dict:
    return {
        "url": safe_http_url(p.get("url")),
        "publishedAt": iso_time(p.get("published_at")),
        "views": p.get("views"),
        "likes": p.get("likes"),
        "comments": p.get("comments"),
        "shares": p.get("shares"),
        "caption": p.get("caption") or "",
        "engagement": p.get("engagement"),
    }


def estimate_out(job, estimate: selectors.Estimate, *, queued: int = 0) -> dict:
    return {
        "jobId": str(job.pk),
        "creators": estimate.creators,
        "fresh": estimate.fresh,
        "pending": estimate.pending,
        "toFetch": len(estimate.to_fetch),
        "estimatedCredits": estimate.estimated_credits,
        "maxCredits": estimate.max_credits,
        "batchSize": estimate.batch_size,
        "batches": estimate.batches,
        "queued": queued,
    }
