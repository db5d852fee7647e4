"""Whole numbers typed by people (query parameters, filters, admin fields)."""

import re
from decimal import Decimal

# Largest value a 64-bit integer column (and SQLite's INTEGER) holds: a bigger number in a query
# is a database error, not an empty result.
MAX_DB_INTEGER = 2**63 - 1


def whole_number(text: str | None, *, maximum: int = MAX_DB_INTEGER) -> int | None:
    """The whole number `text` spells in ASCII digits, or None when it is not one or is above
    `maximum`. (`str.isdigit()` also admits "²" and "٣", which `int()` rejects or reads.)"""
    text = (text or "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value <= maximum else None


# "10k", "2.5m", "1,200": how people write follower counts. Commas only as thousands separators
# ("2,5m" is refused rather than read as 25 million); ASCII digits only.
_COUNT = re.compile(r"^([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?([kmb]?)$")
_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def abbreviated_count(text: str | None, *, maximum: int = MAX_DB_INTEGER) -> int | None:
    """The whole number `text` spells as "1200", "1,200", "10k", "2.5m" or "1b" (any case,
    spaces allowed), or None when it spells none, is not whole ("1.5", "1.2345k") or is above
    `maximum`."""
    text = "".join((text or "").split()).lower().replace("_", "")
    match = _COUNT.match(text) if len(text) <= 30 else None
    if not match:
        return None
    digits, fraction, suffix = match.groups()
    value = Decimal(digits.replace(",", "") + (fraction or "")) * _SUFFIXES[suffix]
    if value != value.to_integral_value() or value > maximum:
        return None
    return int(value)
