"""Search pages: one search's progress and results, cancel/retry, the related hashtags of a
running TikTok keyword search, a campaign's creators.

Thin views over `scraping.selectors` and `scraping.services`. The results table is rendered on
the server with a bounded number of queries whatever the size of the search: the owner-scoped
job (1), the page's count (1) and rows (1), `also_found_in` (1) and the rows' metrics (1) once
for the page. The creator panel (`creator_detail`) is a page of its own that the results table
also opens beside itself. The creating of searches lives with the campaign workspace
(`campaigns.views`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.cache import patch_vary_headers
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from campaigns.selectors import campaign_get
from core import catalogue
from core.errors import PaymentRequired, StartThrottled
from core.redirects import local_url
from imageproxy.signing import proxied_image_url
from outreach import selectors as outreach
from scraping import selectors
from scraping.contacts import NETWORK_LABELS
from scraping.contacts.provenance import email_provenance
from scraping.metrics import selectors as metrics_selectors
from scraping.metrics.services import creator_metrics_refresh
from scraping.models import Creator, CreatorMetrics, ScrapingJob
from scraping.outcome import finish_message
from scraping.services import (
    InvalidTransition,
    job_cancel,
    job_retry,
    related_hashtag_add,
    related_hashtag_remove,
)
from scraping.transform.values import safe_http_url
from scraping.transitions import ACTIVE_STATUSES

PAGE_SIZE = selectors.DEFAULT_PAGE_SIZE
POLL_INTERVAL_MS = 2500
# A bio longer than this (or with this many line breaks) is clamped to two lines, with a
# "Show more" (the page's script then keeps it only where the text is really cut).
BIO_CLAMP_CHARS = 90
BIO_CLAMP_LINES = 2
# Hashtags a row shows (two lines at most); the others are counted ("+3"), listed in a tooltip.
SHOWN_HASHTAGS = 2

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


@dataclass
class CreatorRow:
    """One creator, ready for the table (formatting happens here, once per page row)."""

    creator: Creator
    avatar: str
    initial: str
    name: str
    followers: str
    views: str
    emails: list[tuple[str, str]]  # (address, where it was found)
    content_label: str
    content_details: str  # the top content's date, duration and numbers, for its tooltip
    bio_long: bool
    similarity: str
    similarity_reasons: str
    engagement: str
    hashtags: list[str]
    more_hashtags: list[str]
    also: list[ScrapingJob]
    median_views: str  # from the creator's recent posts, "—" when never fetched


def creator_row(
    creator: Creator, also: list[ScrapingJob], metrics: CreatorMetrics | None = None
) -> CreatorRow:
    name = creator.display_name or creator.username or creator.external_id
    details_by_email = {d.get("email"): d for d in creator.email_details if isinstance(d, dict)}
    content = creator.content_title or creator.content_description
    published = creator.published_at
    details = [
        dateformat.format(localtime(published), "M j, Y") if published else "",
        duration_text(creator.duration_seconds),
        # Unknown numbers say "—", never a made-up 0.
        *(
            f"{compact_number(value)} {label}"
            for label, value in (
                ("views", creator.views),
                ("likes", creator.likes),
                ("comments", creator.comments),
                ("shares", creator.shares),
            )
        ),
    ]
    hashtags = [tag for tag in creator.hashtags if isinstance(tag, str)]
    return CreatorRow(
        creator=creator,
        avatar=proxied_image_url(creator.avatar_url, name, width=128),  # the panel's 64 px, 2x
        initial=(name.lstrip("@")[:1] or "?").upper(),
        name=name,
        followers=compact_number(creator.followers),
        views=compact_number(creator.views),
        emails=[(e, email_provenance(details_by_email.get(e, {}))) for e in creator.emails],
        content_label=content.strip()[:140] or "Top content",
        content_details=" · ".join(d for d in details if d),
        bio_long=len(creator.bio) > BIO_CLAMP_CHARS or creator.bio.count("\n") >= BIO_CLAMP_LINES,
        similarity=("" if creator.similarity_score is None else f"{creator.similarity_score:.0f}"),
        similarity_reasons="; ".join(str(r) for r in creator.similarity_reasons),
        engagement=engagement_text(creator.engagement),
        hashtags=hashtags[:SHOWN_HASHTAGS],
        more_hashtags=hashtags[SHOWN_HASHTAGS:],
        also=also,
        median_views=compact_number(_median_views(metrics)),
    )


def _median_views(metrics: CreatorMetrics | None) -> int | None:
    return (metrics.metrics or {}).get("median_views") if metrics else None


def engagement_text(engagement: float | None) -> str:
    """0.0494 → "4.9%"; unknown → "—" (never a made-up 0.0%)."""
    return "—" if engagement is None else f"{engagement * 100:.1f}%"


# --- the results section (shared by the job page and the campaign's creators page) ------------


@dataclass(frozen=True)
class Columns:
    """The optional columns a page of creators shows. Decided once per page from its rows: a
    column that would say "—" on every row (no hashtags from YouTube channels, no follower
    counts from a source that gives none) takes no width."""

    followers: bool
    views: bool
    engagement: bool
    content: bool
    hashtags: bool
    similarity: bool
    median_views: bool


def visible_columns(
    creators: list[Creator], *, similar: bool, metrics: dict | None = None
) -> Columns:
    metrics = metrics or {}
    return Columns(
        followers=any(c.followers is not None for c in creators),
        views=any(c.views is not None for c in creators),
        engagement=any(c.engagement is not None for c in creators),
        content=any(
            c.content_url or c.content_title or c.content_description or c.views is not None
            for c in creators
        ),
        hashtags=any(c.hashtags for c in creators),
        similarity=similar and any(c.similarity_score is not None for c in creators),
        median_views=any(
            _median_views(metrics.get((c.platform, c.external_id))) is not None for c in creators
        ),
    )


@dataclass(frozen=True)
class Chip:
    """One filter in use, shown above the table; its link is the same list without it."""

    param: str
    label: str
    remove_url: str


def _query_without(params, *names: str) -> str:
    """`?…` of `params` without `names`, the page number and empty values."""
    kept = params.copy()
    for name in (*names, "page"):
        kept.pop(name, None)
    for name in list(kept):
        values = [v for v in kept.getlist(name) if v.strip()]
        if values:
            kept.setlist(name, values)
        else:
            del kept[name]
    return "?" + kept.urlencode()


def filter_chips(filters: selectors.CreatorFilters, params) -> list[Chip]:
    """The filters in use (a parameter that could not be read is in none of them)."""
    labels = []
    if filters.q:
        labels.append(("q", f"Name or bio: “{filters.q}”"))
    if filters.has_email is not None:
        labels.append(("has_email", "Has email" if filters.has_email else "No email"))
    if filters.min_followers is not None:
        labels.append(("min_followers", f"Followers ≥ {compact_number(filters.min_followers)}"))
    if filters.max_followers is not None:
        labels.append(("max_followers", f"Followers ≤ {compact_number(filters.max_followers)}"))
    if filters.min_engagement is not None:
        percent = f"{filters.min_engagement.normalize():f}"  # 2.50 → 2.5, 100 → 100
        labels.append(("min_engagement", f"Engagement ≥ {percent}%"))
    if filters.min_median_views is not None:
        views = compact_number(filters.min_median_views)
        labels.append(("min_median_views", f"Median views ≥ {views}"))
    if filters.posted_within_days is not None:
        days = filters.posted_within_days
        labels.append(("posted_within_days", f"Posted in the last {days} days"))
    if filters.verified is not None:
        labels.append(("verified", "Verified only" if filters.verified else "Not verified"))
    if filters.listed:
        labels.append(
            (
                "listed",
                "Hiding contacted creators"
                if filters.listed == "hide_contacted"
                else "Hiding creators in my lists",
            )
        )
    if filters.profile_unavailable is not None:
        unavailable = filters.profile_unavailable
        labels.append(
            (
                "profile_unavailable",
                "Unavailable profiles only" if unavailable else "Hiding unavailable profiles",
            )
        )
    return [Chip(param, label, _query_without(params, param)) for param, label in labels]


@dataclass
class Results:
    page: Page
    rows: list[CreatorRow]
    filters: selectors.CreatorFilters
    errors: dict[str, list[str]]
    sorts: dict[str, str]
    page_size: int
    columns: Columns
    chips: list[Chip]
    clear_url: str  # every filter removed; the sort and page size kept
    # The lists this page's creators are in, and the user's lists for "Add to list".
    outreach: dict

    @property
    def filtered(self) -> bool:
        return bool(self.chips)

    @property
    def sort_label(self) -> str:
        return self.sorts.get(self.filters.sort, SORT_LABELS.get(self.filters.sort, ""))


def _page_size(params) -> int:
    try:
        size = int(params.get("page_size") or PAGE_SIZE)
    except ValueError:
        return PAGE_SIZE
    return max(1, min(size, selectors.MAX_PAGE_SIZE))


def _results(
    request, queryset_for, *, default_sort, sorts, similar, job_for, exclude_own
) -> Results:
    # A filter that cannot be read is said next to its field and left out; the others apply.
    filters, errors = selectors.CreatorFilters.parse(request.GET, default_sort=default_sort)
    size = _page_size(request.GET)
    listed = outreach.creators_without_listed(
        queryset_for(filters), user=request.user, listed=filters.listed
    )
    page = Paginator(listed, size).get_page(request.GET.get("page"))
    creators = list(page.object_list)
    for creator in creators:
        creator.job = job_for(creator)  # the job is already loaded: no query per row
    found = selectors.also_found_in(creators=creators)
    metrics = selectors.metrics_by_creator(creators=creators)
    rows = []
    for creator in creators:
        key = (creator.platform, creator.external_id)
        also = [j for j in found.get(key, []) if j.pk != exclude_own(creator)]
        rows.append(creator_row(creator, also, metrics.get(key)))
    return Results(
        page=page,
        rows=rows,
        filters=filters,
        errors=errors,
        sorts=sorts,
        page_size=size,
        columns=visible_columns(creators, similar=similar, metrics=metrics),
        chips=filter_chips(filters, request.GET),
        clear_url=_query_without(request.GET, *selectors.FILTER_PARAMS),
        outreach=outreach.results_table_context(user=request.user, creators=creators),
    )


def _sorts(*, similar: bool) -> dict[str, str]:
    keys = ["position", "-followers", "-views", "-engagement"]
    if similar:
        keys.append("-similarity")
    return {k: SORT_LABELS[k] for k in keys}


# --- related hashtags (TikTok keyword searches that expand with them) --------------------------


@dataclass(frozen=True)
class RelatedLine:
    """One related hashtag on the search page."""

    tag: str
    found: int  # creators saved that it found first
    seen_in: int  # creators of the first results whose item carried it (0: added by the user)
    by_user: bool
    note: str  # "" while it is searched; "ran dry", "failed: …"


@dataclass(frozen=True)
class RelatedPanel:
    chosen: bool  # the search has chosen its related hashtags (or found none to choose)
    counted: int  # creators of the first results it counted
    lines: list[RelatedLine]
    removed: list[RelatedLine]
    can_edit: bool  # the search still runs


def related_panel(job: ScrapingJob) -> RelatedPanel | None:
    """What the search page says of a search's related hashtags (None: it does not expand)."""
    data = selectors.job_related(job=job)
    if data is None:
        return None
    lines: list[RelatedLine] = []
    removed: list[RelatedLine] = []
    for chain in data.chains:
        note = ""
        if chain.error:
            note = chain.error
        elif chain.done:
            note = "ran dry"
        line = RelatedLine(
            tag=chain.term,
            found=data.found.get(chain.term, 0),
            seen_in=0 if chain.added_by else data.related.counts.get(chain.term, 0),
            by_user=chain.added_by == "user",
            note=note,
        )
        (removed if chain.removed else lines).append(line)
    return RelatedPanel(
        chosen=data.related.chosen,
        counted=data.related.creators,
        lines=lines,
        removed=removed,
        can_edit=job.status in ACTIVE_STATUSES,
    )


