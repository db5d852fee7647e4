"""Entitlements: whether the plan in force allows an action, and the gate (with its per-minute
throttle) that every start of upstream work passes."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import PaymentRequired, StartThrottled
from sysconfig import config

from .. import emails, selectors
from ..models import UserProfile
from ..plans import NO_PLAN, TRIAL, Plan
from .profiles import profile_lock

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ACTIONS = frozenset({"search", "export", "campaign"})
START_WINDOW = timedelta(minutes=1)


def payment_required(message: str, code: str) -> PaymentRequired:
    """A 402 whose upgrade link fits `code` (no trial yet: onboarding; otherwise: billing)."""
    path = reverse("onboarding") if code == "no_trial" else reverse("billing")
    return PaymentRequired(
        message,
        upgrade_url=emails.absolute("onboarding" if code == "no_trial" else "billing"),
        upgrade_path=path,
        code=code,
    )


def entitlement_check(*, user: "User", action: str) -> None:
    """Raise PaymentRequired when `action` ("search", "export", "campaign") is not allowed:
    the trial ended without a subscription, or (campaign, search) the plan's limit is reached.

    The check holds a lock on the user's profile row; call it inside the transaction that
    creates the campaign so concurrent requests cannot both pass the last free slot.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user.is_staff:
        return
    with transaction.atomic():
        _plan_check(user, profile_lock(user), action)


def _plan_check(user: "User", profile: UserProfile, action: str) -> None:
    """`entitlement_check` on a profile the caller holds locked."""
    now = timezone.now()
    plan = selectors.plan_for(profile, now)
    if plan is NO_PLAN:
        raise blocked(profile, now, what=WHAT[action], kept=KEPT)
    if action == "campaign" and plan.campaigns is not None:
        used = selectors.campaigns_used(user)
        if used >= plan.campaigns:
            raise payment_required(
                f"{plan_label(plan)} allows {plan.campaigns} campaigns and you have "
                f"{used}. Upgrade your plan or delete a campaign to create another.",
                "campaign_limit",
            )
    if action == "search":
        month = selectors.usage_month(profile, plan, now)
        if selectors.creators_used(user, month) >= plan.creators_per_month:
            period = "" if plan is TRIAL else " this month"
            raise payment_required(
                f"You have used all {plan.creators_per_month:,} creators "
                f"{plan_label(plan).lower()} allows{period}. Upgrade your plan to keep "
                "searching.",
                "creator_limit",
            )


def search_start_allow(*, user: "User") -> None:
    """The one gate for every path that starts upstream work: a new search or a retry, from
    the API, a page, the admin or `run_search`. The plan must allow searching
    (PaymentRequired), and the account may start at most `api.throttle_search_per_minute`
    searches a minute (StartThrottled).

    Call it inside the transaction that starts the work: the window is counted under the
    profile's row lock, exactly across processes, and a start that fails later (bad input)
    rolls its count back.
    """
    with transaction.atomic():
        profile = profile_lock(user)  # one lock for the plan check and the start window
        if not user.is_staff:
            _plan_check(user, profile, "search")
        now = timezone.now()
        if profile.starts_window_at is None or now - profile.starts_window_at >= START_WINDOW:
            profile.starts_window_at, profile.starts_in_window = now, 0
        limit = int(config.get("api.throttle_search_per_minute"))
        if profile.starts_in_window >= limit:
            wait = START_WINDOW - (now - profile.starts_window_at)
            seconds = max(1, int(wait.total_seconds() + 0.999))
            raise StartThrottled(
                f"You have started {limit} search{'es' if limit != 1 else ''} in the last "
                "minute. "
                f"Try again in {seconds} second{'s' if seconds != 1 else ''}.",
                wait_seconds=seconds,
            )
        profile.starts_in_window += 1
        profile.save(update_fields=["starts_window_at", "starts_in_window", "updated_at"])


def plan_label(plan: Plan) -> str:
    return "The free trial" if plan is TRIAL else f"The {plan.name} plan"


WHAT = {"search": "start new searches", "export": "export", "campaign": "create campaigns"}
KEPT = "your existing campaigns and results"


def blocked(profile: UserProfile, now: datetime, *, what: str, kept: str) -> PaymentRequired:
    """Why a user without a plan in force cannot `what` ("start new searches"), saying that
    `kept` ("your lists") stays available."""
    if profile.trial_status_at(now) == "none":
        return payment_required(
            f"Finish onboarding to start your free trial and {what}.", "no_trial"
        )
    if profile.plan:  # a subscription that no longer grants access (canceled, unpaid…)
        return payment_required(
            f"Your subscription is not active. Subscribe again to {what}; {kept} stay available.",
            "subscription_inactive",
        )
    return payment_required(
        f"Your free trial has ended. Subscribe to {what}; {kept} stay available.",
        "trial_expired",
    )
