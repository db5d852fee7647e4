"""Test emails and test users from the admin (through the trials app's services)."""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trials.models import ScheduledEmail
from trials.services.lifecycle_emails import email_schedule, email_send_now
from trials.services.staff_tools import test_user_create

from ..models import AdminAction
from .audit import Action, audit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EMAIL_TYPES = (
    ("welcome", "Welcome"),
    ("abandonment", "Onboarding abandoned"),
    ("trial_day2", "Trial day 2"),
    ("trial_day5", "Trial day 5"),
    ("trial_expiry", "Trial expired"),
)
# Delays offered when staff schedule a test email.
SCHEDULE_DELAYS = {"30s": 30, "2m": 120, "5m": 300, "1h": 3600, "1d": 86400, "5d": 5 * 86400}
TEST_USER_STATES = (
    ("fresh", "Fresh sign-up (onboarding not done)"),
    ("trial_day2", "Trial, day 2"),
    ("trial_day5", "Trial, day 5"),
    ("expired", "Trial expired"),
    ("subscribed", "Subscribed"),
)


def _email_type_or_error(email_type: str) -> None:
    if email_type not in dict(EMAIL_TYPES):
        raise ValidationError({"email_type": f"Unknown email type {email_type}."})


def _ref(obj: ScheduledEmail) -> str | None:
    return str(obj.pk) if getattr(obj, "pk", None) is not None else None


def email_test_send(*, admin: "User", user: "User", email_type: str) -> ScheduledEmail:
    """Send one email now to `user` as a test (no eligibility check), and log it.

    Returns the email's row (its status says whether the provider took it). Not one
    transaction: the send talks to the provider, which must not hold the database's write lock;
    the log row follows the send."""
    _email_type_or_error(email_type)
    sent = email_send_now(user=user, email_type=email_type, is_test=True)
    audit(
        admin=admin,
        action=Action.EMAIL_SENT,
        target_user=user,
        details={
            "email_type": email_type,
            "to": user.email,
            "is_test": True,
            "scheduled_email_id": _ref(sent),
            "status": getattr(sent, "status", None),
            "error": getattr(sent, "error", "") or "",
        },
    )
    return sent


@transaction.atomic
def email_test_schedule(*, admin: "User", user: "User", email_type: str, delay: str) -> AdminAction:
    """Schedule one test email for `user` after `delay` (one of SCHEDULE_DELAYS), and log it."""
    _email_type_or_error(email_type)
    if delay not in SCHEDULE_DELAYS:
        raise ValidationError({"delay": f"Choose one of {', '.join(SCHEDULE_DELAYS)}."})
    send_at = timezone.now() + timedelta(seconds=SCHEDULE_DELAYS[delay])
    scheduled = email_schedule(user=user, email_type=email_type, send_at=send_at, is_test=True)
    return audit(
        admin=admin,
        action=Action.EMAIL_SCHEDULED,
        target_user=user,
        details={
            "email_type": email_type,
            "to": user.email,
            "is_test": True,
            "delay": delay,
            "send_at": send_at.isoformat(),
            "scheduled_email_id": _ref(scheduled),
        },
    )


@transaction.atomic
def test_user_create_by_staff(*, admin: "User", state: str, email: str | None = None) -> "User":
    """Create a user in a chosen trial state for trying the product, and log it."""
    if state not in dict(TEST_USER_STATES):
        raise ValidationError({"state": f"Unknown state {state}."})
    user = test_user_create(state=state, email=email or None)
    audit(
        admin=admin,
        action=Action.TEST_USER_CREATED,
        target_user=user,
        details={"state": state, "email": user.email, "user_id": user.pk},
    )
    return user


# Not a pytest test, whatever imports it. pytest reads `__test__` off any object; mypy does not
# let a function take attributes.
test_user_create_by_staff.__test__ = False  # type: ignore[attr-defined]
