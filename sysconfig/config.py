"""The one accessor for runtime knobs: `config.get("api_limits.max_api_calls_tiktok_keyword")`.

Each process keeps a snapshot of the overrides (the `SystemConfiguration` rows, parsed) and the
version stamp it loaded them at. The stamp lives in the shared "coordination" cache (a database
cache table that never culls live keys, or Redis), so every web and worker process sees it.
`get` looks at the stamp at most once per `CHECK_INTERVAL` seconds and reloads the rows when it
changed; saving or resetting a knob sets a new stamp when its transaction commits. A change
therefore reaches every process
within about a second, without a restart and without a query per `get`.

A knob that is not hot-reloadable keeps the value this process loaded first, until a restart.
A missing stamp (evicted, cache flushed) is replaced by a new one, which makes every process
reload: eviction can cost a reload, never a stale value. If the cache or the database cannot be
read, `get` carries on with the last snapshot (or the defaults) and tries again a second later.
"""

import logging
import threading
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError

from .models import SystemConfiguration
from .registry import REGISTRY, Knob
from .values import parse

logger = logging.getLogger(__name__)

STAMP_KEY = "sysconfig:version"
CHECK_INTERVAL = 1.0  # seconds between two looks at the shared stamp
_MISSING = object()


class UnknownKnob(KeyError):
    pass


class _Snapshot:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.overrides: dict[str, Any] | None = None
        self.version: str | None = None
        self.checked_at = float("-inf")
        # Values of the knobs that are not hot-reloadable, fixed at the first load.
        self.frozen: dict[str, Any] | None = None
        self.failing = False


_snapshot = _Snapshot()


def knob(name: str) -> Knob | None:
    """The registry entry of `name`; UnknownKnob in development and tests, None in production."""
    entry = REGISTRY.get(name)
    if entry is None:
        # A typo in code: loud in development and tests, never a crash in production.
        if settings.DEBUG or getattr(settings, "SYSCONFIG_STRICT", False):
            raise UnknownKnob(name)
        logger.error("unknown config key", extra={"key": name})
    return entry


def get(name: str) -> Any:
    """The current value of a knob: its override if staff set one, else its default.

    Numbers come back as int (float when fractional), durations as float seconds, booleans as
    bool, strings as str and lists as list[str].
    """
    entry = knob(name)
    if entry is None:
        return None
    overrides = _overrides()
    if name in overrides:
        return overrides[name]
    return default(entry)


def default(entry: Knob) -> Any:
    return entry.default_for(settings.APP_ENV)


def _overrides() -> dict[str, Any]:
    """This process's snapshot of the overrides, refreshed when the shared stamp moved.

    (Tests replace this function to set knobs: keep the name and the return type.)
    """
    snap = _snapshot
    overrides = snap.overrides
    if overrides is not None and time.monotonic() - snap.checked_at < CHECK_INTERVAL:
        return overrides
    with snap.lock:
        if snap.overrides is not None and time.monotonic() - snap.checked_at < CHECK_INTERVAL:
            return snap.overrides
        try:
            version = current_version()
            if version is None or version != snap.version or snap.overrides is None:
                snap.overrides = _freeze(load_overrides())
                snap.version = version
            if snap.failing:
                logger.info("configuration readable again")
            snap.failing = False
        except Exception:
            # The cache or the database is unavailable (or not migrated yet): keep going with
            # what we have, and look again after CHECK_INTERVAL.
            if not snap.failing:
                logger.warning("configuration could not be refreshed", exc_info=True)
            snap.failing = True
            if snap.overrides is None:
                snap.overrides = {}
                snap.version = None
        snap.checked_at = time.monotonic()
        return snap.overrides


def _freeze(loaded: dict[str, Any]) -> dict[str, Any]:
    """Keep the first-loaded value of every knob that is not hot-reloadable."""
    snap = _snapshot
    if snap.frozen is None:
        snap.frozen = {
            name: loaded.get(name, _MISSING)
            for name, entry in REGISTRY.items()
            if not entry.hot_reloadable
        }
    result = dict(loaded)
    for name, value in snap.frozen.items():
        if value is _MISSING:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def load_overrides() -> dict[str, Any]:
    """Every valid override row, parsed (rows of unknown or now-invalid knobs are skipped)."""
    result = {}
    for category, key, raw in SystemConfiguration.objects.values_list("category", "key", "value"):
        name = f"{category}.{key}"
        entry = REGISTRY.get(name)
        if entry is None:
            logger.warning("override of an unknown knob ignored", extra={"key": name})
            continue
        try:
            result[name] = parse(entry, raw)
        except ValidationError as exc:
            logger.error(
                "invalid override ignored", extra={"key": name, "error": "; ".join(exc.messages)}
            )
    return result


def current_version() -> str | None:
    """The shared version stamp; a missing one is replaced so every process reloads."""
    cache = caches["coordination"]
    version = cache.get(STAMP_KEY)
    if version is None:
        cache.add(STAMP_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(STAMP_KEY)
    return version


def bump_version() -> None:
    """Announce a change to every process (call it on commit of the change)."""
    caches["coordination"].set(STAMP_KEY, uuid.uuid4().hex, timeout=None)
    invalidate()


def invalidate() -> None:
    """Make this process look at the stamp on its next `get`."""
    _snapshot.checked_at = float("-inf")
    _snapshot.version = None


def reset() -> None:
    """Forget the snapshot, as a restart would (tests)."""
    global _snapshot
    _snapshot = _Snapshot()
