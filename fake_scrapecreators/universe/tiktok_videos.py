"""`/v3/tiktok/profile/videos`: a creator's recent videos, newest first (body without the envelope).

Shape of `tiktok_profile_videos_v3.json`: each aweme is the search aweme with the author as the
full user object (the following list's shape) and `cha_list: null`. The feed follows the
creator's rhythm and audience (`activity`); about 3 in 10 creators pin 1-2 older videos at the
top of the first page (`is_top: 1`); about 1 in 12 videos report `play_count: 0` (TikTok's
"not provided"). Pages of 20, paginated by `max_cursor` (milliseconds, exclusive); private
accounts have no videos.
"""

from __future__ import annotations

from functools import lru_cache

from .activity import activity, post_rng, post_times
from .common import DEFAULT_BASE_URL, REFERENCE_EPOCH, BadRequest, hexid, rng
from .tiktok import P, _following_user, creator, resolve
from .tiktok_search import aweme

VIDEOS_PAGE = 20
FEED_INDEX = 100  # aweme indexes of feed videos (the keyword search uses 0-3)


@lru_cache(maxsize=2048)
def _timeline(handle: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """((index, create_time) of the chronological feed, of the pinned videos) for a creator."""
    times = post_times(P, handle, creator(handle).videos)
    timeline = list(enumerate(times))
    r = rng("tt-pinned", handle)
    pinned = []
    if len(timeline) > 25 and r.random() < 0.3:
        pinned = r.sample(timeline[25:], k=r.choice([1, 1, 2]))
    return tuple(t for t in timeline if t not in pinned), tuple(pinned)


def _video(handle: str, index: int, created: int, pinned: bool, base_url: str) -> dict:
    c = creator(handle)
    a = aweme(handle, FEED_INDEX + index, base_url, created=created)
    a["author"] = _following_user(c, base_url)  # the feed's author is the full user object
    a["cha_list"] = None
    a["is_top"] = 1 if pinned else 0
    level = activity(P, handle)
    r = post_rng(P, handle, index, "stats")
    plays = max(50, int(c.followers * level.reach * r.uniform(0.4, 1.8)))
    likes = int(plays * level.rate * r.uniform(0.6, 1.4))
    a["statistics"].update(
        {
            "play_count": 0 if r.random() < 1 / 12 else plays,
            "digg_count": likes,
            "comment_count": int(likes * r.uniform(0.01, 0.05)),
            "share_count": int(likes * r.uniform(0.01, 0.08)),
            "collect_count": int(likes * r.uniform(0.03, 0.15)),
        }
    )
    return a


def tiktok_profile_videos(
    handle: str | None = None,
    user_id: str | None = None,
    max_cursor: str | None = None,
    sort_by: str | None = None,
    trim: bool = False,
    base_url: str = DEFAULT_BASE_URL,
) -> dict:
    """`/v3/tiktok/profile/videos` body: 20 videos per page, older pages by `max_cursor`."""
    if sort_by not in (None, "", "latest"):
        raise BadRequest("The fake server serves sort_by=latest only")
    if trim:
        raise BadRequest("The fake server does not serve trim=true here")
    try:
        before = int(max_cursor) if max_cursor else None
    except ValueError as exc:
        raise BadRequest("max_cursor must be a number") from exc
    h = resolve(handle, user_id)
    feed, pinned = ([], []) if creator(h).private else _timeline(h)
    rest = [(i, t) for i, t in feed if before is None or t * 1000 < before]
    page, more = rest[:VIDEOS_PAGE], len(rest) > VIDEOS_PAGE
    top = list(pinned) if before is None else []
    videos = [_video(h, i, t, True, base_url) for i, t in top]
    videos += [_video(h, i, t, False, base_url) for i, t in page]
    oldest = page[-1][1] * 1000 if page else (before or REFERENCE_EPOCH * 1000)
    newest = page[0][1] * 1000 if page else oldest
    return {
        "aweme_list": videos,
        "extra": {
            "fatal_item_ids": [],
            "logid": hexid("tt-videos-log", h, before, n=34).upper(),
            "now": REFERENCE_EPOCH * 1000,
        },
        "has_locate_item": False,
        "has_more": 1 if more else 0,
        "log_pb": {"impr_id": hexid("tt-videos-impr", h, before, n=34).upper()},
        "max_cursor": oldest,
        "min_cursor": newest,
        "status_code": 0,
        "status_msg": "",
    }
