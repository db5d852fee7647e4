"""The audit log's one writer."""

import logging
from typing import TYPE_CHECKING, Any

from ..models import AdminAction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)
Action = AdminAction.Action


def audit(
    *,
    admin: "User | None",
    action: str,
    target_user: "User | None" = None,
    details: dict[str, Any] | None = None,
) -> AdminAction:
    """Record one staff (or system: `admin=None`) action, inside the change's transaction."""
    if action not in Action.values:
        raise ValueError(f"unknown admin action {action!r}")
    entry = AdminAction.objects.create(
        admin=admin,
        admin_email=getattr(admin, "email", "") or "",
        action=action,
        target_user=target_user,
        target_email=getattr(target_user, "email", "") or "",
        details=details or {},
    )
    logger.info(
        "admin action",
        extra={
            "action": action,
            "admin_id": getattr(admin, "pk", None),
            "target_user_id": getattr(target_user, "pk", None),
        },
    )
    return entry
