"""Onboarding: the two profile steps, and completing them (which starts the trial)."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import UserProfile
from .profiles import profile_lock
from .trial import trial_start

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Step = UserProfile.OnboardingStep


def _required(value: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError({field: f"Keep it under {max_length} characters."})
    return value


@transaction.atomic
def onboarding_save_step1(*, user: "User", full_name: str, business_name: str) -> UserProfile:
    profile = profile_lock(user)
    profile.full_name = _required(full_name, "full_name", 120)
    profile.business_name = _required(business_name, "business_name", 160)
    if profile.onboarding_step == Step.STEP1:
        profile.onboarding_step = Step.STEP2
    profile.save(update_fields=["full_name", "business_name", "onboarding_step", "updated_at"])
    return profile


@transaction.atomic
def onboarding_save_step2(*, user: "User", brand_description: str) -> UserProfile:
    profile = profile_lock(user)
    if not (profile.full_name and profile.business_name):
        raise ValidationError("Tell us your name and business first.")
    profile.brand_description = _required(brand_description, "brand_description", 2000)
    profile.save(update_fields=["brand_description", "updated_at"])
    return profile


@transaction.atomic
def onboarding_complete(*, user: "User") -> UserProfile:
    """Finish onboarding and start the 7-day trial. Idempotent: a trial that exists (running,
    ended or extended) is never restarted or lengthened by completing again."""
    profile = profile_lock(user)
    if not (profile.full_name and profile.business_name and profile.brand_description):
        raise ValidationError("Finish both onboarding steps first.")
    now = timezone.now()
    if not profile.onboarded:
        profile.onboarding_step = Step.COMPLETED
        profile.onboarding_completed_at = now
    trial_start(user=user, profile=profile, now=now)
    profile.save()
    return profile