# --- pages ------------------------------------------------------------------------------------


def job_detail(request, job_id):
    job = selectors.job_get(user=request.user, job_id=job_id)
    similar = job.search_type == "similar"
    results = _results(
        request,
        lambda filters: selectors.job_creators(job=job, filters=filters),
        default_sort="-similarity" if similar else "position",
        sorts=_sorts(similar=similar),
        similar=similar,
        job_for=lambda creator: job,
        exclude_own=lambda creator: job.pk,
    )
    context = {
        "job": job,
        "kind": catalogue.BY_KEY.get(job.search_key),
        "campaign": job.campaign,
        "results": results,
        "similar": similar,
        "message": finish_message(job),
        "elapsed": elapsed_text(job),
        "can_cancel": job.status in ACTIVE_STATUSES,
        "can_retry": job.can_retry,
        "poll_interval": POLL_INTERVAL_MS,
        "related": related_panel(job),
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
        similar=similar,
        job_for=lambda creator: jobs[creator.job_id],
        exclude_own=lambda creator: creator.job_id,
    )
    context = {"campaign": campaign, "jobs": jobs, "results": results, "similar": similar}
    return render(request, "scraping/campaign_creators.html", context)


# --- the creator panel ---------------------------------------------------------------------

QUALITY_LABELS = {"strong": "Strong", "average": "Average", "weak": "Weak", "unknown": "Unknown"}
PARTIAL_HEADER = "fetch"  # X-Requested-With of workspace.js: the panel's fragment only


