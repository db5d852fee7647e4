"""Writes: onboarding, the trial, entitlements and usage, the email schedule, subscriptions.

Every counter and limit is decided under a row lock (select_for_update on the user's profile
or usage row; on SQLite the IMMEDIATE transaction serialises writers), never check-then-act.
"""

import logging
import uuid
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from . import emails, selectors
from .errors import PaymentRequired
from .models import MonthlyUsage, ScheduledEmail, UserProfile
from .plans import NO_PLAN, PAID_PLANS, TRIAL, TRIAL_LENGTH

logger = logging.getLogger(__name__)

Step = UserProfile.OnboardingStep
EmailType = ScheduledEmail.Type
ACTIONS = frozenset({"search", "export", "campaign"})
ABANDONMENT_DELAY = timedelta(hours=2)


# --- Profile and onboarding ----------------------------------------------------------------


def profile_for(user) -> UserProfile:
    profile, _ = UserProfile.objects.get_or_create(user=user)
    return profile


def _locked_profile(user) -> UserProfile:
    profile_for(user)
    return UserProfile.objects.select_for_update().get(user=user)


def _required(value: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError({field: f"Keep it under {max_length} characters."})
    return value


@transaction.atomic
def onboarding_save_step1(*, user, full_name: str, business_name: str) -> UserProfile:
    profile = _locked_profile(user)
    profile.full_name = _required(full_name, "full_name", 120)
    profile.business_name = _required(business_name, "business_name", 160)
    if profile.onboarding_step == Step.STEP1:
        profile.onboarding_step = Step.STEP2
    profile.save(update_fields=["full_name", "business_name", "onboarding_step", "updated_at"])
    return profile


@transaction.atomic
def onboarding_save_step2(*, user, brand_description: str) -> UserProfile:
    profile = _locked_profile(user)
    if not (profile.full_name and profile.business_name):
        raise ValidationError("Tell us your name and business first.")
    profile.brand_description = _required(brand_description, "brand_description", 2000)
    profile.save(update_fields=["brand_description", "updated_at"])
    return profile


@transaction.atomic
def onboarding_complete(*, user) -> UserProfile:
    """Finish onboarding and start the 7-day trial. Idempotent: a trial that exists (running,
    ended or extended) is never restarted or lengthened by completing again."""
    profile = _locked_profile(user)
    if not (profile.full_name and profile.business_name and profile.brand_description):
        raise ValidationError("Finish both onboarding steps first.")
    now = timezone.now()
    if not profile.onboarded:
        profile.onboarding_step = Step.COMPLETED
        profile.onboarding_completed_at = now
    if profile.trial_started_at is None:
        profile.trial_started_at = now
        profile.trial_ends_at = now + TRIAL_LENGTH
        _trial_emails_schedule(user=user, profile=profile)
        ScheduledEmail.objects.filter(
            user=user, email_type=EmailType.ABANDONMENT, status=ScheduledEmail.Status.PENDING
        ).update(
            status=ScheduledEmail.Status.CANCELLED, error="onboarding completed", updated_at=now
        )
        logger.info("trial started", extra={"user_id": user.pk})
    profile.save()
    return profile


def _trial_emails_schedule(*, user, profile: UserProfile) -> None:
    start = profile.trial_started_at
    email_schedule(user=user, email_type=EmailType.TRIAL_DAY2, send_at=start + timedelta(days=2))
    email_schedule(user=user, email_type=EmailType.TRIAL_DAY5, send_at=start + timedelta(days=5))
    email_schedule(user=user, email_type=EmailType.TRIAL_EXPIRY, send_at=profile.trial_ends_at)


@transaction.atomic
def trial_extend(*, user, days: int) -> UserProfile:
    """Add days to the trial (from now if it already ended) and move the expiry email."""
    if not 1 <= days <= 365:
        raise ValueError("days must be between 1 and 365")
    profile = _locked_profile(user)
    if profile.trial_ends_at is None:
        raise ValueError("this user has not started a trial yet")
    now = timezone.now()
    profile.trial_ends_at = max(profile.trial_ends_at, now) + timedelta(days=days)
    profile.save(update_fields=["trial_ends_at", "updated_at"])
    email_schedule(user=user, email_type=EmailType.TRIAL_EXPIRY, send_at=profile.trial_ends_at)
    logger.info("trial extended", extra={"user_id": user.pk, "days": days})
    return profile


# --- Entitlements and usage ----------------------------------------------------------------


def _payment_required(message: str, code: str) -> PaymentRequired:
    path = reverse("onboarding") if code == "no_trial" else reverse("billing")
    return PaymentRequired(
        message,
        upgrade_url=emails.absolute("onboarding" if code == "no_trial" else "billing"),
        upgrade_path=path,
        code=code,
    )


def entitlement_check(*, user, action: str) -> None:
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
        profile = _locked_profile(user)
        now = timezone.now()
        plan = selectors.plan_for(profile, now)
        if plan is NO_PLAN:
            raise _blocked(profile, action, now)
        if action == "campaign" and plan.campaigns is not None:
            used = selectors.campaigns_used(user)
            if used >= plan.campaigns:
                raise _payment_required(
                    f"{_plan_label(plan)} allows {plan.campaigns} campaigns and you have "
                    f"{used}. Upgrade your plan or delete a campaign to create another.",
                    "campaign_limit",
                )
        if action == "search":
            month = selectors.usage_month(profile, plan, now)
            if selectors.creators_used(user, month) >= plan.creators_per_month:
                period = "" if plan is TRIAL else " this month"
                raise _payment_required(
                    f"You have used all {plan.creators_per_month:,} creators "
                    f"{_plan_label(plan).lower()} allows{period}. Upgrade your plan to keep "
                    "searching.",
                    "creator_limit",
                )


def _plan_label(plan) -> str:
    return "The free trial" if plan is TRIAL else f"The {plan.name} plan"


def _blocked(profile: UserProfile, action: str, now: datetime) -> PaymentRequired:
    what = {"search": "start new searches", "export": "export", "campaign": "create campaigns"}
    if profile.trial_status_at(now) == "none":
        return _payment_required(
            f"Finish onboarding to start your free trial and {what[action]}.", "no_trial"
        )
    if profile.plan:  # a subscription that no longer grants access (canceled, unpaid…)
        return _payment_required(
            f"Your subscription is not active. Subscribe again to {what[action]}; your "
            "existing campaigns and results stay available.",
            "subscription_inactive",
        )
    return _payment_required(
        f"Your free trial has ended. Subscribe to {what[action]}; your existing campaigns "
        "and results stay available.",
        "trial_expired",
    )


def creators_reserve(*, user, wanted: int) -> int:
    """Grant up to `wanted` creators from the user's allowance for this period and count them
    as used. Returns how many were granted (0..wanted). Must run inside the caller's
    transaction.atomic(), so the grant commits or rolls back with the creators it pays for."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("creators_reserve must be called inside transaction.atomic()")
    if wanted <= 0:
        return 0
    now = timezone.now()
    profile = selectors.profile_get(user)
    plan = selectors.plan_for(profile, now)
    if user.is_staff and plan is NO_PLAN:
        plan = PAID_PLANS["pro"]  # staff are never blocked; their usage is still counted
    month = selectors.usage_month(profile, plan, now)
    MonthlyUsage.objects.bulk_create([MonthlyUsage(user=user, month=month)], ignore_conflicts=True)
    usage = MonthlyUsage.objects.select_for_update().get(user=user, month=month)
    limit = plan.creators_per_month
    granted = wanted if user.is_staff else max(0, min(wanted, limit - usage.creators))
    if granted:
        MonthlyUsage.objects.filter(pk=usage.pk).update(creators=F("creators") + granted)
    return granted


def creators_release(*, user, count: int) -> None:
    """Give back creators reserved but not saved (duplicates, a trimmed batch). Inside the
    caller's transaction, like creators_reserve."""
    if count <= 0:
        return
    now = timezone.now()
    profile = selectors.profile_get(user)
    plan = selectors.plan_for(profile, now)
    month = selectors.usage_month(profile, plan, now)
    usage = MonthlyUsage.objects.select_for_update().filter(user=user, month=month).first()
    if usage is not None:
        usage.creators = max(0, usage.creators - count)
        usage.save(update_fields=["creators"])


# --- Email schedule ------------------------------------------------------------------------


def email_schedule(*, user, email_type: str, send_at, is_test: bool = False) -> ScheduledEmail:
    """Schedule one email. A sequence email (not a test) has at most one pending row per type
    and user: scheduling it again moves that row to `send_at`."""
    if email_type not in EmailType.values:
        raise ValueError(f"unknown email type {email_type!r}")
    if is_test:
        return ScheduledEmail.objects.create(
            user=user,
            email_type=email_type,
            scheduled_for=send_at,
            next_attempt_at=send_at,
            is_test=True,
        )
    pending = {"status": ScheduledEmail.Status.PENDING, "is_test": False}
    with transaction.atomic():
        moved = ScheduledEmail.objects.filter(user=user, email_type=email_type, **pending).update(
            scheduled_for=send_at, next_attempt_at=send_at, updated_at=timezone.now()
        )
        if not moved:
            try:
                with transaction.atomic():
                    return ScheduledEmail.objects.create(
                        user=user,
                        email_type=email_type,
                        scheduled_for=send_at,
                        next_attempt_at=send_at,
                    )
            except IntegrityError:  # a concurrent caller created it first: move theirs
                ScheduledEmail.objects.filter(user=user, email_type=email_type, **pending).update(
                    scheduled_for=send_at, next_attempt_at=send_at
                )
    return ScheduledEmail.objects.get(user=user, email_type=email_type, **pending)


def email_send_now(*, user, email_type: str, is_test: bool = True) -> ScheduledEmail:
    """Send one email synchronously and return its row (status sent, failed-with-retry pending,
    or cancelled). Test sends skip the eligibility check and are kept apart from the sequence."""
    row = email_schedule(user=user, email_type=email_type, send_at=timezone.now(), is_test=is_test)
    emails.deliver(row.pk)
    row.refresh_from_db()
    return row


def email_render(*, user, email_type: str) -> tuple[str, str, str]:
    """Subject, text and HTML, for previews."""
    return emails.render(user=user, email_type=email_type)


def signup_emails_schedule(*, user) -> None:
    """At sign-up: the welcome email now, the abandonment email in 2 hours (cancelled at send
    time if onboarding is finished by then)."""
    profile_for(user)
    now = timezone.now()
    email_schedule(user=user, email_type=EmailType.WELCOME, send_at=now)
    email_schedule(user=user, email_type=EmailType.ABANDONMENT, send_at=now + ABANDONMENT_DELAY)


# --- Subscriptions (applied from Stripe webhook events) ------------------------------------

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
def billing_customer_link(*, user, customer_id: str, subscription_id: str = "") -> UserProfile:
    profile = _locked_profile(user)
    changed = []
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
    user,
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
    profile = _locked_profile(user)
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


# --- Test users (staff tools) --------------------------------------------------------------

TEST_USER_STATES = {
    # state: (onboarded, trial started this long ago, subscribed)
    "fresh": (False, None, False),
    "trial_day2": (True, timedelta(days=2), False),
    "trial_day5": (True, timedelta(days=5), False),
    "expired": (True, timedelta(days=8), False),
    "subscribed": (True, timedelta(days=3), True),
}


@transaction.atomic
def test_user_create(*, state: str, email: str | None = None):
    """A user in a given lifecycle state, for trying emails and pages. No sequence emails
    are scheduled for it (use email_send_now); it has no usable password."""
    if state not in TEST_USER_STATES:
        raise ValueError(f"unknown state {state!r}; one of {sorted(TEST_USER_STATES)}")
    onboarded, ago, subscribed = TEST_USER_STATES[state]
    token = uuid.uuid4().hex
    email = (email or f"test-{state.replace('_', '-')}-{token[:8]}@example.com").strip().lower()
    user = get_user_model().objects.create_user(username=f"u-{token[:20]}", email=email)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile = profile_for(user)
    profile.full_name = f"Test user ({state})"
    profile.business_name = "Test business"
    now = timezone.now()
    if onboarded:
        profile.brand_description = "A test account created by staff."
        profile.onboarding_step = Step.COMPLETED
        profile.onboarding_completed_at = now - ago
        profile.trial_started_at = now - ago
        profile.trial_ends_at = profile.trial_started_at + TRIAL_LENGTH
    else:
        profile.onboarding_step = Step.STEP2
    if subscribed:
        profile.plan = UserProfile.Plan.STARTER
        profile.subscription_status = UserProfile.SubscriptionStatus.ACTIVE
        profile.stripe_customer_id = f"cus_test_{token[:14]}"
        profile.stripe_subscription_id = f"sub_test_{token[:14]}"
        profile.subscription_period_end = now + timedelta(days=30)
        profile.subscription_event_at = now
    profile.save()
    logger.info("test user created", extra={"user_id": user.pk, "state": state})
    return user


test_user_create.__test__ = False  # not a pytest test, whatever imports it


@transaction.atomic
def subscription_set_for_tests(*, user, plan: str) -> UserProfile:
    """An active subscription without Stripe (test fixtures and the demo seed)."""
    if plan not in PAID_PLANS:
        raise ValueError(f"unknown plan {plan!r}")
    profile = _locked_profile(user)
    profile.plan = plan
    profile.subscription_status = UserProfile.SubscriptionStatus.ACTIVE
    profile.subscription_event_at = timezone.now()
    profile.save()
    return profile
