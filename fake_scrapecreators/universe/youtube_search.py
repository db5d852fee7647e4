"""YouTube search: pages, repeats and opaque continuation tokens (bodies without the envelope)."""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from .common import (
    DEFAULT_BASE_URL,
    REFERENCE_EPOCH,
    BadRequest,
    alnum,
    b64id,
    cdn_url,
    compact,
    hexid,
    iso,
    normalize_query,
    page_sizes,
    plan_page,
    rng,
    uncompact,
)
from .pools import search_pool
from .templates import template
from .topics import TOPICS, topic_for_query
from .youtube import P, avatar_url, channel, channel_id_for_handle, handleless_channel_id

SEARCH_ITEMS = (18, 26)  # videos + shorts per page; half of them are new channels
HANDLELESS_SHARE = 0.12  # channels shown as handle "channel/UC…"
_CONTINUATION_SALT = "fake-scrapecreators-youtube"

# --- search ----------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _channel_pool(query: str) -> tuple[str, ...]:
    out = []
    word = topic_for_query(query)[1][0]  # handleless channels keep the query's topic word
    for i, h in enumerate(search_pool(P, "search", query)):
        if rng("yt-handleless", query, i).random() < HANDLELESS_SHARE:
            out.append(handleless_channel_id(word, query, i))
        else:
            out.append(channel_id_for_handle(h))
    return tuple(out)


@lru_cache(maxsize=512)
def _search_chain(query: str) -> tuple[tuple[int, int, int], ...]:
    pool = _channel_pool(query)
    out, offset, page = [], 0, 0
    while offset < len(pool):
        n, new = page_sizes(rng("yt-size", query, page), *SEARCH_ITEMS)
        new = min(new, len(pool) - offset)
        out.append((n, new, offset))
        offset += new
        page += 1
    return tuple(out)


def make_token(query: str, page: int) -> str:
    payload = f"{page}.{hexid('yt-q', normalize_query(query), n=10)}"
    sig = hexid("yt-tok", _CONTINUATION_SALT, payload, n=24)
    raw = base64.urlsafe_b64encode(f"{payload}.{sig}".encode()).decode().rstrip("=")
    return f"EqQDEg{raw}"


def parse_token(query: str, token: str) -> int:
    try:
        raw = token[6:] + "=" * (-len(token[6:]) % 4)
        page_s, qhash, sig = base64.urlsafe_b64decode(raw).decode().split(".")
        page = int(page_s)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Invalid continuationToken") from exc
    if not token.startswith("EqQDEg") or make_token(query, page) != token:
        raise BadRequest("Invalid continuationToken")
    del qhash, sig
    return page


def search_page_plan(query: str, page: int) -> list[tuple[str, int, bool]]:
    """[(channel id, video index, is_short)] in response order: videos first, then shorts."""
    q = normalize_query(query)
    chain = _search_chain(q)
    if page >= len(chain):
        return []
    n, new, offset = chain[page]
    plan = plan_page(("yt", q, page), _channel_pool(q), offset, n, new)
    r = rng("yt-video", q, page)
    items = [(cid, 0 if is_new else r.randrange(4)) for cid, is_new in plan]
    tagged = [(cid, idx, rng("yt-short", cid, idx).random() < 0.15) for cid, idx in items]
    return [t for t in tagged if not t[2]] + [t for t in tagged if t[2]]


