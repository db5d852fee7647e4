"""django-allauth adapter: our redirects and usernames."""

import uuid

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # Login is by email; the username is an internal, unique, non-guessable handle.
        if not user.username:
            user.username = f"u-{uuid.uuid4().hex[:20]}"