@dataclass
class PostLine:
    """One recent post in the panel."""

    date: str
    views: str
    likes: str
    comments: str
    engagement: str
    url: str


@dataclass
class MetricsSummary:
    median_views: str
    median_engagement: str
    posts_per_week: str
    last_posted: str
    quality: str
    quality_label: str
    reasons: list[str]


@dataclass
class CreatorPanel:
    """Everything the panel says about one of the user's creators."""

    row: CreatorRow
    links: list[str]
    social_handles: list[tuple[str, str]]
    status: str  # missing | pending | ready | failed (`metrics.selectors.status_of`)
    fresh: bool
    fetched_on: str
    error: str
    metrics: MetricsSummary | None  # only fresh metrics are shown
    posts: list[PostLine]
    sightings: list[Creator]  # every search of the user that found it, with its campaign

    @property
    def can_fetch(self) -> bool:
        return not self.fresh and self.status != "pending"

    @property
    def stale(self) -> bool:
        return not self.fresh and bool(self.fetched_on)


def _date_text(value) -> str:
    """An ISO string or a datetime → "Oct 1, 2026"; unknown → "—"."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return dateformat.format(localtime(value), "M j, Y") if value else "—"


def creator_panel(*, user, creator: Creator) -> CreatorPanel:
    now = timezone.now()
    row = metrics_selectors.metrics_get(creator=creator)
    fresh = metrics_selectors.is_fresh(row, now)
    status = metrics_selectors.status_of(row, now)
    summary, posts = None, []
    if fresh and row is not None and row.metrics:  # fresh implies a row
        m = row.metrics
        ppw = m.get("posts_per_week")
        summary = MetricsSummary(
            median_views=compact_number(m.get("median_views")),
            median_engagement=engagement_text(m.get("median_engagement")),
            posts_per_week="—" if ppw is None else f"{ppw:g}",
            last_posted=_date_text(m.get("last_posted_at")),
            quality=m.get("quality", "unknown"),
            quality_label=QUALITY_LABELS.get(m.get("quality"), "Unknown"),
            reasons=[str(r) for r in m.get("reasons", [])],
        )
        posts = [
            PostLine(
                date=_date_text(p.get("published_at")),
                views=compact_number(p.get("views")),
                likes=compact_number(p.get("likes")),
                comments=compact_number(p.get("comments")),
                engagement=engagement_text(p.get("engagement")),
                url=safe_http_url(p.get("url")),
            )
            for p in row.posts
            if isinstance(p, dict)
        ]
    error = ""
    if status == "failed":
        error = (row.error if row else "") or "The fetch did not finish. Ask again."
    handles = creator.social_handles if isinstance(creator.social_handles, dict) else {}
    return CreatorPanel(
        row=creator_row(creator, []),
        links=[url for url in map(safe_http_url, creator.links) if url],
        social_handles=sorted(
            (NETWORK_LABELS.get(str(k), str(k).capitalize()), str(v)) for k, v in handles.items()
        ),
        status=status,
        fresh=fresh,
        fetched_on=_date_text(row.fetched_at) if row and row.fetched_at else "",
        error=error,
        metrics=summary,
        posts=posts,
        sightings=selectors.creator_sightings(user=user, creator=creator),
    )


def creator_detail(request, creator_id):
    """The creator panel: a page of its own, or (asked by workspace.js) just its fragment for
    the side panel of the results table."""
    creator = metrics_selectors.creator_get(user=request.user, creator_id=creator_id)
    panel = creator_panel(user=request.user, creator=creator)
    partial = request.headers.get("X-Requested-With") == PARTIAL_HEADER
    own = next(s for s in panel.sightings if s.pk == creator.pk)
    context = {
        "creator": creator,
        "panel": panel,
        "partial": partial,
        "job": own.job,
        # The lists it is in ("Contacted" badge) and the lists to add it to.
        **outreach.results_table_context(user=request.user, creators=[creator]),
    }
    template = "scraping/_creator_panel.html" if partial else "scraping/creator_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["X-Requested-With"])
    return response


@require_POST
def creator_metrics_refresh_view(request, creator_id):
    """ "Fetch recent posts": queue the fetch (free when fresh) and go back to the panel."""
    creator = metrics_selectors.creator_get(user=request.user, creator_id=creator_id)
    try:
        creator_metrics_refresh(user=request.user, creator=creator)
    except (PaymentRequired, StartThrottled) as exc:
        messages.error(request, exc.message)
    return redirect(reverse("creator_detail", args=[creator.pk]))


def _back(request, job: ScrapingJob):
    default = reverse("search_detail", kwargs={"job_id": job.pk})
    return redirect(local_url(request, request.POST.get("next", ""), default))


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
def job_related_view(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Add a hashtag of the user's own to a running search's related hashtags, or remove one
    (`action` add or remove, `hashtag`); back to the search's page with what happened."""
    job = selectors.job_get(user=request.user, job_id=job_id)
    action, hashtag = request.POST.get("action", ""), request.POST.get("hashtag", "")
    try:
        if action == "add":
            tag = related_hashtag_add(job=job, hashtag=hashtag)
            messages.success(request, f"Also searching #{tag}: its creators appear as it goes.")
        elif action == "remove":
            tag = related_hashtag_remove(job=job, hashtag=hashtag)
            messages.success(request, f"Stopped searching #{tag}. The creators it found are kept.")
        else:
            messages.error(request, "Choose to add or to remove a hashtag.")
    except InvalidTransition as exc:
        messages.warning(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("search_detail", job_id=job.pk)


@require_POST
def job_retry_view(request, job_id):
    job = selectors.job_get(user=request.user, job_id=job_id)
    try:
        job_retry(job=job)
    except InvalidTransition as exc:
        messages.warning(request, str(exc))
    except (PaymentRequired, StartThrottled) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Search resumed from where it stopped.")
    return _back(request, job)
