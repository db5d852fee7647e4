"""The proxy's one operation: from a (verified) upstream URL and a name to what we answer.

cache (images and failures) → URL policy → fetch slot (`limits`) → fetch (403 ladder) →
sniff/convert (fitted to the width of a sized link) → cache (per URL and width). Every failure
becomes the placeholder; nothing here raises.
"""

import logging
import math
from dataclasses import dataclass

from sysconfig import config

from . import cache, convert, limits, placeholder, urlcheck
from .errors import FetchFailed, ImageRejected, Refused, UpstreamForbidden
from .fetch import Fetcher
from .netguard import Guard
from .sniff import sniff

logger = logging.getLogger(__name__)

HEIC_CONVERTED, ORIGINAL, RESIZED, PLACEHOLDER_403, PLACEHOLDER_ERROR, PLACEHOLDER_BUSY = (
    "heic-converted",
    "original",
    "resized",  # a JPEG, PNG or WebP re-encoded smaller for a sized link
    "placeholder-403",
    "placeholder-error",
    "placeholder-busy",
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
    retry_after: int = 0  # not 0: too busy to fetch; nobody may cache this answer

    @property
    def is_placeholder(self) -> bool:
        return self.source in (PLACEHOLDER_403, PLACEHOLDER_ERROR, PLACEHOLDER_BUSY)


def _placeholder(
    name: str,
    *,
    source: str,
    original_format: str,
    status: int | None = None,
    strategy: str = "placeholder",
    width: int | None = None,
) -> Outcome:
    return Outcome(
        body=placeholder.placeholder_svg(name, width),
        content_type=placeholder.CONTENT_TYPE,
        source=source,
        original_format=original_format,
        strategy=strategy,
        final_status=str(status) if status else "none",
        max_age=int(config.get("image_proxy.placeholder_cache_seconds")),
    )


def _failed(
    url: str,
    name: str,
    *,
    source: str,
    original_format: str,
    status: int | None,
    width: int | None = None,
) -> Outcome:
    """The placeholder for an image its host did not give us, remembered for a while (for the
    URL, whatever the width)."""
    cache.put_failure(url, cache.CachedFailure(source, original_format, status))
    return _placeholder(
        name, source=source, original_format=original_format, status=status, width=width
    )


def _busy(name: str, width: int | None = None) -> Outcome:
    # A slot frees within one fetch deadline: that is when trying again makes sense.
    retry_after = max(1, math.ceil(float(config.get("image_proxy.deadline"))))
    return Outcome(
        body=placeholder.placeholder_svg(name, width),
        content_type=placeholder.CONTENT_TYPE,
        source=PLACEHOLDER_BUSY,
        original_format="other",
        strategy="placeholder",
        final_status="none",
        max_age=0,
        retry_after=retry_after,
    )


def serve(
    url: str,
    name: str,
    *,
    client: str = "",
    guard: Guard | None = None,
    width: int | None = None,
) -> Outcome:
    """What to answer for this upstream URL, asked by `client` (see `limits.client_address`),
    fitted inside width×width when a width is given (one of `signing.AVATAR_WIDTHS`); never
    raises."""
    try:
        return _serve(url, name, client, guard, width)
    except Exception:
        # The last line of the "never a 500" promise; a bug here still shows a face.
        logger.exception("image proxy failed unexpectedly", extra={"url": url})
        return _placeholder(name, source=PLACEHOLDER_ERROR, original_format="other", width=width)


def _serve(url: str, name: str, client: str, guard: Guard | None, width: int | None) -> Outcome:
    if not url:
        return _placeholder(name, source=PLACEHOLDER_ERROR, original_format="other", width=width)

    image_max_age = int(config.get("image_proxy.image_cache_seconds"))
    hit = cache.get(url, width)
    if isinstance(hit, cache.CachedFailure):
        return _placeholder(
            name,
            source=hit.source,
            original_format=hit.original_format,
            status=hit.status,
            strategy="cache",
            width=width,
        )
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
        urlcheck.check_url(url)  # what our policy refuses needs no fetch slot
        with limits.fetch_slot(client):
            fetched = Fetcher(guard=guard).fetch(url)
    except limits.Busy as exc:
        logger.info("image fetch refused: too many in flight", extra={"level": exc.level})
        return _busy(name, width)
    except Refused as exc:
        logger.warning("image url refused", extra={"url": url, "reason": exc.reason})
        return _placeholder(name, source=PLACEHOLDER_ERROR, original_format="blocked", width=width)
    except UpstreamForbidden as exc:
        logger.info("image upstream forbidden on every fallback", extra={"url": url})
        return _failed(
            url,
            name,
            source=PLACEHOLDER_403,
            original_format="blocked",
            status=exc.status,
            width=width,
        )
    except FetchFailed as exc:
        logger.info("image fetch failed", extra={"url": url, "reason": exc.reason})
        return _failed(
            url,
            name,
            source=PLACEHOLDER_ERROR,
            original_format="other",
            status=exc.status,
            width=width,
        )

    try:
        image = convert.process(fetched.body, width=width)
    except ImageRejected as exc:
        logger.info("image rejected", extra={"url": url, "reason": exc.reason})
        return _failed(
            url,
            name,
            source=PLACEHOLDER_ERROR,
            original_format=convert.reported_format(sniff(fetched.body)),
            status=fetched.status,
            width=width,
        )

    source = HEIC_CONVERTED if image.converted else RESIZED if image.resized else ORIGINAL
    cache.put(
        url,
        cache.CachedImage(image.body, image.content_type, image.original_format, source),
        width,
    )
    logger.info(
        "image proxied",
        extra={
            "url": url,
            "strategy": fetched.strategy,
            "format": image.original_format,
            "width": width,
        },
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
