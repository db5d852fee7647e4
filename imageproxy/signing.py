"""Signed proxy URLs: the signature is the authorisation.

Pages and the API never hand out raw upstream URLs: they call `proxied_image_url(url, name)`,
which signs (Django's signing, the project's SECRET_KEY, salt `imageproxy`) a compact payload of
the image URL and the creator's name (for the placeholder). The proxy serves nothing else, and a
signature older than `MAX_AGE` is refused.
"""

from django.core import signing
from django.urls import reverse

SALT = "imageproxy"
MAX_AGE = 7 * 24 * 3600  # seconds
MAX_NAME = 64
MAX_TOKEN_LENGTH = 8192


class BadProxySignature(Exception):
    """The token is missing, malformed, tampered with, or signed with another key."""

    reason = "bad-signature"


class ExpiredProxySignature(BadProxySignature):
    reason = "expired-signature"


def sign(url: str | None, name: str = "") -> str:
    payload = [url or "", (name or "")[:MAX_NAME]]
    return signing.dumps(payload, salt=SALT, compress=True)


def proxied_image_url(url: str | None, name: str = "") -> str:
    """`/api/proxy/image?s=<signed>`: relative, valid for 7 days. With no url, the signed URL
    still answers, with the placeholder for `name`."""
    return f"{reverse('imageproxy:image')}?s={sign(url, name)}"


def unsign(token: str | None, *, max_age: int = MAX_AGE) -> tuple[str, str]:
    """(url, name) from a token; raises `ExpiredProxySignature` or `BadProxySignature`."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadProxySignature("missing or oversized token")
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ExpiredProxySignature(str(exc)) from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise BadProxySignature(str(exc)) from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(part, str) for part in payload)
    ):
        raise BadProxySignature("unexpected payload")
    return payload[0], payload[1]
