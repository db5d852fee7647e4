"""Accounts: django-allauth's adapter (our redirects and usernames) and API token revocation."""

import logging
import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from rest_framework.authtoken.models import Token

from .selectors import onboarding_required

logger = logging.getLogger(__name__)


def user_display(user) -> str:
    """How allauth names a person in pages and emails: their address, never the username."""
    return user.email or "your account"


def user_label(user) -> str:
    """`str(user)`: the address, or the username of an account made without one (a
    `createsuperuser` that skipped it)."""
    return user.email or user.username


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # Login is by email; the username is an internal, unique, non-guessable handle.
        if not user.username:
            user.username = f"u-{uuid.uuid4().hex[:20]}"

    def get_login_redirect_url(self, request) -> str:
        # After sign-in, a user who has not finished onboarding goes there first.
        if onboarding_required(request.user):
            return reverse("onboarding")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        return self.get_login_redirect_url(request)


def api_tokens_revoke(*, user) -> int:
    """Delete the user's API tokens (a new password must not leave an old token working).
    Returns how many were deleted."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        logger.info("API token revoked", extra={"user_id": user.pk})
    return deleted
