"""Signal receivers: thin hooks that call services, no logic of their own."""

from allauth.account.signals import email_confirmed, user_logged_in
from django.dispatch import receiver

from .services import user_sync_env_staff


@receiver(user_logged_in)
def promote_env_admin_on_login(sender, request, user, **kwargs) -> None:
    user_sync_env_staff(user=user)


@receiver(email_confirmed)
def promote_env_admin_on_confirm(sender, request, email_address, **kwargs) -> None:
    user_sync_env_staff(user=email_address.user)
