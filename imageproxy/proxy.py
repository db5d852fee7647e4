"""The proxy's one operation: from a (verified) upstream URL and a name to what we answer.

cache → URL policy → fetch (403 ladder) → sniff/convert → cache. Every failure becomes the
placeholder; nothing here raises.
"""

import logging
from dataclasses import dataclass

from sysconfig import config

from . import cache, convert, placeholder
from .errors import FetchFailed, ImageRejected, Refused, UpstreamForbidden
from .fetch import Fetcher
from .netguard import Guard
from .sniff import sniff

logger = logging.getLogger(__name__)

HEIC_CONVERTED, ORIGINAL, PLACEHOLDER_403, PLACEHOLDER_ERROR = (
    "heic-converted",
    "original",
    "placeholder-403",
    "placeholder-error",
)


@dataclass(frozen=True)
class Outcome:
    body: bytes
    content_type: str
    source: str  # X-Image-Proxy-Source
    original_format: str  # X-Image-Original-Format
    strategy: str  # X-Image-Fetch-Strategy
    final_status: str  # X-Image-Final-Status: the last upstream status, or "none"
    max_age: int  # browser cache lifetime

    @property
    def is_placeholder(self) -> bool:
        return self.source in (PLACEHOLDER_403, PLACEHOLDER_ERROR)


def _placeholder(
    name: str, *, source: str, original_format: str, status: int | None = None
) -> Outcome:
    return Outcome(
        body=placeholder.placeholder_svg(name),
        content_type=placeholder.CONTENT_TYPE,
        source=source,
        original_format=original_format,
        strategy="placeholder",
        final_status=str(status) if status else "none",
        max_age=int(config.get("image_proxy.placeholder_cache_seconds")),
    )


def serve(url: str, name: str, *, guard: Guard | None = None) -> Outcome:
    """What to answer for this upstream URL; never raises."""
    try:
        return _serve(url, name, guard)
    except Exception:
        # The last line of the "never a 500" promise; a bug here still shows a face.
        logger.exception("image proxy failed unexpectedly", extra={"url": url})
        return _placeholder(name, source=PLACEHOLDER_ERROR, original_format="other")


def _serve(url: str, name: str, guard: Guard | None) -> Outcome:
    if not url:
        return _placeholder(name, source=PLACEHOLDER_ERROR, original_format="other")

    image_max_age = int(config.get("image_proxy.image_cache_seconds"))
    hit = cache.get(url)
    if hit is not None:
        return Outcome(
            hit.body,
            hit.content_type,
            hit.source,
            hit.original_format,
            "cache",
            "200",
            image_max_age,
        )

    try:
        fetched = Fetcher(guard=guard).fetch(url)
    except Refused as exc:
        logger.warning("image url refused", extra={"url": url, "reason": exc.reason})
        return _placeholder(name, source=PLACEHOLDER_ERROR, original_format="blocked")
    except UpstreamForbidden as exc:
        logger.info("image upstream forbidden on every fallback", extra={"url": url})
        return _placeholder(
            name, source=PLACEHOLDER_403, original_format="blocked", status=exc.status
        )
    except FetchFailed as exc:
        logger.info("image fetch failed", extra={"url": url, "reason": exc.reason})
        return _placeholder(
            name, source=PLACEHOLDER_ERROR, original_format="other", status=exc.status
        )

    try:
        image = convert.process(fetched.body)
    except ImageRejected as exc:
        logger.info("image rejected", extra={"url": url, "reason": exc.reason})
        return _placeholder(
            name,
            source=PLACEHOLDER_ERROR,
            original_format=convert.reported_format(sniff(fetched.body)),
            status=fetched.status,
        )

    source = HEIC_CONVERTED if image.converted else ORIGINAL
    cache.put(url, cache.CachedImage(image.body, image.content_type, image.original_format, source))
    logger.info(
        "image proxied",
        extra={"url": url, "strategy": fetched.strategy, "format": image.original_format},
    )
    return Outcome(
        image.body,
        image.content_type,
        source,
        image.original_format,
        fetched.strategy,
        str(fetched.status),
        image_max_age,
    )
