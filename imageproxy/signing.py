"""Signed proxy URLs: the signature is the authorisation.

Pages and the API never hand out raw upstream URLs: they call `proxied_image_url(url, name)`,
which signs (Django's signing, the project's SECRET_KEY, salt `imageproxy`) a compact payload of
the image URL, the creator's name (for the placeholder) and the day the link expires. The proxy
serves nothing else, and refuses a link from that day on.

A link made on day D expires at the start of day D + 8 (UTC), so it works for 7 to 8 days. The
signature holds no time finer than the day, so the same image gets the same link all day: the
browser's cache keeps working across polls and page views, and a process signs each avatar once
a day (the poll answers 50 of them at a time).
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


class BadProxySignature(Exception):
    """The token is missing, malformed, tampered with, or signed with another key."""

    reason = "bad-signature"


class ExpiredProxySignature(BadProxySignature):
    reason = "expired-signature"


def _today() -> int:
    return int(time.time() // 86400)


def sign(url: str | None, name: str = "") -> str:
    return _sign(url or "", (name or "")[:MAX_NAME], _today() + VALID_DAYS + 1)


@lru_cache(maxsize=20_000)
def _sign(url: str, name: str, expires_day: int) -> str:
    return signing.Signer(salt=SALT).sign_object([url, name, expires_day], compress=True)


def proxied_image_url(url: str | None, name: str = "") -> str:
    """`/api/proxy/image?s=<signed>`: relative, valid for 7 to 8 days. With no url, the signed
    URL still answers, with the placeholder for `name`."""
    return f"{_image_path()}?s={sign(url, name)}"


@lru_cache(maxsize=1)
def _image_path() -> str:
    return reverse("imageproxy:image")


def unsign(token: str | None) -> tuple[str, str]:
    """(url, name) from a token; raises `ExpiredProxySignature` or `BadProxySignature`."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadProxySignature("missing or oversized token")
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeError, zlib.error) as exc:
        raise BadProxySignature(str(exc)) from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 3
        or not all(isinstance(part, str) for part in payload[:2])
        or type(payload[2]) is not int
    ):
        raise BadProxySignature("unexpected payload")
    url, name, expires_day = payload
    if _today() >= expires_day:
        raise ExpiredProxySignature(f"the link expired on day {expires_day}")
    return url, name
