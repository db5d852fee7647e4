"""The fake server's recent-posts endpoints: the example bodies' shapes, missing counts like
real feeds, pagination, and the routes over HTTP."""

import json
from pathlib import Path

import pytest
import requests

from fake_scrapecreators import universe as u
from fake_scrapecreators.testing import running_fake_server, shape_mismatches
from fake_scrapecreators.universe import activity, instagram_posts, tiktok_videos, youtube_videos
from fake_scrapecreators.universe.youtube import channel_id_for_handle

EXAMPLES = Path(__file__).with_name("examples")
KEY = {"x-api-key": "test-key"}
# Creators from every corner of the universe: the shapes must hold for all of them.
HANDLES = [u.tiktok_keyword_unique_authors("running")[i] for i in range(0, 120, 4)]
IG_HANDLES = [u.instagram_hashtag_unique_owners("trailrunning")[i] for i in range(0, 120, 4)]
CHANNELS = u.youtube_search_unique_channels("trail running")[:30]


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def env(body: dict) -> dict:
    return u.with_envelope(body, 41)


# --- shapes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("handle", HANDLES)
def test_tiktok_profile_videos_have_the_example_shape(handle):
    body = u.tiktok_profile_videos(handle)
    ex = example("tiktok_profile_videos_v3.json")
    assert list(env(body)) == list(ex)
    assert shape_mismatches(ex, env(body)) == []
    for aweme in body["aweme_list"]:  # the author is the full user object of the example
        assert set(aweme["author"]) == set(ex["aweme_list"][0]["author"])
        assert aweme["cha_list"] is None


@pytest.mark.parametrize("handle", IG_HANDLES)
def test_instagram_user_posts_have_the_example_shape(handle):
    body = u.instagram_user_posts(handle)
    ex = example("instagram_user_posts_v2.json")
    assert list(env(body)) == list(ex)
    # A fifth of the creators' feeds leave the view counts out (see below).
    optional = {"$.items[].play_count", "$.items[].ig_play_count"}
    assert shape_mismatches(ex, env(body), optional) == []
    # Each item has exactly the keys, in order, of the example item of its kind.
    keys = {item["product_type"]: list(item) for item in ex["items"]}
    for item in body["items"]:
        expected = keys[item["product_type"]]
        if "play_count" not in item:
            expected = [k for k in expected if k not in ("play_count", "ig_play_count")]
        assert list(item) == expected


@pytest.mark.parametrize("handle", IG_HANDLES)
def test_instagram_user_reels_have_the_example_shape(handle):
    body = u.instagram_user_reels(handle)
    ex = example("instagram_user_reels.json")
    assert list(env(body)) == list(ex)
    assert shape_mismatches(ex, env(body)) == []
    for item in body["items"]:
        assert list(item["media"]) == list(ex["items"][0]["media"])
        assert item["media"]["caption"] is None


@pytest.mark.parametrize("channel_id", CHANNELS)
def test_youtube_channel_videos_have_the_example_shape(channel_id):
    ex = example("youtube_channel_videos.json")
    plain = u.youtube_channel_videos(channel_id=channel_id)
    assert shape_mismatches(ex, env(plain), {"$.continuationToken"}) == []
    assert {k for v in plain["videos"] for k in v} == set(ex["videos"][0])
    extras = u.youtube_channel_videos(channel_id=channel_id, include_extras=True)
    # includeExtras adds the like and comment counts, nothing else.
    optional = {"$.continuationToken", "$.videos[].likeCountInt", "$.videos[].commentCountInt"}
    assert shape_mismatches(ex, env(extras), optional) == []
    assert {k for v in extras["videos"] for k in v} - set(ex["videos"][0]) <= {
        "likeCountInt",
        "commentCountInt",
    }


def test_no_example_identity_leaks_into_recent_posts():
    bodies = json.dumps(
        [
            u.tiktok_profile_videos("maya.runs"),
            u.instagram_user_posts("maya.trailruns"),
            u.instagram_user_reels("maya.trailruns"),
            u.youtube_channel_videos("mayaruns", include_extras=True),
        ],
        ensure_ascii=False,
    )
    for token in (
        "trailrunner_maya",
        "Maya Okafor",
        "7835840532865687327",
        "4493886357",
        "lena.laeuft",
        "DECkNVzvbT5",
        "Yw6ucFHH3cZ",
        "trailpost",
    ):
        assert token not in bodies


