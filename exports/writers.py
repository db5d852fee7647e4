"""CSV rows for one search (job) or a whole campaign, streamed from the database.

Public API (used by the export view, ``run_search --csv`` and the REST API):

- ``HEADERS_BY_SEARCH``: the header row of each of the six searches, by ``<platform>_<type>``.
- ``CAMPAIGN_HEADERS``: the header row of the unified, cross-platform campaign file.
- ``job_headers(job)`` / ``job_rows(job)``: one search's header and data rows.
- ``campaign_rows(campaign)``: the campaign's creators, one row per creator across searches.
- ``search_label(job)``: ``TikTok keyword: running, yoga``, ``Instagram similar: @maya``.
- ``iter_csv(headers, rows, bom=True)``: CSV text in chunks of about 64 KB, BOM first.
- ``write_job_csv(job, file)`` / ``write_campaign_csv(campaign, file)``: write to an open text
  file (no BOM: the caller opens it with ``encoding="utf-8-sig", newline=""``) and return the
  number of data rows.

Rows are lists of finished cells (``exports.safety.safe_cell``): text already neutralised against
formula injection, ``Yes``/``No`` booleans, unknown numbers blank, dates ``YYYY-MM-DD``. The
callers only have to hand them to ``csv.writer``.

Memory stays flat: querysets are read with ``.values()`` of the exported columns and
``.iterator()``, never materialised. The campaign file is ordered in SQL so that the rows of one
creator (one per search that found them) arrive together and are merged in Python a group at a
time.

Column rules:

- ``Email``: every address, joined ``; ``. ``Email Source``: the provenance of each of those
  addresses (``bio``, ``bio_link``, ``channel_email``, ``business_email``, ``external_url``;
  ``unknown`` if the creator has no detail for it), joined ``; `` in the same order.
- ``Links``: every link the creator gave, joined ``; ``. ``Social Links`` (YouTube): the creator's
  profiles on other platforms (``Creator.social_handles``) as canonical profile URLs, in the fixed
  order Instagram, TikTok, YouTube, X, Threads, Twitch, Facebook, Snapchat, LinkedIn.
- ``Keywords``: the search's own terms, joined ``, `` (the same for every row of a file).
- ``Hashtags``: ``#one #two``. ``Username``/``Handle``: the bare handle, as stored.
- ``Target Channel``: the similar search's target as the user gave it, bare (a handle or a
  ``UC…`` channel id). It is not written ``@maya``: a cell starting with ``@`` must be neutralised
  and would read ``'@maya``. The ``Search`` label does say ``@maya``.
- ``Created Date``/``Published Date``: the top content's date; ``Found At``: when we found the
  creator (UTC dates).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from django.db.models import Case, F, IntegerField, Min, Value, When, Window

from campaigns.models import Campaign
from scraping.models import Creator, Platform, ScrapingJob, SearchType

from .safety import Cell, iso_date, safe_cell

CHUNK_SIZE = 2000  # rows per database fetch
CHUNK_CHARS = 64 * 1024  # characters per streamed chunk
BOM = "\ufeff"

TRAILER = ("Email Source", "Links", "Found At")

HEADERS_BY_SEARCH: dict[str, tuple[str, ...]] = {
    "tiktok_keyword": (
        "Username", "Followers", "Bio", "Email", "Video URL", "Description", "Likes",
        "Comments", "Shares", "Views", "Hashtags", "Created Date", "Keywords", "Platform",
        *TRAILER,
    ),
    "youtube_keyword": (
        "Channel Name", "Subscribers", "Bio", "Email", "Social Links", "Video Title",
        "Video URL", "Published Date", "Views", "Duration (seconds)", "Hashtags", "Keywords",
        "Platform", *TRAILER,
    ),
    "tiktok_similar": (
        "Username", "Full Name", "Followers", "Bio", "Email", "Verified", "Private",
        "Profile URL", "Similarity", "Search Type", "Platform", *TRAILER,
    ),
    "instagram_similar": (
        "Username", "Full Name", "Followers", "Bio", "Email", "Verified", "Private",
        "Profile URL", "Similarity", "Search Type", "Platform", *TRAILER,
    ),
    "youtube_similar": (
        "Channel Name", "Handle", "Bio", "Email", "Social Links", "Subscribers",
        "Target Channel", "Similarity", "Search Type", "Platform", *TRAILER,
    ),
    "instagram_hashtag": (
        "Username", "Full Name", "Followers", "Bio", "Email", "Post URL", "Caption", "Likes",
        "Comments", "Hashtags", "Platform", *TRAILER,
    ),
}  # fmt: skip

CAMPAIGN_HEADERS: tuple[str, ...] = (
    "Platform", "Creator/Channel Name", "Username", "Followers", "Bio", "Email", "Profile URL",
    "Content URL", "Title/Description", "Views", "Likes", "Comments", "Shares", "Hashtags",
    "Keywords/Target", "Search", *TRAILER,
)  # fmt: skip

# A search the six formats do not name (none exists today) uses its platform's content format.
_FALLBACK_FORMAT = {
    "tiktok": "tiktok_keyword",
    "instagram": "instagram_hashtag",
    "youtube": "youtube_keyword",
}

_SOCIAL_URLS = (
    ("instagram", "https://www.instagram.com/{}/"),
    ("tiktok", "https://www.tiktok.com/@{}"),
    ("youtube", "https://www.youtube.com/{}"),
    ("twitter", "https://x.com/{}"),
    ("threads", "https://www.threads.net/@{}"),
    ("twitch", "https://www.twitch.tv/{}"),
    ("facebook", "https://www.facebook.com/{}"),
    ("snapchat", "https://www.snapchat.com/add/{}"),
    ("linkedin", "https://www.linkedin.com/{}/"),
)


# --- per-search context ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SearchInfo:
    """What every row of one search shares."""

    platform: str  # "TikTok"
    search_type: str  # "Similar"
    keywords: str  # "running, yoga" (blank for similar searches)
    target: str  # "maya" (blank for keyword and hashtag searches)
    terms: str  # the campaign file's Keywords/Target: "running, yoga", "#gym, #fit", "maya"
    label: str  # "TikTok keyword: running, yoga"

    @classmethod
    def of(cls, job: ScrapingJob) -> SearchInfo:
        keywords = ", ".join(job.keywords or [])
        target = job.target_username or ""
        if job.search_type == SearchType.SIMILAR:
            terms, shown = target, _target_label(job)
        elif job.search_type == SearchType.HASHTAG:
            terms = shown = ", ".join(f"#{tag}" for tag in job.keywords or [])
        else:
            terms = shown = keywords
        platform = _platform_label(job.platform)
        return cls(
            platform=platform,
            search_type=_search_type_label(job.search_type),
            keywords=keywords,
            target=target,
            terms=terms,
            label=f"{platform} {job.search_type}: {shown}",
        )


def search_label(job: ScrapingJob) -> str:
    """``TikTok keyword: running, yoga``, ``Instagram hashtag: #gym``, ``TikTok similar: @maya``."""
    return SearchInfo.of(job).label


