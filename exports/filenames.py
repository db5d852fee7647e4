"""Download file names: ``<campaign>-<search>-<YYYYMMDD-HHMMSS>-<random>.csv|xlsx``.

``summer-launch-tiktok-keyword-running-yoga-20250704-120000-3f9a1c.csv`` for one search,
``summer-launch-all-searches-20250704-120000-8be210.xlsx`` for a campaign. The time (UTC) sorts
downloads in the order made; six random hex characters keep two downloads of the same second
apart, so no export ever overwrites another in a downloads folder.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from urllib.parse import quote

from django.utils.text import slugify

SLUG_MAX = 40  # characters per part, so that a name stays well under 255 bytes
ALL_SEARCHES = "all searches"


def new_token() -> str:
    return secrets.token_hex(3)


def export_filename(
    campaign: str, search: str, extension: str, *, at: datetime, token: str
) -> tuple[str, str]:
    """``(ascii_name, unicode_name)`` for one download.

    The ASCII name drops accents (``Été`` → ``ete``) and anything else; the Unicode one keeps
    letters of any script. A campaign name with no usable letters becomes ``export``.
    """
    stamp = at.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = f"-{stamp}-{token}.{extension}"
    ascii_name = f"{_slug(campaign) or 'export'}-{_slug(search) or 'search'}"
    unicode_name = f"{_slug(campaign, True) or 'export'}-{_slug(search, True) or 'search'}"
    return ascii_name + suffix, unicode_name + suffix


def content_disposition(campaign: str, search: str, extension: str, *, at: datetime) -> str:
    """``attachment; filename="…"`` (ASCII), plus ``filename*=UTF-8''…`` (RFC 6266) when the
    name has letters ASCII cannot carry."""
    ascii_name, unicode_name = export_filename(
        campaign, search, extension, at=at, token=new_token()
    )
    value = f'attachment; filename="{ascii_name}"'
    if unicode_name != ascii_name:
        value += f"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    return value


def _slug(text: str, unicode: bool = False) -> str:
    return slugify(text, allow_unicode=unicode)[:SLUG_MAX].strip("-")
