"""The lifecycle email schedule: what is sent when (sign-up, trial), test sends and previews.
Rendering, eligibility and delivery are `trials.emails`."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import emails
from ..models import ScheduledEmail
from .profiles import profile_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EmailType = ScheduledEmail.Type
ABANDONMENT_DELAY = timedelta(hours=2)


def email_schedule(
    *, user: "User", email_type: str, send_at: datetime, is_test: bool = False
) -> ScheduledEmail:
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


def email_send_now(*, user: "User", email_type: str, is_test: bool = True) -> ScheduledEmail:
    """Send one email synchronously and return its row (status sent, failed-with-retry pending,
    or cancelled). Test sends skip the eligibility check and are kept apart from the sequence."""
    row = email_schedule(user=user, email_type=email_type, send_at=timezone.now(), is_test=is_test)
    emails.deliver(row.pk)
    row.refresh_from_db()
    return row


def email_render(*, user: "User", email_type: str) -> tuple[str, str, str]:
    """Subject, text and HTML, for previews."""
    return emails.render(user=user, email_type=email_type)


def signup_emails_schedule(*, user: "User") -> None:
    """At sign-up: the welcome email now, the abandonment email in 2 hours (cancelled at send
    time if onboarding is finished by then)."""
    profile_for(user)
    now = timezone.now()
    email_schedule(user=user, email_type=EmailType.WELCOME, send_at=now)
    email_schedule(user=user, email_type=EmailType.ABANDONMENT, send_at=now + ABANDONMENT_DELAY)


def trial_emails_schedule(*, user: "User", started_at: datetime, ends_at: datetime) -> None:
    """At trial start: the day-2 and day-5 emails, and the expiry email at `ends_at`."""
    email_schedule(
        user=user, email_type=EmailType.TRIAL_DAY2, send_at=started_at + timedelta(days=2)
    )
    email_schedule(
        user=user, email_type=EmailType.TRIAL_DAY5, send_at=started_at + timedelta(days=5)
    )
    email_schedule(user=user, email_type=EmailType.TRIAL_EXPIRY, send_at=ends_at)


def abandonment_email_cancel(*, user: "User", reason: str, now: datetime) -> None:
    """Cancel the pending abandonment email, if any (onboarding got done)."""
    ScheduledEmail.objects.filter(
        user=user, email_type=EmailType.ABANDONMENT, status=ScheduledEmail.Status.PENDING
    ).update(status=ScheduledEmail.Status.CANCELLED, error=reason, updated_at=now)
