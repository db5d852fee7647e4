"""Staff rights, deactivation and trial extensions."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from backoffice.staff import STAFF_GROUP, env_admin_email, staff_group
from trials.selectors import trial_status
from trials.services.trial import trial_extend

from ..models import AdminAction
from ..selectors import user_profile
from .audit import Action, audit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEFAULT_TRIAL_EXTENSION_DAYS = 7


class StaffActionRefused(Exception):
    """The action is not allowed on this target (the message says why)."""


def _check_target(admin: "User | None", user: "User", *, verb: str) -> None:
    if admin is not None and user.pk == admin.pk:
        raise StaffActionRefused(f"You cannot {verb} yourself.")
    if user.is_superuser and not getattr(admin, "is_superuser", False):
        raise StaffActionRefused(f"Only a superuser can {verb} a superuser.")


@transaction.atomic
def user_promote(*, admin: "User", user: "User") -> bool:
    """Give staff rights (and the Staff group). False when the user already was staff."""
    if user.is_staff:
        return False
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(staff_group())
    audit(
        admin=admin,
        action=Action.USER_PROMOTION,
        target_user=user,
        details={"before": {"is_staff": False}, "after": {"is_staff": True}},
    )
    return True


@transaction.atomic
def user_demote(*, admin: "User", user: "User") -> bool:
    """Take staff rights away. False when the user was not staff.

    A user whose verified address is in ADMIN_EMAILS gets them back at their next sign-in; the
    log records that the rights came from the environment.
    """
    if not user.is_staff:
        return False
    _check_target(admin, user, verb="demote")
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    user.groups.remove(*user.groups.filter(name=STAFF_GROUP))
    audit(
        admin=admin,
        action=Action.USER_DEMOTION,
        target_user=user,
        details={
            "before": {"is_staff": True},
            "after": {"is_staff": False},
            "from_admin_emails": bool(env_admin_email(user)),
        },
    )
    return True


@transaction.atomic
def user_deactivate(*, admin: "User", user: "User") -> bool:
    """Block sign-in. False when the user was already inactive."""
    if not user.is_active:
        return False
    _check_target(admin, user, verb="deactivate")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit(
        admin=admin,
        action=Action.USER_DEACTIVATED,
        target_user=user,
        details={"before": {"is_active": True}, "after": {"is_active": False}},
    )
    return True


def _trial_snapshot(user: "User") -> dict[str, Any]:
    """Trial status and the profile's trial dates, for before/after in the log."""
    snapshot: dict[str, Any] = {"trial_status": trial_status(user)}
    profile = user_profile(user, fresh=True)
    if profile is not None:
        for field in profile._meta.concrete_fields:
            if field.name.startswith("trial"):
                value = getattr(profile, field.attname)
                snapshot[field.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return snapshot


@transaction.atomic
def user_trial_extend(
    *, admin: "User", user: "User", days: int = DEFAULT_TRIAL_EXTENSION_DAYS
) -> AdminAction:
    if not 1 <= days <= 365:
        raise ValidationError({"days": "Extend by 1 to 365 days."})
    before = _trial_snapshot(user)
    trial_extend(user=user, days=days)
    return audit(
        admin=admin,
        action=Action.TRIAL_EXTENDED,
        target_user=user,
        details={"days": days, "before": before, "after": _trial_snapshot(user)},
    )
