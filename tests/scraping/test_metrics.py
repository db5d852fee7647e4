"""Recent-content metrics: the posts parsers against the contract's example bodies, and the
metrics and quality signal computed from posts, with exact numbers."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraping.metrics import posts as parse
from scraping.metrics.benchmarks import TIERS, tier_for
from scraping.metrics.compute import creator_metrics, posts_per_week

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "scrapecreators"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def post(day: str, *, views=None, likes=None, comments=None, shares=None, url="") -> dict:
    return {
        "url": url or f"https://example.com/{day}",
        "published_at": f"{day}T12:00:00+00:00",
        "views": views,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "caption": "",
    }


# --- parsers -----------------------------------------------------------------------------------


def test_tiktok_videos_become_posts():
    body = example("tiktok_profile_videos_v3")
    assert parse.tiktok_posts(body)[0] == {
        "url": "https://www.tiktok.com/@trailrunner_maya/video/7684125990432532900",
        "published_at": "2026-09-11T04:13:20+00:00",
        "views": 98_210,
        "likes": 9_120,
        "comments": 301,
        "shares": 210,
        "caption": "gear check for 100 miles 🎒 (links in bio) #ultrarunning #gearcheck",
    }
    assert [(p["views"], p["likes"]) for p in parse.tiktok_posts(body)] == [
        (98_210, 9_120),
        (41_002, 3_320),
        (12_001, 990),
    ]
    assert parse.tiktok_followers(body) == 184_220


def test_tiktok_zero_plays_are_unknown_and_missing_urls_are_built():
    body = {
        "aweme_list": [
            {
                "aweme_id": "7684125990432532900",
                "author": {"unique_id": "maya"},
                "create_time": 1789100000,
                "statistics": {"play_count": 0, "digg_count": "12", "comment_count": None},
            }
        ]
    }
    assert parse.tiktok_posts(body) == [
        {
            "url": "https://www.tiktok.com/@maya/video/7684125990432532900",
            "published_at": "2026-09-11T04:13:20+00:00",
            "views": None,
            "likes": 12,
            "comments": None,
            "shares": None,
            "caption": "",
        }
    ]
    assert parse.tiktok_posts({}) == []
    assert parse.tiktok_followers({"aweme_list": [{"author": {"follower_count": 0}}]}) is None


def test_instagram_posts_have_views_on_reels_only():
    posts = parse.instagram_posts(example("instagram_user_posts_v2"))
    assert [(p["url"], p["views"], p["likes"], p["comments"]) for p in posts] == [
        ("https://www.instagram.com/trailrunner_maya/reel/DECkNVzvbT5/", 120_044, 8_120, 312),
        ("https://www.instagram.com/trailrunner_maya/p/DYXg-WlGhFA/", None, 2_210, 45),
        ("https://www.instagram.com/trailrunner_maya/p/Ddf-GAImDAH/", None, 3_302, 61),
    ]
    assert posts[0]["published_at"] == "2026-09-10T14:20:00+00:00"
    assert posts[0]["caption"] == "100 miles in the San Juans. Full vlog on YT 🎥 #ultrarunning"
    assert posts[2]["caption"] == ""
    assert {p["shares"] for p in posts} == {None}


def test_instagram_hidden_counts_are_unknown():
    item = {"code": "abc", "media_type": 2, "product_type": "clips", "taken_at": 1789050000}
    hidden = {**item, "like_and_view_counts_disabled": True, "like_count": 0, "play_count": 0}
    [post] = parse.instagram_posts({"items": [hidden]})
    assert (post["likes"], post["views"], post["url"]) == (
        None,
        None,
        "https://www.instagram.com/reel/abc/",
    )


def test_instagram_asks_for_reels_only_when_its_videos_carry_no_views():
    body = example("instagram_user_posts_v2")
    assert parse.instagram_views_missing(body) is False
    for item in body["items"]:
        item.pop("play_count", None)
        item.pop("ig_play_count", None)
    assert parse.instagram_views_missing(body) is True
    photos_only = {"items": [i for i in body["items"] if i["media_type"] != 2]}
    assert parse.instagram_views_missing(photos_only) is False  # reels would not help


def test_instagram_reel_views_complete_the_posts_by_shortcode():
    reels = parse.instagram_reel_views(example("instagram_user_reels"))
    assert reels == {"DHAD03nNkSe": 120_044, "DL5wr3Tu0aX": 15_120}
    posts = [
        post("2026-10-02", url="https://www.instagram.com/maya/reel/DL5wr3Tu0aX/", likes=9),
        post("2026-10-01", url="https://www.instagram.com/p/Ddf-GAImDAH/", likes=3),
        post("2026-09-30", url="https://www.instagram.com/reel/DHAD03nNkSe", views=7, likes=1),
    ]
    assert [p["views"] for p in parse.with_reel_views(posts, reels)] == [15_120, None, 7]


def test_youtube_videos_become_posts_without_likes_unless_extras():
    posts = parse.youtube_posts(example("youtube_channel_videos"))
    assert [(p["url"], p["views"], p["likes"], p["published_at"]) for p in posts] == [
        (
            "https://www.youtube.com/watch?v=Yw6ucFHH3cZ",
            88_102,
            None,
            "2026-09-05T09:12:33.418000+00:00",
        ),
        (
            "https://www.youtube.com/watch?v=DcfaqXDq2Tn",
            142_009,
            None,
            "2026-08-21T09:12:33.418000+00:00",
        ),
    ]
    assert posts[0]["caption"] == "Hardrock 100 — my DNF, honestly"
    extras = {
        "videos": [
            {"id": "x1", "viewCountText": "1,234 views", "likeCountInt": 56, "commentCountInt": 7}
        ]
    }
    assert parse.youtube_posts(extras)[0] | {"published_at": None} == {
        "url": "https://www.youtube.com/watch?v=x1",
        "published_at": None,
        "views": 1_234,
        "likes": 56,
        "comments": 7,
        "shares": None,
        "caption": "",
    }


# --- tiers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (0, "nano"),
        (9_999, "nano"),
        (10_000, "micro"),
        (99_999, "micro"),
        (100_000, "mid"),
        (499_999, "mid"),
        (500_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
        (250_000_000, "mega"),
    ],
)
def test_follower_tiers(followers, tier):
    assert tier_for(followers).key == tier


def test_unknown_followers_have_no_tier():
    assert tier_for(None) is None
    assert [t.key for t in TIERS] == ["nano", "micro", "mid", "macro", "mega"]


# --- metrics -------------------------------------------------------------------------------------

TIKTOK_POSTS = [
    post("2026-10-18", views=30_000, likes=2_700, comments=200, shares=100),  # 10 %
    post("2026-10-30", views=40_000, likes=4_000, comments=200, shares=100),  # 10.75 %
    post("2026-10-24", views=None, likes=900, comments=50, shares=50),  # 2 % of followers
    post("2026-10-27", views=20_000, likes=1_500, comments=60, shares=40),  # 8 %
    post("2026-10-21", views=100_000, likes=12_000, comments=500, shares=500),  # 13 %
]


def test_tiktok_metrics_over_recent_videos():
    metrics = creator_metrics(
        platform="tiktok", posts=TIKTOK_POSTS, followers=50_000, now=NOW, limit=12
    )
    assert metrics == {
        "median_views": 35_000,
        "median_engagement": 0.1,
        "posts_per_week": 2.33,  # 4 gaps in 12 days
        "last_posted_at": "2026-10-30T12:00:00+00:00",
        "posts_considered": 5,
        "quality": "strong",
        "reasons": [
            "Median engagement 10.0% is close to the typical 8.3% for TikTok micro creators "
            "(10k–100k followers).",
            "Median views are 70% of followers: a wide reach.",
            "Posted 1 day ago (on 2026-10-30).",
        ],
    }


def test_only_the_most_recent_posts_count_whatever_their_order():
    pinned_old = post("2025-01-05", views=9_000_000, likes=900_000, comments=0, shares=0)
    metrics = creator_metrics(
        platform="tiktok", posts=[pinned_old, *TIKTOK_POSTS], followers=50_000, now=NOW, limit=3
    )
    # 2026-10-30, 10-27 and 10-24: views 40,000 and 20,000; rates 10.75 %, 8 %, 2 %.
    assert (metrics["posts_considered"], metrics["median_views"]) == (3, 30_000)
    assert metrics["median_engagement"] == 0.08
    assert metrics["posts_per_week"] == 2.33  # 2 gaps in 6 days


def test_instagram_hollow_audience_is_weak():
    posts = [
        post("2026-09-20", views=200, likes=40, comments=2),
        post("2026-09-15", views=None, likes=35, comments=1),
        post("2026-09-10", views=180, likes=50, comments=3),
        post("2026-09-05", views=None, likes=30, comments=0),
    ]
    metrics = creator_metrics(platform="instagram", posts=posts, followers=8_000, now=NOW, limit=12)
    # Rates of followers: 0.525 %, 0.45 %, 0.6625 %, 0.375 %.
    assert (metrics["median_views"], metrics["median_engagement"]) == (190, 0.004875)
    assert metrics["posts_per_week"] == 1.4
    assert metrics["quality"] == "weak"
    assert metrics["reasons"] == [
        "Median engagement 0.5% is well below the typical 2.8% for Instagram nano creators "
        "(under 10k followers).",
        "Median views are only 2.4% of followers: few followers see the posts.",
        "No post in the last 30 days (last on 2026-09-20).",
    ]


def test_strong_engagement_with_a_narrow_reach_is_average():
    posts = [post("2026-10-29", views=1_000, likes=100, comments=0)]
    metrics = creator_metrics(platform="youtube", posts=posts, followers=40_000, now=NOW, limit=12)
    assert (metrics["median_engagement"], metrics["posts_per_week"]) == (0.1, None)
    assert metrics["quality"] == "average"
    assert metrics["reasons"] == [
        "Median engagement 10.0% is 2.9× the typical 3.5% for YouTube micro creators "
        "(10k–100k followers).",
        "Median views are only 2.5% of followers: few followers see the posts.",
        "Posted 2 days ago (on 2026-10-29).",
    ]


def test_a_dormant_creator_is_weak_whatever_its_old_numbers():
    posts = [post("2026-07-01", views=90_000, likes=9_000, comments=900, shares=900)]
    metrics = creator_metrics(platform="tiktok", posts=posts, followers=20_000, now=NOW, limit=12)
    assert metrics["quality"] == "weak"
    assert metrics["reasons"][-1] == "No post in the last 90 days (last on 2026-07-01)."


def test_no_posts_is_unknown():
    assert creator_metrics(platform="tiktok", posts=[], followers=5_000, now=NOW, limit=12) == {
        "median_views": None,
        "median_engagement": None,
        "posts_per_week": None,
        "last_posted_at": None,
        "posts_considered": 0,
        "quality": "unknown",
        "reasons": ["No recent posts to judge."],
    }


def test_without_likes_or_followers_quality_is_unknown_but_views_count():
    # YouTube channel videos without includeExtras, and a channel whose subscribers are unknown.
    posts = [post("2026-10-31", views=88_102), post("2026-10-17", views=142_009)]
    metrics = creator_metrics(platform="youtube", posts=posts, followers=None, now=NOW, limit=12)
    assert (metrics["median_views"], metrics["median_engagement"]) == (115_056, None)
    assert metrics["posts_per_week"] == 0.5
    assert metrics["quality"] == "unknown"
    assert metrics["reasons"] == [
        "Engagement and reach are unknown: too few counts in recent posts.",
        "Posted in the last 24 hours (on 2026-10-31).",
    ]


def test_posts_per_week_needs_two_dated_posts_apart():
    day = datetime(2026, 10, 1, tzinfo=UTC)
    assert posts_per_week([]) is None
    assert posts_per_week([day]) is None
    assert posts_per_week([day, day]) is None
    assert posts_per_week([day, datetime(2026, 10, 15, tzinfo=UTC)]) == 0.5
