"""TikTok videos (awemes) and the keyword search (bodies without the envelope)."""

from __future__ import annotations

import json
from functools import lru_cache

from .common import (
    DEFAULT_BASE_URL,
    EXPIRES_FUTURE,
    REFERENCE_EPOCH,
    BadRequest,
    alnum,
    b64id,
    cdn_url,
    clean_handle,
    digits,
    hexid,
    imprecise,
    iso,
    normalize_query,
    page_sizes,
    plan_page,
    rng,
)
from .pools import search_pool
from .templates import template
from .tiktok import CDN_HOST, Creator, P, avatar_obj, creator, fill_author

KEYWORD_CURSOR_STEP = 30  # the returned cursor is always the request cursor + 30
RELEVANCE = "relevance"
KEYWORD_SORTS = (RELEVANCE, "most-liked", "date-posted")  # the endpoint's `sort_by` values
KEYWORD_ITEMS = (16, 24)  # items per keyword page; half of them are new creators
TRIM_KEYS = (
    "aweme_id",
    "desc",
    "desc_language",
    "region",
    "statistics",
    "video",
    "author",
    "create_time",
    "is_ad",
    "is_eligible_for_commission",
    "create_time_utc",
    "url",
)
NATIVE_CAPTION = {
    "ko": "오늘의 {} {}",
    "ja": "今日の{} {}",
    "ar": "{} اليوم {}",
    "de": "Heute: {} {}",
    "fr": "{} du jour {}",
    "es": "{} de hoy {}",
}


# --- videos ----------------------------------------------------------------------------------


def _image_url(base_url: str, path: str, *parts: object) -> str:
    q = {"x-expires": str(EXPIRES_FUTURE), "x-signature": b64id("cover", *parts, n=27) + "="}
    return cdn_url(base_url, "ok", CDN_HOST, path, q)


def _video(a: dict, vid: str, duration: int, base_url: str) -> dict:
    v = a["video"]
    cover = f"tos-useast5-p-0068-tx/{b64id('cover', vid, n=30)}"
    for key, tplv in (
        ("cover", "cropcenter-q:300:400:q72.heic"),
        ("origin_cover", "shrink-aq:360:360:q75.heic"),
        ("dynamic_cover", "origin.image.image"),
        ("ai_dynamic_cover", "origin.image.image"),
    ):
        v[key]["uri"] = cover
        v[key]["url_list"] = [_image_url(base_url, f"{cover}~tplv-tiktokx-{tplv}", vid, key)]
    uri = f"v15044gf0000{hexid('vuri', vid, n=20)}"
    play = (
        f"https://v16m.tiktokcdn-us.com/{hexid('p', vid)}/{hexid('e', vid, n=8)}/video/tos/"
        f"useast5/tos-useast5-pve-0068-tx/{b64id('play', vid, n=30)}/?a=1233&bt=484"
        f"&mime_type=video_mp4&vvpl=1&btag=e000b0000"
    )
    for addr in (v["play_addr"], v["download_addr"], v["bit_rate"][0]["play_addr"]):
        addr.update(
            {
                "uri": uri,
                "url_list": [play, play.replace("v16m.", "v19.")],
                "data_size": duration * 90,
            }
        )
        if "file_hash" in addr:
            addr["file_hash"] = hexid("fh", vid)
        if "url_key" in addr:
            addr["url_key"] = f"{uri}_h264_720p_{duration * 16}"
    v["duration"] = duration
    return v


def _caption(r, c: Creator) -> tuple[str, list[str]]:
    t, lang = c.persona.topic, c.persona.language
    text = r.choice(t.captions)
    if lang in NATIVE_CAPTION and r.random() < 0.7:
        text = NATIVE_CAPTION[lang].format(t.native[lang], t.emoji)
    tags = r.sample(t.hashtags, k=min(len(t.hashtags), r.randint(2, 3)))
    return f"{text} {t.emoji} " + " ".join(f"#{h}" for h in tags), tags


