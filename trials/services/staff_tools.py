"""Staff tools: test users in a chosen lifecycle state, for trying emails and pages."""

import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..models import UserProfile
from ..plans import TRIAL_LENGTH
from .profiles import profile_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

TEST_USER_STATES: dict[str, tuple[bool, timedelta | None, bool]] = {
    # state: (onboarded, trial started this long ago, subscribed)
    "fresh": (False, None, False),
    "trial_day2": (True, timedelta(days=2), False),
    "trial_day5": (True, timedelta(days=5), False),
    "expired": (True, timedelta(days=8), False),
    "subscribed": (True, timedelta(days=3), True),
}


@transaction.atomic
def test_user_create(*, state: str, email: str | None = None) -> "User":
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
    if onboarded and ago is not None:
        profile.brand_description = "A test account created by staff."
        profile.onboarding_step = UserProfile.OnboardingStep.COMPLETED
        profile.onboarding_completed_at = now - ago
        profile.trial_started_at = now - ago
        profile.trial_ends_at = profile.trial_started_at + TRIAL_LENGTH
    else:
        profile.onboarding_step = UserProfile.OnboardingStep.STEP2
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


# Not a pytest test, whatever imports it.
test_user_create.__test__ = False  # type: ignore[attr-defined]
