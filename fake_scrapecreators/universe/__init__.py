"""The fake ScrapeCreators universe: pure, deterministic functions that build response bodies.

Same inputs → same output, in every process (everything is derived from SHA-256 of the inputs).
The functions return bodies WITHOUT the envelope (`success`, `credits_remaining`,
`credits_charged`); the server adds it (see `with_envelope`). Unknown handles raise `NotFound`,
bad parameters `BadRequest`; the server turns both into the upstream error body.

Rules worth knowing (tests and benchmarks rely on them):

* Pools: a keyword / hashtag / users / YouTube query has a finite, ordered pool of distinct
  creators: 0 if the query has the word "empty" (first page empty, has_more 0), exactly 45 if it
  has the word "niche", else 1500. Each source (TikTok keyword, TikTok users, IG hashtag,
  YouTube search) has its own pool for the same words. Dry pages come back empty
  (`has_more: 0`; YouTube: no `continuationToken`).
* Repeats: about half the items of every TikTok keyword / IG hashtag / YouTube page are by
  creators already seen (earlier pages or earlier on the page); new creators appear in pool order,
  so `*_unique_*` helpers return the pool. A repeated TikTok author shows one of its first four
  videos, so ~1 in 4 repeats is the very same aweme (duplicate items).
* Page sizes: TikTok keyword 16-24 items (cursor always + 30), TikTok users 10 (cursor + 10),
  IG hashtag 30-40 posts for pages 1..11 only (so at most ~190 owners), YouTube 18-26 videos.
* Profiles: every handle exists except those containing "unknown" or "missing" (404). A creator's
  topic (bio, hashtags, captions) comes from its handle, so search results and profiles agree.
* Instagram related profiles: ≤ 80 valid handles from the creator's topic community (1,500 peers, or
  a closed 45 for handles containing "niche"); "norelated" in the handle → no key; ~7% → `[]`.
* TikTok following: 52-68 peers, 20 per page, paginate with the returned `min_time`.
* Emails: ~40% of creators publish at least one. `*_truth()` gives the lower-cased addresses in
  order of appearance and their sources (bio, bio_link, business_email, channel_email,
  external_url). Field order: TikTok bio, bioLink; Instagram biography, bio_links, external_url,
  business_email; YouTube description (source "bio"), email field, links (source "bio_link").
* Avatars point at the fake server's own CDN (`{base_url}/cdn/...`, see `fake_scrapecreators.cdn`).
* Recent posts (TikTok profile videos, Instagram posts and reels, YouTube channel videos) follow
  each creator's rhythm (active, quiet, dormant) and audience (engaged, typical, hollow), see
  `activity`; they include missing counts the way real feeds do (see each module).
"""

from __future__ import annotations

from datetime import UTC, datetime

from .common import (
    DEFAULT_BASE_URL,
    POOL_DEFAULT,
    POOL_EMPTY,
    POOL_NICHE,
    BadRequest,
    FakeError,
    NotFound,
    normalize_query,
    pool_size,
)
from .instagram import instagram_profile, instagram_profile_truth, instagram_related_handles
from .instagram_posts import instagram_user_posts, instagram_user_reels
from .instagram_search import instagram_hashtag_page, instagram_hashtag_unique_owners
from .tiktok import (
    tiktok_following_handles,
    tiktok_following_page,
    tiktok_profile,
    tiktok_profile_truth,
    tiktok_users_page,
    tiktok_users_unique,
)
from .tiktok_search import (
    keyword_page_plan,
    tiktok_keyword_page,
    tiktok_keyword_unique_authors,
)
from .tiktok_videos import tiktok_profile_videos
from .youtube import (
    channel_id_for_handle,
    youtube_channel,
    youtube_channel_handle,
    youtube_channel_truth,
)
from .youtube_search import youtube_search_page, youtube_search_unique_channels
from .youtube_videos import youtube_channel_videos

CACHE_AGES = {"1d": 86400, "3d": 3 * 86400, "7d": 7 * 86400, "14d": 14 * 86400, "30d": 30 * 86400}


def with_envelope(
    body: dict, credits_remaining: int, credits_charged: int = 1, cached_at: float | None = None
) -> dict:
    """The 200 body as the API sends it: envelope first, `cached`/`cached_at` last on a hit."""
    out = {
        "success": True,
        "credits_remaining": credits_remaining,
        "credits_charged": credits_charged,
        **body,
    }
    if cached_at is not None:
        out["cached"] = True
        out["cached_at"] = (
            datetime.fromtimestamp(cached_at, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )
    return out


__all__ = [
    "CACHE_AGES",
    "DEFAULT_BASE_URL",
    "POOL_DEFAULT",
    "POOL_EMPTY",
    "POOL_NICHE",
    "BadRequest",
    "FakeError",
    "NotFound",
    "channel_id_for_handle",
    "instagram_hashtag_page",
    "instagram_hashtag_unique_owners",
    "instagram_profile",
    "instagram_profile_truth",
    "instagram_related_handles",
    "instagram_user_posts",
    "instagram_user_reels",
    "keyword_page_plan",
    "normalize_query",
    "pool_size",
    "tiktok_following_handles",
    "tiktok_following_page",
    "tiktok_keyword_page",
    "tiktok_keyword_unique_authors",
    "tiktok_profile",
    "tiktok_profile_truth",
    "tiktok_profile_videos",
    "tiktok_users_page",
    "tiktok_users_unique",
    "with_envelope",
    "youtube_channel",
    "youtube_channel_handle",
    "youtube_channel_truth",
    "youtube_channel_videos",
    "youtube_search_page",
    "youtube_search_unique_channels",
]
