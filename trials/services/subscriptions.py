"""Subscriptions: the state applied from Stripe webhook events, the customer link, and an
active subscription set without Stripe for tests."""

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from ..models import UserProfile
from ..plans import PAID_PLANS
from .profiles import profile_lock

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# For two events with the same `created` second, the later stage of a subscription's life wins.
_STATUS_RANK = {
    "none": 0,
    "incomplete": 1,
    "incomplete_expired": 2,
    "trialing": 3,
    "active": 4,
    "past_due": 5,
    "unpaid": 6,
    "paused": 6,
    "canceled": 7,
}


@transaction.atomic
def billing_customer_link(
    *, user: "User", customer_id: str, subscription_id: str = ""
) -> UserProfile:
    profile = profile_lock(user)
    changed: list[str] = []
    if customer_id and profile.stripe_customer_id != customer_id:
        profile.stripe_customer_id = customer_id
        changed.append("stripe_customer_id")
    if subscription_id and not profile.stripe_subscription_id:
        profile.stripe_subscription_id = subscription_id
        changed.append("stripe_subscription_id")
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    return profile


@transaction.atomic
def subscription_apply(
    *,
    user: "User",
    subscription_id: str,
    status: str,
    plan: str | None,
    customer_id: str = "",
    period_end: datetime | None = None,
    event_created: datetime,
) -> bool:
    """Apply a subscription's state from an event. Tolerates out-of-order delivery: an event
    older than the last one applied is ignored, and so is another (older) subscription ending
    while the current one is active. Returns whether the profile changed."""
    profile = profile_lock(user)
    last = profile.subscription_event_at
    if last is not None and event_created < last:
        return False
    same_subscription = subscription_id == profile.stripe_subscription_id
    if (
        last is not None
        and event_created == last
        and same_subscription
        and (_STATUS_RANK.get(status, 0) < _STATUS_RANK.get(profile.subscription_status, 0))
    ):
        return False
    if (
        profile.stripe_subscription_id
        and not same_subscription
        and profile.subscribed
        and status not in ("active", "trialing")
    ):
        return False
    if status not in UserProfile.SubscriptionStatus.values:
        logger.warning("unknown subscription status", extra={"status": status})
        return False
    profile.stripe_subscription_id = subscription_id
    profile.subscription_status = status
    if plan in PAID_PLANS:
        profile.plan = plan
    if customer_id:
        profile.stripe_customer_id = customer_id
    profile.subscription_period_end = period_end
    profile.subscription_event_at = event_created
    profile.save()
    logger.info(
        "subscription updated",
        extra={"user_id": user.pk, "status": status, "plan": profile.plan},
    )
    return True


@transaction.atomic
def subscription_set_for_tests(*, user: "User", plan: str) -> UserProfile:
    """An active subscription without Stripe (test fixtures and the demo seed)."""
    if plan not in PAID_PLANS:
        raise ValueError(f"unknown plan {plan!r}")
    profile = profile_lock(user)
    profile.plan = plan
    profile.subscription_status = UserProfile.SubscriptionStatus.ACTIVE
    profile.subscription_event_at = timezone.now()
    profile.save()
    return profile
