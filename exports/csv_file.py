"""Export rows as CSV: every value through ``safe_cell``, streamed in chunks or written to a file.

Values become cells as DESIGN says: text neutralised against formula injection, booleans
``Yes``/``No``, unknown numbers blank, dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .safety import safe_cell

CONTENT_TYPE = "text/csv; charset=utf-8"
CHUNK_CHARS = 64 * 1024  # characters per streamed chunk
BOM = "\ufeff"  # so that Excel reads the file as UTF-8


class _Buffer:
    """A write-only text sink for csv.writer that hands back what was written."""

    __slots__ = ("parts", "size")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts, self.size = [], 0
        return text


def iter_csv(
    headers: Iterable[str], rows: Iterable[list[Any]], *, bom: bool = True
) -> Iterator[str]:
    """CSV text in chunks of about CHUNK_CHARS characters: the BOM alone first, then the header
    and the rows. Nothing is read from ``rows`` before the first chunk is taken."""
    if bom:
        yield BOM
    buffer = _Buffer()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if buffer.size >= CHUNK_CHARS:
            yield buffer.take()
    if buffer.parts:
        yield buffer.take()


def write_csv(file: TextIO, headers: Iterable[str], rows: Iterable[list[Any]]) -> int:
    """Write the header and rows to an open text file; return the number of data rows."""
    writer = csv.writer(file)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        count += 1
    return count
