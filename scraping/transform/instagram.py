"""Instagram bodies → creator fields (hashtag posts, profiles, related profiles)."""

from typing import Any

from .values import (
    epoch_to_iso,
    first_url,
    hashtags_in,
    iso_or_none,
    safe_http_url,
    to_int,
    to_text,
)


def profile_url(username: str) -> str:
    return f"https://www.instagram.com/{username}/" if username else ""


def post_seed(post: dict, *, keyword: str = "") -> dict[str, Any] | None:
    """A hashtag-search post → creator seed (the owner, with the post as top content)."""
    owner = post.get("owner") if isinstance(post, dict) else None
    if not isinstance(owner, dict):
        return None
    username = to_text(owner.get("username"))
    external_id = to_text(str(owner.get("id") or ""))
    if not external_id or not username:
        return None
    caption = post.get("caption")
    if isinstance(caption, dict):  # the feed shape nests it
        caption = caption.get("text")
    caption = to_text(caption)
    duration = post.get("video_duration")
    return {
        "external_id": external_id,
        "username": username,
        "display_name": to_text(owner.get("full_name")),
        "profile_url": profile_url(username),
        "avatar_url": safe_http_url(owner.get("profile_pic_url")),
        "followers": to_int(owner.get("follower_count")),
        "verified": bool(owner.get("is_verified")),
        "is_private": bool(owner.get("is_private")),
        "content_title": "",
        "content_description": caption,
        "content_url": safe_http_url(post.get("url")),
        # The v2 search carries no play count: views stay unknown, never guessed.
        "views": to_int(post.get("video_view_count") or post.get("play_count")),
        "likes": to_int(post.get("like_count")),
        "comments": to_int(post.get("comment_count")),
        "shares": None,
        "published_at": iso_or_none(post.get("taken_at")) or epoch_to_iso(post.get("taken_at")),
        "duration_seconds": round(duration) if isinstance(duration, int | float) else None,
        "hashtags": hashtags_in(caption),
        "keyword": keyword,
    }


def related_seeds(body: dict, *, keyword: str = "") -> list[dict[str, Any]]:
    """`edge_related_profiles` of a profile body (missing or empty on many accounts)."""
    user = _user(body)
    edges = ((user or {}).get("edge_related_profiles") or {}).get("edges") or []
    seeds = []
    for edge in edges:
        node = edge.get("node") if isinstance(edge, dict) else None
        if not isinstance(node, dict) or not node.get("username"):
            continue
        username = to_text(node["username"])
        seeds.append(
            {
                "external_id": to_text(str(node.get("id") or "")),
                "username": username,
                "display_name": to_text(node.get("full_name")),
                "profile_url": profile_url(username),
                "avatar_url": safe_http_url(node.get("profile_pic_url")),
                "followers": None,
                "verified": bool(node.get("is_verified")),
                "is_private": bool(node.get("is_private")),
                "keyword": keyword,
            }
        )
    return [s for s in seeds if s["external_id"]]


def _user(body: dict) -> dict | None:
    if not isinstance(body, dict):
        return None
    data = body.get("data")
    user = data.get("user") if isinstance(data, dict) else None
    return user if isinstance(user, dict) else None


def profile(body: dict) -> dict[str, Any] | None:
    """/v1/instagram/profile → profile fields."""
    user = _user(body)
    if user is None:
        return None
    username = to_text(user.get("username"))
    media = user.get("edge_owner_to_timeline_media") or {}
    top = _top_post(media.get("edges") or [], username)
    return {
        "external_id": to_text(str(user.get("id") or "")),
        "username": username,
        "display_name": to_text(user.get("full_name")),
        "profile_url": profile_url(username),
        "avatar_url": first_url([user.get("profile_pic_url_hd"), user.get("profile_pic_url")]),
        "followers": to_int((user.get("edge_followed_by") or {}).get("count")),
        "bio": to_text(user.get("biography")),
        "verified": bool(user.get("is_verified")),
        "is_private": bool(user.get("is_private")),
        "link_fields": list(user.get("bio_links") or []),
        # Not a link of its own: only feeds contacts, where links are http(s) only and a
        # mailto: gives an email.
        "external_url": to_text(user.get("external_url")),
        "business_email": to_text(user.get("business_email")),
        "category": to_text(user.get("category_name") or user.get("business_category_name")),
        "top_post": top,
    }


def _top_post(edges: list, username: str) -> dict[str, Any] | None:
    """The most-liked recent post, as top content for similar searches."""
    best: dict[str, Any] | None = None
    for edge in edges:
        node = edge.get("node") if isinstance(edge, dict) else None
        if not isinstance(node, dict):
            continue
        likes = to_int(
            (node.get("edge_liked_by") or node.get("edge_media_preview_like") or {}).get("count")
        )
        if best is None or (likes or 0) > (best["likes"] or 0):
            captions = (node.get("edge_media_to_caption") or {}).get("edges") or []
            caption = (
                to_text(((captions[0] or {}).get("node") or {}).get("text")) if captions else ""
            )
            shortcode = to_text(node.get("shortcode"))
            kind = "reel" if node.get("product_type") == "clips" else "p"
            best = {
                "content_description": caption,
                "content_url": f"https://www.instagram.com/{kind}/{shortcode}/"
                if shortcode
                else "",
                "views": to_int(node.get("video_view_count")),
                "likes": likes,
                "comments": to_int((node.get("edge_media_to_comment") or {}).get("count")),
                "published_at": epoch_to_iso(node.get("taken_at_timestamp")),
                "hashtags": hashtags_in(caption),
            }
    return best