@lru_cache(maxsize=1024)
def _aweme_json(handle: str, idx: int, base_url: str, created: int | None = None) -> str:
    c = creator(handle)
    r = rng("tt-aweme", handle, idx)
    age = r.randint(3600, 400 * 86400)  # drawn even when `created` is given: same stream
    created = REFERENCE_EPOCH - age if created is None else created
    aweme_id = str((created << 32) | r.getrandbits(32))
    desc, tags = _caption(r, c)
    a = template("tiktok_aweme")
    cha_tpl = a["cha_list"][0]
    a["cha_list"], a["text_extra"] = [], []
    for tag in tags:
        cid = digits("cid", tag, n=5 + len(tag) % 12)
        start = desc.index(f"#{tag}")
        a["text_extra"].append(
            {
                "end": start + len(tag) + 1,
                "hashtag_id": cid,
                "hashtag_name": tag,
                "is_commerce": False,
                "sec_uid": "",
                "start": start,
                "type": 1,
                "user_id": "",
            }
        )
        a["cha_list"].append(
            {
                **json.loads(json.dumps(cha_tpl)),
                "cha_name": tag,
                "cid": cid,
                "schema": f"aweme://aweme/challenge/detail?cid={cid}",
            }
        )
    music_id = digits("music", handle, n=19, first="7")
    music = a["music"]
    music.update(
        {
            "author": c.nickname,
            "id": imprecise(music_id),
            "id_str": music_id,
            "mid": music_id,
            "owner_handle": handle,
            "owner_id": c.uid,
            "owner_nickname": c.nickname,
            "title": f"original sound - {handle}",
        }
    )
    music["cover_medium"]["uri"] = f"tos-useast8-avt-0068-tx2/{c.avatar_id}"
    music["cover_medium"]["url_list"] = [avatar_obj(c, 720, base_url, "SEARCH")["url_list"][0]]
    mp3 = f"https://sf16-ies-music-va.tiktokcdn.com/obj/ies-music-ttp-dup-us/{music_id}.mp3"
    music["play_url"].update({"uri": mp3, "url_list": [mp3]})
    a["added_sound_music_info"] = json.loads(json.dumps(music))
    fill_author(a["author"], c, base_url, "SEARCH")
    share_url = (
        f"https://www.tiktok.com/@{handle}/video/{aweme_id}?_r=1&u_code="
        f"{alnum('u', aweme_id, n=14)}&preview_pb=0&sharer_language=en&_d="
        f"{alnum('d', aweme_id, n=14)}&share_item_id={aweme_id}&source=h5_m"
    )
    s = a["share_info"]
    s.update(
        {
            "share_desc": f"Check out {c.nickname}'s video! #TikTok",
            "share_desc_info": f"TikTok: Make Every Second Count Check out {c.nickname}'s "
            f"video! #TikTok > ",
            "share_title": f"Check out {c.nickname}'s video! #TikTok > ",
            "share_url": share_url,
        }
    )
    play = int(c.followers * r.uniform(0.05, 2.5)) + r.randint(100, 5000)
    digg = int(play * r.uniform(0.02, 0.12))
    a["statistics"].update(
        {
            "aweme_id": aweme_id,
            "play_count": play,
            "digg_count": digg,
            "comment_count": int(digg * r.uniform(0.005, 0.03)),
            "share_count": int(digg * r.uniform(0.005, 0.05)),
            "collect_count": int(digg * r.uniform(0.03, 0.15)),
            "download_count": r.randint(0, 40),
            "whatsapp_share_count": r.randint(0, 60),
        }
    )
    a["status"]["aweme_id"] = aweme_id
    _video(a, aweme_id, r.randint(7, 180) * 1000 + r.randint(0, 999), base_url)
    a.update(
        {
            "author_user_id": imprecise(c.uid),
            "aweme_id": aweme_id,
            "create_time": created,
            "create_time_utc": iso(created),
            "desc": desc,
            "desc_language": c.persona.language,
            "group_id": aweme_id,
            "group_id_list": {
                "GroupdIdList0": [imprecise(aweme_id)],
                "GroupdIdList1": [imprecise(aweme_id)],
            },
            "is_ad": False,
            "is_ads": False,
            "is_eligible_for_commission": r.random() < 0.1,
            "is_paid_partnership": r.random() < 0.06,
            "region": c.persona.region,
            "share_url": share_url,
            "url": f"https://www.tiktok.com/@{handle}/video/{aweme_id}",
        }
    )
    return json.dumps(a, ensure_ascii=False)


def aweme(
    handle: str, idx: int, base_url: str = DEFAULT_BASE_URL, created: int | None = None
) -> dict:
    """Video number `idx` of a creator (the same id wherever it shows up); `created` (epoch
    seconds) places it on the creator's profile timeline instead of a random recent day."""
    return json.loads(_aweme_json(clean_handle(handle), idx, base_url, created))


