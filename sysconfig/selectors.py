"""Reads for the staff pages: knobs with their values, users with their usage, the overview."""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
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

from . import config
from .models import AdminAction, SystemConfiguration
from .registry import REGISTRY, Knob
from .values import bounds_label, format_value, parse

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


def _profile_relation() -> str | None:
    """The reverse one-to-one from User to trials.UserProfile, when that app provides it."""
    User = get_user_model()
    try:
        field = User._meta.get_field("profile")
    except Exception:
        return None
    return "profile" if field.one_to_one else None


def user_profile(user, *, fresh: bool = False):
    """The user's trials profile, or None when there is none (or no such model yet)."""
    if _profile_relation() is None:
        return None
    if fresh:
        from django.apps import apps

        model = apps.get_model("trials", "UserProfile")
        return model.objects.filter(user=user).first()
    try:
        return user.profile
    except ObjectDoesNotExist:
        return None


def users_with_usage(queryset: QuerySet) -> QuerySet:
    """Users annotated with campaigns, searches and creators found (one query, no N+1), and
    whether their staff rights come from ADMIN_EMAILS."""
    from allauth.account.models import EmailAddress

    from campaigns.models import Campaign
    from scraping.models import ScrapingJob

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
    relation = _profile_relation()
    if relation:
        queryset = queryset.select_related(relation)
    return queryset


def trial_status(user) -> str:
    """none | active | expired, from the profile already loaded with the user (no query) when
    there is one, else from trials' selector."""
    if _profile_relation() is not None:
        profile = user_profile(user)
        if profile is None:
            return "none"
        status = getattr(profile, "trial_status", None)
        if isinstance(status, str):
            return status
    try:
        from trials.selectors import trial_status as status_of
    except ImportError:
        return "—"
    return status_of(user)


def plan_of(user) -> str:
    """The plan in force (from the already loaded profile)."""
    profile = user_profile(user)
    try:
        from trials.selectors import plan_for
    except ImportError:
        plan_for = None
    if plan_for is not None:
        return plan_for(profile).name
    plan = getattr(profile, "plan", None) if profile is not None else None
    return str(plan) if plan else "—"


def plan_usage(user) -> dict[str, Any] | None:
    try:
        from trials.selectors import plan_usage as usage_of
    except ImportError:
        return None
    try:
        return usage_of(user)
    except ObjectDoesNotExist:
        return None


# --- overview --------------------------------------------------------------------------------

ERROR_CALL = Q(status_code__gte=400) | Q(status_code__isnull=True) | ~Q(error="")


def overview(*, now=None, hours: int = 24) -> dict[str, Any]:
    """Aggregates for the staff overview page: a bounded number of queries, whatever the data."""
    from scraping.models import ACTIVE_STATUSES, ApiCall, JobStatus, ScrapingJob

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

    endpoints = list(
        ApiCall.objects.filter(at__gte=since)
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
    )
    for row in endpoints:
        row["error_rate"] = _rate(row["errors"], row["calls"])
    calls = sum(row["calls"] for row in endpoints)
    call_errors = sum(row["errors"] for row in endpoints)
    latest_balance = (
        ApiCall.objects.filter(credits_remaining__isnull=False)
        .order_by("-at")
        .values_list("credits_remaining", flat=True)
        .first()
    )

    lease = timedelta(seconds=float(config.get("scraping.lease")))
    stale_filter = (
        Q(status=JobStatus.PROCESSING, locked_until__lt=now)
        | Q(status=JobStatus.PENDING, updated_at__lt=now - lease)
        | Q(timeout_at__lt=now)
    )
    stale = ScrapingJob.objects.filter(status__in=ACTIVE_STATUSES).filter(stale_filter)
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


def email_queue(*, now) -> dict[str, Any] | None:
    """Scheduled emails by status, the overdue ones, and the next few; None without trials."""
    from django.apps import apps

    try:
        model = apps.get_model("trials", "ScheduledEmail")
    except LookupError:
        return None
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
