"""Search pages: one search's progress and results, cancel/retry, a campaign's creators.

Thin views over `scraping.selectors` and `scraping.services`. The results table is rendered on
the server with a bounded number of queries whatever the size of the search: the owner-scoped
job (1), the page's count (1) and rows (1), and `also_found_in` once for the page (1).
The creating of searches lives with the campaign workspace (`campaigns.views`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from campaigns.selectors import campaign_get
from imageproxy.signing import proxied_image_url

from . import selectors
from .forms import KINDS_BY_KEY, SearchKind
from .models import ACTIVE_STATUSES, RETRYABLE_STATUSES, Creator, JobStatus, ScrapingJob
from .services import InvalidTransition, job_cancel, job_retry

PAGE_SIZE = selectors.DEFAULT_PAGE_SIZE
POLL_INTERVAL_MS = 2500
# A bio longer than this (or with this many line breaks) is clamped, with a "Show more".
BIO_CLAMP_CHARS = 120
BIO_CLAMP_LINES = 3

EMAIL_SOURCES = {
    "bio": "written in the bio",
    "bio_link": "on a page linked from the bio",
    "channel_email": "the channel's contact email",
    "business_email": "the profile's business email",
    "external_url": "on the profile's website",
}
SORT_LABELS = {
    "position": "Order found",
    "-followers": "Most followers",
    "-views": "Most views",
    "-engagement": "Highest engagement",
    "-similarity": "Most similar",
}


# --- display helpers --------------------------------------------------------------------------


def compact_number(value: int | None) -> str:
    """1234 → 1.2K, 1_250_000 → 1.3M; unknown → "—" (never a made-up 0)."""
    if value is None:
        return "—"
    for divisor, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if abs(value) >= divisor:
            text = f"{value / divisor:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return str(value)


def duration_text(seconds: int | None) -> str:
    """205 → 3:25, 3725 → 1:02:05; unknown → ""."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def elapsed_text(job: ScrapingJob) -> str:
    """How long a finished search ran: "Took 12 s", "Took 3 min 5 s"."""
    start = job.started_at or job.created_at
    if not (start and job.completed_at):
        return ""
    seconds = max(0, round((job.completed_at - start).total_seconds()))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"Took {hours} h {minutes} min"
    return f"Took {minutes} min {secs} s" if minutes else f"Took {secs} s"


def email_provenance(detail: dict) -> str:
    parts = [EMAIL_SOURCES.get(detail.get("source", ""), "found on the profile")]
    if detail.get("deobfuscated"):
        parts.append("written out (like “name at domain”) and rebuilt")
    if detail.get("roleBased"):
        parts.append("a role address (info@, contact@…)")
    return "Found " + "; ".join(parts) + "."


def finish_message(job: ScrapingJob) -> str:
    """What happened, in plain words (empty while the search runs)."""
    found = f"{job.processed_results:,} of {job.target_results:,} creators"
    if job.status == JobStatus.COMPLETED:
        return f"Completed: found {found}."
    if job.status in ACTIVE_STATUSES:
        return ""
    default = {
        JobStatus.PARTIAL: f"Finished early: found {found}.",
        JobStatus.ERROR: f"Stopped by an error after finding {found}.",
        JobStatus.TIMEOUT: f"Timed out after finding {found}.",
        JobStatus.CANCELLED: f"Cancelled after finding {found}.",
    }[job.status]
    return job.finish_reason or job.error or default


@dataclass
class CreatorRow:
    """One creator, ready for the table (formatting happens here, once per page row)."""

    creator: Creator
    avatar: str
    initial: str
    name: str
    followers: str
    emails: list[tuple[str, str]]
    stats: list[tuple[str, str, str]]  # (label, compact, exact)
    content_label: str
    bio_long: bool
    duration: str
    similarity: str
    engagement: str
    also: list[ScrapingJob]


def creator_row(creator: Creator, also: list[ScrapingJob]) -> CreatorRow:
    name = creator.display_name or creator.username or creator.external_id
    details = {d.get("email"): d for d in creator.email_details if isinstance(d, dict)}
    stats = [
        (label, compact_number(value), "unknown" if value is None else f"{value:,}")
        for label, value in (
            ("views", creator.views),
            ("likes", creator.likes),
            ("comments", creator.comments),
            ("shares", creator.shares),
        )
    ]
    content = creator.content_title or creator.content_description
    return CreatorRow(
        creator=creator,
        avatar=proxied_image_url(creator.avatar_url, name),
        initial=(name.lstrip("@")[:1] or "?").upper(),
        name=name,
        followers=compact_number(creator.followers),
        emails=[(e, email_provenance(details.get(e, {}))) for e in creator.emails],
        stats=stats,
        content_label=content.strip()[:140] or "Top content",
        bio_long=len(creator.bio) > BIO_CLAMP_CHARS or creator.bio.count("\n") >= BIO_CLAMP_LINES,
        duration=duration_text(creator.duration_seconds),
        similarity=("" if creator.similarity_score is None else f"{creator.similarity_score:.0f}"),
        engagement="" if creator.engagement is None else f"{creator.engagement * 100:.1f}%",
        also=also,
    )


