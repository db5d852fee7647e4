"""Whole numbers typed by people (query parameters, filters, admin fields)."""

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
