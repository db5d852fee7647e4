"""`/v1/youtube/channel-videos`: a channel's uploads, newest first (body without the envelope).

Shape of `youtube_channel_videos.json` (`channel` is `{"title": "", "thumbnail": null}` there).
The uploads follow the channel's rhythm and audience (`activity`). `publishedTime` is
approximate the way ScrapeCreators makes it: derived from "3 weeks ago", one time of day per
response. With `includeExtras=true` videos also carry `likeCountInt` and `commentCountInt`
(about 1 in 10 videos hide their likes: no `likeCountInt`). 30 videos a page, the next page
by an opaque `continuationToken`.
"""

from __future__ import annotations

import base64

from .activity import activity, post_rng, post_times
from .common import (
    DEFAULT_BASE_URL,
    REFERENCE_EPOCH,
    BadRequest,
    alnum,
    b64id,
    cdn_url,
    hexid,
    iso,
    rng,
)
from .youtube import P, channel, resolve_channel

VIDEOS_PAGE = 30
_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400))


def _ago(published: int, seconds_of_day: int) -> tuple[str, str]:
    """("3 weeks ago", the approximate ISO time ScrapeCreators derives from it)."""
    age = max(86400, REFERENCE_EPOCH - published)
    unit, span = next((u, s) for u, s in _UNITS if age >= s)
    n = age // span
    day = (REFERENCE_EPOCH - n * span) // 86400 * 86400
    return f"{n} {unit}{'s' if n > 1 else ''} ago", iso(day + seconds_of_day, "418")


def _video(cid: str, index: int, published: int, tod: int, extras: bool, base_url: str) -> dict:
    c = channel(cid)
    level = activity(P, cid)
    r = post_rng(P, cid, index, "video")
    vid = alnum("yt-upload", cid, index, n=11)
    views = max(10, int(c.subscribers * level.reach * r.uniform(0.4, 1.8)))
    length = r.randint(61, 3600)
    text, when = _ago(published, tod)
    title = r.choice(c.persona.topic.captions)
    video = {
        "type": "video",
        "id": vid,
        "url": f"https://www.youtube.com/watch?v={vid}",
        "title": title,
        "description": f"{title} {c.persona.topic.emoji}\n\n{c.description.splitlines()[0]}",
        "thumbnail": cdn_url(
            base_url,
            "ok",
            "i.ytimg.com",
            f"vi/{vid}/hqdefault.jpg",
            {"sqp": b64id("yt-sqp", vid, n=40), "rs": b64id("yt-rs", vid, n=30)},
        ),
        "channel": {"title": "", "thumbnail": None},
        "viewCountText": f"{views:,} views",
        "viewCountInt": views,
        "publishedTimeText": text,
        "publishedTime": when,
        "lengthText": f"{length // 60}:{length % 60:02}"
        if length < 3600
        else f"{length // 3600}:{length % 3600 // 60:02}:{length % 60:02}",
        "lengthSeconds": length,
        "badges": r.sample(["4K", "CC"], k=r.choice([0, 0, 1])),
    }
    if extras:
        likes = int(views * level.rate * r.uniform(0.6, 1.4))
        if r.random() >= 0.1:  # the rest hide their likes
            video["likeCountInt"] = likes
        video["commentCountInt"] = int(likes * r.uniform(0.02, 0.1))
    return video


def _token(cid: str, page: int) -> str:
    raw = f"{page}.{hexid('yt-uploads-token', cid, page, n=20)}".encode()
    return "4qmFsgL" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _page(cid: str, token: str) -> int:
    try:
        raw = token[7:] + "=" * (-len(token[7:]) % 4)
        page = int(base64.urlsafe_b64decode(raw).decode().split(".")[0])
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Invalid continuationToken") from exc
    if _token(cid, page) != token:
        raise BadRequest("Invalid continuationToken")
    return page


def youtube_channel_videos(
    handle: str | None = None,
    channel_id: str | None = None,
    sort: str | None = None,
    continuation_token: str | None = None,
    include_extras: bool = False,
    base_url: str = DEFAULT_BASE_URL,
) -> dict:
    """`/v1/youtube/channel-videos` body: 30 uploads a page, `continuationToken` while more."""
    if sort not in (None, "", "latest"):
        raise BadRequest("The fake server serves sort=latest only")
    cid = resolve_channel(handle, channel_id)
    page = _page(cid, continuation_token) if continuation_token else 0
    times = post_times(P, cid, channel(cid).videos)
    start = page * VIDEOS_PAGE
    tod = rng("yt-uploads-tod", cid, page).randint(0, 86399)  # one time of day per response
    videos = [
        _video(cid, i, times[i], tod, include_extras, base_url)
        for i in range(start, min(start + VIDEOS_PAGE, len(times)))
    ]
    body: dict = {"videos": videos}
    if start + VIDEOS_PAGE < len(times):
        body["continuationToken"] = _token(cid, page + 1)
    return body
