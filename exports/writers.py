"""The rows of an export, streamed from the database: one search (job) or a whole campaign.

Public API (used by the export view, ``run_search --csv`` and the benchmarks):

- ``HEADERS`` (``exports.columns``): the one header row of every export.
- ``job_rows(job)`` / ``campaign_rows(campaign)``: the data rows, as plain values in
  ``HEADERS`` order; ``csv_file`` and ``xlsx_file`` turn them into safe cells.
- ``write_job_csv(job, file)`` / ``write_campaign_csv(campaign, file)``: write to an open text
  file (no BOM: the caller opens it with ``encoding="utf-8-sig", newline=""``) and return the
  number of data rows.

Memory stays flat: querysets are read with ``.values()`` of the exported fields and
``.iterator()``, never materialised. The campaign file is ordered in SQL so that the rows of one
creator (one per search that found them) arrive together and are merged (``exports.merge``) a
group at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from django.db.models import Case, F, IntegerField, Min, Value, When, Window

from campaigns.models import Campaign
from scraping.models import Creator, Platform, ScrapingJob

from .columns import HEADERS, READS, cells
from .csv_file import write_csv
from .merge import merge
from .metrics import median_views_sql
from .searches import SearchInfo

CHUNK_SIZE = 2000  # rows per database fetch


def job_headers(job: ScrapingJob) -> tuple[str, ...]:
    """Every search's file has the same header."""
    return HEADERS


def job_rows(job: ScrapingJob) -> Iterator[list[Any]]:
    """The job's creators in the order found, one row each."""
    info = SearchInfo.of(job)
    creators = (
        Creator.objects.filter(job_id=job.pk)
        .annotate(median_views=median_views_sql())
        .order_by("position", "created_at", "id")
        .values(*READS, "median_views")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for row in creators:
        yield cells(row, search=info.label, terms=info.terms)


def campaign_rows(campaign: Campaign) -> Iterator[list[Any]]:
    """One row per creator found by any of the campaign's searches (merge rules:
    ``exports.merge``). Order: by platform (TikTok, Instagram, YouTube), then by when the
    creator was first found."""
    searches = {
        job.pk: SearchInfo.of(job)
        for job in ScrapingJob.objects.filter(campaign_id=campaign.pk).only(
            "id", "platform", "search_type", "keywords", "target_username"
        )
    }
    group: list[dict] = []
    key = None
    for row in _campaign_creators(campaign):
        row_key = (row["platform"], row["external_id"])
        if group and row_key != key:
            yield _merged_cells(group, searches)
            group = []
        group.append(row)
        key = row_key
    if group:
        yield _merged_cells(group, searches)


def _merged_cells(group: list[dict], searches: dict[Any, SearchInfo]) -> list[Any]:
    row, search, terms = merge(group, searches)
    return cells(row, search=search, terms=terms)


_CAMPAIGN_READS = ("job_id", "external_id", *READS)


def _campaign_creators(campaign: Campaign) -> Iterator[dict]:
    """The campaign's creator rows, a creator's rows consecutive, oldest first within it."""
    rank = Case(
        *(When(platform=code, then=Value(i)) for i, code in enumerate(Platform.values)),
        default=Value(len(Platform.values)),
        output_field=IntegerField(),
    )
    first_found = Window(Min("created_at"), partition_by=[F("platform"), F("external_id")])
    return (
        Creator.objects.filter(job__campaign_id=campaign.pk)
        .annotate(platform_rank=rank, first_found=first_found, median_views=median_views_sql())
        .order_by("platform_rank", "first_found", "platform", "external_id", "created_at", "id")
        .values(*_CAMPAIGN_READS, "median_views")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def write_job_csv(job: ScrapingJob, file: TextIO) -> int:
    """Write the job's CSV (header + rows, no BOM) to ``file``; return the number of data rows."""
    return write_csv(file, HEADERS, job_rows(job))


def write_campaign_csv(campaign: Campaign, file: TextIO) -> int:
    """Write the campaign's CSV (no BOM) to ``file``; return the number of data rows."""
    return write_csv(file, HEADERS, campaign_rows(campaign))
