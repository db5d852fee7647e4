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


class NewPasswordRevokesApiTokens:
    """A password "validator" that validates nothing: Django calls `password_changed` of every
    validator in AUTH_PASSWORD_VALIDATORS whenever a user saved after `set_password` (allauth's
    change, set and reset, the admin's form, `manage.py changepassword`, a shell), and never
    when a login only re-hashes the same password. That is the one place where a new password
    ends every API token: whoever knew the old password may have made one."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke(user=user)

    def get_help_text(self) -> str:
        return "A new password also revokes your API token."