# --- missing counts, as real feeds have them -----------------------------------------------------


def test_some_tiktok_videos_report_zero_plays():
    plays = [
        a["statistics"]["play_count"]
        for h in HANDLES
        for a in u.tiktok_profile_videos(h)["aweme_list"]
    ]
    assert len(plays) > 300
    assert 0.03 < plays.count(0) / len(plays) < 0.15
    assert all(p > 0 for p in plays if p != 0)


def test_some_instagram_feeds_carry_no_views_and_some_posts_hide_counts():
    without_views = [h for h in IG_HANDLES if instagram_posts._views_missing(h)]
    assert 0 < len(without_views) < len(IG_HANDLES)
    for handle in without_views:
        body = u.instagram_user_posts(handle)
        reels = [i for i in body["items"] if i["product_type"] == "clips"]
        assert all("play_count" not in i and i["has_views_fetching"] is False for i in reels)
        # …the reels endpoint has them.
        assert all("play_count" in i["media"] for i in u.instagram_user_reels(handle)["items"])
    items = [i for h in IG_HANDLES for i in u.instagram_user_posts(h)["items"]]
    hidden = [i for i in items if i["like_and_view_counts_disabled"]]
    assert hidden and all(i["like_count"] == 0 for i in hidden)
    assert any(i["caption"] is None for i in items)


def test_some_youtube_videos_hide_their_likes():
    videos = [
        v
        for c in CHANNELS
        for v in u.youtube_channel_videos(channel_id=c, include_extras=True)["videos"]
    ]
    hidden = [v for v in videos if "likeCountInt" not in v]
    assert 0.03 < len(hidden) / len(videos) < 0.2
    assert all("commentCountInt" in v for v in videos)


def test_rhythms_and_audiences_vary():
    levels = [activity.activity("tiktok", h) for h in u.tiktok_keyword_unique_authors("running")]
    assert {a.rhythm for a in levels} == {"active", "quiet", "dormant"}
    assert {a.audience for a in levels} == {"engaged", "typical", "hollow"}


# --- pagination ----------------------------------------------------------------------------------


def test_tiktok_feed_pages_by_max_cursor_newest_first_with_pins_on_page_one():
    handle = next(h for h in HANDLES if tiktok_videos._timeline(h)[1])
    first = u.tiktok_profile_videos(handle)
    pinned = [a for a in first["aweme_list"] if a["is_top"] == 1]
    assert pinned and first["aweme_list"][: len(pinned)] == pinned
    seen, body = [], first
    while True:
        feed = [a for a in body["aweme_list"] if a["is_top"] == 0]
        times = [a["create_time"] for a in feed]
        assert times == sorted(times, reverse=True)
        assert body["max_cursor"] == times[-1] * 1000
        seen += [a["aweme_id"] for a in feed]
        if not body["has_more"]:
            break
        body = u.tiktok_profile_videos(handle, max_cursor=str(body["max_cursor"]))
        assert all(a["is_top"] == 0 for a in body["aweme_list"])
    assert len(seen) == len(set(seen)) == len(tiktok_videos._timeline(handle)[0])
    assert not {a["aweme_id"] for a in pinned} & set(seen)


def test_instagram_posts_and_reels_page_through_the_feed():
    handle = IG_HANDLES[1]
    codes, body = [], u.instagram_user_posts(handle)
    while True:
        codes += [i["code"] for i in body["items"] if not i["timeline_pinned_user_ids"]]
        if not body["more_available"]:
            assert body["next_max_id"] is None
            break
        assert body["next_max_id"] == body["items"][-1]["id"]
        body = u.instagram_user_posts(handle, body["next_max_id"])
    assert len(codes) == len(set(codes)) == len(instagram_posts._timeline(handle)[0])
    reels, body = [], u.instagram_user_reels(handle)
    while True:
        reels += [i["media"]["code"] for i in body["items"]]
        if not body["paging_info"]["more_available"]:
            break
        body = u.instagram_user_reels(handle, max_id=body["paging_info"]["max_id"])
    first_page_reels = [
        i["code"]
        for i in u.instagram_user_posts(handle)["items"]
        if i["product_type"] == "clips" and not i["timeline_pinned_user_ids"]
    ]
    assert first_page_reels and reels[: len(first_page_reels)] == first_page_reels
    assert len(reels) == len(set(reels))


