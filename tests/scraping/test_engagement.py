"""Engagement rate: one definition per platform, None (never 0) when an input is missing, and
every search type computes it where creators are built."""

import pytest

from scraping.metrics.engagement import (
    engagement,
    instagram_engagement,
    tiktok_engagement,
    youtube_engagement,
)
from scraping.searches import SEARCHES, creator_fields
from scraping.state import JobState

# --- the definitions ---------------------------------------------------------------------------


def test_instagram_is_likes_plus_comments_over_followers():
    assert instagram_engagement(likes=400, comments=20, followers=10_000) == 0.042


def test_tiktok_is_likes_comments_and_shares_over_views():
    # The first video of the contract's example: 9,120 likes, 301 comments, 210 shares, 98,210 plays.
    assert (
        tiktok_engagement(likes=9_120, comments=301, shares=210, views=98_210, followers=184_220)
        == 0.098065
    )


def test_tiktok_falls_back_to_followers_when_views_are_unknown():
    assert (
        tiktok_engagement(likes=900, comments=60, shares=40, views=None, followers=20_000) == 0.05
    )
    # TikTok reports 0 plays when it does not give the count: the same fallback.
    assert tiktok_engagement(likes=900, comments=60, shares=40, views=0, followers=20_000) == 0.05


def test_youtube_is_likes_plus_comments_over_views():
    assert youtube_engagement(likes=3_000, comments=120, views=100_000) == 0.0312


def test_unknown_comments_and_shares_add_nothing():
    assert instagram_engagement(likes=400, comments=None, followers=10_000) == 0.04
    assert tiktok_engagement(likes=500, comments=None, shares=None, views=10_000) == 0.05
    assert youtube_engagement(likes=250, comments=None, views=10_000) == 0.025


@pytest.mark.parametrize(
    ("platform", "inputs"),
    [
        # Without likes there is no rate, even with every other count.
        ("instagram", {"likes": None, "comments": 20, "followers": 10_000}),
        ("tiktok", {"likes": None, "comments": 5, "shares": 5, "views": 1_000}),
        ("youtube", {"likes": None, "comments": 12, "views": 88_102}),
        # Without the denominator neither.
        ("instagram", {"likes": 400, "comments": 20, "followers": None}),
        ("instagram", {"likes": 400, "comments": 20, "followers": 0}),
        ("tiktok", {"likes": 900, "views": None, "followers": None}),
        ("tiktok", {"likes": 900, "views": 0, "followers": 0}),
        ("youtube", {"likes": 3_000, "views": None}),
        ("youtube", {"likes": 3_000, "views": 0}),
    ],
)
def test_missing_inputs_give_none_never_zero(platform, inputs):
    assert engagement(platform, **inputs) is None


def test_zero_likes_with_a_denominator_is_a_real_zero():
    assert youtube_engagement(likes=0, comments=0, views=5_000) == 0.0


def test_engagement_dispatches_to_the_platform_definition():
    counts = {"likes": 100, "comments": 10, "shares": 10, "views": 2_000, "followers": 1_000}
    assert engagement("instagram", **counts) == 0.11
    assert engagement("tiktok", **counts) == 0.06
    assert engagement("youtube", **counts) == 0.055
    with pytest.raises(ValueError, match="unknown platform 'vine'"):
        engagement("vine", **counts)


# --- where creators are built --------------------------------------------------------------------


def seed(**fields) -> dict:
    return {"external_id": "1", "username": "maya", "keyword": "running", **fields}


def test_youtube_search_video_without_likes_has_no_engagement():
    # Search results carry views but no likes: unknown, not "0.0%".
    fields = creator_fields(seed(views=88_102, likes=None, comments=None), {}, platform="youtube")
    assert fields["engagement"] is None


def test_instagram_hashtag_post_is_rated_against_the_profile_followers():
    fields = creator_fields(
        seed(views=None, likes=2_210, comments=45, shares=None, followers=None),
        {"followers": 50_000},
        platform="instagram",
    )
    assert fields["engagement"] == 0.0451


def test_tiktok_keyword_video_is_rated_by_views():
    fields = creator_fields(
        seed(views=12_001, likes=990, comments=18, shares=4, followers=None),
        {"followers": 184_220},
        platform="tiktok",
    )
    assert fields["engagement"] == 0.084326


def test_instagram_similar_rates_the_profiles_top_post_with_its_followers():
    search = SEARCHES["instagram_similar"]
    state = {"target": {"topics": ["running"], "followers": 40_000}}
    related = seed(followers=None)  # related profiles carry no post and no followers
    profile = {
        "followers": 20_000,
        "bio": "trail running",
        "top_post": {
            "content_description": "race day",
            "content_url": "https://www.instagram.com/p/abc/",
            "views": None,
            "likes": 1_200,
            "comments": 30,
            "published_at": "2026-09-01T00:00:00+00:00",
            "hashtags": ["running"],
        },
    }
    fields = search.build(JobState.from_json(state), related, profile)
    assert (fields["likes"], fields["comments"], fields["followers"]) == (1_200, 30, 20_000)
    assert fields["engagement"] == 0.0615
    assert related == seed(followers=None)  # the queued seed is left as it was