def _target_label(job: ScrapingJob) -> str:
    target = job.target_username or ""
    is_channel_id = job.platform == Platform.YOUTUBE and len(target) == 24 and target[:2] == "UC"
    return target if is_channel_id or not target else f"@{target}"


def _platform_label(code: str) -> str:
    try:
        return Platform(code).label
    except ValueError:
        return code


def _search_type_label(code: str) -> str:
    try:
        return SearchType(code).label
    except ValueError:
        return code


# --- cell values ----------------------------------------------------------------------------
def _joined(values: Iterable[Any] | None) -> str:
    return "; ".join(str(v) for v in values or () if v not in (None, ""))


def _email_sources(emails: list[str], details: list[dict] | None) -> list[str]:
    sources: dict[str, str] = {}
    for item in details or ():
        if isinstance(item, dict) and item.get("email"):
            sources.setdefault(str(item["email"]).lower(), str(item.get("source") or "unknown"))
    return [sources.get(str(email).lower(), "unknown") for email in emails]


def _hashtags(tags: list[str] | None) -> str:
    return " ".join(f"#{str(tag).lstrip('#')}" for tag in tags or () if tag)


def _social_links(handles: dict | None) -> str:
    if not isinstance(handles, dict):
        return ""
    urls = (template.format(handles[key]) for key, template in _SOCIAL_URLS if handles.get(key))
    return "; ".join(urls)


Getter = Callable[[dict, SearchInfo], Any]

