"""Signed proxy URLs: the signature is the authorisation.

Pages and the API never hand out raw upstream URLs: they call `proxied_image_url(url, name)`,
which signs (Django's signing, the project's SECRET_KEY, salt `imageproxy`) a compact payload of
the image URL, the creator's name (for the placeholder) and the day the link expires. The proxy
serves nothing else, and refuses a link from that day on.

A link made on day D expires at the start of day D + 8 (UTC), so it works for 7 to 8 days. The
signature holds no time finer than the day, so the same image gets the same link all day: the
browser's cache keeps working across polls and page views, and a process signs each avatar once
a day (the poll answers 50 of them at a time).

Sized links: `proxied_image_url(url, name, width=128)` adds the width to the signed payload and
shows it as `&w=128`; the proxy then serves the image at most that many pixels wide and tall.
Only the widths in `AVATAR_WIDTHS` exist (what the pages show, at 2x): nobody can ask for any
other size, and the `w` parameter must be the width that was signed. A link without a width
is the same link as before sizes existed.
"""

import time
import zlib
from functools import lru_cache

from django.core import signing
from django.urls import reverse

SALT = "imageproxy"
VALID_DAYS = 7
MAX_NAME = 64
MAX_TOKEN_LENGTH = 8192

# Avatar widths in pixels: what the pages show, doubled for 2x screens. Every `.avatar` is
# 36 CSS px (results rows, outreach board and entry page) → 72; the creator panel's
# `.avatar.large` is 64 px → 128 (the results rows share the panel's link, so opening the
# panel finds the image in the browser's cache).
AVATAR_SMALL = 72
AVATAR_LARGE = 128
AVATAR_WIDTHS = (AVATAR_SMALL, AVATAR_LARGE)


class BadProxySignature(Exception):
    """The token is missing, malformed, tampered with, or signed with another key."""

    reason = "bad-signature"


class ExpiredProxySignature(BadProxySignature):
    reason = "expired-signature"


def _today() -> int:
    return int(time.time() // 86400)


class UnknownWidth(ValueError):
    """A width that is not one of `AVATAR_WIDTHS`."""


def sign(url: str | None, name: str = "", width: int | None = None) -> str:
    if width is not None and width not in AVATAR_WIDTHS:
        raise UnknownWidth(f"image width {width!r} is not one of {AVATAR_WIDTHS}")
    return _sign(url or "", (name or "")[:MAX_NAME], _today() + VALID_DAYS + 1, width)


@lru_cache(maxsize=20_000)
def _sign(url: str, name: str, expires_day: int, width: int | None) -> str:
    payload: list = [url, name, expires_day]
    if width is not None:
        payload.append(width)
    return signing.Signer(salt=SALT).sign_object(payload, compress=True)


def proxied_image_url(url: str | None, name: str = "", width: int | None = None) -> str:
    """`/api/proxy/image?s=<signed>`: relative, valid for 7 to 8 days. With no url, the signed
    URL still answers, with the placeholder for `name`. With a `width` (one of
    `AVATAR_WIDTHS`, else `UnknownWidth`): `?s=<signed, width included>&w=<width>`, the image
    at most `width` pixels wide and tall."""
    if width is None:
        return f"{_image_path()}?s={sign(url, name)}"
    return f"{_image_path()}?s={sign(url, name, width)}&w={width}"


@lru_cache(maxsize=1)
def _image_path() -> str:
    return reverse("imageproxy:image")


def unsign(token: str | None) -> tuple[str, str]:
    """(url, name) from a token; raises `ExpiredProxySignature` or `BadProxySignature`."""
    url, name, _width = unsign_sized(token)
    return url, name


def unsign_sized(token: str | None) -> tuple[str, str, int | None]:
    """(url, name, width) from a token (width None for an unsized link); raises
    `ExpiredProxySignature` or `BadProxySignature`. Whether the width is still one we serve is
    the caller's check (`AVATAR_WIDTHS`)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadProxySignature("missing or oversized token")
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeError, zlib.error) as exc:
        raise BadProxySignature(str(exc)) from exc
    if (
        not isinstance(payload, list)
        or len(payload) not in (3, 4)
        or not all(isinstance(part, str) for part in payload[:2])
        or not all(type(part) is int for part in payload[2:])
    ):
        raise BadProxySignature("unexpected payload")
    url, name, expires_day = payload[:3]
    if _today() >= expires_day:
        raise ExpiredProxySignature(f"the link expired on day {expires_day}")
    return url, name, (payload[3] if len(payload) == 4 else None)
