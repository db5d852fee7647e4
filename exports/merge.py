"""The campaign file: one creator found by several searches becomes one row.

A creator is the same creator in two searches when both rows have the same platform and
upstream id. Their rows (oldest first) merge as follows:

- Profile fields (handle, name, profile URL, followers, verified, private, bio, social links):
  the most recent known value, from the searches that read the profile before those that could
  not (whose rows only hold what the search returned).
- Emails and links: the union, newest first; an address's source is the most recent one known.
- Top content (URL, title, description, numbers, engagement, date, duration, hashtags): all from
  the most recent search that has content, so the numbers belong to one piece of content.
- Similarity: the highest score any similar search gave.
- Search and Keywords/Target: every search that found the creator, in the order they did.
- Profile status: ``Read`` if any search read the profile. Found at: the first time.
"""

from __future__ import annotations

from typing import Any

from scraping.models import Creator

from .searches import SearchInfo

PROFILE = (
    "username", "display_name", "profile_url", "followers", "verified", "is_private", "bio",
    "social_handles",
)  # fmt: skip
CONTENT = (
    "content_url", "content_title", "content_description", "views", "likes", "comments",
    "shares", "engagement", "published_at", "duration_seconds", "hashtags",
)  # fmt: skip


def merge(group: list[dict], searches: dict[Any, SearchInfo]) -> tuple[dict, str, str]:
    """One creator's rows, oldest first → ``(row, search, terms)``: the merged row and its
    Search and Keywords/Target cells."""
    infos = [searches[row["job_id"]] for row in group]
    search = "; ".join(dict.fromkeys(info.label for info in infos))
    terms = "; ".join(dict.fromkeys(info.terms for info in infos if info.terms))
    if len(group) == 1:
        return group[0], search, terms

    newest_first = group[::-1]
    read = [r for r in newest_first if r["enrichment"] != Creator.Enrichment.UNAVAILABLE]
    unread = [r for r in newest_first if r["enrichment"] == Creator.Enrichment.UNAVAILABLE]
    merged = dict(group[-1])
    for field in PROFILE:
        merged[field] = next((r[field] for r in read + unread if _known(r[field])), merged[field])
    with_content = next((r for r in newest_first if _has_content(r)), group[-1])
    for field in CONTENT:
        merged[field] = with_content[field]

    emails: dict[str, None] = {}
    details: list[dict] = []
    links: dict[str, None] = {}
    for r in newest_first:
        emails.update(dict.fromkeys(r["emails"] or ()))
        details.extend(d for d in r["email_details"] or () if isinstance(d, dict))
        links.update(dict.fromkeys(r["links"] or ()))
    merged["emails"], merged["email_details"], merged["links"] = list(emails), details, list(links)

    scores = [r["similarity_score"] for r in group if r["similarity_score"] is not None]
    merged["similarity_score"] = max(scores, default=None)
    if read:
        merged["enrichment"], merged["enrichment_error"] = read[0]["enrichment"], ""
    merged["created_at"] = group[0]["created_at"]
    return merged, search, terms


def _known(value: Any) -> bool:
    # False and 0 are known values; blank text and empty lists or dicts are not.
    return value not in (None, "", [], {})


def _has_content(row: dict) -> bool:
    return bool(row["content_url"] or row["content_title"] or row["content_description"])
