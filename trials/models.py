"""Onboarding, trial and subscription state per user; scheduled emails; usage; Stripe events.

Trial status is never stored: it is derived from `trial_started_at`/`trial_ends_at` and the
clock (see `UserProfile.trial_status`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .plans import ENTITLED_SUBSCRIPTION_STATUSES


class UserProfile(models.Model):
    class OnboardingStep(models.TextChoices):
        STEP1 = "step1", "Step 1: name and business"
        STEP2 = "step2", "Step 2: brand"
        COMPLETED = "completed", "Completed"

    class Plan(models.TextChoices):
        NONE = "", "None"
        STARTER = "starter", "Starter"
        PRO = "pro", "Pro"

    class SubscriptionStatus(models.TextChoices):
        # Stripe's subscription statuses, plus "none" before the first subscription.
        NONE = "none", "None"
        INCOMPLETE = "incomplete", "Incomplete"
        INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete (expired)"
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        UNPAID = "unpaid", "Unpaid"
        PAUSED = "paused", "Paused"
        CANCELED = "canceled", "Canceled"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    onboarding_step = models.CharField(
        max_length=10, choices=OnboardingStep.choices, default=OnboardingStep.STEP1
    )
    onboarding_completed_at = models.DateTimeField(null=True, blank=True)
    full_name = models.CharField(max_length=120, blank=True)
    business_name = models.CharField(max_length=160, blank=True)
    brand_description = models.TextField(max_length=2000, blank=True)
    trial_started_at = models.DateTimeField(null=True, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True, db_index=True)
    plan = models.CharField(max_length=10, choices=Plan.choices, default=Plan.NONE, blank=True)
    subscription_status = models.CharField(
        max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.NONE
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    subscription_period_end = models.DateTimeField(null=True, blank=True)
    # `created` of the last subscription event applied: older events arriving late are ignored.
    subscription_event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The start throttle's one-minute window (searches started or retried by this account),
    # kept on the row that the entitlement check locks, so it is exact across processes.
    starts_window_at = models.DateTimeField(null=True, blank=True)
    starts_in_window = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "user profile"

    def __str__(self) -> str:
        return f"profile of {self.user}"

    @property
    def onboarded(self) -> bool:
        return self.onboarding_step == self.OnboardingStep.COMPLETED

    def trial_status_at(self, now) -> str:
        if self.trial_ends_at is None:
            return "none"
        return "active" if now < self.trial_ends_at else "expired"

    @property
    def trial_status(self) -> str:
        """none | active | expired, from the stored dates and the clock."""
        return self.trial_status_at(timezone.now())

    @property
    def subscribed(self) -> bool:
        """A paid plan whose Stripe subscription currently grants access."""
        return bool(self.plan) and self.subscription_status in ENTITLED_SUBSCRIPTION_STATUSES


class ScheduledEmail(models.Model):
    class Type(models.TextChoices):
        WELCOME = "welcome", "Welcome"
        ABANDONMENT = "abandonment", "Onboarding abandoned"
        TRIAL_DAY2 = "trial_day2", "Trial day 2"
        TRIAL_DAY5 = "trial_day5", "Trial day 5"
        TRIAL_EXPIRY = "trial_expiry", "Trial expired"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # No address is stored: the recipient is read from the user record at send time.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_emails"
    )
    email_type = models.CharField(max_length=20, choices=Type.choices)
    scheduled_for = models.DateTimeField()
    # When the dispatcher may next claim it: scheduled_for at first, then the claim's lease
    # expiry while a send is in flight, then the retry backoff after a failure.
    next_attempt_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    is_test = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-scheduled_for"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="email_due"),
            models.Index(fields=["user", "email_type"], name="email_user_type"),
        ]
        constraints = [
            # At most one pending sequence email of each type per user (test sends are apart).
            models.UniqueConstraint(
                fields=["user", "email_type"],
                condition=Q(status="pending", is_test=False),
                name="one_pending_email_per_type",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email_type} to user {self.user_id} ({self.status})"


class MonthlyUsage(models.Model):
    """Creators delivered to a user in one usage period (a UTC calendar month; a trial's period
    is the month it started), each counted once (see DeliveredCreator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="monthly_usage"
    )
    month = models.DateField(help_text="First day of the month (UTC).")
    creators = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="usage_user_month")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}: {self.creators}"


class DeliveredCreator(models.Model):
    """A creator (platform + upstream id) delivered to a user in one usage period. It makes a
    creator count once per account per period, however many searches or campaigns deliver it
    again: `MonthlyUsage.creators` is the number of these rows for the same user and month."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivered_creators"
    )
    month = models.DateField(help_text="First day of the usage period, as in MonthlyUsage.")
    platform = models.CharField(max_length=10)
    external_id = models.CharField(max_length=128)

    class Meta:
        constraints = [
            # Also the index of the engine's look-up (user, month, then the batch's ids).
            models.UniqueConstraint(
                fields=["user", "month", "platform", "external_id"],
                name="delivered_once_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}: {self.platform}:{self.external_id}"


class StripeEvent(models.Model):
    """Every webhook event applied, by Stripe's id: the de-duplication record. Written in the
    same transaction as the event's effect."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text="Stripe's `created` of the event.")
    livemode = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
