"""Signal receivers: thin hooks that call services, no logic of their own."""

from allauth.account.signals import email_confirmed, user_logged_in
from django.apps import apps as global_apps
from django.dispatch import receiver

from .staff import staff_group_resync, user_sync_env_staff


@receiver(user_logged_in)
def promote_env_admin_on_login(sender, request, user, **kwargs) -> None:
    user_sync_env_staff(user=user)


@receiver(email_confirmed)
def promote_env_admin_on_confirm(sender, request, email_address, **kwargs) -> None:
    user_sync_env_staff(user=email_address.user)


def resync_staff_group_after_migrate(sender, using, apps=global_apps, **kwargs) -> None:
    """Connected in BackofficeConfig.ready: every migrate (each deploy's release step) gives
    the Staff group exactly STAFF_PERMISSIONS again. (flush sends no `apps`.)"""
    staff_group_resync(using=using, apps=apps)
