"""Reads: trial state, the plan in force, usage and the countdown. Nothing here writes."""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from .models import DeliveredCreator, MonthlyUsage, UserProfile
from .plans import NO_PLAN, PAID_PLANS, TRIAL, Plan


def profile_get(user) -> UserProfile | None:
    """The user's profile read fresh (never the cached `user.profile`, which may predate a
    write made through another instance)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return UserProfile.objects.filter(user_id=user.pk).first()


def onboarding_required(user) -> bool:
    """True for a signed-in, non-staff user who has not finished onboarding."""
    if not getattr(user, "is_authenticated", False) or user.is_staff:
        return False
    profile = profile_get(user)
    return profile is None or not profile.onboarded


def trial_status(user) -> str:
    """ "none" (never started) | "active" | "expired", from the stored dates and the clock."""
    profile = profile_get(user)
    return profile.trial_status if profile else "none"


def plan_for(profile: UserProfile | None, now: datetime | None = None) -> Plan:
    """The plan in force: a paid plan while its subscription grants access, else the trial
    while it runs, else no plan."""
    if profile is None:
        return NO_PLAN
    if profile.subscribed:
        return PAID_PLANS[profile.plan]
    if profile.trial_status_at(now or timezone.now()) == "active":
        return TRIAL
    return NO_PLAN


def usage_month(profile: UserProfile | None, plan: Plan, now: datetime) -> date:
    """The first day of the usage period: the trial's allowance is one period (the month the
    trial started, so a trial across a month end does not get a second allowance); a paid plan
    counts per UTC calendar month."""
    if plan is TRIAL and profile is not None and profile.trial_started_at:
        start = profile.trial_started_at.astimezone(UTC)
        return date(start.year, start.month, 1)
    now = now.astimezone(UTC)
    return date(now.year, now.month, 1)


def creators_used(user, month: date) -> int:
    row = MonthlyUsage.objects.filter(user=user, month=month).values_list("creators", flat=True)
    return next(iter(row), 0)


def creators_delivered(user, month: date, creators) -> set[tuple[str, str]]:
    """Which of `creators` ((platform, upstream id) pairs) were delivered to the user in the
    usage period starting `month`: those count nothing again."""
    keys = set(creators)
    rows = DeliveredCreator.objects.filter(
        user=user,
        month=month,
        platform__in={platform for platform, _ in keys},
        external_id__in={external_id for _, external_id in keys},
    ).values_list("platform", "external_id")
    return {row for row in rows if row in keys}


@dataclass(frozen=True)
class Allowance:
    """New creators the plan in force still allows in this usage period."""

    left: int
    on_trial: bool

    @property
    def text(self) -> str:
        """ "412 creators left in your trial" / "… in your plan this month"."""
        where = "your trial" if self.on_trial else "your plan this month"
        return f"{self.left:,} creator{'' if self.left == 1 else 's'} left in {where}"


def creators_allowance(user) -> Allowance | None:
    """What the plan has left this period; None for staff (never limited) and for accounts
    without a plan in force (their searches are refused with their own message)."""
    if user.is_staff:
        return None
    now = timezone.now()
    profile = profile_get(user)
    plan = plan_for(profile, now)
    if plan is NO_PLAN:
        return None
    used = creators_used(user, usage_month(profile, plan, now))
    left = max(0, plan.creators_per_month - used)
    return Allowance(left=left, on_trial=plan is TRIAL)


def search_size_warning(user, target: int) -> str:
    """Said before a search starts whose target is larger than what the plan has left (it
    would end early with "plan limit reached"); "" when there is nothing to say. Nothing left
    at all is not a warning: the start is refused (`entitlement_check`)."""
    allowance = creators_allowance(user)
    if allowance is None or allowance.left == 0 or target <= allowance.left:
        return ""
    has = "your trial has" if allowance.on_trial else "your plan has"
    period = "" if allowance.on_trial else " this month"
    left = f"{allowance.left:,}"
    return (
        f"This search can find up to {target:,} creators but {has} {left} left{period}; "
        f"it will stop at {left} new creators. Start anyway?"
    )


def campaigns_used(user) -> int:
    # Through Campaign.owner's reverse relation: campaigns sits above trials and is not imported.
    return user.campaigns.count()


def countdown_text(delta: timedelta) -> str:
    """ "5 days 3 hours left", "3 hours 12 minutes left", "Trial ended".

    Rounded up in the smallest unit shown, so a fresh 7-day trial reads "7 days left" and the
    last seconds read "1 minute left". static/js/trial-countdown.js mirrors this.
    """
    seconds = delta.total_seconds()
    if seconds <= 0:
        return "Trial ended"
    if seconds >= 86_400:
        days, hours = divmod(math.ceil(seconds / 3600), 24)
        return _join([(days, "day"), (hours, "hour")])
    minutes = math.ceil(seconds / 60)
    if minutes >= 1440:
        return "1 day left"
    hours, minutes = divmod(minutes, 60)
    return _join([(hours, "hour"), (minutes, "minute")])


def _join(parts: list[tuple[int, str]]) -> str:
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words) + " left"


# The keys other apps rely on; plan_usage adds more for the billing page.
PLAN_USAGE_KEYS = (
    "plan",
    "campaigns_used",
    "campaigns_limit",
    "creators_used",
    "creators_limit",
    "trial_ends_at",
    "time_left_text",
)


def plan_usage(user) -> dict:
    """What the billing page and the API show: the plan in force, its limits and usage."""
    now = timezone.now()
    profile = profile_get(user)
    plan = plan_for(profile, now)
    month = usage_month(profile, plan, now)
    status = profile.trial_status_at(now) if profile else "none"
    ends_at = profile.trial_ends_at if profile else None
    on_trial = plan is TRIAL
    return {
        "plan": plan.code,
        "plan_name": plan.name,
        "campaigns_used": campaigns_used(user),
        "campaigns_limit": plan.campaigns,
        "creators_used": creators_used(user, month),
        "creators_limit": plan.creators_per_month,
        "usage_month": month,
        "trial_status": status,
        "trial_ends_at": ends_at,
        "time_left_text": countdown_text(ends_at - now) if ends_at and not _paid(profile) else "",
        "on_trial": on_trial,
        "subscribed": _paid(profile),
        "subscription_status": profile.subscription_status if profile else "none",
        "subscription_plan": profile.plan if profile else "",
        "subscription_period_end": profile.subscription_period_end if profile else None,
    }


def _paid(profile: UserProfile | None) -> bool:
    return bool(profile and profile.subscribed)


def banner_for(user) -> dict | None:
    """The countdown banner's state, or None when there is nothing to say (staff, paying users
    in good standing, users who have not started a trial)."""
    if not getattr(user, "is_authenticated", False) or user.is_staff:
        return None
    profile = profile_get(user)
    if profile is None or not profile.onboarded:
        return None
    now = timezone.now()
    if profile.subscribed:
        if profile.subscription_status == UserProfile.SubscriptionStatus.PAST_DUE:
            return {"state": "past_due"}
        return None
    status = profile.trial_status_at(now)
    if status == "active" and profile.trial_ends_at is not None:  # "active" implies an end
        return {
            "state": "active",
            "text": countdown_text(profile.trial_ends_at - now),
            "ends_at": profile.trial_ends_at,
        }
    if status == "expired":
        return {"state": "lapsed" if profile.plan else "expired"}
    return None
