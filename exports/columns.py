"""The one column schema of every export, and each cell's value.

Every file (one search or a whole campaign, CSV or XLSX, any platform or search type) has the
same header, ``HEADERS``, so files from different searches can be stacked in a spreadsheet.
A column a search has nothing for is blank.

Cells are plain Python values: text, ``int``/``float`` (``None`` when unknown, never a made-up
0), ``bool`` and ``date``. The file formats turn them into safe cells (``csv_file``,
``xlsx_file``).

Column rules:

- ``Platform``: TikTok, Instagram or YouTube. ``Handle``: the bare handle, as stored.
- ``Engagement``: the top content's engagement rate by its platform's definition
  (``Creator.engagement``; for rows whose search showed no rated content, the median of the
  recent posts once they were read), a fraction: 0.052 is 5.2 % (the XLSX shows it as a
  percentage).
  Blank when unknown, never 0.
- ``Median views``: of the creator's recent content (``exports.metrics``); blank until measured.
- ``Email 1`` … ``Email 5``: the first five addresses, one a column, so they can be mailed
  from a spreadsheet; ``More emails``: any further ones, joined ``; ``. A fixed count rather
  than as many as the file needs: every file keeps the same header, and the file is written in
  one pass.
- ``Email sources``: where each address was found, in the results page's words
  (``scraping.contacts.provenance``): ``Email 1: written in the bio; Email 2: on a page linked
  from the bio``.
- ``Links``: every link the creator gave, joined ``; ``. ``Social links``: the creator's
  profiles on other platforms as profile URLs, in the order Instagram, TikTok, YouTube, X,
  Threads, Twitch, Facebook, Snapchat, LinkedIn.
- ``Content URL``, ``Content title``, ``Content description``, ``Views`` … ``Duration
  (seconds)``, ``Hashtags`` (``#one #two``): the creator's top content as the search found it.
  ``Published date``: that content's date.
- ``Similarity``: 0–100, similar searches only.
- ``Search``: the search's label (``TikTok similar: @maya``). ``Keywords/Target``: its keywords
  (``running, yoga``), hashtags (``#gym, #fit``) or bare target handle (``maya``: a cell
  starting with ``@`` would be neutralised to ``'@maya``).
- ``Profile status``: ``Read``, or ``Unavailable: <why>`` when the creator's profile could not
  be read and the row holds what the search itself returned.
- ``Found at``: the date we found the creator. Dates are UTC dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from scraping.contacts.provenance import source_words
from scraping.models import Creator

from .searches import platform_label

EMAIL_COLUMNS = 5

HEADERS: tuple[str, ...] = (
    "Platform", "Handle", "Display name", "Profile URL", "Followers", "Verified", "Private",
    "Engagement", "Median views",
    *(f"Email {n}" for n in range(1, EMAIL_COLUMNS + 1)), "More emails", "Email sources",
    "Links", "Social links", "Bio",
    "Content URL", "Content title", "Content description", "Views", "Likes", "Comments",
    "Shares", "Published date", "Duration (seconds)", "Hashtags",
    "Similarity", "Search", "Keywords/Target", "Profile status", "Found at",
)  # fmt: skip

# The Creator fields ``cells`` reads (plus the ``median_views`` annotation).
READS: tuple[str, ...] = (
    "platform", "username", "display_name", "profile_url", "followers", "verified",
    "is_private", "engagement", "emails", "email_details", "links", "social_handles", "bio",
    "content_url", "content_title", "content_description", "views", "likes", "comments",
    "shares", "published_at", "duration_seconds", "hashtags", "similarity_score",
    "enrichment", "enrichment_error", "created_at",
)  # fmt: skip

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


def cells(row: dict, *, search: str, terms: str) -> list[Any]:
    """One creator row (``READS`` + ``median_views``) → its values, in ``HEADERS`` order.

    ``search`` and ``terms`` fill the Search and Keywords/Target columns.
    """
    emails = [str(email) for email in row["emails"] or () if email]
    first = (emails + [""] * EMAIL_COLUMNS)[:EMAIL_COLUMNS]
    return [
        platform_label(row["platform"]),
        row["username"],
        row["display_name"],
        row["profile_url"],
        row["followers"],
        bool(row["verified"]),
        bool(row["is_private"]),
        row["engagement"],
        row["median_views"],
        *first,
        _joined(emails[EMAIL_COLUMNS:]),
        _email_sources(emails, row["email_details"]),
        _joined(row["links"]),
        _social_links(row["social_handles"]),
        row["bio"],
        row["content_url"],
        row["content_title"],
        row["content_description"],
        row["views"],
        row["likes"],
        row["comments"],
        row["shares"],
        utc_date(row["published_at"]),
        row["duration_seconds"],
        _hashtags(row["hashtags"]),
        row["similarity_score"],
        search,
        terms,
        _profile_status(row["enrichment"], row["enrichment_error"]),
        utc_date(row["created_at"]),
    ]


def utc_date(value: datetime | None) -> date | None:
    """The UTC date of a stored datetime (``None`` stays ``None``)."""
    return None if value is None else value.astimezone(UTC).date()


def _joined(values: Iterable[Any] | None) -> str:
    return "; ".join(str(v) for v in values or () if v not in (None, ""))


def _email_sources(emails: list[str], details: list[dict] | None) -> str:
    sources: dict[str, object] = {}
    for item in details or ():
        if isinstance(item, dict) and item.get("email") and item.get("source"):
            sources.setdefault(str(item["email"]).lower(), item.get("source"))
    return "; ".join(
        f"Email {n}: {source_words(sources.get(email.lower()))}"
        for n, email in enumerate(emails, 1)
    )


def _social_links(handles: dict | None) -> str:
    if not isinstance(handles, dict):
        return ""
    return "; ".join(
        template.format(handles[key]) for key, template in _SOCIAL_URLS if handles.get(key)
    )


def _hashtags(tags: list[str] | None) -> str:
    return " ".join(f"#{str(tag).lstrip('#')}" for tag in tags or () if tag)


def _profile_status(enrichment: str, error: str) -> str:
    if enrichment == Creator.Enrichment.UNAVAILABLE:
        return f"Unavailable: {error}" if error else "Unavailable"
    return "Read"