COLUMNS: dict[str, Getter] = {
    "Username": lambda r, s: r["username"],
    "Handle": lambda r, s: r["username"],
    "Full Name": lambda r, s: r["display_name"],
    "Channel Name": lambda r, s: r["display_name"],
    "Creator/Channel Name": lambda r, s: r["display_name"],
    "Followers": lambda r, s: r["followers"],
    "Subscribers": lambda r, s: r["followers"],
    "Bio": lambda r, s: r["bio"],
    "Email": lambda r, s: _joined(r["emails"]),
    "Email Source": lambda r, s: _joined(_email_sources(r["emails"] or [], r["email_details"])),
    "Links": lambda r, s: _joined(r["links"]),
    "Social Links": lambda r, s: _social_links(r["social_handles"]),
    "Verified": lambda r, s: bool(r["verified"]),
    "Private": lambda r, s: bool(r["is_private"]),
    "Profile URL": lambda r, s: r["profile_url"],
    "Video URL": lambda r, s: r["content_url"],
    "Post URL": lambda r, s: r["content_url"],
    "Content URL": lambda r, s: r["content_url"],
    "Description": lambda r, s: r["content_description"],
    "Caption": lambda r, s: r["content_description"],
    "Video Title": lambda r, s: r["content_title"],
    "Title/Description": lambda r, s: r["content_title"] or r["content_description"],
    "Views": lambda r, s: r["views"],
    "Likes": lambda r, s: r["likes"],
    "Comments": lambda r, s: r["comments"],
    "Shares": lambda r, s: r["shares"],
    "Duration (seconds)": lambda r, s: r["duration_seconds"],
    "Hashtags": lambda r, s: _hashtags(r["hashtags"]),
    "Created Date": lambda r, s: iso_date(r["published_at"]),
    "Published Date": lambda r, s: iso_date(r["published_at"]),
    "Found At": lambda r, s: iso_date(r["created_at"]),
    "Similarity": lambda r, s: r["similarity_score"],
    "Keywords": lambda r, s: s.keywords,
    "Target Channel": lambda r, s: s.target,
    "Search Type": lambda r, s: s.search_type,
    "Platform": lambda r, s: s.platform,
    # Campaign file only: filled from the merged group (see `_merge`).
    "Keywords/Target": lambda r, s: r["_terms"],
    "Search": lambda r, s: r["_searches"],
}

# The Creator fields each column reads: a job export selects only what its headers need.
COLUMN_READS: dict[str, tuple[str, ...]] = {
    "Username": ("username",),
    "Handle": ("username",),
    "Full Name": ("display_name",),
    "Channel Name": ("display_name",),
    "Creator/Channel Name": ("display_name",),
    "Followers": ("followers",),
    "Subscribers": ("followers",),
    "Bio": ("bio",),
    "Email": ("emails",),
    "Email Source": ("emails", "email_details"),
    "Links": ("links",),
    "Social Links": ("social_handles",),
    "Verified": ("verified",),
    "Private": ("is_private",),
    "Profile URL": ("profile_url",),
    "Video URL": ("content_url",),
    "Post URL": ("content_url",),
    "Content URL": ("content_url",),
    "Description": ("content_description",),
    "Caption": ("content_description",),
    "Video Title": ("content_title",),
    "Title/Description": ("content_title", "content_description"),
    "Views": ("views",),
    "Likes": ("likes",),
    "Comments": ("comments",),
    "Shares": ("shares",),
    "Duration (seconds)": ("duration_seconds",),
    "Hashtags": ("hashtags",),
    "Created Date": ("published_at",),
    "Published Date": ("published_at",),
    "Found At": ("created_at",),
    "Similarity": ("similarity_score",),
    "Keywords": (),
    "Target Channel": (),
    "Search Type": (),
    "Platform": (),
    "Keywords/Target": (),
    "Search": (),
}


def _reads(headers: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(field for name in headers for field in COLUMN_READS[name]))


# --- one search -----------------------------------------------------------------------------
def job_format(job: ScrapingJob) -> str:
    """The key into HEADERS_BY_SEARCH for this job (``tiktok_keyword``…)."""
    key = f"{job.platform}_{job.search_type}"
    return key if key in HEADERS_BY_SEARCH else _FALLBACK_FORMAT.get(job.platform, "tiktok_keyword")


def job_headers(job: ScrapingJob) -> tuple[str, ...]:
    return HEADERS_BY_SEARCH[job_format(job)]