def _ago(r, seconds_of_day: int) -> tuple[str, str]:
    unit, n = r.choice(
        [
            ("day", r.randint(1, 6)),
            ("week", r.randint(1, 4)),
            ("month", r.randint(1, 11)),
            ("year", r.randint(1, 9)),
        ]
    )
    span = {"day": 86400, "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400}[unit]
    day = (REFERENCE_EPOCH - n * span) // 86400 * 86400
    return f"{n} {unit}{'s' if n > 1 else ''} ago", iso(day + seconds_of_day, "418")


def _video(cid: str, idx: int, short: bool, tod: int, base_url: str) -> dict:
    c = channel(cid)
    r = rng("yt-vid", cid, idx)
    vid = alnum("ytv", cid, idx, n=11)
    v = template("youtube_video")
    views = int(c.subscribers * r.uniform(0.05, 3)) + r.randint(10, 999)
    length = r.randint(8, 59) if short else r.randint(61, 5400)
    h, m, s = length // 3600, length % 3600 // 60, length % 60
    text, when = _ago(r, tod)
    title = r.choice(c.persona.topic.captions)
    if short:
        title += f" #shorts #{c.persona.topic.hashtags[0]}"
    v.update(
        {
            "type": "short" if short else "video",
            "id": vid,
            "url": f"https://www.youtube.com/watch?v={vid}",
            "title": title,
            "thumbnail": cdn_url(
                base_url,
                "ok",
                "i.ytimg.com",
                f"vi/{vid}/hq720.jpg",
                {"sqp": b64id("sqp", vid, n=40), "rs": b64id("rs", vid, n=30)},
            ),
            "channel": {
                "id": cid,
                "title": c.name,
                "handle": c.handle or f"channel/{cid}",
                "thumbnail": avatar_url(c, 68, "yt3.ggpht.com", base_url),
            },
            "viewCountText": f"{views:,} views",
            "viewCountInt": views,
            "publishedTimeText": text,
            "publishedTime": when,
            "lengthText": f"{h}:{m:02}:{s:02}" if h else f"{m}:{s:02}",
            "lengthSeconds": length,
            "badges": r.sample(["4K", "CC", "New"], k=r.choice([0, 0, 1, 2])),
        }
    )
    return v


def youtube_search_page(
    query: str, continuation_token: str | None = None, base_url: str = DEFAULT_BASE_URL
) -> dict:
    """`/v1/youtube/search` body; `continuationToken` is absent once the query runs dry."""
    q = normalize_query(query or "")
    if not q:
        raise BadRequest("You must provide a query")
    page = parse_token(q, continuation_token) if continuation_token else 0
    r = rng("yt-page", q, page)
    tod = r.randint(0, 86399)  # approximate publishedTime: one time of day per response
    videos: list[dict] = []
    shorts: list[dict] = []
    for cid, idx, short in search_page_plan(q, page):
        (shorts if short else videos).append(_video(cid, idx, short, tod, base_url))
    shelves = []
    if videos and r.random() < 0.5:
        item_tpl = template("youtube_shelf_item")
        items = []
        for j in range(r.randint(2, 3)):
            sid = alnum("yt-shelf", q, page, j, n=11)
            views = r.randint(1_000, 3_000_000)
            items.append(
                {
                    **item_tpl,
                    "id": sid,
                    "url": f"https://www.youtube.com/watch?v={sid}",
                    "title": r.choice(TOPICS).captions[j % 5],
                    "thumbnail": cdn_url(
                        base_url, "ok", "i.ytimg.com", f"vi/{sid}/oardefault.jpg", {}
                    ),
                    "viewCountText": compact(views),
                    "viewCountInt": uncompact(compact(views)),
                }
            )
        shelves.append({"type": "shelf", "title": "Shorts", "items": items})
    body: dict[str, Any] = {
        "videos": videos,
        "channels": [],
        "playlists": [],
        "shorts": shorts,
        "shelves": shelves,
        "lives": [],
    }
    if page + 1 < len(_search_chain(q)):
        body["continuationToken"] = make_token(q, page + 1)
    return body


def youtube_search_unique_channels(query: str) -> list[str]:
    """Distinct channel ids over the whole continuation chain, in order of first appearance."""
    q = normalize_query(query)
    out: dict[str, None] = {}
    for page in range(len(_search_chain(q))):
        out.update((cid, None) for cid, _, _ in search_page_plan(q, page))
    return list(out)
