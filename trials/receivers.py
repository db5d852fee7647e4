"""Signal receivers: thin hooks that call services."""

from allauth.account.signals import (
    password_changed,
    password_reset,
    password_set,
    user_signed_up,
)
from django.dispatch import receiver

from .accounts import api_tokens_revoke
from .services.lifecycle_emails import signup_emails_schedule


@receiver(user_signed_up)
def schedule_signup_emails(sender, request, user, **kwargs) -> None:
    signup_emails_schedule(user=user)


# A new password ends every session (Django's session hash) and, here, every API token too:
# whoever knew the old password may have made one.
@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def revoke_api_tokens_on_new_password(sender, request, user, **kwargs) -> None:
    api_tokens_revoke(user=user)