def job_rows(job: ScrapingJob) -> Iterator[list[Cell]]:
    """The job's creators in the order found, one row each (cells as in ``job_headers(job)``)."""
    info = SearchInfo.of(job)
    headers = job_headers(job)
    getters = [COLUMNS[name] for name in headers]
    creators = (
        Creator.objects.filter(job_id=job.pk)
        .order_by("position", "created_at", "id")
        .values(*_reads(headers))
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for row in creators:
        yield [safe_cell(get(row, info)) for get in getters]


# --- a whole campaign -----------------------------------------------------------------------
def campaign_rows(campaign: Campaign) -> Iterator[list[Cell]]:
    """One row per creator found by any of the campaign's searches (cells as CAMPAIGN_HEADERS).

    Order: by platform (TikTok, Instagram, YouTube), then by when the creator was first found.
    A creator found by several searches (same platform and upstream id) is one row: profile
    fields (name, handle, followers, bio, profile URL) are the most recent known value; emails
    and links are the union, newest first; the top content (URL, title, numbers, hashtags) is
    the most recent search's that has content; Keywords/Target and Search list every search that
    found them, in the order they did; Found At is the first time.
    """
    searches = {
        job.pk: SearchInfo.of(job)
        for job in ScrapingJob.objects.filter(campaign_id=campaign.pk).only(
            "id", "platform", "search_type", "keywords", "target_username"
        )
    }
    getters = [COLUMNS[name] for name in CAMPAIGN_HEADERS]
    group: list[dict] = []
    key = None
    for row in _campaign_creators(campaign):
        row_key = (row["platform"], row["external_id"])
        if group and row_key != key:
            yield _merged_row(group, searches, getters)
            group = []
        group.append(row)
        key = row_key
    if group:
        yield _merged_row(group, searches, getters)


def _merged_row(group: list[dict], searches: dict[Any, SearchInfo], getters) -> list[Cell]:
    merged = _merge(group, searches)
    info = searches[group[-1]["job_id"]]  # every row of a group has the same platform
    return [safe_cell(get(merged, info)) for get in getters]


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
        .annotate(platform_rank=rank, first_found=first_found)
        .order_by("platform_rank", "first_found", "platform", "external_id", "created_at", "id")
        .values(*_CAMPAIGN_READS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


_PROFILE = ("username", "display_name", "profile_url", "followers", "bio")
_CONTENT = (
    "content_url", "content_title", "content_description", "views", "likes", "comments",
    "shares", "hashtags",
)  # fmt: skip
_CAMPAIGN_READS = tuple(
    dict.fromkeys(
        ["job_id", "platform", "external_id", *_reads(CAMPAIGN_HEADERS), *_PROFILE, *_CONTENT]
    )
)


def _has_content(row: dict) -> bool:
    return bool(row["content_url"] or row["content_title"] or row["content_description"])


def _merge(group: list[dict], searches: dict[Any, SearchInfo]) -> dict:
    """One creator's rows (oldest first) → one row (rules in ``campaign_rows``)."""
    if len(group) == 1:
        row = group[0]
        info = searches[row["job_id"]]
        row["_terms"], row["_searches"] = info.terms, info.label
        return row
    newest_first = group[::-1]
    merged = dict(group[-1])
    for field in _PROFILE:
        merged[field] = next(
            (r[field] for r in newest_first if r[field] not in (None, "")), group[-1][field]
        )
    with_content = next((r for r in newest_first if _has_content(r)), group[-1])
    for field in _CONTENT:
        merged[field] = with_content[field]
    emails: dict[str, None] = {}
    details: list[dict] = []
    links: dict[str, None] = {}
    for r in newest_first:
        for email in r["emails"] or ():
            emails.setdefault(email, None)
        details.extend(d for d in r["email_details"] or () if isinstance(d, dict))
        for link in r["links"] or ():
            links.setdefault(link, None)
    merged["emails"], merged["email_details"], merged["links"] = list(emails), details, list(links)
    merged["created_at"] = group[0]["created_at"]
    infos = [searches[r["job_id"]] for r in group]
    merged["_terms"] = _joined(dict.fromkeys(info.terms for info in infos))
    merged["_searches"] = _joined(dict.fromkeys(info.label for info in infos))
    return merged


# --- writing --------------------------------------------------------------------------------
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
    headers: Iterable[str], rows: Iterable[list[Cell]], *, bom: bool = True
) -> Iterator[str]:
    """CSV text in chunks of about CHUNK_CHARS characters: the BOM alone first, then the header
    and the rows. Nothing is read from ``rows`` before the first chunk is taken."""
    if bom:
        yield BOM
    buffer = _Buffer()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
        if buffer.size >= CHUNK_CHARS:
            yield buffer.take()
    if buffer.parts:
        yield buffer.take()


def _write(file: TextIO, headers: Iterable[str], rows: Iterable[list[Cell]]) -> int:
    writer = csv.writer(file)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_job_csv(job: ScrapingJob, file: TextIO) -> int:
    """Write the job's CSV (header + rows, no BOM) to ``file``; return the number of data rows."""
    return _write(file, job_headers(job), job_rows(job))


def write_campaign_csv(campaign: Campaign, file: TextIO) -> int:
    """Write the campaign's unified CSV (no BOM) to ``file``; return the number of data rows."""
    return _write(file, CAMPAIGN_HEADERS, campaign_rows(campaign))
