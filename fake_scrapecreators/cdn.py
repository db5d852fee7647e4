"""The fake avatar CDN, served by the fake ScrapeCreators server itself.

URL scheme (every avatar/cover/thumbnail URL in the fake data looks like this)::

    {base_url}/cdn/{variant}/{original host}/{original path}?{original query}

    e.g. http://127.0.0.1:8765/cdn/ok/p16-common-sign.tiktokcdn-us.com/tos-useast8-avt-0068-tx2/
         9d05…~tplv-tiktokx-cropcenter-q:100:100:q70.heic?x-expires=1893456000&x-signature=…

`base_url` comes from the Host header of the API request that produced the data, so it works on
any port. The image format follows the path's extension: `.heic`/`.heif` → a real HEIC (pillow-heif,
`image/heic`), `.webp`, `.png`, anything else (`.jpeg`, `.jpg`, `.image`, none) → JPEG. The size
is the first `NNN:NNN` / `NNNxNNN` / `=sNNN` in the path, else Instagram's `stp=…_sNNNxNNN` in the
query (clamped to 16..512, default 100); the
colour is derived from the path, so every size of one avatar has the same colour.

Variants (the `{variant}` segment; each rung of the image proxy's 403 ladder has one):

=====================  =====================================================================
ok                     200 always
browser                200 only if User-Agent contains "Mozilla" AND Referer contains
                       "tiktok.com", else 403                       (rung: initial-success)
noref                  403 while a Referer header is sent           (rung: no-referrer)
noquery                403 while the URL has a query string         (rung: simplified-url)
expired                403 while the query has an x-expires in the past (data uses it for
                       expired signed URLs; dropping the query fixes it)
minimal                403 if any header other than Host, User-Agent, Accept, Accept-Encoding,
                       Connection is sent (rung: minimal-headers; plain `requests` passes)
altdomain              403 unless the host segment is one of the alternative TikTok hosts
                       p16-sign-va / p19-sign-va / p16-amd-va / p77-sign-va .tiktokcdn.com
                       (rung: alternative-domain; data uses p16-common-sign.tiktokcdn-us.com)
403 / 404 / 500        that status, always (403 → the placeholder path)
slow[-S]               sleeps S seconds (default `cdn_slow_seconds`) before answering
drip[-S]               sends headers at once, then trickles the body over S seconds
huge                   image/jpeg with Content-Length `cdn_huge_bytes` (64 MiB), streamed
endless                image/jpeg without Content-Length, streams until the client goes
                       (or `cdn_endless_seconds`)
redirect               302 to the same path on the `ok` variant (another CDN path)
redirect-loop          302 to itself, forever
redirect-internal      302 to http://169.254.169.254/latest/meta-data/ (cloud metadata)
redirect-loopback      302 to http://127.0.0.2:{port}/_fake/config (loopback, not the CDN host)
html                   200 with an HTML page labelled image/jpeg
empty                  200 image/jpeg with an empty body
corrupt                200 image/jpeg with bytes that are not an image
mislabeled             200 PNG bytes labelled image/jpeg
=====================  =====================================================================

Any other variant is a 404. The TikTok data uses ok/browser/noref/expired/noquery/minimal/
altdomain/403 (70/8/5/7/3/3/2/2 %); Instagram ok (4% 403); YouTube ok.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qs

from PIL import Image, ImageDraw

from .config import FakeConfig

try:  # HEIC needs pillow-heif; without it .heic URLs fall back to JPEG bytes
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC_AVAILABLE = True
except ImportError:  # pragma: no cover - pillow-heif is in requirements.txt
    HEIC_AVAILABLE = False

ALT_HOSTS = frozenset(
    {
        "p16-sign-va.tiktokcdn.com",
        "p19-sign-va.tiktokcdn.com",
        "p16-amd-va.tiktokcdn.com",
        "p77-sign-va.tiktokcdn.com",
    }
)
MINIMAL_HEADERS = frozenset({"host", "user-agent", "accept", "accept-encoding", "connection"})
CONTENT_TYPES = {
    "heic": "image/heic",
    "webp": "image/webp",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
HTML = b"<!doctype html><html><head><title>Access denied</title></head><body>blocked</body></html>"
CHUNK = 64 * 1024


@dataclass
class CdnResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # before the status line
    stream: Iterator[bytes] | None = None  # instead of body (huge / endless / drip)
    content_length: int | None = None  # for streams; None = close-delimited


def image_format(path: str) -> str:
    ext = path.rsplit("/", 1)[-1].rsplit(".", 1)[-1].lower() if "." in path else ""
    if ext in ("heic", "heif"):
        return "heic" if HEIC_AVAILABLE else "jpeg"
    return ext if ext in ("webp", "png") else "jpeg"


def image_size(path: str, query: str = "") -> int:
    m = (
        re.search(r"(\d{2,4})[x:](\d{2,4})", path)
        or re.search(r"=s(\d{2,4})", path)
        or re.search(r"_s(\d{2,4})x\d{2,4}", query)  # Instagram: stp=dst-jpg_s150x150_tt6
    )
    return max(16, min(512, int(m.group(1)))) if m else 100


@lru_cache(maxsize=512)
def render(fmt: str, size: int, seed: str) -> bytes:
    """A small avatar: a colour from the seed and a lighter disc, in the requested format."""
    d = hashlib.sha256(seed.encode()).digest()
    bg = (d[0], d[1], d[2])
    img = Image.new("RGB", (size, size), bg)
    light = tuple(min(255, c + 90) for c in bg)
    ImageDraw.Draw(img).ellipse((size // 4, size // 4, size * 3 // 4, size * 3 // 4), fill=light)
    out = io.BytesIO()
    img.save(
        out, format={"heic": "HEIF", "webp": "WEBP", "png": "PNG"}.get(fmt, "JPEG"), quality=70
    )
    return out.getvalue()


def _variant_arg(variant: str, default: float) -> tuple[str, float]:
    name, _, arg = variant.partition("-")
    if name in ("slow", "drip") and arg:
        try:
            return name, float(arg)
        except ValueError:
            return variant, default
    return variant, default


def _image(path: str, query: str) -> tuple[bytes, str]:
    fmt = image_format(path)
    seed = re.split(r"[~=]", path, maxsplit=1)[0]
    return render(fmt, image_size(path, query), seed), CONTENT_TYPES[fmt]


def _blocked(variant: str, host: str, query: str, headers: dict[str, str]) -> bool:
    if variant == "browser":
        return "Mozilla" not in headers.get("user-agent", "") or "tiktok.com" not in headers.get(
            "referer", ""
        )
    if variant == "noref":
        return "referer" in headers
    if variant == "noquery":
        return bool(query)
    if variant == "expired":
        exp = parse_qs(query).get("x-expires", [""])[0]
        return exp.isdigit() and int(exp) < time.time()
    if variant == "minimal":
        return any(h not in MINIMAL_HEADERS for h in headers)
    if variant == "altdomain":
        return host not in ALT_HOSTS
    return False


def respond(
    path: str, query: str, headers: dict[str, str], config: FakeConfig, base_url: str
) -> CdnResponse:
    """Decide the CDN answer for GET `path` (starting with /cdn/); `headers` are lower-cased."""
    parts = path.split("/", 4)  # ["", "cdn", variant, host, rest]
    if len(parts) < 5 or not parts[4]:
        return CdnResponse(404, {"Content-Type": "text/plain"}, b"not found")
    variant, host, rest = parts[2], parts[3], parts[4]
    variant, seconds = _variant_arg(variant, config.cdn_slow_seconds)
    plain = {"Content-Type": "text/plain"}
    if variant in ("403", "404", "500"):
        return CdnResponse(int(variant), plain, b"denied" if variant == "403" else b"error")
    if variant in ("browser", "noref", "noquery", "expired", "minimal", "altdomain"):
        if _blocked(variant, host, query, headers):
            return CdnResponse(403, plain, b"Forbidden")
    elif variant.startswith("redirect"):
        q = f"?{query}" if query else ""
        port = base_url.rsplit(":", 1)[-1] if base_url.count(":") == 2 else "80"
        target = {
            "redirect": f"{base_url}/cdn/ok/{host}/{rest}{q}",
            "redirect-loop": f"{base_url}{path}{q}",
            "redirect-internal": "http://169.254.169.254/latest/meta-data/",
            "redirect-loopback": f"http://127.0.0.2:{port}/_fake/config",
        }.get(variant)
        if target is None:
            return CdnResponse(404, plain, b"unknown variant")
        return CdnResponse(302, {"Location": target, "Content-Type": "text/plain"}, b"moved")
    elif variant not in (
        "ok",
        "slow",
        "drip",
        "huge",
        "endless",
        "html",
        "empty",
        "corrupt",
        "mislabeled",
    ):
        return CdnResponse(404, plain, b"unknown variant")

    body, ctype = _image(rest, query)
    img = {"Content-Type": ctype, "Cache-Control": "max-age=86400"}
    jpeg = {**img, "Content-Type": "image/jpeg"}
    if variant == "slow":
        return CdnResponse(200, img, body, delay=seconds)
    if variant == "drip":
        return CdnResponse(200, img, stream=_drip(body, seconds), content_length=len(body))
    if variant == "huge":
        return CdnResponse(
            200,
            jpeg,
            stream=_filler(body, config.cdn_huge_bytes, None),
            content_length=config.cdn_huge_bytes,
        )
    if variant == "endless":
        return CdnResponse(200, jpeg, stream=_filler(body, None, config.cdn_endless_seconds))
    if variant == "html":
        return CdnResponse(200, jpeg, HTML)
    if variant == "empty":
        return CdnResponse(200, jpeg, b"")
    if variant == "corrupt":
        return CdnResponse(200, jpeg, hashlib.sha256(rest.encode()).digest() * 16)
    if variant == "mislabeled":
        return CdnResponse(200, jpeg, render("png", image_size(rest), rest))
    return CdnResponse(200, img, body)


def _drip(body: bytes, seconds: float) -> Iterator[bytes]:
    steps = 10
    size = max(1, -(-len(body) // steps))
    for i in range(0, len(body), size):
        yield body[i : i + size]
        time.sleep(seconds / steps)


def _filler(head: bytes, total: int | None, max_seconds: float | None) -> Iterator[bytes]:
    """A JPEG start followed by zeros: exactly `total` bytes, or endless until `max_seconds`."""
    yield head
    sent, started, block = len(head), time.monotonic(), bytes(CHUNK)
    while total is None or sent < total:
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            return
        chunk = block if total is None else block[: total - sent]
        sent += len(chunk)
        yield chunk
