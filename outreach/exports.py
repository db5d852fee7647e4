"""A list as CSV or XLSX: the creators with their status, notes and emails sent.

Every text cell goes through `exports.safety` (formula injection): names, bios-turned-notes and
handles come from strangers or are typed by people, and both files hold the same values.
"""

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.text import slugify

from exports import csv_file, xlsx_file
from scraping.models import Platform

from . import selectors
from .models import CreatorList, EntryStatus

if TYPE_CHECKING:
    from .selectors import EntryWithSentCounts

HEADERS = [
    "Platform",
    "Name",
    "Username",
    "Profile URL",
    "Emails",
    "Followers",
    "Campaign",
    "Status",
    "Do Not Contact",
    "Notes",
    "Emails Sent",
    "Last Sent",
    "Added",
]
CSV_TYPE = csv_file.CONTENT_TYPE
XLSX_TYPE = xlsx_file.CONTENT_TYPE


def _row(entry: "EntryWithSentCounts") -> list[Any]:
    return [
        Platform(entry.platform).label if entry.platform in Platform.values else entry.platform,
        entry.display_name,
        entry.username,
        entry.profile_url,
        ", ".join(entry.emails),
        entry.followers,
        entry.campaign_name,
        EntryStatus(entry.status).label,
        entry.do_not_contact,
        entry.notes,
        entry.sent_count,
        entry.last_sent_at,
        entry.created_at,
    ]


def rows(creator_list: CreatorList) -> list[list[Any]]:
    return [_row(entry) for entry in selectors.export_rows(creator_list=creator_list)]


def csv_bytes(creator_list: CreatorList) -> bytes:
    """UTF-8 with a BOM (so Excel reads it as UTF-8), written like every other export."""
    out = io.StringIO()
    out.write(csv_file.BOM)
    csv_file.write_csv(out, HEADERS, rows(creator_list))
    return out.getvalue().encode("utf-8")


def xlsx_bytes(creator_list: CreatorList) -> bytes:
    """The same rows as a workbook, typed and neutralised like every other export."""
    out = io.BytesIO()
    xlsx_file.write_xlsx(out, HEADERS, rows(creator_list))
    return out.getvalue()


def filename(creator_list: CreatorList, extension: str, now: datetime | None = None) -> str:
    """`<list-name>-<YYYYMMDD-HHMMSS>.<ext>` (UTC), ASCII only."""
    stamp = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{slugify(creator_list.name)[:40] or 'list'}-{stamp}.{extension}"
