"""Account-level writes shared by the apps."""

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

logger = logging.getLogger(__name__)

STAFF_GROUP = "Staff"
# Staff manage the product's own data; they never get superuser rights from the environment.
STAFF_APPS = ("campaigns", "scraping", "trials", "sysconfig", "exports", "imageproxy", "django_q")


def staff_group() -> Group:
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label__in=STAFF_APPS
    ) | Permission.objects.filter(
        content_type__app_label="auth", codename__in=("view_user", "change_user")
    )
    group.permissions.add(*perms)
    return group


def env_admin_email(user) -> str | None:
    """The user's verified address that ADMIN_EMAILS lists, if any."""
    admins = set(settings.ADMIN_EMAILS)
    if not admins:
        return None
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return next((e.lower() for e in verified if e.lower() in admins), None)


@transaction.atomic
def user_sync_env_staff(*, user) -> bool:
    """Make a user staff when a verified address of theirs is in ADMIN_EMAILS.

    Returns True when the user was promoted by this call.
    """
    if user.is_staff or not env_admin_email(user):
        return False
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(staff_group())
    logger.info("user promoted to staff from ADMIN_EMAILS", extra={"user_id": user.pk})
    return True
