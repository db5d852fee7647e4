"""YouTube channels: stateless channel ids and channel details (bodies without the envelope).

The search is in `youtube_search`.

Channel ids are stateless: `UC` + 22 base64url characters that, unscrambled, hold the lower-case
handle (≤ 21 chars of a-z 0-9 _ -) or, for channels without a handle, the topic word. So any
process can turn a channelId from a search page back into the same channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from . import contacts
from .common import (
    DEFAULT_BASE_URL,
    BadRequest,
    NotFound,
    b64id,
    cdn_url,
    compact,
    digest,
    digits,
    is_missing,
    rng,
    uncompact,
)
from .templates import template

P = "youtube"
UPLOAD_LINES = {
    "en": ("New video every Sunday.", "Uploads weekly-ish 🙃", "Subscribe for more!"),
    "de": ("Neue Videos jeden Freitag.", "Abonnieren nicht vergessen!"),
    "fr": ("Nouvelle vidéo chaque mardi.", "Abonne-toi !"),
    "es": ("Nuevo video cada domingo.", "¡Suscríbete!"),
    "ko": ("매주 일요일 새 영상!", "구독과 좋아요 🙏"),
    "ja": ("毎週金曜日に投稿します。", "チャンネル登録お願いします！"),
    "ar": ("فيديو جديد كل أسبوع", "لا تنسوا الاشتراك"),
}
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HANDLE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-"
_KEY = [b % 64 for b in digest("yt-channel-id-key")][:22]
_FOREIGN: dict[str, str] = {}  # ids of handles too long/odd to encode, seen by this process


# --- channel ids -----------------------------------------------------------------------------


def _pack(values: list[int], *fill_seed: object) -> str:
    filler = [b % 64 for b in digest("yt-fill", *fill_seed)]
    values = values + filler[: 22 - len(values)]
    return "UC" + "".join(B64[(v + k) % 64] for v, k in zip(values, _KEY, strict=True))


def channel_id_for_handle(handle: str) -> str:
    h = handle.lower()
    if 0 < len(h) <= 21 and all(ch in HANDLE_CHARS for ch in h):
        return _pack([len(h)] + [HANDLE_CHARS.index(ch) for ch in h], h)
    cid = _pack([63], "foreign", h)  # 63 = "look me up": not decodable, remembered instead
    _FOREIGN[cid] = h
    return cid


def handleless_channel_id(word: str, *seed: object) -> str:
    word = "".join(ch for ch in word.lower() if "a" <= ch <= "z")[:14]
    return _pack([0, len(word)] + [ord(ch) - 97 for ch in word], "handleless", word, *seed)


def decode_channel_id(cid: str) -> tuple[str, str]:
    """("handle", h) or ("handleless", topic word, maybe ""); NotFound for a malformed id."""
    if len(cid) != 24 or not cid.startswith("UC") or any(ch not in B64 for ch in cid[2:]):
        raise NotFound("Channel not found")
    v = [(B64.index(ch) - k) % 64 for ch, k in zip(cid[2:], _KEY, strict=True)]
    if 1 <= v[0] <= 21 and all(x < len(HANDLE_CHARS) for x in v[1 : 1 + v[0]]):
        return "handle", "".join(HANDLE_CHARS[x] for x in v[1 : 1 + v[0]])
    if v[0] == 63 and cid in _FOREIGN:
        return "handle", _FOREIGN[cid]
    if v[0] == 0 and v[1] <= 14 and all(x < 26 for x in v[2 : 2 + v[1]]):
        return "handleless", "".join(chr(97 + x) for x in v[2 : 2 + v[1]])
    return "handleless", ""


# --- channels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    persona: contacts.Persona
    channel_id: str
    handle: str | None
    name: str
    description: str
    subscribers: int
    subscribers_text: str
    videos: int
    views: int
    joined: int
    tags: str
    email: str | None
    links: tuple[str, ...]
    socials: tuple[tuple[str, str], ...]
    country: str | None
    avatar_id: str
    truth: dict


@lru_cache(maxsize=16384)
def channel(channel_id: str) -> Channel:
    kind, value = decode_channel_id(channel_id)
    if kind == "handle":
        pseudo, handle = value, value
    else:  # the topic word plus digits: a pseudo handle that resolves to the same topic
        pseudo, handle = f"{value}_{digits('yt-pseudo', channel_id, n=12)}".lstrip("_"), None
    p = contacts.persona(P, pseudo)
    r = rng("yt-channel", channel_id)
    t = p.topic
    last = contacts.ACCENTED.get(p.last, p.last.title())
    if handle:
        name = r.choice(
            [
                f"{p.display_first} {last}",
                f"{t.key.title()} with {p.display_first}",
                f"{p.display_first} {t.emoji}",
                f"{p.display_first} | {t.key.title()}",
            ]
        )
    else:
        name = r.choice(
            [
                f"{t.key.title()} {r.choice(['Archive', 'Daily', 'Central'])}",
                f"{last} {t.key.title()} Highlights",
                f"The {t.key.title()} Channel",
            ]
        )
    truth = contacts.Truth()
    desc_email = field_email = link_email = None
    if contacts.has_email(P, pseudo):
        plan = r.choices(["desc", "field", "same", "two", "link"], weights=[45, 25, 10, 10, 10])[0]
        a = contacts.make_address(r, p)
        b = contacts.make_address(r, p) if plan == "two" else a
        desc_email = a if plan in ("desc", "same", "two") else None
        field_email = b if plan in ("field", "same", "two") else None
        link_email = a if plan == "link" else None
    lines = [
        contacts.intro_line(r, p),
        r.choice(UPLOAD_LINES.get(p.language, UPLOAD_LINES["en"])),
    ]
    if r.random() < 0.3:
        lines.append(
            r.choice(
                [
                    "channel art: assets/logo@2x.png",
                    "merch → banner@3x.jpg",
                    f"IG @{value if handle else 'channel'}",
                ]
            )
        )
    if desc_email:
        lines += [
            "",
            f"{r.choice(['Sponsorships / speaking:', 'Business:', 'Contact:'])}",
            contacts.write_in_text(r, desc_email),
        ]
        truth.add(desc_email, "bio")
    if field_email:
        truth.add(field_email, "channel_email")
    slug = handle or p.first
    socials = []
    if r.random() < 0.6:
        socials.append(("instagram", f"https://instagram.com/{slug.replace('-', '_')}"))
    if r.random() < 0.4:
        socials.append(("tiktok", f"https://www.tiktok.com/@{slug.replace('-', '_')}"))
    if r.random() < 0.2:
        socials.append(("twitter", f"https://twitter.com/{slug.replace('-', '_')}"))
    links = [url for _, url in socials]
    if r.random() < 0.4:
        links.append(contacts.plain_link(r, slug))
    if link_email:
        links.append(contacts.link_with_email(r, link_email, slug))
        truth.add(link_email, "bio_link")
    subs_text = compact(int(10 ** r.uniform(2.3, 7.2)))
    return Channel(
        persona=p,
        channel_id=channel_id,
        handle=handle,
        name=name,
        description="\n".join(lines),
        subscribers=uncompact(subs_text),
        subscribers_text=subs_text,
        videos=r.randint(5, 4000),
        views=int(uncompact(subs_text) * r.uniform(20, 400)),
        joined=r.randint(1_200_000_000, 1_750_000_000),
        tags=", ".join([*t.hashtags[:3], *r.sample(t.aliases, k=min(3, len(t.aliases)))]),
        email=field_email,
        links=tuple(links),
        socials=tuple(socials),
        country=p.country if r.random() < 0.8 else None,
        avatar_id=b64id("yt-avatar", channel_id, n=60),
        truth=truth.as_dict(),
    )


def resolve_channel(
    handle: str | None = None, channel_id: str | None = None, url: str | None = None
) -> str:
    """The channel id a request points at (NotFound / BadRequest otherwise)."""
    if url:
        m = re.search(
            r"youtube\.com/(?:(@)([^/?#]+)|channel/(UC[\w-]{22})|(?:c|user)/([^/?#]+))", url
        )
        if not m:
            raise BadRequest("You must provide a valid YouTube channel url")
        handle, channel_id = m.group(2) or m.group(4), m.group(3)
    if handle and re.fullmatch(r"channel/UC[\w-]{22}", handle.strip()):
        channel_id, handle = handle.strip()[8:], None  # the handle search shows for no handle
    if handle:
        h = handle.strip().lstrip("@").lower()
        if not h or is_missing(h):
            raise NotFound("Channel not found")
        return channel_id_for_handle(h)
    if channel_id:
        decode_channel_id(channel_id.strip())
        return channel_id.strip()
    raise BadRequest("You must provide a 'handle' or a 'channelId'")


def avatar_url(c: Channel, size: int, host: str, base_url: str) -> str:
    return cdn_url(base_url, "ok", host, f"{c.avatar_id}=s{size}-c-k-c0x00ffffff-no-rj", {})


def youtube_channel(
    handle: str | None = None,
    channel_id: str | None = None,
    url: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> dict:
    """`/v1/youtube/channel` body."""
    c = channel(resolve_channel(handle, channel_id, url))
    body = template("youtube_channel")
    body["avatar"]["image"]["sources"] = [
        {"url": avatar_url(c, s, "yt3.googleusercontent.com", base_url), "width": s, "height": s}
        for s in (72, 120, 160)
    ]
    body["avatar"]["loggingDirectives"]["trackingParams"] = b64id("tp", c.channel_id, n=36)
    joined = datetime.fromtimestamp(c.joined, UTC)
    out = {
        "channelId": c.channel_id,
        "channel": f"http://www.youtube.com/@{c.handle}"
        if c.handle
        else f"http://www.youtube.com/channel/{c.channel_id}",
        "name": c.name,
        "avatar": body["avatar"],
        "description": c.description,
        "subscriberCount": c.subscribers,
        "subscriberCountText": f"{c.subscribers_text} subscribers",
        "videoCountText": f"{c.videos:,} videos",
        "viewCountText": f"{c.views:,} views",
        "joinedDateText": f"Joined {joined:%b} {joined.day}, {joined.year}",
        "tags": c.tags,
        "email": c.email,
    }
    out.update(dict(c.socials))
    out.update({"links": list(c.links), "country": c.country})
    return out


def youtube_channel_truth(handle_or_channel_id: str) -> dict:
    """Ground-truth emails (bio = description, channel_email, bio_link = links)."""
    key = handle_or_channel_id
    cid = key if re.fullmatch(r"UC[\w-]{22}", key) else resolve_channel(handle=key)
    return channel(cid).truth


def youtube_channel_handle(channel_id: str) -> str:
    """The `channel.handle` a search shows for this id (`channel/UC…` when it has none)."""
    c = channel(channel_id)
    return c.handle or f"channel/{channel_id}"
