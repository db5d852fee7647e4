"""django-allauth adapter: our redirects and usernames."""

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # Login is by email; the username is an internal, unique, non-guessable handle.
        if not user.username:
            user.username = f"u-{uuid.uuid4().hex[:20]}"

    def get_login_redirect_url(self, request) -> str:
        # After sign-in, a user who has not finished onboarding goes there first.
        from trials.selectors import onboarding_required

        if onboarding_required(request.user):
            return reverse("onboarding")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        return self.get_login_redirect_url(request)
