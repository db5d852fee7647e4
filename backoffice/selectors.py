"""Reads for the staff pages: knobs with their values, users with their usage, the overview."""

import logging
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from campaigns.models import Campaign
from scraping.models import ApiCall, ScrapingJob
from scraping.transitions import ACTIVE_STATUSES, JobStatus
from sysconfig import config
from sysconfig.models import SystemConfiguration
from sysconfig.registry import REGISTRY, Knob
from sysconfig.values import bounds_label, format_value, parse
from trials.models import ScheduledEmail, UserProfile
from trials.selectors import plan_for

from .models import AdminAction

logger = logging.getLogger(__name__)


# --- configuration ---------------------------------------------------------------------------


def knob_rows() -> list[dict[str, Any]]:
    """Every knob in registry order, with its default, saved override and running value."""
    saved = {row.name: row for row in SystemConfiguration.objects.select_related("updated_by")}
    rows = []
    for name, entry in REGISTRY.items():
        row = saved.get(name)
        default = format_value(entry, config.default(entry))
        effective = row.value if row is not None else default
        running = format_value(entry, config.get(name))
        rows.append(
            {
                "name": name,
                "category": entry.category,
                "key": entry.key,
                "type": entry.type,
                "description": entry.description,
                "bounds": bounds_label(entry),
                "default": default,
                "override": row,
                "value": effective,
                "running": running,
                "hot_reloadable": entry.hot_reloadable,
                # Saved but not in use by this process yet: takes effect at the next restart.
                "pending_restart": not entry.hot_reloadable and _differs(entry, running, effective),
            }
        )
    return rows


def _differs(entry: Knob, a: str, b: str) -> bool:
    try:
        return parse(entry, a) != parse(entry, b)
    except Exception:  # an invalid stored value is shown as is
        return a != b


# --- users -----------------------------------------------------------------------------------


def user_profile(user, *, fresh: bool = False) -> UserProfile | None:
    """The user's trials profile, or None when there is none. `fresh` reads it again rather
    than using the one loaded with the user."""
    if fresh:
        return UserProfile.objects.filter(user=user).first()
    try:
        return user.profile
    except ObjectDoesNotExist:
        return None


def users_with_usage(queryset: QuerySet) -> QuerySet:
    """Users annotated with campaigns, searches and creators saved (rows: a creator found by
    two searches is two), in one query (no N+1), and whether their staff rights come from
    ADMIN_EMAILS."""
    campaigns = (
        Campaign.objects.filter(owner=OuterRef("pk"))
        .order_by()
        .values("owner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    jobs = ScrapingJob.objects.filter(owner=OuterRef("pk")).order_by().values("owner")
    searches = jobs.annotate(n=Count("pk")).values("n")
    creators = jobs.annotate(n=Sum("processed_results")).values("n")
    admins = list(settings.ADMIN_EMAILS)
    from_env: Exists | Value
    if admins:
        from_env = Exists(
            EmailAddress.objects.annotate(lower_email=Lower("email")).filter(
                user=OuterRef("pk"), verified=True, lower_email__in=admins
            )
        )
    else:
        from_env = Value(False, output_field=BooleanField())
    queryset = queryset.annotate(
        campaigns_count=Coalesce(Subquery(campaigns, output_field=IntegerField()), 0),
        searches_count=Coalesce(Subquery(searches, output_field=IntegerField()), 0),
        creators_found=Coalesce(Subquery(creators, output_field=IntegerField()), 0),
        staff_from_env=from_env,
    )
    return queryset.select_related("profile")


def trial_status(user) -> str:
    """none | active | expired, from the profile already loaded with the user (no query)."""
    profile = user_profile(user)
    return profile.trial_status if profile else "none"


def plan_of(user) -> str:
    """The plan in force (from the already loaded profile)."""
    return plan_for(user_profile(user)).name


# --- overview --------------------------------------------------------------------------------

ERROR_CALL = Q(status_code__gte=400) | Q(status_code__isnull=True) | ~Q(error="")


def overview(*, now=None, hours: int = 24) -> dict[str, Any]:
    """Aggregates for the staff overview page: a bounded number of queries, whatever the data."""
    now = now or timezone.now()
    since = now - timedelta(hours=hours)

    by_status = dict(
        ScrapingJob.objects.filter(created_at__gte=since)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    jobs_by_status = [
        {"status": status, "label": label, "count": by_status.get(status, 0)}
        for status, label in JobStatus.choices
    ]
    finished = ScrapingJob.objects.filter(completed_at__gte=since).aggregate(
        total=Count("pk"),
        failed=Count("pk", filter=Q(status__in=[JobStatus.ERROR, JobStatus.TIMEOUT])),
    )

    endpoints: list[dict[str, Any]] = [
        {**row, "error_rate": _rate(row["errors"], row["calls"])}
        for row in ApiCall.objects.filter(at__gte=since)
        .order_by()
        .values("endpoint")
        .annotate(
            calls=Count("pk"),
            errors=Count("pk", filter=ERROR_CALL),
            cached=Count("pk", filter=Q(cached=True)),
            credits=Coalesce(Sum("credits_charged"), 0),
            avg_ms=Avg("duration_ms"),
        )
        .order_by("-calls")
    ]
    calls = sum(row["calls"] for row in endpoints)
    call_errors = sum(row["errors"] for row in endpoints)
    latest_balance = (
        ApiCall.objects.filter(credits_remaining__isnull=False)
        .order_by("-at")
        .values_list("credits_remaining", flat=True)
        .first()
    )

    lease = timedelta(seconds=float(config.get("scraping.lease")))
    stale = ScrapingJob.objects.stale(now=now, lease=lease)
    return {
        "since": since,
        "now": now,
        "hours": hours,
        "jobs_by_status": jobs_by_status,
        "jobs_total": sum(by_status.values()),
        "jobs_finished": finished["total"],
        "jobs_failed": finished["failed"],
        "job_error_rate": _rate(finished["failed"], finished["total"]),
        "endpoints": endpoints,
        "calls": calls,
        "call_errors": call_errors,
        "call_error_rate": _rate(call_errors, calls),
        "credits": sum(row["credits"] for row in endpoints),
        "credits_remaining": latest_balance,
        "active_jobs": ScrapingJob.objects.filter(status__in=ACTIVE_STATUSES).count(),
        "stale_count": stale.count(),
        "stale_jobs": list(stale.select_related("owner").order_by("updated_at")[:25]),
        "emails": email_queue(now=now),
        "recent_actions": list(AdminAction.objects.select_related("admin", "target_user")[:10]),
    }


def email_queue(*, now) -> dict[str, Any]:
    """Scheduled emails by status, the overdue ones, and the next few."""
    model = ScheduledEmail
    counts = dict(model.objects.order_by().values_list("status").annotate(n=Count("pk")))
    pending = model.objects.filter(status="pending")
    return {
        "by_status": [
            {"status": status, "count": counts.get(status, 0)}
            for status in ("pending", "sent", "failed", "cancelled")
        ],
        "overdue": pending.filter(scheduled_for__lt=now - timedelta(minutes=5)).count(),
        "next": list(pending.select_related("user").order_by("scheduled_for")[:10]),
        "recent_failed": list(
            model.objects.filter(status="failed").select_related("user").order_by("-pk")[:5]
        ),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None
