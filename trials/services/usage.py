"""Usage: the creators delivered to an account, counted against the plan's allowance."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import selectors
from ..models import DeliveredCreator, MonthlyUsage, UserProfile
from ..plans import NO_PLAN, PAID_PLANS

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def creators_grant(*, user: "User", creators: Sequence[tuple[str, str]]) -> list[bool]:
    """Count creators delivered to `user`, given as (platform, upstream id) in the order they
    were found, and say which of them may be delivered.

    A creator counts once per account per usage period (`selectors.usage_month`): one already
    delivered this period is granted free; a new one is granted while the plan has creators
    left, in order, and recorded (a DeliveredCreator row and one more in MonthlyUsage). Staff
    are never refused, but counted. Must run inside the caller's transaction.atomic(), so the
    grant commits or rolls back with the creators it pays for; the usage row's lock makes
    concurrent grants of one account wait for each other.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("creators_grant must be called inside transaction.atomic()")
    if not creators:
        return []
    now = timezone.now()
    profile = selectors.profile_get(user)
    plan = selectors.plan_for(profile, now)
    if user.is_staff and plan is NO_PLAN:
        plan = PAID_PLANS["pro"]  # staff are never blocked; their usage is still counted
    month = selectors.usage_month(profile, plan, now)
    MonthlyUsage.objects.bulk_create([MonthlyUsage(user=user, month=month)], ignore_conflicts=True)
    usage = MonthlyUsage.objects.select_for_update().get(user=user, month=month)
    # Read under the lock: every grant committed before it is visible, none can start now.
    delivered = selectors.creators_delivered(user, month, creators)
    left = None if user.is_staff else max(0, plan.creators_per_month - usage.creators)
    granted: list[bool] = []
    new: list[tuple[str, str]] = []
    for key in creators:
        if key in delivered:
            granted.append(True)
        elif left is None or left > len(new):
            new.append(key)
            delivered.add(key)
            granted.append(True)
        else:
            granted.append(False)
    if new:
        DeliveredCreator.objects.bulk_create(
            DeliveredCreator(user=user, month=month, platform=platform, external_id=external_id)
            for platform, external_id in new
        )
        MonthlyUsage.objects.filter(pk=usage.pk).update(creators=F("creators") + len(new))
    return granted


def delivered_purge(*, now: datetime) -> int:
    """Forget which creators were delivered in usage periods that are over (those before last
    month); the number of rows deleted. They only decide whether a creator counts again within
    its own period, and `MonthlyUsage` keeps each period's count. A running trial's period is
    the month it started, however long ago: its rows stay."""
    now = now.astimezone(UTC)
    last_month = (date(now.year, now.month, 1) - timedelta(days=1)).replace(day=1)
    in_trial = UserProfile.objects.filter(trial_ends_at__gt=now).values("user_id")
    deleted, _ = (
        DeliveredCreator.objects.filter(month__lt=last_month).exclude(user_id__in=in_trial).delete()
    )
    return deleted
