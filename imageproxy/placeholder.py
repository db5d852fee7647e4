"""The avatar shown when the real one cannot be: the creator's initial on a colour from the name.

The colour is derived deterministically from the name (same name, same colour, in every process)
and every piece of text that reaches the SVG is XML-escaped.
"""

import hashlib
import unicodedata
from xml.sax.saxutils import escape

CONTENT_TYPE = "image/svg+xml; charset=utf-8"
MAX_LABEL = 64


def clean_name(name: str | None) -> str:
    """Printable text only (XML 1.0 forbids most control characters), trimmed and bounded."""
    text = "".join(ch for ch in (name or "") if not unicodedata.category(ch).startswith("C"))
    return " ".join(text.split())[:MAX_LABEL]


def initial(name: str | None) -> str:
    """The first letter or digit of the name, upper case; `?` when there is none."""
    for ch in clean_name(name):
        if ch.isalnum():
            return ch.upper()[:1]
    return "?"


def hue(name: str | None) -> int:
    """0–359, from a hash of the lower-cased name (stable across processes and restarts)."""
    digest = hashlib.sha256(clean_name(name).lower().encode()).digest()
    return int.from_bytes(digest[:4], "big") % 360


def colour(name: str | None) -> str:
    return f"hsl({hue(name)}, 55%, 45%)"


def placeholder_svg(name: str | None, size: int | None = None) -> bytes:
    """The SVG, drawn on a 200×200 view box; `size` (a sized link's width) sets its intrinsic
    width and height, 200 without."""
    label = clean_name(name) or "unknown creator"
    attr = escape(label, {'"': "&quot;", "'": "&apos;"})
    text = escape(initial(name))
    side = int(size or 200)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" '
        f'viewBox="0 0 200 200" role="img" aria-label="{attr}">'
        f"<title>{escape(label)}</title>"
        f'<circle cx="100" cy="100" r="100" fill="{colour(name)}"/>'
        '<text x="100" y="100" dy="0.35em" font-family="Arial, Helvetica, sans-serif" '
        f'font-size="88" font-weight="bold" fill="#ffffff" text-anchor="middle">{text}</text>'
        "</svg>"
    )
    return svg.encode("utf-8")
