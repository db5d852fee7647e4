"""Recent-posts bodies → plain posts, one parser per platform.

A post is {"url", "published_at", "views", "likes", "comments", "shares", "caption"}: counts
are ints or None (unknown, never guessed), `published_at` an ISO datetime or None. Parsers are
tolerant like the search transforms: missing keys, numbers as strings, wrapped or flat items.
"""

import re
from typing import Any

from scraping.transform.values import (
    epoch_to_iso,
    iso_or_none,
    positive_or_none,
    safe_http_url,
    to_int,
    to_text,
)

Post = dict[str, Any]


def _post(*, url, published_at, views, likes, comments, shares, caption) -> Post:
    return {
        "url": url,
        "published_at": published_at,
        "views": views,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "caption": caption,
    }


def _dicts(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# --- TikTok: /v3/tiktok/profile/videos ---------------------------------------------------------


def tiktok_posts(body: dict) -> list[Post]:
    """`aweme_list`; pinned videos (`is_top`) are kept, ordering by date is the caller's."""
    posts = []
    for aweme in _dicts((body or {}).get("aweme_list")):
        if isinstance(aweme.get("aweme_info"), dict):  # the search shape wraps it
            aweme = aweme["aweme_info"]
        stats = aweme.get("statistics") or {}
        author = (aweme.get("author") or {}).get("unique_id") or ""
        aweme_id = to_text(str(aweme.get("aweme_id") or ""))
        url = safe_http_url(aweme.get("url"))
        if not url and aweme_id and author:
            url = f"https://www.tiktok.com/@{to_text(author)}/video/{aweme_id}"
        posts.append(
            _post(
                url=url,
                published_at=iso_or_none(aweme.get("create_time_utc"))
                or epoch_to_iso(aweme.get("create_time")),
                # TikTok reports 0 plays when it does not give the count: unknown, not zero.
                views=positive_or_none(stats.get("play_count")),
                likes=to_int(stats.get("digg_count")),
                comments=to_int(stats.get("comment_count")),
                shares=to_int(stats.get("share_count")),
                caption=to_text(aweme.get("desc")),
            )
        )
    return posts


def tiktok_followers(body: dict) -> int | None:
    """The author's follower count as the videos body carries it (each aweme's author)."""
    for aweme in _dicts((body or {}).get("aweme_list")):
        followers = positive_or_none((aweme.get("author") or {}).get("follower_count"))
        if followers:
            return followers
    return None


# --- Instagram: /v2/instagram/user/posts and /v1/instagram/user/reels --------------------------


def instagram_posts(body: dict) -> list[Post]:
    """`items` of the feed: photos, carousels and reels. Views exist for videos only."""
    posts = []
    for item in _dicts((body or {}).get("items")):
        # Hidden counts: the numbers in the body are not the real ones.
        hidden = bool(item.get("like_and_view_counts_disabled"))
        caption = item.get("caption")
        code = to_text(item.get("code"))
        url = safe_http_url(item.get("url"))
        if not url and code:
            kind = "reel" if item.get("product_type") == "clips" else "p"
            url = f"https://www.instagram.com/{kind}/{code}/"
        posts.append(
            _post(
                url=url,
                published_at=epoch_to_iso(item.get("taken_at")),
                views=None if hidden else _instagram_views(item),
                likes=None if hidden else to_int(item.get("like_count")),
                comments=to_int(item.get("comment_count")),
                shares=None,
                caption=to_text(caption.get("text")) if isinstance(caption, dict) else "",
            )
        )
    return posts


def _instagram_views(media: dict) -> int | None:
    # ig_play_count leaves out views of the Facebook cross-post; play_count when it is absent.
    views = media.get("ig_play_count")
    return to_int(views if views is not None else media.get("play_count"))


def instagram_views_missing(body: dict) -> bool:
    """The feed has reels (whose counts are not hidden) but none carries a view count: some
    feeds leave them out, and the reels endpoint has them."""
    reels = [
        item
        for item in _dicts((body or {}).get("items"))
        if to_int(item.get("media_type")) == 2 and not item.get("like_and_view_counts_disabled")
    ]
    return bool(reels) and all(_instagram_views(item) is None for item in reels)


def instagram_reel_views(body: dict) -> dict[str, int]:
    """Play counts of the reels endpoint by shortcode (items wrapped in `media`, or flat)."""
    views = {}
    for item in _dicts((body or {}).get("items")):
        media = item["media"] if isinstance(item.get("media"), dict) else item
        code, count = to_text(media.get("code")), _instagram_views(media)
        if code and count is not None and not media.get("like_and_view_counts_disabled"):
            views[code] = count
    return views


def with_reel_views(posts: list[Post], reel_views: dict[str, int]) -> list[Post]:
    """Posts whose views were missing, completed from the reels endpoint by shortcode."""
    completed = []
    for post in posts:
        code = shortcode(post["url"])
        if post["views"] is None and code in reel_views:
            post = {**post, "views": reel_views[code]}
        completed.append(post)
    return completed


_SHORTCODE = re.compile(r"instagram\.com/(?:[^/?#]+/)?(?:p|reel|reels|tv)/([^/?#]+)")


def shortcode(url: str) -> str:
    """https://www.instagram.com/<user>/reel/<code>/ or …/reel/<code> → <code>."""
    match = _SHORTCODE.search(url or "")
    return match.group(1) if match else ""


# --- YouTube: /v1/youtube/channel-videos ------------------------------------------------------


def youtube_posts(body: dict) -> list[Post]:
    """`videos`; likes and comments come only with includeExtras (often hidden or missing)."""
    posts = []
    for video in _dicts((body or {}).get("videos")):
        views, video_id = video.get("viewCountInt"), to_text(video.get("id"))
        url = safe_http_url(video.get("url"))
        if not url and video_id:
            url = f"https://www.youtube.com/watch?v={video_id}"
        posts.append(
            _post(
                url=url,
                # Approximate: ScrapeCreators derives it from "3 weeks ago".
                published_at=iso_or_none(video.get("publishedTime")),
                views=to_int(views) if views is not None else to_int(video.get("viewCountText")),
                likes=to_int(video.get("likeCountInt")),
                comments=to_int(video.get("commentCountInt")),
                shares=None,
                caption=to_text(video.get("title")),
            )
        )
    return posts
