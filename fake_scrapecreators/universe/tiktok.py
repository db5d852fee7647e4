"""TikTok creators: profile, users search and following (bodies without the envelope).

Videos and the keyword search are in `tiktok_search`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import lru_cache

from . import contacts
from .common import (
    DEFAULT_BASE_URL,
    EXPIRES_FUTURE,
    EXPIRES_PAST,
    REFERENCE_EPOCH,
    TIKTOK_AVATAR_VARIANTS,
    BadRequest,
    NotFound,
    b64id,
    cdn_url,
    clean_handle,
    digits,
    hexid,
    is_missing,
    normalize_query,
    rng,
    round_display,
    weighted,
)
from .pools import community, search_pool
from .templates import template

P = "tiktok"
USERS_PAGE = 10
FOLLOWING_PAGE = 20
CDN_HOST = "p16-common-sign.tiktokcdn-us.com"
CDN_HOST_2 = "p19-common-sign.tiktokcdn-us.com"
PROFILE_HOST = "p16-sign-va.tiktokcdn.com"

# uid → handle for every creator built in this process (user_id look-ups need it).
_UID_INDEX: dict[str, str] = {}


@dataclass(frozen=True)
class Creator:
    persona: contacts.Persona
    handle: str
    uid: str
    sec_uid: str
    nickname: str
    bio: str
    bio_link: str | None
    followers: int
    following: int
    hearts: int
    videos: int
    friends: int
    verified: bool
    private: bool
    create_time: int
    avatar_id: str
    avatar_ext: str
    avatar_variant: str
    ins_id: str
    commerce: bool
    truth: dict


def _nickname(r, p: contacts.Persona) -> str:
    t = p.topic
    last = contacts.ACCENTED.get(p.last, p.last.title())
    if p.language in contacts.NATIVE_NAMES:
        return r.choice(
            [
                f"{p.display_first} | {t.native[p.language]} {t.emoji}",
                f"{p.display_first} {t.emoji}",
            ]
        )
    return r.choice(
        [
            f"{p.display_first} {last}",
            f"{p.display_first} | {t.key.title()}",
            f"{p.display_first} {t.emoji}",
            f"{p.display_first} {last} {t.emoji}",
            p.handle,
        ]
    )


@lru_cache(maxsize=16384)
def creator(handle: str) -> Creator:
    """Every TikTok handle has one deterministic creator (404 rule aside)."""
    handle = clean_handle(handle)
    p = contacts.persona(P, handle)
    r = rng("tt-creator", handle)
    followers = int(10 ** r.uniform(2.6, 6.9))
    truth = contacts.Truth()
    bio_email = link = None
    if contacts.has_email(P, handle):
        plan = r.choices(["bio", "link", "both", "two"], weights=[65, 20, 7, 8])[0]
        first = contacts.make_address(r, p)
        if plan in ("bio", "both", "two"):
            bio_email = contacts.write_in_text(r, first)
            truth.add(first, "bio")
        if plan in ("link", "both", "two"):
            second = first if plan != "two" else contacts.make_address(r, p)
            link = contacts.link_with_email(r, second, handle)
            truth.add(second, "bio_link")
    bio = contacts.compose_bio(r, p, bio_email)
    if link is None and r.random() < 0.3:
        link = contacts.plain_link(r, handle)
    uid = digits("tt-uid", handle, n=19, first="7")
    _UID_INDEX[uid] = handle
    return Creator(
        persona=p,
        handle=handle,
        uid=uid,
        sec_uid="MS4wLjABAAAA" + b64id("tt-sec", handle, n=64),
        nickname=_nickname(r, p),
        bio=bio,
        bio_link=link,
        followers=followers,
        following=r.randint(12, 2400),
        hearts=int(followers * r.uniform(4, 60)),
        videos=r.randint(8, 2600),
        friends=r.randint(0, 300),
        verified=(followers > 1_000_000 and r.random() < 0.6) or r.random() < 0.02,
        private=r.random() < 0.04,
        create_time=r.randint(1_450_000_000, 1_720_000_000),
        avatar_id=hexid("tt-avatar", handle),
        avatar_ext=r.choice(["heic"] * 9 + ["webp"] * 6 + ["jpeg"] * 5),
        avatar_variant=weighted(r, TIKTOK_AVATAR_VARIANTS),
        ins_id=handle if r.random() < 0.4 else "",
        commerce=r.random() < 0.3,
        truth=truth.as_dict(),
    )


def tiktok_profile_truth(handle: str) -> dict:
    """{"emails": [...], "sources": {email: [...]}} for a TikTok creator (bio, bio_link)."""
    return creator(handle).truth


def handle_for_user_id(user_id: str) -> str | None:
    return _UID_INDEX.get(str(user_id))


# --- avatars ---------------------------------------------------------------------------------


def _signed_query(c: Creator, *parts: object) -> dict[str, str]:
    exp = EXPIRES_PAST if c.avatar_variant == "expired" else EXPIRES_FUTURE
    return {
        "dr": str(8000 + int(hexid(*parts, n=4), 16) % 3000),
        "refresh_token": hexid("rt", *parts, n=8),
        "x-expires": str(exp),
        "x-signature": b64id("sig", *parts, n=27) + "=",
        "t": hexid("t", *parts, n=8),
        "ps": hexid("ps", *parts, n=8),
        "shp": hexid("shp", *parts, n=8),
        "shcp": hexid("shcp", *parts, n=8),
        "idc": "useast5",
        "sc": "avatar",
    }


def avatar_obj(c: Creator, size: int, base_url: str, surface: str) -> dict:
    uri = f"tos-useast8-avt-0068-tx2/{c.avatar_id}"
    urls = []
    for i, host in enumerate((CDN_HOST, CDN_HOST_2)):
        ext = c.avatar_ext if i == 0 or size != 100 else "jpeg"
        q = {**_signed_query(c, c.avatar_id, size, host), "s": surface}
        path = f"{uri}~tplv-tiktokx-cropcenter-q:{size}:{size}:q70.{ext}"
        urls.append(cdn_url(base_url, c.avatar_variant, host, path, q))
    return {
        "height": 720,
        "uri": uri,
        "url_list": urls,
        "url_prefix": None,
        "width": 720,
        "data_size": 0,
    }


def _avatars(c: Creator, base_url: str, surface: str) -> dict:
    sizes = {
        "avatar_168x168": 168,
        "avatar_300x300": 300,
        "avatar_larger": 1080,
        "avatar_medium": 720,
        "avatar_thumb": 100,
    }
    return {k: avatar_obj(c, s, base_url, surface) for k, s in sizes.items()}


def _profile_avatar(c: Creator, size: int, ext: str, base_url: str) -> str:
    host = CDN_HOST if c.avatar_variant == "altdomain" else PROFILE_HOST
    q = _signed_query(c, "profile", size)
    q = {
        "lk3s": q["ps"],
        "nonce": str(int(q["dr"]) * 7),
        "refresh_token": q["refresh_token"],
        "x-expires": q["x-expires"],
        "x-signature": q["x-signature"],
        "shp": q["shp"],
        "shcp": q["shcp"],
    }
    path = f"tos-maliva-avt-0068/{c.avatar_id}~c5_{size}x{size}.{ext}"
    return cdn_url(base_url, c.avatar_variant, host, path, q)


def fill_author(a: dict, c: Creator, base_url: str, surface: str) -> dict:
    a.update(_avatars(c, base_url, surface))
    a.update(
        {
            "avatar_uri": f"tos-useast8-avt-0068-tx2/{c.avatar_id}",
            "follower_count": c.followers,
            "following_count": c.following,
            "ins_id": c.ins_id,
            "nickname": c.nickname,
            "sec_uid": c.sec_uid,
            "uid": c.uid,
            "unique_id": c.handle,
            "verification_type": 1 if c.verified else 0,
            "custom_verify": "Verified account" if c.verified else "",
            "enterprise_verify_reason": "",
        }
    )
    if "search_user_desc" in a:  # search authors only (following users have no such keys)
        a["search_user_desc"], a["search_user_name"] = c.handle, c.nickname
    return a


# --- users search ----------------------------------------------------------------------------


def _search_user(c: Creator, base_url: str) -> dict:
    wrapper = template("tiktok_search_user")
    u = fill_author(wrapper["user_info"], c, base_url, "SEARCH")
    u.update(
        {
            "aweme_count": c.videos,
            "total_favorited": c.hearts,
            "is_private_account": int(c.private),
            "room_id_str": "0",
            "search_user_desc": c.nickname,
            "search_user_name": c.handle,
        }
    )
    u["original_musician"]["music_count"] = c.videos // 40
    if rng("tt-sig", c.handle).random() < 1 / 3:  # only some search users carry the bio
        items = list(u.items())
        at = [k for k, _ in items].index("special_account")
        u = dict([*items[:at], ("signature", c.bio), *items[at:]])
    wrapper["user_info"] = u
    return wrapper


def tiktok_users_page(query: str, cursor: int = 0, base_url: str = DEFAULT_BASE_URL) -> dict:
    """`/v1/tiktok/search/users` body: 10 users per page, no has_more, dry = empty users."""
    q = normalize_query(query or "")
    if not q:
        raise BadRequest("You must provide a query")
    cursor = max(0, int(cursor))
    pool = search_pool(P, "users", q)
    handles = pool[cursor : cursor + USERS_PAGE]
    return {
        "cursor": cursor + USERS_PAGE,
        "users": [_search_user(creator(h), base_url) for h in handles],
    }


def tiktok_users_unique(query: str) -> list[str]:
    """Every handle the users-search cursor chain yields, in order (no repeats)."""
    return list(search_pool(P, "users", normalize_query(query)))


# --- profile and following -------------------------------------------------------------------


def resolve(handle: str | None = None, user_id: str | None = None) -> str:
    """Canonical handle for a request, or NotFound / BadRequest."""
    if handle:
        h: str | None = clean_handle(handle)
        if not h or is_missing(h):
            raise NotFound("Profile not found")
        return h
    if user_id:
        h = handle_for_user_id(user_id)
        if h is None:
            raise NotFound("Profile not found")
        return h
    raise BadRequest("You must provide a 'handle' or a 'user_id'")


def tiktok_profile(
    handle: str | None = None, user_id: str | None = None, base_url: str = DEFAULT_BASE_URL
) -> dict:
    """`/v1/tiktok/profile` body (camelCase web shape)."""
    c = creator(resolve(handle, user_id))
    body = template("tiktok_profile")
    u = body["user"]
    u.update(
        {
            "id": c.uid,
            "uniqueId": c.handle,
            "nickname": c.nickname,
            "avatarLarger": _profile_avatar(c, 1080, "jpeg", base_url),
            "avatarMedium": _profile_avatar(
                c, 720, "webp" if c.avatar_ext == "webp" else "jpeg", base_url
            ),
            "avatarThumb": _profile_avatar(c, 100, c.avatar_ext, base_url),
            "signature": c.bio,
            "createTime": c.create_time,
            "verified": c.verified,
            "secUid": c.sec_uid,
            "privateAccount": c.private,
            "secret": c.private,
            "language": c.persona.language,
            "ttSeller": c.commerce and c.followers > 50_000,
        }
    )
    u["commerceUserInfo"] = {
        "commerceUser": c.commerce,
        "category": c.persona.topic.commerce,
        "categoryButton": False,
    }
    if c.bio_link:
        u["bioLink"] = {"link": c.bio_link, "risk": 0}
    else:
        del u["bioLink"]
    exact = {
        "followerCount": c.followers,
        "followingCount": c.following,
        "heart": c.hearts,
        "heartCount": c.hearts,
        "videoCount": c.videos,
        "diggCount": 0,
        "friendCount": c.friends,
    }
    body["stats"] = {
        k: round_display(v) if k in ("followerCount", "heart", "heartCount") else v
        for k, v in exact.items()
    }
    body["statsV2"] = {k: str(v) for k, v in exact.items()}
    return body


@lru_cache(maxsize=4096)
def tiktok_following_handles(handle: str) -> tuple[str, ...]:
    """The ~60 accounts a creator follows (peers from its topic), newest follow first."""
    h = clean_handle(handle)
    r = rng("tt-following", h)
    peers = [p for p in community(P, h) if p != h]
    return tuple(r.sample(peers, k=min(len(peers), r.randint(52, 68))))


def _follow_times(handle: str) -> list[int]:
    r = rng("tt-follow-times", handle)
    t, out = REFERENCE_EPOCH, []
    for _ in tiktok_following_handles(handle):
        t -= r.randint(3600, 40 * 86400)
        out.append(t)
    return out


def _following_user(c: Creator, base_url: str) -> dict:
    u = fill_author(template("tiktok_following_user"), c, base_url, "FOLLOW")
    u.update(
        {
            "aweme_count": c.videos,
            "create_time": c.create_time,
            "language": c.persona.language,
            "region": c.persona.region,
            "signature": c.bio,
            "total_favorited": c.hearts,
            "unique_id_modify_time": c.create_time + 86400,
            "secret": int(c.private),
        }
    )
    return u


def tiktok_following_page(
    handle: str | None = None,
    min_time: int | None = None,
    user_id: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> dict:
    """`/v1/tiktok/user/following` body: 20 per page, paginate with the returned min_time."""
    h = resolve(handle, user_id)
    handles = tiktok_following_handles(h)
    times = _follow_times(h)
    limit = int(min_time) if min_time else None
    picked = [(t, f) for t, f in zip(times, handles, strict=True) if limit is None or t < limit]
    page, rest = picked[:FOLLOWING_PAGE], picked[FOLLOWING_PAGE:]
    max_t = page[0][0] if page else (limit or REFERENCE_EPOCH)
    min_t = page[-1][0] if page else (limit or REFERENCE_EPOCH)
    token = base64.b64encode(
        json.dumps({"max_cursor": max_t, "min_cursor": min_t}, separators=(",", ":")).encode()
    ).decode()
    return {
        "extra": {
            "fatal_item_ids": [],
            "logid": hexid("logid", h, min_time, n=34).upper(),
            "now": REFERENCE_EPOCH * 1000,
        },
        "followings": [_following_user(creator(f), base_url) for _, f in page],
        "has_more": bool(rest),
        "log_pb": {"impr_id": hexid("impr", h, min_time, n=34).upper()},
        "max_time": max_t,
        "min_time": min_t,
        "myself_user_id": digits("myself", n=19, first="7"),
        "next_page_token": token,
        "offset": 0,
        "rec_has_more": bool(rest),
        "status_code": 0,
        "status_msg": "",
        "total": len(handles),
    }
