"""The Staff group and its rights, and staff status granted by ADMIN_EMAILS."""

import logging

from allauth.account.models import EmailAddress
from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q

logger = logging.getLogger(__name__)

STAFF_GROUP = "Staff"

# Everything the Staff group may do in the admin, model by model; what is not listed is refused.
# Staff run the product: they look at its records and use the audited actions. They never get
# superuser rights from the environment, nor anything that runs code (django-q2 schedules and
# task resubmits), edits the audit log, hands out permissions or takes over an account.
# docs/OPERATIONS.md ("Staff rights") explains this table; keep the two in step.
STAFF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # change: the audited promote/demote/deactivate/extend-trial actions and flags; the admin
    # keeps email, username, password and privileges for superusers.
    "auth.user": ("view", "change"),
    "campaigns.campaign": ("view",),
    # change: the audited cancel/retry/force actions; every field stays read-only.
    "scraping.scrapingjob": ("view", "change"),
    "scraping.creator": ("view",),
    "scraping.apicall": ("view",),
    "scraping.profilecache": ("view",),
    "scraping.creatormetrics": ("view",),
    "trials.userprofile": ("view",),
    "trials.scheduledemail": ("view",),
    "trials.monthlyusage": ("view",),
    "trials.deliveredcreator": ("view",),
    "trials.stripeevent": ("view",),
    # Outreach: view only (to help with a failed send); the owners' lists and emails.
    "outreach.creatorlist": ("view",),
    "outreach.listentry": ("view",),
    "outreach.emailtemplate": ("view",),
    "outreach.outreachsend": ("view",),
    # add/change: knob overrides, validated by type and bounds and audited (no delete: "reset").
    "sysconfig.systemconfiguration": ("view", "add", "change"),
    "backoffice.adminaction": ("view",),
    "django_q.schedule": ("view",),
    "django_q.success": ("view",),
    "django_q.failure": ("view",),
    "django_q.ormq": ("view",),
}


def staff_permissions(*, using: str = DEFAULT_DB_ALIAS) -> list[Permission]:
    """The Permission rows STAFF_PERMISSIONS names; raises when one does not exist."""
    query = Q()
    for name, actions in STAFF_PERMISSIONS.items():
        app_label, model = name.split(".")
        query |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    perms = list(Permission.objects.using(using).filter(query))
    expected = sum(len(actions) for actions in STAFF_PERMISSIONS.values())
    if len(perms) != expected:
        # A typo or a removed model: fail loudly rather than hand out a different set.
        raise ImproperlyConfigured(
            f"STAFF_PERMISSIONS names {expected} permissions, {len(perms)} exist."
        )
    return perms


def staff_group() -> Group:
    """The Staff group with exactly STAFF_PERMISSIONS (rights it had beyond them are removed)."""
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.set(staff_permissions())
    return group


def staff_group_resync(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps) -> bool:
    """Give an existing Staff group exactly STAFF_PERMISSIONS again (run after every migrate,
    so a deploy takes away rights an older version granted). False when there is no group yet:
    the first promotion creates it."""
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return False  # auth is not migrated in this database yet
    # Django creates each app's permissions after that app's migrations, possibly after this
    # runs; creating the ones the table needs first is idempotent.
    for app_label in {name.split(".")[0] for name in STAFF_PERMISSIONS}:
        create_permissions(
            global_apps.get_app_config(app_label), verbosity=0, using=using, apps=apps
        )
    group = Group.objects.using(using).filter(name=STAFF_GROUP).first()
    if group is None:
        return False
    group.permissions.set(staff_permissions(using=using))
    return True


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
