"""YouTube bodies → creator fields (search videos, channels)."""

from typing import Any
from urllib.parse import urlparse

from .values import hashtags_in, iso_or_none, safe_http_url, to_int, to_text


def channel_url(channel_id: str, handle: str = "") -> str:
    if handle:
        return f"https://www.youtube.com/@{handle}"
    return f"https://www.youtube.com/channel/{channel_id}" if channel_id else ""


def clean_handle(value: Any) -> str:
    """ "@Name", "Name" → "Name"; "channel/UC…" (no handle) → ""."""
    text = to_text(value).lstrip("@")
    return "" if text.startswith("channel/") or "/" in text else text


def video_seed(video: dict, *, keyword: str = "") -> dict[str, Any] | None:
    """A search result video or short → channel seed with the video as top content."""
    channel = video.get("channel") if isinstance(video, dict) else None
    if not isinstance(channel, dict) or not channel.get("id"):
        return None
    channel_id = to_text(channel["id"])
    handle = clean_handle(channel.get("handle"))
    title, description = to_text(video.get("title")), to_text(video.get("description"))
    return {
        "external_id": channel_id,
        "username": handle,
        "display_name": to_text(channel.get("title")),
        "profile_url": channel_url(channel_id, handle),
        "avatar_url": safe_http_url(channel.get("thumbnail")),
        "followers": None,
        "verified": False,
        "is_private": False,
        "content_title": title,
        "content_description": description,
        "content_url": safe_http_url(video.get("url")),
        "views": to_int(video.get("viewCountInt"))
        if video.get("viewCountInt") is not None
        else to_int(video.get("viewCountText")),
        "likes": to_int(video.get("likeCountInt")),
        "comments": to_int(video.get("commentCountInt")),
        "shares": None,
        "published_at": iso_or_none(video.get("publishedTime")),
        "duration_seconds": to_int(video.get("lengthSeconds")),
        "hashtags": hashtags_in(title, description),
        "keyword": keyword,
    }


def search_videos(body: dict) -> list[dict]:
    """Every video-like item of a search body: videos, shorts, then shelf items with a channel."""
    items: list[dict] = []
    for key in ("videos", "shorts", "lives"):
        items.extend(v for v in body.get(key) or [] if isinstance(v, dict))
    for shelf in body.get("shelves") or []:
        items.extend(v for v in (shelf or {}).get("items") or [] if isinstance(v, dict))
    return items


def channel(body: dict) -> dict[str, Any] | None:
    """/v1/youtube/channel → channel fields."""
    if not isinstance(body, dict) or not body.get("channelId"):
        return None
    channel_id = to_text(body["channelId"])
    handle = _handle_from_channel_url(to_text(body.get("channel")))
    sources = ((body.get("avatar") or {}).get("image") or {}).get("sources") or []
    largest = max(
        (s for s in sources if isinstance(s, dict) and safe_http_url(s.get("url"))),
        key=lambda s: to_int(s.get("width")) or 0,
        default={},
    )
    avatar = safe_http_url(largest.get("url"))
    subscribers = body.get("subscriberCount")
    links = [link for link in body.get("links") or [] if link]
    for key in ("instagram", "tiktok", "twitter", "facebook", "store", "website"):
        if isinstance(body.get(key), str) and body[key] not in links:
            links.append(body[key])
    tags = [t.strip() for t in to_text(body.get("tags")).split(",") if t.strip()]
    return {
        "external_id": channel_id,
        "username": handle,
        "display_name": to_text(body.get("name")),
        "profile_url": channel_url(channel_id, handle),
        "avatar_url": avatar,
        "followers": to_int(subscribers)
        if subscribers is not None
        else to_int(body.get("subscriberCountText")),
        "bio": to_text(body.get("description")),
        "verified": False,
        "is_private": False,
        "link_fields": links,
        "channel_email": to_text(body.get("email")),
        "tags": tags,
        "country": to_text(body.get("country")),
    }


def _handle_from_channel_url(url: str) -> str:
    path = urlparse(url).path if url else ""
    parts = [p for p in path.split("/") if p]
    return parts[0].lstrip("@") if parts and parts[0].startswith("@") else ""
