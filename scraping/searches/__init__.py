"""The six searches, by `<platform>_<search type>`."""

from .base import PageResult, Search, StepCancelled, StepContext, creator_fields
from .instagram import InstagramHashtag, InstagramSimilar
from .targets import TargetNotFound
from .tiktok import TikTokKeyword, TikTokSimilar
from .youtube import YouTubeKeyword, YouTubeSimilar

SEARCHES: dict[str, Search] = {
    f"{s.platform}_{s.search_type}": s
    for s in (
        TikTokKeyword(),
        TikTokSimilar(),
        InstagramHashtag(),
        InstagramSimilar(),
        YouTubeKeyword(),
        YouTubeSimilar(),
    )
}

__all__ = [
    "SEARCHES",
    "PageResult",
    "Search",
    "StepCancelled",
    "StepContext",
    "TargetNotFound",
    "creator_fields",
]
