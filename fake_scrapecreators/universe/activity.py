"""How often a fake creator posts and how its audience responds (its recent-posts feeds).

Every creator gets, from its platform and handle alone:

* a rhythm: most are active (newest post 2 hours to 9 days before the universe's reference
  time, a post every 0.6 to 7 days), about 1 in 7 have gone quiet (newest post 31 to 85 days
  old) and about 1 in 12 are dormant (newest post 95 to 400 days old);
* an audience: about 1 in 5 is engaged (wide reach, high engagement), 3 in 5 typical, and
  1 in 5 hollow (views a few percent of followers and low engagement, like bought followers).

Per post, views and interactions vary around the creator's own levels, so medians are stable
and a single post can still go viral.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from .common import REFERENCE_EPOCH, rng

# Typical engagement of a "typical" audience: likes per view (TikTok, YouTube) or likes per
# follower (Instagram), the way each platform's analytics count it.
BASE_RATE = {"tiktok": 0.07, "instagram": 0.015, "youtube": 0.03}
# Typical views as a share of followers.
BASE_REACH = {"tiktok": 0.6, "instagram": 0.25, "youtube": 0.2}
TIMELINE_MAX = 60  # posts a feed can page through


@dataclass(frozen=True)
class Activity:
    rhythm: str  # active | quiet | dormant
    audience: str  # engaged | typical | hollow
    newest_age: int  # seconds between the newest post and REFERENCE_EPOCH
    gap_days: float  # typical days between two posts
    reach: float  # typical views ÷ followers
    rate: float  # typical engagement (see BASE_RATE)


@lru_cache(maxsize=16384)
def activity(platform: str, handle: str) -> Activity:
    r = rng("activity", platform, handle)
    rhythm = r.choices(["active", "quiet", "dormant"], weights=[79, 13, 8])[0]
    if rhythm == "active":
        age, gap = r.randint(2 * 3600, 9 * 86400), r.choice([0.6, 1.0, 2.0, 3.5, 7.0])
    elif rhythm == "quiet":
        age, gap = r.randint(31 * 86400, 85 * 86400), r.choice([3.5, 7.0, 14.0])
    else:
        age, gap = r.randint(95 * 86400, 400 * 86400), r.choice([7.0, 14.0, 30.0])
    audience = r.choices(["engaged", "typical", "hollow"], weights=[20, 60, 20])[0]
    reach_factor, rate_factor = {
        "engaged": (r.uniform(1.5, 3.0), r.uniform(1.6, 2.6)),
        "typical": (r.uniform(0.5, 1.5), r.uniform(0.7, 1.3)),
        "hollow": (r.uniform(0.02, 0.12), r.uniform(0.15, 0.4)),
    }[audience]
    return Activity(
        rhythm=rhythm,
        audience=audience,
        newest_age=age,
        gap_days=gap,
        reach=BASE_REACH[platform] * reach_factor,
        rate=BASE_RATE[platform] * rate_factor,
    )


@lru_cache(maxsize=4096)
def post_times(platform: str, handle: str, count: int) -> tuple[int, ...]:
    """Epoch seconds of the creator's `count` most recent posts, newest first."""
    a = activity(platform, handle)
    r = rng("post-times", platform, handle)
    t = REFERENCE_EPOCH - a.newest_age
    times = []
    for _ in range(min(count, TIMELINE_MAX)):
        times.append(t)
        t -= max(600, int(a.gap_days * 86400 * r.uniform(0.4, 1.6)))
    return tuple(times)


def post_rng(platform: str, handle: str, index: int, what: str) -> random.Random:
    """The randomness of one post's numbers (index 0 = newest)."""
    return rng("post", platform, handle, index, what)
