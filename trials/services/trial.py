"""The 7-day trial: starting it (with its emails) and extending it."""

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from ..models import UserProfile
from ..plans import TRIAL_LENGTH
from .lifecycle_emails import (
    EmailType,
    abandonment_email_cancel,
    email_schedule,
    trial_emails_schedule,
)
from .profiles import profile_lock

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def trial_start(*, user: "User", profile: UserProfile, now: datetime) -> None:
    """Start the trial on `profile`, locked and saved by the caller, and schedule its emails.
    A trial that exists (running, ended or extended) is never restarted or lengthened."""
    if profile.trial_started_at is not None:
        return
    profile.trial_started_at = now
    profile.trial_ends_at = now + TRIAL_LENGTH
    trial_emails_schedule(user=user, started_at=now, ends_at=profile.trial_ends_at)
    abandonment_email_cancel(user=user, reason="onboarding completed", now=now)
    logger.info("trial started", extra={"user_id": user.pk})


@transaction.atomic
def trial_extend(*, user: "User", days: int) -> UserProfile:
    """Add days to the trial (from now if it already ended) and move the expiry email."""
    if not 1 <= days <= 365:
        raise ValueError("days must be between 1 and 365")
    profile = profile_lock(user)
    if profile.trial_ends_at is None:
        raise ValueError("this user has not started a trial yet")
    now = timezone.now()
    profile.trial_ends_at = max(profile.trial_ends_at, now) + timedelta(days=days)
    profile.save(update_fields=["trial_ends_at", "updated_at"])
    email_schedule(user=user, email_type=EmailType.TRIAL_EXPIRY, send_at=profile.trial_ends_at)
    logger.info("trial extended", extra={"user_id": user.pk, "days": days})
    return profile
