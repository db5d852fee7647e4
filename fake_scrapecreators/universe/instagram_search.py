"""Instagram hashtag search (bodies without the envelope)."""

from __future__ import annotations

from functools import lru_cache

from . import contacts
from .common import (
    DEFAULT_BASE_URL,
    REFERENCE_EPOCH,
    BadRequest,
    alnum,
    digits,
    iso,
    normalize_query,
    page_sizes,
    plan_page,
    rng,
)
from .instagram import COMMENTS, P, creator, media_url, pic_url, video_url
from .pools import search_pool
from .templates import template

HASHTAG_ITEMS = (30, 40)  # posts per hashtag page; half of them are new owners
MAX_PAGE = 11  # cursor "2".."11"; 12 and above is a 400 upstream

# --- hashtag search --------------------------------------------------------------------------


def parse_page(cursor: str | int | None) -> int:
    if cursor in (None, ""):
        return 1
    text = str(cursor).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise BadRequest("page must be between 1 and 11")
    return int(text)


@lru_cache(maxsize=512)
def _hashtag_chain(tag: str) -> tuple[tuple[int, int, int], ...]:
    pool = search_pool(P, "hashtag", tag)
    out, offset = [], 0
    for page in range(1, MAX_PAGE + 1):
        if offset >= len(pool):
            break
        n, new = page_sizes(rng("ig-ht-size", tag, page), *HASHTAG_ITEMS)
        new = min(new, len(pool) - offset)
        out.append((n, new, offset))
        offset += new
    return tuple(out)


def hashtag_page_plan(hashtag: str, page: int) -> list[tuple[str, int, bool]]:
    tag = normalize_query(hashtag)
    chain = _hashtag_chain(tag)
    if not 1 <= page <= len(chain):
        return []
    n, new, offset = chain[page - 1]
    plan = plan_page(("ig-ht", tag, page), search_pool(P, "hashtag", tag), offset, n, new)
    r = rng("ig-ht-post", tag, page)
    return [(h, 0 if is_new else r.randrange(4), is_new) for h, is_new in plan]


def _post(handle: str, idx: int, tag: str, base_url: str) -> dict:
    c = creator(handle)
    r = rng("ig-post", handle, idx, tag)
    post = template("instagram_hashtag_post")
    owner = {
        "id": c.id,
        "username": c.handle,
        "is_verified": c.verified,
        "profile_pic_url": pic_url(c, 150, base_url),
        "full_name": c.full_name,
    }
    if r.random() < 0.5:  # the docs-only owner fields, present on some items only
        owner.update(
            {
                "is_private": c.private,
                "is_unpublished": False,
                "follower_count": c.followers,
                "post_count": c.posts,
            }
        )
    taken = REFERENCE_EPOCH - r.randint(3600, 200 * 86400)
    code = alnum("igsc", handle, idx, n=11)
    likes = int(c.followers * r.uniform(0.005, 0.1))
    tags = f"#{tag.replace(' ', '')} #{c.persona.topic.hashtags[0]}"
    caption = "" if r.random() < 0.1 else f"{r.choice(c.persona.topic.captions)} {tags}"
    comments = []
    for j in range(r.randint(0, 2)):
        commenter = f"{r.choice(contacts.FIRST_NAMES)}.{r.choice(contacts.LAST_NAMES)}"
        comments.append(
            {
                "id": digits("igc", handle, idx, j, n=17),
                "text": r.choice(COMMENTS),
                "owner": {
                    "id": digits("igco", commenter, n=11),
                    "is_verified": False,
                    "profile_pic_url": media_url(base_url, "cpic", commenter),
                    "username": commenter,
                    "full_name": "",
                },
                "like_count": r.randint(0, 20),
                "created_at": iso(taken + 41),
            }
        )
    music = None
    if r.random() < 0.6:
        music = {
            "artist_name": c.handle,
            "song_name": "Original audio",
            "uses_original_audio": True,
            "should_mute_audio": False,
            "should_mute_audio_reason": "",
            "audio_id": digits("audio", handle, idx, n=16),
        }
    post.update(
        {
            "id": digits("igpost", handle, idx, n=19, first="3"),
            "shortcode": code,
            "url": f"https://www.instagram.com/reel/{code}/",
            "caption": caption,
            "thumbnail_src": media_url(base_url, "thumb", handle, idx),
            "display_url": media_url(base_url, "display", handle, idx),
            "video_url": video_url(handle, idx),
            "has_audio": True,
            "video_duration": None if r.random() < 0.1 else round(r.uniform(5, 90), 1),
            "clips_music_attribution_info": music,
            "owner": owner,
            "taken_at": iso(taken),
            "like_count": likes,
            "is_paid_partnership": r.random() < 0.05,
            "comment_count": int(likes * r.uniform(0.01, 0.05)) + len(comments),
            "comments": comments,
        }
    )
    if r.random() < 0.5:  # docs-only keys
        del post["accessibility_caption"], post["is_affiliate"]
    return post


def instagram_hashtag_page(
    hashtag: str,
    cursor: str | int | None = None,
    media_type: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> dict:
    """`/v1/instagram/search/hashtag` body; `cursor` is the page number as a string.

    No cursor = page 1; "2".."11" are the next pages; anything else (≥ 12, 0, not a number) is a
    BadRequest ("page must be between 1 and 11"). The returned cursor is always page + 1 as a
    string (so page 11 answers "12", which upstream rejects); a dry page has `posts: []`.
    """
    tag = normalize_query(hashtag or "")
    if not tag:
        raise BadRequest("You must provide a hashtag")
    page = parse_page(cursor)
    posts = [_post(h, i, tag, base_url) for h, i, _ in hashtag_page_plan(tag, page)]
    return {
        "hashtag": tag,
        "media_type": media_type or "all",
        "posts": posts,
        "cursor": str(page + 1),
    }


def instagram_hashtag_unique_owners(hashtag: str) -> list[str]:
    """Distinct owners over pages 1..11 (the most the upstream allows), first-seen order."""
    tag = normalize_query(hashtag)
    out: list[str] = []
    for page in range(1, len(_hashtag_chain(tag)) + 1):
        out += [h for h, _, new in hashtag_page_plan(tag, page) if new]
    return out
