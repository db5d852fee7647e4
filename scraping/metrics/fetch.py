"""The upstream calls behind one creator's metrics: one page of recent posts (Instagram: plus
its reels when the posts carry no views at all). Every call goes through the shared client
(rate limiter, timeouts, retries) and is recorded with `on_record`."""

from collections.abc import Callable
from dataclasses import dataclass

from scraping.client import CallRecord, ScrapeCreatorsClient

from . import posts as parse
from .posts import Post

TIKTOK_VIDEOS = "/v3/tiktok/profile/videos"
INSTAGRAM_POSTS = "/v2/instagram/user/posts"
INSTAGRAM_REELS = "/v1/instagram/user/reels"
YOUTUBE_VIDEOS = "/v1/youtube/channel-videos"


class NoHandle(Exception):
    """TikTok and Instagram feeds are asked for by handle, and this creator has none."""


@dataclass
class Fetched:
    posts: list[Post]
    followers: int | None = None  # when the body says (TikTok's authors carry it)


def fetch_recent_posts(
    client: ScrapeCreatorsClient,
    *,
    platform: str,
    external_id: str,
    handle: str,
    on_record: Callable[[CallRecord], None],
) -> Fetched:
    """One creator's most recent posts; raises the client's UpstreamError or NoHandle."""

    def get(endpoint: str, params: dict, items: str) -> dict:
        count = lambda body: len(body.get(items) or [])  # noqa: E731
        return client.get(endpoint, params, on_record=on_record, count_items=count).body

    if platform == "youtube":
        params = {"channelId": external_id, "sort": "latest", "includeExtras": "true"}
        return Fetched(parse.youtube_posts(get(YOUTUBE_VIDEOS, params, "videos")))
    if not handle:
        raise NoHandle
    if platform == "tiktok":
        body = get(TIKTOK_VIDEOS, {"handle": handle, "sort_by": "latest"}, "aweme_list")
        return Fetched(parse.tiktok_posts(body), parse.tiktok_followers(body))
    if platform == "instagram":
        body = get(INSTAGRAM_POSTS, {"handle": handle}, "items")
        found = parse.instagram_posts(body)
        # Only reels carry views on Instagram, and some feeds leave their counts out: then the
        # reels tab (one more call) has them.
        if parse.instagram_views_missing(body):
            reels = get(INSTAGRAM_REELS, {"handle": handle}, "items")
            found = parse.with_reel_views(found, parse.instagram_reel_views(reels))
        return Fetched(found)
    raise ValueError(f"unknown platform {platform!r}")
