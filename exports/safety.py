"""Spreadsheet-safe CSV cells: formula injection neutralised, booleans and blanks made explicit.

A spreadsheet program that opens a CSV evaluates any cell that looks like a formula. Creator bios,
captions and names come from strangers, so a bio such as ``=HYPERLINK("http://evil", "click")``
or ``@SUM(1+1)*cmd|' /C calc'!A0`` would run as a formula on the user's machine.

The rule (OWASP "CSV Injection"): a text cell is prefixed with a single quote ``'`` when

- its first character is ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed
  (also the full-width forms ``＝ ＋ － ＠``, which some East-Asian spreadsheet locales accept); or
- it starts with invisible characters followed by one of those characters: Google Sheets and
  LibreOffice (with "trim spaces") strip leading spaces before deciding whether a cell is a
  formula, so `` =1+1`` is as dangerous as ``=1+1``, and spreadsheets and import tools drop
  other invisible characters too. Invisible means whitespace (spaces, no-break spaces, U+2028,
  U+2029…), control characters (NUL and the other C0/C1 controls) and format characters
  (zero-width space U+200B, byte-order mark U+FEFF, word joiner, bidi marks…).

Numbers are written as real numbers, never neutralised: ``-2`` in the Likes column is the integer
-2 (a spreadsheet reads a number, not a formula). Only text is ever prefixed.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
_AFTER_INVISIBLE = frozenset("=+-@＝＋－＠")

Cell = str | int | float


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet could read it as a formula (module doc)."""
    if not text:
        return text
    first = text[0]
    if first in FORMULA_STARTS:
        return "'" + text
    if _invisible(first):
        for char in text:
            if not _invisible(char):
                return "'" + text if char in _AFTER_INVISIBLE else text
    return text


def _invisible(char: str) -> bool:
    """Whitespace, a control (Cc) or a format character (Cf): what may hide before a formula."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def safe_cell(value: Any) -> Cell:
    """One Python value → one CSV cell.

    ``None`` → blank (an unknown number stays unknown, never 0); ``True``/``False`` →
    ``Yes``/``No``; ``int`` and finite ``float`` unchanged; ``date``/``datetime`` →
    ``YYYY-MM-DD``; anything else → text, neutralised.
    """
    kind = type(value)  # exact types first: this runs for every cell of every row
    if kind is str:
        return neutralise(value)
    if value is None:
        return ""
    if kind is bool:
        return "Yes" if value else "No"
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else ""
    if isinstance(value, datetime | date):
        return iso_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else ""
    return neutralise(str(value))


def iso_date(value: date | datetime | None) -> str:
    """``YYYY-MM-DD`` (datetimes are stored in UTC and shown as their UTC date), or blank."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        value = value.date()
    return value.isoformat()
