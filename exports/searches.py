"""What every row of one search shares: the search's label and its keywords or target."""

from __future__ import annotations

from dataclasses import dataclass

from scraping.models import Platform, ScrapingJob, SearchType


@dataclass(frozen=True, slots=True)
class SearchInfo:
    terms: str  # the Keywords/Target column: "running, yoga", "#gym, #fit", "maya"
    label: str  # the Search column: "TikTok keyword: running, yoga"

    @classmethod
    def of(cls, job: ScrapingJob) -> SearchInfo:
        if job.search_type == SearchType.SIMILAR:
            terms, shown = job.target_username or "", _target_label(job)
        elif job.search_type == SearchType.HASHTAG:
            terms = shown = ", ".join(f"#{tag}" for tag in job.keywords or [])
        else:
            terms = shown = ", ".join(job.keywords or [])
        return cls(terms=terms, label=f"{platform_label(job.platform)} {job.search_type}: {shown}")


def search_label(job: ScrapingJob) -> str:
    """``TikTok keyword: running, yoga``, ``Instagram hashtag: #gym``, ``TikTok similar: @maya``."""
    return SearchInfo.of(job).label


def platform_label(code: str) -> str:
    """``tiktok`` → ``TikTok`` (an unknown code is shown as stored)."""
    try:
        return Platform(code).label
    except ValueError:
        return code


def _target_label(job: ScrapingJob) -> str:
    # A handle is shown @maya; a YouTube channel id (UC + 22 characters) is not a handle.
    target = job.target_username or ""
    is_channel_id = job.platform == Platform.YOUTUBE and len(target) == 24 and target[:2] == "UC"
    return target if is_channel_id or not target else f"@{target}"
