"""The user's profile row: fetched (created on first use) and locked for a write."""

from typing import TYPE_CHECKING

from ..models import UserProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def profile_for(user: "User") -> UserProfile:
    """The user's profile, created if missing."""
    profile, _ = UserProfile.objects.get_or_create(user=user)
    return profile


def profile_lock(user: "User") -> UserProfile:
    """The user's profile (created if missing), locked until the caller's transaction ends."""
    profile_for(user)
    return UserProfile.objects.select_for_update().get(user=user)
