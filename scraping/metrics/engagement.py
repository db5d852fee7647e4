"""Engagement rate, defined per platform the way the influencer-analytics tools document it.

Every function returns a fraction (0.0412 is 4.12 %) rounded to 6 places, or None when it
cannot be known: a rate needs its denominator (a positive number) and at least the likes.
Comments and shares count when they are known; an unknown one adds nothing. A missing input
is never read as 0, so pages show "—" instead of a made-up "0.0%".
"""

PLACES = 6


def instagram_engagement(
    *, likes: int | None, comments: int | None, followers: int | None
) -> float | None:
    """(likes + comments) ÷ followers, per post.

    The industry convention for Instagram (HypeAuditor's "engagement rate"; Modash also divides
    by followers): Instagram shows posts mainly to followers and hides most view counts.
    """
    return _rate(likes, [comments], followers)


def tiktok_engagement(
    *,
    likes: int | None,
    comments: int | None,
    shares: int | None,
    views: int | None,
    followers: int | None = None,
) -> float | None:
    """(likes + comments + shares) ÷ views, per video; ÷ followers when views are unknown.

    TikTok's convention is by views (Modash: "views are now a better indicator of reach than
    follower numbers", because the For You feed reaches far beyond followers).
    """
    if views:
        return _rate(likes, [comments, shares], views)
    return _rate(likes, [comments, shares], followers)


def youtube_engagement(
    *, likes: int | None, comments: int | None, views: int | None
) -> float | None:
    """(likes + comments) ÷ views, per video (Modash divides YouTube likes by views too).

    YouTube search results carry no likes, so a search's top video usually has no rate.
    """
    return _rate(likes, [comments], views)


def engagement(
    platform: str,
    *,
    likes: int | None,
    comments: int | None = None,
    shares: int | None = None,
    views: int | None = None,
    followers: int | None = None,
) -> float | None:
    """The platform's own definition, for one post or video (`platform` as stored: "tiktok")."""
    if platform == "instagram":
        return instagram_engagement(likes=likes, comments=comments, followers=followers)
    if platform == "tiktok":
        return tiktok_engagement(
            likes=likes, comments=comments, shares=shares, views=views, followers=followers
        )
    if platform == "youtube":
        return youtube_engagement(likes=likes, comments=comments, views=views)
    raise ValueError(f"unknown platform {platform!r}")


def _rate(likes: int | None, others: list[int | None], denominator: int | None) -> float | None:
    if likes is None or not denominator or denominator < 0:
        return None
    interactions = likes + sum(n for n in others if n)
    return round(interactions / denominator, PLACES)
