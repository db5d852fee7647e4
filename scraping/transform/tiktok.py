"""TikTok bodies → creator fields (search items, users, profiles)."""

from typing import Any

from .values import (
    clean_text,
    epoch_to_iso,
    first_url,
    hashtags_in,
    iso_or_none,
    positive_or_none,
    safe_http_url,
    to_int,
    to_text,
)


def profile_url(username: str) -> str:
    return f"https://www.tiktok.com/@{username}" if username else ""


def _author_fields(author: dict) -> dict[str, Any]:
    username = to_text(author.get("unique_id") or author.get("uniqueId"))
    return {
        "external_id": to_text(str(author.get("uid") or author.get("id") or "")),
        "username": username,
        "display_name": to_text(author.get("nickname")),
        "profile_url": profile_url(username),
        "avatar_url": first_url(
            author.get("avatar_larger") or author.get("avatar_medium") or author.get("avatar_thumb")
        ),
        # 0 followers in search results means "not provided", not a creator with no audience.
        "followers": positive_or_none(author.get("follower_count")),
        "verified": bool(author.get("verification_type")) or bool(author.get("custom_verify")),
        "is_private": bool(author.get("secret") or author.get("is_private_account")),
    }


def video_seed(item: dict, *, keyword: str = "") -> dict[str, Any] | None:
    """A keyword/hashtag search item (wrapped in aweme_info or flat) → creator seed."""
    aweme = item.get("aweme_info", item) if isinstance(item, dict) else None
    if not isinstance(aweme, dict) or not isinstance(aweme.get("author"), dict):
        return None
    seed = _author_fields(aweme["author"])
    if not seed["external_id"]:
        return None
    stats = aweme.get("statistics") or {}
    aweme_id = to_text(str(aweme.get("aweme_id") or ""))
    url = safe_http_url(aweme.get("url"))
    if not url and aweme_id and seed["username"]:
        url = f"https://www.tiktok.com/@{seed['username']}/video/{aweme_id}"
    duration_ms = to_int((aweme.get("video") or {}).get("duration"))
    seed.update(
        content_title="",
        content_description=to_text(aweme.get("desc")),
        content_url=url,
        views=to_int(stats.get("play_count")),
        likes=to_int(stats.get("digg_count")),
        comments=to_int(stats.get("comment_count")),
        shares=to_int(stats.get("share_count")),
        published_at=iso_or_none(aweme.get("create_time_utc"))
        or epoch_to_iso(aweme.get("create_time")),
        duration_seconds=round(duration_ms / 1000) if duration_ms else None,
        hashtags=_hashtags(aweme),
        keyword=keyword,
    )
    return seed


def _hashtags(aweme: dict) -> list[str]:
    """The video's hashtags, lower-cased, in order: `text_extra` (type 1), then `cha_list`, then
    the #words of `desc` (a trimmed answer has only the caption)."""
    tags: dict[str, None] = {}
    for extra in aweme.get("text_extra") or []:
        if isinstance(extra, dict) and extra.get("type") == 1 and extra.get("hashtag_name"):
            tags.setdefault(clean_text(str(extra["hashtag_name"])).lower(), None)
    for challenge in aweme.get("cha_list") or []:
        if isinstance(challenge, dict) and challenge.get("cha_name"):
            tags.setdefault(clean_text(str(challenge["cha_name"])).lower(), None)
    for tag in hashtags_in(to_text(aweme.get("desc"))):
        tags.setdefault(tag, None)
    return list(tags)


def user_seed(item: dict, *, keyword: str = "") -> dict[str, Any] | None:
    """A users-search entry ({user_info: …} or flat) or a following entry → creator seed."""
    info = item.get("user_info", item) if isinstance(item, dict) else None
    if not isinstance(info, dict):
        return None
    seed = _author_fields(info)
    if not seed["external_id"] or not seed["username"]:
        return None
    seed["keyword"] = keyword
    seed["bio"] = to_text(info.get("signature"))
    return seed


def profile(body: dict) -> dict[str, Any] | None:
    """/v1/tiktok/profile → profile fields, or None for a soft "not found" answer."""
    user = body.get("user") if isinstance(body, dict) else None
    if not isinstance(user, dict) or body.get("account_deactivated"):
        return None
    stats_v2, stats = body.get("statsV2") or {}, body.get("stats") or {}
    username = to_text(user.get("uniqueId"))
    bio_link = user.get("bioLink")
    return {
        "external_id": to_text(str(user.get("id") or "")),
        "username": username,
        "display_name": to_text(user.get("nickname")),
        "profile_url": profile_url(username),
        "avatar_url": first_url([user.get("avatarLarger"), user.get("avatarMedium")]),
        # statsV2 holds exact strings; stats is rounded.
        "followers": to_int(stats_v2.get("followerCount"))
        if stats_v2.get("followerCount") is not None
        else to_int(stats.get("followerCount")),
        "bio": to_text(user.get("signature")),
        "verified": bool(user.get("verified")),
        "is_private": bool(user.get("privateAccount") or user.get("secret")),
        "link_fields": [bio_link] if bio_link else [],
        "category": to_text((user.get("commerceUserInfo") or {}).get("category")),
        "language": to_text(user.get("language")),
        "video_count": to_int(stats_v2.get("videoCount") or stats.get("videoCount")),
    }
