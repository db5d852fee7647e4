"""Download responses: a streamed CSV, or an XLSX built in a temporary file and streamed."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from campaigns.models import Campaign
from scraping.models import ScrapingJob

from . import csv_file, xlsx_file
from .columns import HEADERS
from .filenames import ALL_SEARCHES, content_disposition
from .searches import search_label
from .writers import campaign_rows, job_rows

FORMATS = ("csv", "xlsx")


def job_export_response(job: ScrapingJob, file_format: str) -> StreamingHttpResponse:
    return export_response(job.campaign.name, search_label(job), job_rows(job), file_format)


def campaign_export_response(campaign: Campaign, file_format: str) -> StreamingHttpResponse:
    return export_response(campaign.name, ALL_SEARCHES, campaign_rows(campaign), file_format)


def export_response(
    campaign_name: str, search: str, rows: Iterable[list[Any]], file_format: str
) -> StreamingHttpResponse:
    """The download, never cached, named after the campaign and the search."""
    response: StreamingHttpResponse
    if file_format == "xlsx":
        response = _xlsx_response(rows)
    else:
        response = StreamingHttpResponse(
            csv_file.iter_csv(HEADERS, rows), content_type=csv_file.CONTENT_TYPE
        )
    response["Content-Disposition"] = content_disposition(
        campaign_name, search, file_format, at=timezone.now()
    )
    response["Cache-Control"] = "no-store"
    return response


def _xlsx_response(rows: Iterable[list[Any]]) -> FileResponse:
    # A workbook is a zip, whose directory comes last: it is written to a temporary file on
    # disk (deleted when the response closes it), not held in memory, then streamed.
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        xlsx_file.write_xlsx(file, HEADERS, rows)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return FileResponse(file, content_type=xlsx_file.CONTENT_TYPE)
