"""Small value readers shared by the platform transforms."""

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

_SUFFIXES = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_NUMBER_TEXT = re.compile(r"(\d[\d,.\s]*)\s*([kmb])?\b", re.IGNORECASE)


def to_int(value: Any) -> int | None:
    """12, "12", "1,234", "1.2M", "2.75M subscribers", 3.0 → int; anything else → None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value else None  # NaN check
    match = _NUMBER_TEXT.search(str(value))
    if not match:
        return None
    digits, suffix = match.group(1).strip(), (match.group(2) or "").lower()
    if suffix:
        try:
            return round(float(digits.replace(",", "")) * _SUFFIXES[suffix])
        except ValueError:
            return None
    cleaned = re.sub(r"[,\s]", "", digits)
    if cleaned.count(".") == 1 and len(cleaned.split(".")[1]) != 3:
        cleaned = cleaned.split(".")[0]  # 12.5 → 12; "1.234" is a European thousands mark
    try:
        return int(cleaned.replace(".", ""))
    except ValueError:
        return None


def positive_or_none(value: Any) -> int | None:
    """Counts where 0 means "not provided" upstream (hashtag-search authors)."""
    number = to_int(value)
    return number if number else None


# Postgres text and jsonb cannot hold NUL, and no other C0 control means anything in profile
# text: every upstream string loses them (tab, newline and carriage return stay).
_CONTROL_CHARS = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def clean_text(value: str) -> str:
    """``value`` without NUL and the other C0 control characters except tab, LF and CR."""
    return value.translate(_CONTROL_CHARS)


def clean_json(value: Any) -> Any:
    """A copy of parsed JSON with every string cleaned (``clean_text``), keys included.

    Walks with an explicit stack, not recursion: upstream bodies can nest as deep as the JSON
    decoder allows.
    """
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, dict | list):
        return value
    root: dict | list = {} if isinstance(value, dict) else []
    stack = [(value, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, str):
                item = clean_text(item)
            elif isinstance(item, dict | list):
                copy: dict | list = {} if isinstance(item, dict) else []
                stack.append((item, copy))  # filled later; the copy keeps its place now
                item = copy
            if isinstance(target, dict):
                target[clean_text(key) if isinstance(key, str) else key] = item
            else:
                target.append(item)
    return root


def to_text(value: Any) -> str:
    return clean_text(value).strip() if isinstance(value, str) else ""


# Browsers strip C0 controls and spaces around a URL and drop tabs and newlines anywhere in it
# before reading the scheme, so " \x00java\tscript:" is a javascript: link to them. The other
# C0 controls inside a URL go too: they mean nothing there and Postgres cannot store NUL.
_URL_TRIM = "".join(chr(c) for c in range(0x21))
_URL_DROP = dict.fromkeys(range(0x20))
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def safe_http_url(value: Any) -> str:
    """An http(s) URL, read the way a browser reads an href; "" for anything else.

    ``javascript:``, ``data:``, ``vbscript:``, relative and scheme-less values are refused
    whatever their case, padding or embedded control characters.
    """
    if not isinstance(value, str):
        return ""
    url = value.strip(_URL_TRIM).translate(_URL_DROP)
    scheme = _SCHEME.match(url)
    if scheme is None or scheme.group(1).lower() not in ("http", "https"):
        return ""
    return url


def handle(value: Any) -> str:
    """ "@Name", "name", "https://www.tiktok.com/@name?lang=en" → "name" (case kept)."""
    text = to_text(value)
    if "/" in text:
        path = urlparse(text if "://" in text else f"https://{text}").path
        parts = [p for p in path.split("/") if p]
        text = next((p for p in parts if p.startswith("@")), parts[-1] if parts else "")
    return text.lstrip("@").strip()


def epoch_to_iso(value: Any) -> str | None:
    seconds = to_int(value)
    if not seconds or seconds <= 0:
        return None
    if seconds > 10**12:  # milliseconds
        seconds //= 1000
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()


def iso_or_none(value: Any) -> str | None:
    text = to_text(value)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def first_url(value: Any) -> str:
    """An avatar object {url_list: [...]}, a list of URLs, or a URL string → the first http(s)
    URL (``safe_http_url``)."""
    if isinstance(value, str):
        return safe_http_url(value)
    if isinstance(value, dict):
        return first_url(value.get("url_list") or value.get("url") or "")
    if isinstance(value, list):
        return next((u for u in (first_url(v) for v in value) if u), "")
    return ""


HASHTAG = re.compile(r"(?<![\w&])#(\w[\w.]*\w|\w)", re.UNICODE)


def hashtags_in(*texts: str) -> list[str]:
    """#words in captions, titles and descriptions, lower-cased, de-duplicated, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        for tag in HASHTAG.findall(text or ""):
            seen.setdefault(tag.lower(), None)
    return list(seen)
