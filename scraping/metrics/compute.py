"""Recent posts → the numbers a brand judges a creator by, and a quality signal with reasons.

Pure: the same posts, followers and `now` give the same answer. Medians, not averages, so one
viral post does not make a creator look better than it usually does.
"""

import statistics
from datetime import datetime

from core.catalogue import PLATFORM_LABELS

from .benchmarks import tier_for, typical_engagement
from .engagement import engagement
from .posts import Post

# Median engagement against the tier's typical value: this many times it or more is "strong",
# under the weak factor is "weak" (between: "about typical").
ENGAGEMENT_STRONG = 1.5
ENGAGEMENT_WEAK = 0.5
# Median views as a share of followers: our own rule of thumb, not from the reports. Under 5 %
# few followers see the posts (inactive or bought audience); half or more is a wide reach.
REACH_STRONG = 0.5
REACH_WEAK = 0.05
# Days since the last post: past the first the creator is slowing down, past the second dormant.
QUIET_DAYS = 30
DORMANT_DAYS = 90

STRONG, AVERAGE, WEAK, UNKNOWN = "strong", "average", "weak", "unknown"


def with_engagement(platform: str, posts: list[Post], followers: int | None) -> list[Post]:
    """Each post with its own engagement (the platform's definition), newest first."""
    rated = [
        {
            **post,
            "engagement": engagement(
                platform,
                likes=post["likes"],
                comments=post["comments"],
                shares=post["shares"],
                views=post["views"],
                followers=followers,
            ),
        }
        for post in posts
    ]
    # Pinned posts come first upstream whatever their age; undated posts go last.
    return sorted(rated, key=_timestamp, reverse=True)


def _timestamp(post: Post) -> float:
    when = post["published_at"]
    return datetime.fromisoformat(when).timestamp() if when else float("-inf")


def creator_metrics(
    *, platform: str, posts: list[Post], followers: int | None, now: datetime, limit: int
) -> dict:
    """Metrics over the `limit` most recent posts.

    {"median_views", "median_engagement", "posts_per_week", "last_posted_at",
     "posts_considered", "quality": "strong|average|weak|unknown", "reasons": [sentences]}
    """
    recent = with_engagement(platform, posts, followers)[:limit]
    views = [p["views"] for p in recent if p["views"] is not None]
    rates = [p["engagement"] for p in recent if p["engagement"] is not None]
    dates = [datetime.fromisoformat(p["published_at"]) for p in recent if p["published_at"]]
    median_views = round(statistics.median(views)) if views else None
    median_engagement = round(statistics.median(rates), 6) if rates else None
    last_posted = max(dates) if dates else None
    quality, reasons = _quality(
        platform=platform,
        followers=followers,
        median_views=median_views,
        median_engagement=median_engagement,
        last_posted=last_posted,
        now=now,
    )
    return {
        "median_views": median_views,
        "median_engagement": median_engagement,
        "posts_per_week": posts_per_week(dates),
        "last_posted_at": last_posted.isoformat() if last_posted else None,
        "posts_considered": len(recent),
        "quality": quality,
        "reasons": reasons,
    }


def posts_per_week(dates: list[datetime]) -> float | None:
    """Posting rhythm: the gaps between the oldest and the newest post, per week.

    (posts − 1) ÷ weeks between them; None for fewer than two dated posts or a zero span.
    """
    if len(dates) < 2:
        return None
    weeks = (max(dates) - min(dates)).total_seconds() / (7 * 86400)
    return round((len(dates) - 1) / weeks, 2) if weeks > 0 else None


def _quality(*, platform, followers, median_views, median_engagement, last_posted, now):
    """(quality, reasons): each signal scores +1, 0 or -1 and says why in a sentence.

    Strong: the signals add up to at least +1 with none negative. Weak: they add up to -1 or
    less, or the creator is dormant. Unknown: no recent post, or neither engagement nor reach
    could be judged.
    """
    if last_posted is None:
        return UNKNOWN, ["No recent posts to judge."]
    scores, reasons = [], []
    tier = tier_for(followers)
    if median_engagement is not None and tier is not None:
        typical = typical_engagement(platform, tier)
        ratio = median_engagement / typical
        who = f"{PLATFORM_LABELS[platform]} {tier.label} creators ({tier.followers})"
        if ratio >= ENGAGEMENT_STRONG:
            scores.append(1)
            reasons.append(
                f"Median engagement {_pct(median_engagement)} is {ratio:.1f}× the typical "
                f"{_pct(typical)} for {who}."
            )
        elif ratio < ENGAGEMENT_WEAK:
            scores.append(-1)
            reasons.append(
                f"Median engagement {_pct(median_engagement)} is well below the typical "
                f"{_pct(typical)} for {who}."
            )
        else:
            scores.append(0)
            reasons.append(
                f"Median engagement {_pct(median_engagement)} is close to the typical "
                f"{_pct(typical)} for {who}."
            )
    if median_views is not None and followers:
        reach = median_views / followers
        if reach >= REACH_STRONG:
            scores.append(1)
            reasons.append(f"Median views are {_pct(reach, 0)} of followers: a wide reach.")
        elif reach < REACH_WEAK:
            scores.append(-1)
            reasons.append(
                f"Median views are only {_pct(reach)} of followers: few followers see the posts."
            )
        else:
            scores.append(0)
            reasons.append(f"Median views are {_pct(reach, 0)} of followers.")
    judged = bool(scores)
    days = (now - last_posted).days
    when = last_posted.date().isoformat()
    if days >= DORMANT_DAYS:
        reasons.append(f"No post in the last {DORMANT_DAYS} days (last on {when}).")
        return WEAK, reasons
    if days >= QUIET_DAYS:
        scores.append(-1)
        reasons.append(f"No post in the last {QUIET_DAYS} days (last on {when}).")
    else:
        reasons.append(f"Posted {_days_ago(days)} (on {when}).")
    if not judged:
        reasons.insert(0, "Engagement and reach are unknown: too few counts in recent posts.")
        return UNKNOWN, reasons
    total = sum(scores)
    if total >= 1 and min(scores) >= 0:
        return STRONG, reasons
    if total <= -1:
        return WEAK, reasons
    return AVERAGE, reasons


def _pct(fraction: float, places: int = 1) -> str:
    return f"{fraction * 100:.{places}f}%"


def _days_ago(days: int) -> str:
    if days <= 0:
        return "in the last 24 hours"
    return "1 day ago" if days == 1 else f"{days} days ago"
