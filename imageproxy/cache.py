"""Server-side cache of served images, in the shared "images" cache (culled when full).

Keyed by a hash of the upstream URL, and the width for a sized link (`…:w128`: each width is
its own entry; an unsized link keeps the plain key), so a repeated avatar costs no upstream
request and no conversion, whoever asks and under whichever name. Entries live
`image_proxy.server_cache_seconds`; entries bigger than `MAX_ENTRY_BYTES` are not cached at all,
and the cache's own culling bounds the total. `purge()` (the staff "purge image cache" action)
stamps a time: entries stored before it are ignored, with no extra query per hit (one
`get_many`).

Failures are cached too, under the plain key, for `image_proxy.failure_cache_seconds`: an image
whose host stalled, errored, refused every 403 fallback or sent no image gets its placeholder from
here, without asking the host again (the name is not stored: the placeholder is drawn for each
request); once the entry expires, the next request asks the host again. A failure is a fact about
the URL, not a width: every width's lookup reads the plain key too (in the same `get_many`).
Refusals by our own URL policy, unexpected errors and "too busy" answers are never cached.

A broken cache only costs performance: errors are logged and the proxy carries on.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.core.cache import caches

from sysconfig import config

logger = logging.getLogger(__name__)

KEY_PREFIX = "imageproxy:v1"
PURGE_KEY = f"{KEY_PREFIX}:purged-at"
MAX_ENTRY_BYTES = 1_000_000


@dataclass(frozen=True)
class CachedImage:
    body: bytes
    content_type: str
    original_format: str
    source: str  # heic-converted | original


@dataclass(frozen=True)
class CachedFailure:
    source: str  # placeholder-403 | placeholder-error
    original_format: str
    status: int | None  # the last upstream status, if any


def key_for(url: str, width: int | None = None) -> str:
    key = f"{KEY_PREFIX}:{hashlib.sha256(url.encode('utf-8', 'surrogatepass')).hexdigest()}"
    return key if width is None else f"{key}:w{int(width)}"


def get(url: str, width: int | None = None) -> CachedImage | CachedFailure | None:
    key = key_for(url, width)
    failure_key = key_for(url)  # failures are per URL, whatever the width
    keys = [key, PURGE_KEY] if width is None else [key, failure_key, PURGE_KEY]
    try:
        found = caches["images"].get_many(keys)
    except Exception:
        logger.warning("image cache read failed", exc_info=True)
        return None
    purged_at = found.get(PURGE_KEY, 0)
    entry = found.get(key)
    if width is not None and not _live(entry, purged_at):
        entry = found.get(failure_key)
        if not (isinstance(entry, dict) and entry.get("failed")):
            return None  # the unsized image is not this width's image
    if not _live(entry, purged_at):
        return None
    try:
        if entry.get("failed"):
            return CachedFailure(entry["source"], entry["original_format"], entry["status"])
        return CachedImage(
            entry["body"], entry["content_type"], entry["original_format"], entry["source"]
        )
    except KeyError:
        return None


def _live(entry: object, purged_at: float) -> TypeGuard[dict[str, Any]]:
    return isinstance(entry, dict) and entry.get("stored_at", 0) > purged_at


def put(url: str, image: CachedImage, width: int | None = None) -> bool:
    """Store (under this width's key); False when the entry is too big, caching is off, or the
    cache failed."""
    timeout = float(config.get("image_proxy.server_cache_seconds") or 0)
    if timeout <= 0 or len(image.body) > MAX_ENTRY_BYTES:
        return False
    entry = {
        "body": image.body,
        "content_type": image.content_type,
        "original_format": image.original_format,
        "source": image.source,
        "stored_at": time.time(),
    }
    try:
        caches["images"].set(key_for(url, width), entry, timeout=timeout)
    except Exception:
        logger.warning("image cache write failed", exc_info=True)
        return False
    return True


def put_failure(url: str, failure: CachedFailure) -> bool:
    """Remember that this URL gave no image; False when off or the cache failed."""
    timeout = float(config.get("image_proxy.failure_cache_seconds") or 0)
    if timeout <= 0:
        return False
    entry = {
        "failed": True,
        "source": failure.source,
        "original_format": failure.original_format,
        "status": failure.status,
        "stored_at": time.time(),
    }
    try:
        caches["images"].set(key_for(url), entry, timeout=timeout)
    except Exception:
        logger.warning("image cache write failed", exc_info=True)
        return False
    return True


def purge() -> None:
    """Forget every cached image and failure (they are fetched again on their next request)."""
    caches["images"].set(PURGE_KEY, time.time(), timeout=None)
