"""Server-side cache of served images, in Django's default (shared) cache.

Keyed by a hash of the upstream URL, so a repeated avatar costs no upstream request and no
conversion, whoever asks and under whichever name. Entries live `image_proxy.server_cache_seconds`;
entries bigger than `MAX_ENTRY_BYTES` are not cached at all, and the cache's own culling bounds the
total. `purge()` (the staff "purge image cache" action) stamps a time: entries stored before it
are ignored, with no extra query per hit (one `get_many`).

Placeholders and failures are never cached here (browsers keep placeholders for 5 minutes).
A broken cache only costs performance: errors are logged and the proxy carries on.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

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


def key_for(url: str) -> str:
    return f"{KEY_PREFIX}:{hashlib.sha256(url.encode('utf-8', 'surrogatepass')).hexdigest()}"


def get(url: str) -> CachedImage | None:
    key = key_for(url)
    try:
        found = cache.get_many([key, PURGE_KEY])
    except Exception:
        logger.warning("image cache read failed", exc_info=True)
        return None
    entry = found.get(key)
    if not isinstance(entry, dict):
        return None
    if entry.get("stored_at", 0) <= found.get(PURGE_KEY, 0):
        return None
    try:
        return CachedImage(
            entry["body"], entry["content_type"], entry["original_format"], entry["source"]
        )
    except KeyError:
        return None


def put(url: str, image: CachedImage) -> bool:
    """Store; False when the entry is too big, caching is off, or the cache failed."""
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
        cache.set(key_for(url), entry, timeout=timeout)
    except Exception:
        logger.warning("image cache write failed", exc_info=True)
        return False
    return True


def purge() -> None:
    """Forget every cached image (they are re-fetched on their next request)."""
    cache.set(PURGE_KEY, time.time(), timeout=None)