# --- the results section (shared by the job page and the campaign's creators page) ------------


@dataclass
class Results:
    page: Page
    rows: list[CreatorRow]
    filters: selectors.CreatorFilters
    errors: dict[str, list[str]]
    sorts: dict[str, str]
    page_size: int
    filtered: bool

    @property
    def sort_label(self) -> str:
        return self.sorts.get(self.filters.sort, SORT_LABELS.get(self.filters.sort, ""))


def _page_size(params) -> int:
    try:
        size = int(params.get("page_size") or PAGE_SIZE)
    except ValueError:
        return PAGE_SIZE
    return max(1, min(size, selectors.MAX_PAGE_SIZE))


def _parse_filters(params, *, default_sort: str):
    try:
        return selectors.CreatorFilters.from_params(params, default_sort=default_sort), {}
    except ValidationError as exc:
        # Shown next to the field; the table falls back to the unfiltered list.
        return selectors.CreatorFilters(sort=default_sort), exc.message_dict


def _results(request, queryset_for, *, default_sort, sorts, job_for, exclude_own) -> Results:
    filters, errors = _parse_filters(request.GET, default_sort=default_sort)
    size = _page_size(request.GET)
    page = Paginator(queryset_for(filters), size).get_page(request.GET.get("page"))
    creators = list(page.object_list)
    for creator in creators:
        creator.job = job_for(creator)  # the job is already loaded: no query per row
    found = selectors.also_found_in(creators=creators)
    rows = []
    for creator in creators:
        jobs = found.get((creator.platform, creator.external_id), [])
        rows.append(creator_row(creator, [j for j in jobs if j.pk != exclude_own(creator)]))
    return Results(
        page=page,
        rows=rows,
        filters=filters,
        errors=errors,
        sorts=sorts,
        page_size=size,
        filtered=not errors
        and (
            any(request.GET.get(k) for k in ("has_email", "min_followers", "max_followers", "q"))
            or request.GET.get("verified", "") not in ("", "any")
        ),
    )


def _sorts(*, similar: bool) -> dict[str, str]:
    keys = ["position", "-followers", "-views", "-engagement"]
    if similar:
        keys.append("-similarity")
    return {k: SORT_LABELS[k] for k in keys}


# --- pages ------------------------------------------------------------------------------------


def job_detail(request, job_id):
    job = selectors.job_get(user=request.user, job_id=job_id)
    similar = job.search_type == "similar"
    results = _results(
        request,
        lambda filters: selectors.job_creators(job=job, filters=filters),
        default_sort="-similarity" if similar else "position",
        sorts=_sorts(similar=similar),
        job_for=lambda creator: job,
        exclude_own=lambda creator: job.pk,
    )
    context = {
        "job": job,
        "kind": KINDS_BY_KEY.get(job.search_key)
        or SearchKind(job.search_key, job.platform, job.search_type),
        "campaign": job.campaign,
        "results": results,
        "similar": similar,
        "message": finish_message(job),
        "elapsed": elapsed_text(job),
        "can_cancel": job.status in ACTIVE_STATUSES,
        "can_retry": job.status in RETRYABLE_STATUSES,
        "poll_interval": POLL_INTERVAL_MS,
    }
    return render(request, "scraping/job_detail.html", context)


def campaign_creators(request, campaign_id):
    campaign = campaign_get(user=request.user, campaign_id=campaign_id)
    jobs = {
        job.pk: job
        for job in selectors.campaign_jobs(campaign=campaign).only(
            "id",
            "campaign_id",
            "platform",
            "search_type",
            "keywords",
            "target_username",
            "status",
            "created_at",
        )
    }
    similar = any(job.search_type == "similar" for job in jobs.values())
    results = _results(
        request,
        lambda filters: selectors.campaign_creators(campaign=campaign, filters=filters),
        default_sort="position",
        sorts=_sorts(similar=similar),
        job_for=lambda creator: jobs[creator.job_id],
        exclude_own=lambda creator: creator.job_id,
    )
    context = {"campaign": campaign, "jobs": jobs, "results": results, "similar": similar}
    return render(request, "scraping/campaign_creators.html", context)


def _back(request, job: ScrapingJob):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("search_detail", job_id=job.pk)


@require_POST
def job_cancel_view(request, job_id):
    job = selectors.job_get(user=request.user, job_id=job_id)
    try:
        job_cancel(job=job)
    except InvalidTransition:
        status = job.get_status_display().lower()
        messages.warning(request, f"This search is already {status}: nothing to cancel.")
    else:
        messages.success(request, "Search cancelled. The creators found so far are kept.")
    return _back(request, job)


@require_POST
def job_retry_view(request, job_id):
    job = selectors.job_get(user=request.user, job_id=job_id)
    try:
        job_retry(job=job)
    except InvalidTransition:
        messages.warning(request, f"A {job.get_status_display().lower()} search cannot be retried.")
    else:
        messages.success(request, "Search resumed from where it stopped.")
    return _back(request, job)