def _trim(a: dict) -> dict:
    out = {k: a[k] for k in TRIM_KEYS}
    out["video"] = {k: v for k, v in a["video"].items() if k not in ("meta", "is_bytevc1", "tags")}
    return out


# --- keyword search --------------------------------------------------------------------------


def _sorted(seed: tuple[object, ...], sort: str) -> tuple[object, ...]:
    """A seed of the relevance order as it always was; another order's seed names it."""
    return seed if sort == RELEVANCE else (*seed, sort)


@lru_cache(maxsize=512)
def _keyword_pool(query: str, sort: str) -> tuple[str, ...]:
    """The creators a query can yield, in the order `sort` reveals them: every order has the
    same creators (the same videos, sorted otherwise), each order its own sequence."""
    pool = search_pool(P, "keyword", query)
    if sort == RELEVANCE:
        return pool
    order = list(pool)
    rng("tt-kw-sort", query, sort).shuffle(order)
    return tuple(order)


def _check_sort(sort_by: str) -> str:
    sort = sort_by or RELEVANCE
    if sort not in KEYWORD_SORTS:
        raise BadRequest(f"sort_by must be one of: {', '.join(KEYWORD_SORTS)}")
    return sort


@lru_cache(maxsize=512)
def _keyword_chain(query: str, sort: str = RELEVANCE) -> tuple[tuple[int, int, int], ...]:
    """(items, new creators, pool offset) of every non-empty page of a query's cursor chain."""
    pool = _keyword_pool(query, sort)
    out, offset, page = [], 0, 0
    while offset < len(pool):
        n, new = page_sizes(rng(*_sorted(("tt-kw-size", query, page), sort)), *KEYWORD_ITEMS)
        new = min(new, len(pool) - offset)
        out.append((n, new, offset))
        offset += new
        page += 1
    return tuple(out)


def keyword_page_plan(
    query: str, cursor: int = 0, sort: str = RELEVANCE
) -> list[tuple[str, int, bool]]:
    """[(author handle, video index, is_new)] of one keyword page, without building items.
    `is_new`: first seen in this order's chain."""
    q = normalize_query(query)
    page = max(0, int(cursor)) // KEYWORD_CURSOR_STEP
    chain = _keyword_chain(q, sort)
    if page >= len(chain):
        return []
    n, new, offset = chain[page]
    plan = plan_page(_sorted(("tt-kw", q, page), sort), _keyword_pool(q, sort), offset, n, new)
    r = rng(*_sorted(("tt-kw-video", q, page), sort))
    # A repeated author shows a random one of its first 4 videos: ~1 in 4 is a duplicate item.
    return [(h, 0 if is_new else r.randrange(4), is_new) for h, is_new in plan]


def tiktok_keyword_page(
    query: str,
    cursor: int = 0,
    trim: bool = False,
    base_url: str = DEFAULT_BASE_URL,
    sort_by: str = "",
) -> dict:
    """`/v1/tiktok/search/keyword` body (without the envelope). `sort_by`: relevance (the
    default), most-liked or date-posted: the same creators in another order."""
    q = normalize_query(query or "")
    if not q:
        raise BadRequest("You must provide a query")
    sort = _check_sort(sort_by)
    cursor = max(0, int(cursor))
    plan = keyword_page_plan(q, cursor, sort)
    page = cursor // KEYWORD_CURSOR_STEP
    chain = _keyword_chain(q, sort)
    has_more = 1 if page + 1 < len(chain) else 0
    items = []
    r = rng(*_sorted(("tt-kw-wrap", q, page), sort))
    for handle, idx, _ in plan:
        a = aweme(handle, idx, base_url)
        if trim:
            items.append(_trim(a))
        elif r.random() < 0.85:
            items.append({"aweme_info": a, "search_aweme_info": {"has_creation_intention": False}})
        else:
            items.append({"aweme_info": a})
    if trim:
        return {"search_item_list": items, "cursor": cursor + KEYWORD_CURSOR_STEP}
    return {"cursor": cursor + KEYWORD_CURSOR_STEP, "has_more": has_more, "search_item_list": items}


def tiktok_keyword_unique_authors(query: str, sort: str = RELEVANCE) -> list[str]:
    """Distinct author handles, in order of first appearance, over the whole cursor chain of
    one order (`sort`)."""
    q = normalize_query(query)
    out: list[str] = []
    for page in range(len(_keyword_chain(q, sort))):
        out += [h for h, _, new in keyword_page_plan(q, page * KEYWORD_CURSOR_STEP, sort) if new]
    return out