def test_youtube_uploads_page_by_continuation_token():
    channel_id = channel_id_for_handle("mayaruns")
    ids, body = [], u.youtube_channel_videos(channel_id=channel_id)
    while True:
        ids += [v["id"] for v in body["videos"]]
        if "continuationToken" not in body:
            break
        body = u.youtube_channel_videos(
            channel_id=channel_id, continuation_token=body["continuationToken"]
        )
    assert len(ids) == len(set(ids)) == min(60, youtube_videos.channel(channel_id).videos)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: u.tiktok_profile_videos("maya.runs", max_cursor="soon"), "max_cursor"),
        (lambda: u.tiktok_profile_videos("maya.runs", sort_by="popular"), "sort_by=latest"),
        (lambda: u.instagram_user_posts("maya.runs", "123_456"), "next_max_id"),
        (lambda: u.instagram_user_reels("maya.runs", max_id="QVFCnope"), "max_id"),
        (lambda: u.instagram_user_reels(user_id="4493886357"), "by handle"),
        (lambda: u.youtube_channel_videos("mayaruns", continuation_token="x"), "continuation"),
        (lambda: u.youtube_channel_videos("mayaruns", sort="popular"), "sort=latest"),
    ],
)
def test_bad_parameters_are_bad_requests(build, message):
    with pytest.raises(u.BadRequest, match=message):
        build()


def test_unknown_creators_are_not_found_and_private_ones_have_no_posts():
    for build in (
        lambda: u.tiktok_profile_videos("someone.missing"),
        lambda: u.instagram_user_posts("unknown_user"),
        lambda: u.instagram_user_reels("unknown_user"),
        lambda: u.youtube_channel_videos("unknown_channel"),
    ):
        with pytest.raises(u.NotFound):
            build()
    private_tt = next(
        h
        for h in u.tiktok_keyword_unique_authors("cooking")
        if u.tiktok_profile(h)["user"]["privateAccount"]
    )
    assert u.tiktok_profile_videos(private_tt)["aweme_list"] == []
    private_ig = next(
        h
        for h in u.instagram_hashtag_unique_owners("cooking")
        if instagram_posts.creator(h).private
    )
    assert u.instagram_user_posts(private_ig)["items"] == []


def test_same_creator_same_feed():
    assert u.tiktok_profile_videos("maya.runs") == u.tiktok_profile_videos("@Maya.Runs")
    assert u.instagram_user_posts("maya.runs") == u.instagram_user_posts("maya.runs")


# --- over HTTP -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "items"),
    [
        ("/v3/tiktok/profile/videos", {"handle": "maya.runs", "sort_by": "latest"}, "aweme_list"),
        ("/v2/instagram/user/posts", {"handle": "maya.trailruns"}, "items"),
        ("/v1/instagram/user/reels", {"handle": "maya.trailruns"}, "items"),
        ("/v1/youtube/channel-videos", {"handle": "mayaruns", "includeExtras": "true"}, "videos"),
    ],
)
def test_routes_answer_with_the_envelope_for_one_credit(path, params, items):
    with running_fake_server() as sc:
        response = requests.get(sc.base_url + path, params=params, headers=KEY, timeout=5)
        assert response.status_code == 200
        body = response.json()
        assert (body["success"], body["credits_charged"]) == (True, 1)
        assert len(body[items]) > 0
        [call] = sc.calls(path)
        assert (call["status"], call["credits_charged"]) == (200, 1)
        missing = requests.get(
            sc.base_url + path, params={"handle": "someone.missing"}, headers=KEY, timeout=5
        )
        assert (missing.status_code, missing.json()["errorStatus"]) == (404, 404)
