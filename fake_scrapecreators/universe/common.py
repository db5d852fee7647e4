"""Deterministic building blocks: seeded randomness, ids, time, pools, handles, CDN URLs.

Everything is derived from SHA-256 / `random.Random(<string seed>)` of the inputs, never from
Python's `hash()`, so every process computes the same universe.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlencode

DEFAULT_BASE_URL = "http://127.0.0.1:8765"

# The universe is frozen at this instant: content dates are before it (never in the future).
REFERENCE_EPOCH = 1793491200  # 2026-11-01T00:00:00Z
EXPIRES_FUTURE = 1893456000  # 2030-01-01: signed CDN URLs that are still valid
EXPIRES_PAST = 1767225600  # 2026-01-01: signed CDN URLs whose x-expires is in the past

# Pool sizes (distinct creators per search query), see `pool_size`.
POOL_DEFAULT = 1500
POOL_NICHE = 45
POOL_EMPTY = 0


class FakeError(Exception):
    """An upstream error the server turns into the ScrapeCreators error body."""

    status = 500
    slug = "internal_server_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(FakeError):
    status = 400
    slug = "bad_request"


class NotFound(FakeError):
    status = 404
    slug = "not_found"


def _seed(parts: tuple[object, ...]) -> str:
    return "\x1f".join(str(p) for p in parts)


def rng(*parts: object) -> random.Random:
    """A Random seeded by a string: stable across processes and Python runs."""
    return random.Random(_seed(parts))


def digest(*parts: object) -> bytes:
    return hashlib.sha256(_seed(parts).encode()).digest()


def hexid(*parts: object, n: int = 32) -> str:
    return hashlib.sha256(_seed(parts).encode()).hexdigest()[:n]


def b64id(*parts: object, n: int = 22) -> str:
    raw = digest(*parts) + digest("more", *parts)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")[:n]


def alnum(*parts: object, n: int = 11) -> str:
    """URL-safe id without '-'/'_' (shortcodes, tokens)."""
    r = rng("alnum", *parts)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(r.choice(alphabet) for _ in range(n))


def digits(*parts: object, n: int = 19, first: str = "") -> str:
    """A decimal id string of exactly n digits (leading digit non-zero)."""
    value = int.from_bytes(digest(*parts), "big")
    body = str(value)[: n - len(first)]
    out = first + body
    return out if out[0] != "0" else "7" + out[1:]


def imprecise(id_str: str) -> int:
    """What a 19-digit id looks like after a trip through a JS number (1.6e19 → ...000)."""
    return int(Decimal(repr(float(int(id_str)))))


def iso(ts: float, millis: str = "000") -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z"


def normalize_query(query: str) -> str:
    """Queries are case- and whitespace-insensitive; a leading '#' is dropped."""
    return " ".join(query.strip().lstrip("#").lower().split())


def query_words(query: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", normalize_query(query))


def pool_size(query: str) -> int:
    """Distinct creators a keyword / hashtag / users search can ever return.

    A query with the word "empty" has 0 (its first page is already empty), one with the word
    "niche" has exactly 45, every other query has 1500. The rule is per query and per source.
    """
    ws = query_words(query)
    if "empty" in ws:
        return POOL_EMPTY
    if "niche" in ws:
        return POOL_NICHE
    return POOL_DEFAULT


def is_missing(handle: str) -> bool:
    """Handles containing "unknown" or "missing" do not exist upstream (404)."""
    h = handle.lower()
    return "unknown" in h or "missing" in h


def clean_handle(handle: str) -> str:
    return handle.strip().lstrip("@").strip().lower()


def make_handle(
    r: random.Random, first: str, last: str, token: str, *, max_len: int, sep_chars: str = "._"
) -> str:
    """A readable handle that always keeps `token` (the topic word) as its own segment."""
    a, b = r.choice(sep_chars), r.choice(sep_chars)
    n = r.randint(1, 999)
    patterns = [
        f"{first}{a}{token}",
        f"{first}{a}{token}",
        f"{token}{a}with{b}{first}",
        f"{token}{a}by{b}{first}",
        f"{first}{a}{last}{b}{token}",
        f"the{a}{token}{b}{first}",
        f"{first}{n % 100}{a}{token}",
        f"{token}{a}{first}{b}{n}",
        f"{first}{a}{token}{b}{last}",
        f"{first}{a}{token}{n % 100}",
    ]
    handle = r.choice(patterns)
    if len(handle) > max_len:  # shorten the name, never the topic token
        handle = f"{first[: max(2, max_len - len(token) - 1)]}{a}{token}"
    return handle


def page_sizes(r: random.Random, low: int, high: int) -> tuple[int, int]:
    """(items on a page, new creators among them): about half of every page is repeats."""
    n = r.randint(low, high)
    return n, n // 2


def plan_page(
    seed: tuple[object, ...], pool: tuple[str, ...], offset: int, n_items: int, n_new: int
) -> list[tuple[str, bool]]:
    """Authors of one page: `n_new` unseen pool entries (in pool order) mixed with repeats.

    `offset` is how many pool entries earlier pages revealed. Repeats are drawn from everything
    seen before them (earlier pages and earlier on this page), so a page's first slot is new
    when nothing has been seen yet. Returns [(handle, is_new)].
    """
    r = rng("plan", *seed)
    n_new = min(n_new, len(pool) - offset)
    if n_new <= 0:
        return []
    slots = [True] * n_new + [False] * (n_items - n_new)
    r.shuffle(slots)
    if offset == 0:  # nothing seen yet: alternate so repeats spread over several authors
        slots = [i % 2 == 0 for i in range(2 * n_new)][:n_items] + [False] * (n_items - 2 * n_new)
    out: list[tuple[str, bool]] = []
    seen = offset
    for is_new in slots:
        if is_new:
            out.append((pool[seen], True))
            seen += 1
        else:
            out.append((pool[r.randrange(seen)], False))
    return out


def cdn_url(base_url: str, variant: str, host: str, path: str, query: dict[str, str]) -> str:
    """`{base}/cdn/{variant}/{original host}/{original path}?{original query}` (see fake.cdn)."""
    q = f"?{urlencode(query, safe=':')}" if query else ""
    return f"{base_url.rstrip('/')}/cdn/{variant}/{host}/{path.lstrip('/')}{q}"


# How often each CDN behaviour shows up in the data (TikTok avatars; IG/YT are mostly "ok").
TIKTOK_AVATAR_VARIANTS = (
    ("ok", 70),
    ("browser", 8),
    ("noref", 5),
    ("expired", 7),
    ("noquery", 3),
    ("minimal", 3),
    ("altdomain", 2),
    ("403", 2),
)


def weighted(r: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return r.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def round_display(n: int) -> int:
    """TikTok's rounded `stats` numbers (statsV2 keeps the exact ones)."""
    if n >= 1_000_000:
        return round(n, -5)
    if n >= 1_000:
        return round(n, -2)
    return n


def compact(n: int) -> str:
    """YouTube/Instagram style 3-significant-digit counts: 812, 4.12K, 41.2K, 1.2M."""
    for div, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= div:
            v = n / div
            text = f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"
            return text.rstrip("0").rstrip(".") + suffix
    return str(n)


def uncompact(text: str) -> int:
    mult = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
    if text[-1] in mult:
        return round(float(text[:-1]) * mult[text[-1]])
    return int(text)
