"""`/v2/instagram/user/posts` and `/v1/instagram/user/reels` (bodies without the envelope).

Shapes of `instagram_user_posts_v2.json` and `instagram_user_reels.json`. A creator's feed
follows its rhythm and audience (`activity`): half reels, a quarter carousels (with tagged
users), a quarter photos; views exist on reels only. Quirks real feeds have:

* about 1 in 5 creators' posts carry no view counts at all (`play_count`/`ig_play_count`
  absent, `has_views_fetching: false`): their reels endpoint has them;
* about 1 in 15 posts hide their counts (`like_and_view_counts_disabled: true`, zeros);
* about 1 in 4 creators pin 1-3 older posts at the top of the first page
  (`timeline_pinned_user_ids`); the reels endpoint leaves pinned reels out;
* about 1 in 10 posts have no caption (`caption: null`); reels never carry one.

Posts come 12 a page (`next_max_id` = "<pk>_<user id>" of the last item), reels 12 a page
(`paging_info.max_id`, opaque). Private accounts have no posts.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from .activity import activity, post_rng, post_times
from .common import DEFAULT_BASE_URL, BadRequest, alnum, b64id, digits, rng
from .instagram import Creator, P, creator, media_url, pic_url, resolve, video_url

POSTS_PAGE = 12
REELS_PAGE = 12
KINDS = (("clips", 2, 50), ("carousel_container", 8, 25), ("feed", 1, 25))


@lru_cache(maxsize=2048)
def _timeline(handle: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """((index, taken_at) of the chronological feed, of the pinned posts) for a creator."""
    timeline = list(enumerate(post_times(P, handle, creator(handle).posts)))
    r = rng("ig-pinned", handle)
    pinned = []
    if len(timeline) > 15 and r.random() < 0.25:
        pinned = r.sample(timeline[15:], k=r.choice([1, 2, 3]))
    return tuple(t for t in timeline if t not in pinned), tuple(pinned)


def _views_missing(handle: str) -> bool:
    return rng("ig-no-views", handle).random() < 0.2


def _kind(handle: str, index: int) -> tuple[str, int]:
    r = post_rng(P, handle, index, "kind")
    product, media_type, _ = r.choices(KINDS, weights=[w for *_, w in KINDS])[0]
    return product, media_type


def _short_user(c: Creator, base_url: str, *parts: object) -> dict:
    return {
        "pk": c.id,
        "pk_id": c.id,
        "id": c.id,
        "username": c.handle,
        "full_name": c.full_name,
        "is_private": c.private,
        "strong_id__": c.id,
        "is_verified": c.verified,
        "profile_pic_id": f"{digits('ig-pic-id', c.handle, *parts, n=19, first='3')}_{c.id}",
        "profile_pic_url": pic_url(c, 150, base_url),
    }


def _user(c: Creator, base_url: str, *parts: object) -> dict:
    hd = {"height": 320, "url": pic_url(c, 320, base_url), "width": 320}
    return {
        **_short_user(c, base_url, *parts),
        "fbid_v2": digits("ig-fbid2", c.handle, n=17, first="1"),
        "feed_post_reshare_disabled": False,
        "is_unpublished": False,
        "show_account_transparency_details": True,
        "third_party_downloads_enabled": 1,
        "account_type": 3 if c.business else (2 if c.professional else 1),
        "account_badges": [],
        "has_anonymous_profile_picture": False,
        "hd_profile_pic_url_info": hd,
        "hd_profile_pic_versions": [dict(hd)],
        "transparency_product_enabled": False,
        "is_embeds_disabled": False,
    }


def _candidates(base_url: str, height: int, *parts: object) -> list[dict]:
    return [
        {"width": 1080, "height": height, "url": media_url(base_url, "c1080", *parts)},
        {"width": 640, "height": height * 640 // 1080, "url": media_url(base_url, "c640", *parts)},
    ]


def _videos(*parts: object) -> list[dict]:
    return [
        {
            "bandwidth": None,
            "height": 1280,
            "type": 101,
            "url": video_url("720", *parts),
            "width": 720,
        },
        {
            "bandwidth": None,
            "height": 854,
            "type": 102,
            "url": video_url("480", *parts),
            "width": 480,
        },
    ]


def _caption(c: Creator, pk: str, taken: int, base_url: str) -> dict | None:
    r = rng("ig-caption", c.handle, pk)
    if r.random() < 0.1:
        return None
    tags = " ".join(f"#{t}" for t in r.sample(c.persona.topic.hashtags, 2))
    return {
        "bit_flags": 0,
        "created_at": taken + 2,
        "created_at_utc": taken + 2,
        "did_report_as_spam": False,
        "is_ranked_comment": False,
        "pk": digits("ig-caption-pk", pk, n=17, first="1"),
        "share_enabled": False,
        "content_type": "comment",
        "media_id": pk,
        "status": "Active",
        "type": 1,
        "user_id": c.id,
        "strong_id__": digits("ig-caption-sid", pk, n=17, first="1"),
        "text": f"{r.choice(c.persona.topic.captions)} {c.persona.topic.emoji} {tags}",
        "user": _short_user(c, base_url, "caption"),
        "is_covered": False,
        "private_reply_status": 0,
    }


def _counts(c: Creator, index: int) -> dict:
    level = activity(P, c.handle)
    r = post_rng(P, c.handle, index, "stats")
    likes = max(1, int(c.followers * level.rate * r.uniform(0.6, 1.4)))
    return {
        "likes": likes,
        "comments": int(likes * r.uniform(0.01, 0.05)),
        "views": max(1, int(c.followers * level.reach * r.uniform(0.4, 1.8))),
        "hidden": r.random() < 1 / 15,
    }


def _media(handle: str, index: int, taken: int, pinned: bool, base_url: str) -> dict:
    """One post of the feed (index 0 = the newest chronological post)."""
    c = creator(handle)
    product, media_type = _kind(handle, index)
    r = post_rng(P, handle, index, "media")
    pk = digits("ig-feed-pk", handle, index, n=19, first="3")
    code = alnum("ig-feed-code", handle, index, n=11)
    height = 1920 if product == "clips" else r.choice([1080, 1350])
    counts = _counts(c, index)
    hidden = counts["hidden"]
    path = "reel" if product == "clips" else "p"
    item = {
        "pk": pk,
        "id": f"{pk}_{c.id}",
        "fbid": digits("ig-fbid", pk, n=17, first="1"),
        "device_timestamp": taken * 1_000_000 + r.randint(0, 999_999),
        "caption_is_edited": False,
        "strong_id__": f"{pk}_{c.id}",
        "deleted_reason": 0,
        "has_shared_to_fb": 0,
        "like_and_view_counts_disabled": hidden,
        "commerciality_status": "not_commercial",
        "filter_type": 0,
        "taken_at": taken,
        "photo_of_you": False,
        "can_see_insights_as_brand": False,
        "media_type": media_type,
        "code": code,
        "caption": _caption(c, pk, taken, base_url),
        "timeline_pinned_user_ids": [c.id] if pinned else [],
        "display_uri": media_url(base_url, "display", handle, "feed", index),
        "fb_user_tags": {"in": []},
        "coauthor_producers": [],
        "user": _user(c, base_url, "user", index),
        "owner": _user(c, base_url, "owner", index),
        "image_versions2": {"candidates": _candidates(base_url, height, handle, index)},
        "original_width": 1080,
        "original_height": height,
        "product_type": product,
        "is_paid_partnership": r.random() < 0.05,
        "music_metadata": None,
        "comment_count": counts["comments"],
        "like_count": 0 if hidden else counts["likes"],
        "has_liked": False,
        "preview_comments": [],
        "url": f"https://www.instagram.com/{handle}/{path}/{code}/",
    }
    if product == "clips":
        views = 0 if hidden else counts["views"]
        if not _views_missing(handle):
            item.update({"play_count": views, "ig_play_count": views})
        item.update(
            {
                "has_views_fetching": not _views_missing(handle),
                "video_duration": round(r.uniform(5, 90), 1),
                "has_audio": True,
                "number_of_qualities": 3,
                "video_versions": _videos(handle, index),
            }
        )
    elif product == "carousel_container":
        item.update(_carousel(c, index, height, base_url, r))
    return item


def _carousel(c: Creator, index: int, height: int, base_url: str, r) -> dict:
    tagged = creator(f"{c.persona.first}.{c.persona.topic.key.replace(' ', '')}{index % 7}")
    slides = []
    for j in range(r.randint(2, 5)):
        slide: dict[str, Any] = {
            "id": f"{digits('ig-slide', c.handle, index, j, n=19, first='3')}_{c.id}",
            "media_type": 2 if j == 0 and r.random() < 0.3 else 1,
            "image_versions2": {"candidates": _candidates(base_url, height, c.handle, index, j)},
            "original_width": 1080,
            "original_height": height,
        }
        if slide["media_type"] == 2:
            slide.update(
                {
                    # Carousel slides list one rendition, without `bandwidth`.
                    "video_versions": [
                        {
                            k: v
                            for k, v in _videos(c.handle, index, j)[0].items()
                            if k != "bandwidth"
                        }
                    ],
                    "video_duration": round(r.uniform(3, 30), 1),
                }
            )
        slides.append(slide)
    return {
        "usertags": {
            "in": [
                {
                    "position": [round(r.uniform(0.1, 0.9), 2), round(r.uniform(0.1, 0.9), 2)],
                    "user": _short_user(tagged, base_url, "tag"),
                }
            ]
        },
        "carousel_media_count": len(slides),
        "carousel_media": slides,
    }


def instagram_user_posts(
    handle: str | None, next_max_id: str | None = None, base_url: str = DEFAULT_BASE_URL
) -> dict:
    """`/v2/instagram/user/posts` body: 12 posts a page, the next page by `next_max_id`."""
    h = resolve(handle)
    c = creator(h)
    feed, pinned = ((), ()) if c.private else _timeline(h)
    start = 0
    if next_max_id:
        pks = [f"{digits('ig-feed-pk', h, i, n=19, first='3')}_{c.id}" for i, _ in feed]
        if next_max_id not in pks:
            raise BadRequest("Invalid next_max_id")
        start = pks.index(next_max_id) + 1
    page = feed[start : start + POSTS_PAGE]
    more = start + POSTS_PAGE < len(feed)
    top = pinned if not next_max_id else ()
    items = [_media(h, i, t, True, base_url) for i, t in top]
    items += [_media(h, i, t, False, base_url) for i, t in page]
    user = {
        **_short_user(c, base_url, "feed-user"),
        "is_active_on_text_post_app": rng("ig-threads", h).random() < 0.5,
        "profile_grid_display_type": "default",
    }
    return {
        "profile_grid_items": None,
        "profile_grid_items_cursor": None,
        "pinned_profile_grid_items_ids": None,
        "special_empty_state": None,
        "num_results": len(items),
        "more_available": more,
        "items": items,
        "next_max_id": items[-1]["id"] if more else None,
        "user": user,
        "auto_load_more_enabled": False,
        "status": "ok",
    }


def _reel(handle: str, index: int, taken: int, base_url: str) -> dict:
    media = _media(handle, index, taken, False, base_url)
    counts = _counts(creator(handle), index)
    views = 0 if counts["hidden"] else counts["views"]
    # The reels tab has the plays even when the posts feed leaves them out; never a caption.
    code = media["code"]
    media.update({"caption": None, "url": f"https://www.instagram.com/reel/{code}"})
    media.update({"play_count": views, "ig_play_count": views, "has_views_fetching": True})
    ordered = {k: media[k] for k in media if k not in _VIDEO_KEYS}
    ordered.update({k: media[k] for k in _VIDEO_KEYS})
    ordered["view_state_item_type"] = 128
    return {"media": ordered}


_VIDEO_KEYS = (
    "play_count",
    "ig_play_count",
    "has_views_fetching",
    "video_duration",
    "has_audio",
    "number_of_qualities",
    "video_versions",
)


def _reels_token(handle: str, offset: int) -> str:
    raw = f"{offset}.{b64id('ig-reels-token', handle, offset, n=16)}".encode()
    return "QVFC" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _reels_offset(handle: str, token: str) -> int:
    try:
        raw = token[4:] + "=" * (-len(token[4:]) % 4)
        offset = int(base64.urlsafe_b64decode(raw).decode().split(".")[0])
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Invalid max_id") from exc
    if _reels_token(handle, offset) != token:
        raise BadRequest("Invalid max_id")
    return offset


def instagram_user_reels(
    handle: str | None = None,
    user_id: str | None = None,
    max_id: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> dict:
    """`/v1/instagram/user/reels` body: the creator's reels (pinned ones left out), 12 a page."""
    if not handle and user_id:
        raise BadRequest("The fake server answers reels by handle only")
    h = resolve(handle)
    c = creator(h)
    feed = () if c.private else _timeline(h)[0]
    reels = [(i, t) for i, t in feed if _kind(h, i)[0] == "clips"]
    start = _reels_offset(h, max_id) if max_id else 0
    page = reels[start : start + REELS_PAGE]
    more = start + REELS_PAGE < len(reels)
    return {
        "items": [_reel(h, i, t, base_url) for i, t in page],
        "paging_info": {
            "max_id": _reels_token(h, start + REELS_PAGE) if more else None,
            "more_available": more,
        },
        "status": "ok",
    }
