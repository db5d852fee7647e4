"""The one accessor for runtime knobs: `config.get("api_limits.max_api_calls_tiktok_keyword")`."""

import logging
from typing import Any

from django.conf import settings

from .registry import REGISTRY

logger = logging.getLogger(__name__)


class UnknownKnob(KeyError):
    pass


def get(name: str) -> Any:
    """The current value of a knob: its override if staff set one, else its default."""
    knob = REGISTRY.get(name)
    if knob is None:
        # A typo in code: loud in development and tests, never a crash in production.
        if settings.DEBUG or getattr(settings, "SYSCONFIG_STRICT", False):
            raise UnknownKnob(name)
        logger.error("unknown config key", extra={"key": name})
        return None
    overrides = _overrides()
    if name in overrides:
        return overrides[name]
    return knob.default_for(settings.APP_ENV)


def _overrides() -> dict[str, Any]:
    # Database overrides arrive with the admin-editable configuration.
    return {}
