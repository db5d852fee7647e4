"""Export rows as an Excel workbook (.xlsx), with openpyxl in write-only mode.

Write-only mode streams each row to a temporary file and writes text as inline strings, so
memory stays flat however many rows there are; the workbook is zipped when it is saved.

Cells are typed: numbers are numbers, dates are dates (``yyyy-mm-dd``), Engagement is shown as
a percentage. Text is neutralised exactly as in the CSV (``safety.neutralise``), so both files
hold the same values and a cell copied out of the workbook is still harmless. XML cannot hold
most control characters, so they are dropped first. Text that Excel would read as an error
value (``#N/A``…) is written as plain text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

from .safety import neutralise

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "Creators"
NUMBER_FORMATS = {"Engagement": "0.0%"}  # by header; other numbers keep Excel's General

# Characters XML 1.0 does not allow: C0 controls other than tab, LF and CR; U+FFFE, U+FFFF;
# lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xlsx_value(value: Any) -> str | int | float | date | None:
    """One export value → one workbook value: the CSV's rules, but numbers and dates typed.

    ``None`` (and NaN, infinity) → empty; ``True``/``False`` → ``Yes``/``No``; datetimes → their
    UTC date; text → control characters dropped, then neutralised (blank text → empty).
    """
    if isinstance(value, str):
        return neutralise(_NOT_XML.sub("", value)) or None  # blank text is an empty cell
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return xlsx_value(str(value))


def write_xlsx(file: BinaryIO, headers: Sequence[str], rows: Iterable[list[Any]]) -> int:
    """Write a one-sheet workbook (header row frozen) to a binary file; return the data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_value(name) for name in headers])
    formats = [NUMBER_FORMATS.get(name) for name in headers]
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value, fmt) for value, fmt in zip(row, formats, strict=True)])
        count += 1
    workbook.save(file)
    return count


def _cell(sheet, value: Any, number_format: str | None) -> Any:
    value = xlsx_value(value)
    if isinstance(value, str) and value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # openpyxl would store "#N/A" as an error, not as text
        return cell
    if number_format and isinstance(value, int | float):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = number_format
        return cell
    return value
