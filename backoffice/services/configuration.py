"""Overriding and resetting knobs: validated, audited, announced to every process on commit."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sysconfig import config
from sysconfig.models import SystemConfiguration
from sysconfig.registry import REGISTRY, Knob
from sysconfig.values import format_value, parse

from .audit import Action, audit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _knob_or_error(name: str) -> Knob:
    entry = REGISTRY.get(name)
    if entry is None:
        raise ValidationError({"name": f"There is no knob called {name}."})
    return entry


def _config_state(entry: Knob, row: SystemConfiguration | None) -> dict[str, Any]:
    if row is None:
        return {"value": format_value(entry, config.default(entry)), "source": "default"}
    return {"value": row.value, "source": "override"}


@transaction.atomic
def config_set(*, admin: "User", name: str, value: Any) -> SystemConfiguration:
    """Override a knob. `value` is validated by the knob's type and bounds and stored in its
    canonical spelling; every process picks it up within seconds (hot-reloadable knobs) or at
    its next restart (the others)."""
    entry = _knob_or_error(name)
    try:
        canonical = format_value(entry, parse(entry, value))
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from exc
    category, key = name.split(".", 1)
    row = SystemConfiguration.objects.select_for_update().filter(category=category, key=key).first()
    before = _config_state(entry, row)
    if row is not None and row.value == canonical:
        return row
    if row is None:
        row = SystemConfiguration(category=category, key=key)
    row.value = canonical
    row.updated_by = admin
    row.save()
    audit(
        admin=admin,
        action=Action.CONFIG_UPDATE,
        details={
            "key": name,
            "before": before,
            "after": {"value": canonical, "source": "override"},
            "hot_reloadable": entry.hot_reloadable,
        },
    )
    transaction.on_commit(config.bump_version)
    return row


@transaction.atomic
def config_reset(*, admin: "User", name: str) -> bool:
    """Drop a knob's override so it has its default again. False when it had none.

    Also removes the leftover row of a knob that no longer exists in the registry."""
    entry = REGISTRY.get(name)
    category, key = name.split(".", 1) if "." in name else (name, "")
    row = SystemConfiguration.objects.select_for_update().filter(category=category, key=key).first()
    if row is None:
        if entry is None:
            raise ValidationError({"name": f"There is no knob called {name}."})
        return False
    before = {"value": row.value, "source": "override"}
    row.delete()
    audit(
        admin=admin,
        action=Action.CONFIG_RESET,
        details={
            "key": name,
            "before": before,
            "after": (
                _config_state(entry, None)
                if entry
                else {"value": None, "source": "knob no longer exists"}
            ),
            "hot_reloadable": entry.hot_reloadable if entry else True,
        },
    )
    transaction.on_commit(config.bump_version)
    return True
