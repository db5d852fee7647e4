"""Streaming CSV responses (shared by the export view and the REST API)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import quote

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import Campaign
from scraping.models import ScrapingJob

from .safety import Cell
from .writers import CAMPAIGN_HEADERS, campaign_rows, iter_csv, job_headers, job_rows

SLUG_MAX = 80


def export_filename(name: str, kind: str, day: date) -> tuple[str, str]:
    """``(ascii_name, unicode_name)`` for ``<slug of name>-<kind>-YYYY-MM-DD.csv``.

    The ASCII name drops accents (``Été`` → ``ete``) and anything else; the Unicode one keeps
    letters of any script. A name with no usable letters becomes ``export``.
    """
    ascii_slug = slugify(name)[:SLUG_MAX].strip("-") or "export"
    unicode_slug = slugify(name, allow_unicode=True)[:SLUG_MAX].strip("-") or ascii_slug
    suffix = f"-{kind}-{day.isoformat()}.csv"
    return ascii_slug + suffix, unicode_slug + suffix


def content_disposition(name: str, kind: str, day: date) -> str:
    """``attachment; filename="…"`` (ASCII), plus ``filename*=UTF-8''…`` (RFC 6266) when the
    campaign name has letters ASCII cannot carry."""
    ascii_name, unicode_name = export_filename(name, kind, day)
    value = f'attachment; filename="{ascii_name}"'
    if unicode_name != ascii_name:
        value += f"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    return value


def csv_response(
    headers: Iterable[str], rows: Iterable[list[Cell]], *, disposition: str
) -> StreamingHttpResponse:
    """A UTF-8 CSV streamed chunk by chunk, BOM first, never cached."""
    response = StreamingHttpResponse(
        iter_csv(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store"
    return response


def job_csv_response(job: ScrapingJob) -> StreamingHttpResponse:
    kind = f"{job.platform}-{job.search_type}"
    return csv_response(
        job_headers(job),
        job_rows(job),
        disposition=content_disposition(job.campaign.name, kind, timezone.localdate()),
    )


def campaign_csv_response(campaign: Campaign) -> StreamingHttpResponse:
    return csv_response(
        CAMPAIGN_HEADERS,
        campaign_rows(campaign),
        disposition=content_disposition(campaign.name, "campaign", timezone.localdate()),
    )
