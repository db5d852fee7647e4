"""The transforms against the real shapes (tests/fixtures/scrapecreators, copied from the
upstream contract examples) and against the tolerated variations."""

import json
from pathlib import Path

import pytest

from scraping.transform import instagram, tiktok, youtube
from scraping.transform.values import handle, hashtags_in, to_int

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "scrapecreators"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        ("12", 12),
        ("1,234", 1234),
        ("1.2M", 1_200_000),
        ("2.75M subscribers", 2_750_000),
        ("41.2K subscribers", 41_200),
        ("17k", 17_000),
        ("6,031,559 views", 6_031_559),
        ("4767869", 4_767_869),
        (3.0, 3),
        (None, None),
        ("", None),
        ("n/a", None),
        (True, None),
    ],
)
def test_to_int_reads_numbers_in_every_shape(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("@Maya", "Maya"),
        ("maya", "maya"),
        ("https://www.tiktok.com/@maya.runs?lang=en", "maya.runs"),
        ("instagram.com/peakpace.coach/", "peakpace.coach"),
        ("  @x_y  ", "x_y"),
    ],
)
def test_handle_accepts_at_names_and_urls(value, expected):
    assert handle(value) == expected


def test_hashtags_in_text_are_lowercased_and_unique():
    assert hashtags_in("Run #TrailRunning #ultra", "more #trailrunning #Laufen!") == [
        "trailrunning",
        "ultra",
        "laufen",
    ]


def test_tiktok_keyword_item_wrapped_and_flat_give_the_same_seed():
    wrapped = example("tiktok_search_keyword")["search_item_list"][0]
    flat = wrapped["aweme_info"]
    assert tiktok.video_seed(wrapped, keyword="run") == tiktok.video_seed(flat, keyword="run")
    seed = tiktok.video_seed(wrapped, keyword="run")
    assert seed["username"] == "trailrunner_maya"
    assert seed["external_id"] == flat["author"]["uid"]
    assert (
        seed["content_url"] == "https://www.tiktok.com/@trailrunner_maya/video/7683749514900251523"
    )
    assert (seed["views"], seed["likes"], seed["comments"], seed["shares"]) == (
        412330,
        38120,
        611,
        902,
    )
    assert seed["hashtags"] == ["trailrunning", "ultramarathon", "colorado"]
    assert seed["duration_seconds"] == 58
    assert seed["published_at"] == "2026-09-10T03:52:25+00:00"
    assert "bio" not in seed  # keyword-search authors carry no signature


def test_tiktok_trimmed_keyword_items_parse():
    body = example("tiktok_search_keyword_trim")
    seeds = [tiktok.video_seed(i) for i in body["search_item_list"]]
    assert all(s and s["external_id"] and s["username"] for s in seeds)


def test_tiktok_hashtag_authors_with_zero_followers_are_unknown():
    body = example("tiktok_search_hashtag")
    zero = [i for i in body["aweme_list"] if i["author"].get("follower_count") == 0]
    assert zero, "the example has 0-follower authors"
    assert tiktok.video_seed(zero[0])["followers"] is None


def test_tiktok_profile_prefers_exact_statsv2_followers():
    profile = tiktok.profile(example("tiktok_profile"))
    assert profile["followers"] == 184220
    assert profile["username"] == "trailrunner_maya"
    assert profile["link_fields"] == [{"link": "https://linktr.ee/trailrunner_maya", "risk": 0}]
    assert profile["verified"] is True


def test_tiktok_profile_soft_deactivated_answer_is_none():
    assert tiktok.profile({"success": True, "account_deactivated": True, "message": "gone"}) is None
    assert tiktok.profile({"success": True}) is None


def test_tiktok_users_search_entries_parse_with_and_without_signature():
    users = example("tiktok_search_users")["users"]
    seeds = [tiktok.user_seed(u) for u in users]
    assert [s["username"] for s in seeds][:1] == ["trailrunner_maya"]
    assert sum(1 for s in seeds if s["bio"]) == 1
    assert any(s["is_private"] for s in seeds)


def test_instagram_hashtag_post_seed():
    post = example("instagram_search_hashtag")["posts"][0]
    seed = instagram.post_seed(post, keyword="trailrunning")
    assert (seed["username"], seed["followers"], seed["likes"], seed["comments"]) == (
        "peakpace.coach",
        230104,
        2210,
        41,
    )
    assert seed["views"] is None  # the v2 search has no play count: never guessed
    assert seed["hashtags"] == ["trailrunning", "laufen"]
    assert seed["duration_seconds"] == 31


def test_instagram_profile_and_related():
    body = example("instagram_profile")
    profile = instagram.profile(body)
    assert profile["followers"] == 96400
    assert profile["business_email"] == "partnerships@trailpost.co"
    assert profile["external_url"] == "https://youtube.com/@TrailRunnerMaya"
    related = instagram.related_seeds(body)
    assert related[0]["username"] == "lena.laeuft"
    assert len(related) == len(body["data"]["user"]["edge_related_profiles"]["edges"])
    assert instagram.related_seeds({"data": {"user": {}}}) == []


def test_youtube_search_videos_and_channel():
    body = example("youtube_search")
    videos = youtube.search_videos(body)
    seed = youtube.video_seed(videos[0], keyword="trail running")
    assert (seed["external_id"], seed["username"], seed["views"], seed["duration_seconds"]) == (
        "UCGbPeC3QErZSx3SEi2lLeNM",
        "TrailRunnerMaya",
        210334,
        2498,
    )
    assert seed["profile_url"] == "https://www.youtube.com/@TrailRunnerMaya"
    no_handle = {"id": "x", "channel": {"id": "UCabc", "title": "T", "handle": "channel/UCabc"}}
    assert youtube.video_seed(no_handle)["username"] == ""
    assert youtube.video_seed(no_handle)["profile_url"] == "https://www.youtube.com/channel/UCabc"


def test_youtube_channel():
    channel = youtube.channel(example("youtube_channel"))
    assert (channel["username"], channel["followers"], channel["channel_email"]) == (
        "TrailRunnerMaya",
        41200,
        "partnerships@trailpost.co",
    )
    assert "https://www.tiktok.com/@trailrunner_maya" in channel["link_fields"]
    text_only = youtube.channel({"channelId": "UC1", "subscriberCountText": "1.2M subscribers"})
    assert text_only["followers"] == 1_200_000
