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


def to_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


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
    """An avatar object {url_list: [...]}, a list of URLs, or a URL string → the first URL."""
    if isinstance(value, str):
        return value
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


def engagement(likes: int | None, comments: int | None, shares: int | None, views: int | None):
    if not views:
        return None
    total = sum(v for v in (likes, comments, shares) if v)
    return round(total / views, 6)
