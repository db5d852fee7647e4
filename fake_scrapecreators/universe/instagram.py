"""Instagram creators: the profile and its related profiles (bodies without the envelope).

The hashtag search is in `instagram_search`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from . import contacts
from .common import (
    DEFAULT_BASE_URL,
    EXPIRES_FUTURE,
    REFERENCE_EPOCH,
    BadRequest,
    NotFound,
    alnum,
    b64id,
    cdn_url,
    clean_handle,
    digits,
    hexid,
    is_missing,
    rng,
)
from .pools import community
from .templates import template

P = "instagram"
MAX_RELATED = 80
PIC_HOST = "instagram.fyyz1-1.fna.fbcdn.net"
MEDIA_HOST = "scontent-iad3-2.cdninstagram.com"
COMMENTS = (
    "this climb 😮‍💨🔥",
    "どこのトレイル？",
    "need this recipe!!",
    "saving this 🙌",
    "¿dónde es esto?",
    "wie cool ist das bitte",
    "trop beau 😍",
    "멋져요 👏",
)
CITIES = (
    ("Boulder, Colorado", 40.01499, -105.27055),
    ("Berlin, Germany", 52.52, 13.405),
    ("Seoul, Korea", 37.5665, 126.978),
    ("Paris, France", 48.8566, 2.3522),
    ("Mexico City, Mexico", 19.4326, -99.1332),
    ("Toronto, Ontario", 43.6532, -79.3832),
)


@dataclass(frozen=True)
class Creator:
    persona: contacts.Persona
    handle: str
    id: str
    full_name: str
    bio: str
    bio_links: tuple[tuple[str, str], ...]  # (title, url)
    external_url: str | None
    business_email: str | None
    business_phone: str | None
    address_json: str | None
    followers: int
    following: int
    posts: int
    private: bool
    verified: bool
    business: bool
    professional: bool
    pic_id: str
    pic_variant: str
    truth: dict


@lru_cache(maxsize=16384)
def creator(handle: str) -> Creator:
    handle = clean_handle(handle)
    p = contacts.persona(P, handle)
    r = rng("ig-creator", handle)
    followers = int(10 ** r.uniform(2.5, 6.8))
    business = r.random() < 0.35
    bio_email = business_email = link_email = None
    if contacts.has_email(P, handle):
        plan = r.choices(
            ["bio", "business", "same", "two", "link", "bio_link"], weights=[45, 20, 8, 10, 10, 7]
        )[0]
        a = contacts.make_address(r, p)
        b = contacts.make_address(r, p) if plan in ("two", "bio_link") else a
        if plan in ("bio", "same", "two", "bio_link"):
            bio_email = a
        if plan in ("business", "same", "two"):
            business_email, business = (b if plan == "two" else a), True
        if plan in ("link", "bio_link"):
            link_email = b
    bio = contacts.compose_bio(r, p, contacts.write_in_text(r, bio_email) if bio_email else None)
    links: list[tuple[str, str]] = [
        (r.choice(["", "Shop", "New video", "My links", "Blog"]), contacts.plain_link(r, handle))
        for _ in range(r.choice([0, 0, 1, 1, 2, 3]))
    ]
    if link_email:
        links.insert(
            r.randint(0, len(links)), ("Contact", contacts.link_with_email(r, link_email, handle))
        )
    external = links[0][1] if links else None
    # Truth follows field order: biography, bio_links, external_url, business_email.
    truth = contacts.Truth()
    if bio_email:
        truth.add(bio_email, "bio")
    if link_email:
        truth.add(link_email, "bio_link")
        if external and link_email in external:
            truth.add(link_email, "external_url")
    if business_email:
        truth.add(business_email, "business_email")
    address = None
    if business and r.random() < 0.5:
        city, lat, lon = r.choice(CITIES)
        address = json.dumps(
            {
                "city_name": city,
                "city_id": int(digits("city", city, n=15)),
                "latitude": lat,
                "longitude": lon,
                "street_address": None,
                "zip_code": None,
            }
        )
    last = contacts.ACCENTED.get(p.last, p.last.title())
    full_name = r.choice(
        [
            f"{p.display_first} {last}",
            f"{p.display_first} · {p.topic.key.title()}",
            f"{p.display_first} {p.topic.emoji}",
            "",
            p.display_first,
        ]
    )
    return Creator(
        persona=p,
        handle=handle,
        id=digits("ig-id", handle, n=r.randint(8, 11)),
        full_name=full_name,
        bio=bio,
        bio_links=tuple(links),
        external_url=external,
        business_email=business_email,
        business_phone=f"+1 555 01{r.randint(10, 99)}" if business and r.random() < 0.2 else None,
        address_json=address,
        followers=followers,
        following=r.randint(20, 3000),
        posts=r.randint(5, 3000),
        private=r.random() < 0.06,
        verified=(followers > 800_000 and r.random() < 0.6) or r.random() < 0.02,
        business=business,
        professional=business or r.random() < 0.4,
        pic_id=digits("ig-pic", handle, n=9),
        pic_variant="403" if r.random() < 0.04 else "ok",
        truth=truth.as_dict(),
    )


def instagram_profile_truth(handle: str) -> dict:
    """Ground-truth emails (bio, bio_link, external_url, business_email) of an IG creator."""
    return creator(handle).truth


def pic_url(c: Creator, size: int, base_url: str) -> str:
    path = f"v/t51.2885-19/{c.pic_id}_{digits('n1', c.handle, n=16)}_{digits('n2', c.handle)}_n.jpg"
    q = {
        "stp": f"dst-jpg_s{size}x{size}_tt6",
        "_nc_ht": PIC_HOST,
        "_nc_cat": "22",
        "_nc_ohc": b64id("ohc", c.handle, n=23),
        "oh": "00_" + b64id("oh", c.handle, n=40),
        "oe": f"{EXPIRES_FUTURE:X}",
        "_nc_sid": hexid("sid", c.handle, n=6),
    }
    return cdn_url(base_url, c.pic_variant, PIC_HOST, path, q)


def media_url(base_url: str, kind: str, *parts: object) -> str:
    path = f"v/t51.2885-15/{digits(kind, *parts, n=9)}_{digits('m', kind, *parts, n=16)}_n.jpg"
    q = {
        "stp": "dst-jpg_e35_p1080x1080_tt6",
        "oh": "00_" + b64id("moh", kind, *parts, n=40),
        "oe": f"{EXPIRES_FUTURE:X}",
    }
    return cdn_url(base_url, "ok", MEDIA_HOST, path, q)


def video_url(*parts: object) -> str:
    return (
        f"https://scontent-lga3-2.cdninstagram.com/o1/v/t16/f2/m86/"
        f"{b64id('igv', *parts, n=60)}.mp4?stp=dst-mp4&oh=00_{b64id('igvh', *parts, n=40)}"
    )


# --- profile ---------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def instagram_related_handles(handle: str) -> tuple[str, ...] | None:
    """Related profiles (≤ 80, all valid profiles); None = no `edge_related_profiles` key.

    A handle containing "norelated" has no key at all; about 7% of accounts have `edges: []`;
    most have exactly 80. Related lists come from the topic's community, so related-of-related
    reaches new creators (a "niche" handle's community is closed at 45).
    """
    h = clean_handle(handle)
    if "norelated" in h:
        return None
    r = rng("ig-related", h)
    roll = r.random()
    if roll < 0.07:
        return ()
    peers = [p for p in community(P, h) if p != h]
    n = MAX_RELATED if roll < 0.77 else r.randint(20, MAX_RELATED - 1)
    return tuple(r.sample(peers, k=min(n, len(peers))))


def _entities(bio: str) -> list[dict]:
    out: list[dict] = []
    for word in bio.split():
        if word.startswith("@") and len(word) > 1 and "@" not in word[1:]:
            out.append({"user": {"username": word[1:].rstrip(".,!")}})
        elif word.startswith("#") and len(word) > 1:
            out.append({"hashtag": {"name": word[1:]}})
    return out


def _timeline(c: Creator, user: dict, base_url: str) -> None:
    media = user["edge_owner_to_timeline_media"]
    templates = {e["node"]["__typename"]: e["node"] for e in media["edges"]}
    media["count"] = c.posts
    media["page_info"] = {
        "has_next_page": c.posts > 12 and not c.private,
        "end_cursor": b64id("end", c.handle, n=120) if c.posts > 12 else None,
    }
    media["edges"] = []
    if c.private:
        return
    r = rng("ig-timeline", c.handle)
    taken = REFERENCE_EPOCH
    for i in range(min(c.posts, 12)):
        kind = r.choices(["GraphVideo", "GraphSidecar", "GraphImage"], weights=[50, 25, 25])[0]
        node = json.loads(json.dumps(templates[kind]))
        taken -= r.randint(3600, 20 * 86400)
        likes = int(c.followers * r.uniform(0.005, 0.12))
        caption = (
            r.choice(c.persona.topic.captions)
            + " "
            + " ".join(f"#{t}" for t in r.sample(c.persona.topic.hashtags, 2))
        )
        node.update(
            {
                "id": digits("igpost", c.handle, i, n=19, first="3"),
                "shortcode": alnum("igsc", c.handle, i, n=11),
                "display_url": media_url(base_url, "display", c.handle, i),
                "owner": {"id": c.id, "username": c.handle},
                "accessibility_caption": None
                if kind == "GraphVideo"
                else f"Photo by {c.full_name}.",
                "edge_media_to_caption": {
                    "edges": [] if r.random() < 0.1 else [{"node": {"text": caption}}]
                },
                "edge_media_to_comment": {"count": int(likes * r.uniform(0.01, 0.05))},
                "taken_at_timestamp": taken,
                "edge_liked_by": {"count": likes},
                "edge_media_preview_like": {"count": likes},
                "thumbnail_src": media_url(base_url, "thumb", c.handle, i),
            }
        )
        for j, res in enumerate(node["thumbnail_resources"]):
            res["src"] = media_url(base_url, f"res{j}", c.handle, i)
        if kind == "GraphVideo":
            node.update(
                {
                    "video_url": video_url(c.handle, i),
                    "video_view_count": int(likes * r.uniform(8, 30)),
                }
            )
            node["clips_music_attribution_info"].update(
                {"artist_name": c.handle, "audio_id": digits("audio", c.handle, i, n=16)}
            )
        media["edges"].append({"node": node})


def resolve(handle: str | None) -> str:
    """The canonical handle of a request (BadRequest / NotFound otherwise)."""
    h = clean_handle(handle or "")
    if not h:
        raise BadRequest("You must provide a handle")
    if is_missing(h):
        raise NotFound("Profile not found")
    return h


def instagram_profile(handle: str | None, base_url: str = DEFAULT_BASE_URL) -> dict:
    """`/v1/instagram/profile` body: {"data": {"user": ...}, "status": "ok"}."""
    h = resolve(handle)
    c = creator(h)
    u = template("instagram_user")
    shim = "https://l.instagram.com/?u={}&e={}"
    u.update(
        {
            "biography": c.bio,
            "bio_links": [
                {
                    "title": t,
                    "lynx_url": shim.format(quote(url, safe=""), b64id("e", url, n=60)),
                    "url": url,
                    "link_type": "external",
                }
                for t, url in c.bio_links
            ],
            "biography_with_entities": {"raw_text": c.bio, "entities": _entities(c.bio)},
            "eimu_id": digits("eimu", h, n=15),
            "external_url": c.external_url,
            "external_url_linkshimmed": shim.format(
                quote(c.external_url, safe=""), b64id("e2", h, n=60)
            )
            if c.external_url
            else None,
            "edge_followed_by": {"count": c.followers},
            "fbid": digits("fbid", h, n=17),
            "edge_follow": {"count": c.following},
            "full_name": c.full_name,
            "highlight_reel_count": rng("ig-hl", h).randint(0, 12),
            "id": c.id,
            "is_business_account": c.business,
            "is_professional_account": c.professional,
            "business_address_json": c.address_json,
            "business_contact_method": "EMAIL"
            if c.business_email and c.business_phone is None
            else ("CALL" if c.business_phone else "UNKNOWN"),
            "business_email": c.business_email,
            "business_phone_number": c.business_phone,
            "business_category_name": c.persona.topic.category if c.business else "None",
            "category_name": c.persona.topic.category if c.professional else None,
            "is_private": c.private,
            "is_verified": c.verified,
            "profile_pic_url": pic_url(c, 150, base_url),
            "profile_pic_url_hd": pic_url(c, 320, base_url),
            "username": h,
            "pronouns": rng("ig-pn", h).choice([[], [], ["she/her"], ["he/him"], ["they/them"]]),
        }
    )
    _timeline(c, u, base_url)
    related = instagram_related_handles(h)
    if related is None:
        del u["edge_related_profiles"]
    else:
        u["edge_related_profiles"] = {
            "edges": [{"node": _related_node(o, base_url)} for o in related]
        }
    return {"data": {"user": u}, "status": "ok"}


def _related_node(handle: str, base_url: str) -> dict:
    c = creator(handle)
    return {
        "id": c.id,
        "full_name": c.full_name,
        "is_private": c.private,
        "is_verified": c.verified,
        "profile_pic_url": pic_url(c, 150, base_url),
        "username": c.handle,
    }
