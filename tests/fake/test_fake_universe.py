"""The fake ScrapeCreators universe as pure functions: shapes, pools, determinism, ground truth."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fake_scrapecreators import universe as u
from fake_scrapecreators.testing import shape_mismatches
from fake_scrapecreators.universe import common, contacts, topics, youtube

EXAMPLES = Path(__file__).with_name("examples")
ROOT = Path(__file__).resolve().parents[2]


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def env(body: dict) -> dict:
    return u.with_envelope(body, 41)


# --- shapes against the contract's example bodies ---------------------------------------------


@pytest.mark.parametrize(
    ("file", "build", "optional"),
    [
        (
            "tiktok_search_keyword.json",
            lambda: u.tiktok_keyword_page("fitness", 30),
            {"$.search_item_list[].search_aweme_info"},
        ),
        (
            "tiktok_search_keyword_trim.json",
            lambda: u.tiktok_keyword_page("fitness", 0, True),
            set(),
        ),
        (
            "tiktok_search_users.json",
            lambda: u.tiktok_users_page("fitness"),
            {"$.users[].user_info.signature"},
        ),
        ("tiktok_user_following.json", lambda: u.tiktok_following_page("maya.runs"), set()),
        ("tiktok_profile.json", lambda: u.tiktok_profile("maya.runs"), {"$.user.bioLink"}),
        (
            "instagram_profile.json",
            lambda: u.instagram_profile("maya.runs"),
            {"$.data.user.edge_related_profiles"},
        ),
        (
            "instagram_search_hashtag.json",
            lambda: u.instagram_hashtag_page("trailrunning"),
            {
                "$.posts[].accessibility_caption",
                "$.posts[].is_affiliate",
                "$.posts[].owner.is_private",
                "$.posts[].owner.is_unpublished",
                "$.posts[].owner.follower_count",
                "$.posts[].owner.post_count",
            },
        ),
        (
            "youtube_search.json",
            lambda: u.youtube_search_page("trail running"),
            {"$.continuationToken"},
        ),
        (
            "youtube_channel.json",
            lambda: u.youtube_channel("mayaruns"),
            {"$.instagram", "$.tiktok", "$.twitter"},
        ),
    ],
)
def test_bodies_have_the_example_shapes(file, build, optional):
    assert shape_mismatches(example(file), env(build()), optional) == []


def test_every_keyword_item_author_and_video_matches_the_example():
    ex = example("tiktok_search_keyword.json")["search_item_list"][0]["aweme_info"]
    items = [
        i["aweme_info"]
        for c in (0, 30, 60)
        for i in u.tiktok_keyword_page("cooking", c)["search_item_list"]
    ]
    assert len(items) > 40
    for a in items:
        assert shape_mismatches(ex, a) == []
        assert set(a["author"]) == set(ex["author"])
        assert "signature" not in a["author"]
        assert a["author"]["total_favorited"] == 0
        assert a["author"]["aweme_count"] == 0


def test_optional_keys_really_vary():
    profiles = [u.tiktok_profile(h) for h in u.tiktok_keyword_unique_authors("travel")[:60]]
    assert 0 < sum("bioLink" in p["user"] for p in profiles) < 60
    users = u.tiktok_users_page("travel")["users"] + u.tiktok_users_page("travel", 10)["users"]
    assert 0 < sum("signature" in x["user_info"] for x in users) < 20
    channels = [
        u.youtube_channel(channel_id=c) for c in u.youtube_search_unique_channels("travel")[:60]
    ]
    assert {c["email"] is None for c in channels} == {True, False}
    assert {"instagram" in c for c in channels} == {True, False}


def test_no_example_identity_leaks_into_generated_data():
    bodies = json.dumps(
        [
            u.tiktok_keyword_page("running", 0),
            u.tiktok_keyword_page("running", 0, trim=True),
            u.tiktok_users_page("running"),
            u.tiktok_following_page("maya.runs"),
            u.tiktok_profile("maya.runs"),
            u.instagram_profile("maya.runs"),
            u.instagram_hashtag_page("trailrunning"),
            u.youtube_search_page("trail running"),
            u.youtube_channel("mayaruns"),
        ],
        ensure_ascii=False,
    )
    for token in (
        "trailrunner_maya",
        "Maya Okafor",
        "7835840532865687327",
        "9d0560ed3d4c5fe7c06",
        "7683749514900251523",
        "4493886357",
        "lena.laeuft",
        "UCGbPeC3QErZSx3SEi2lLeNM",
        "peakpace",
        "run.with.renee",
        "3544450855522268",
        "trailpost",
        "69813432125",
    ):
        assert token not in bodies


# --- keyword search: cursor, pools, repeats ----------------------------------------------------


def test_keyword_cursor_is_request_cursor_plus_30_and_has_more_is_int():
    assert u.tiktok_keyword_page("fitness", 0)["cursor"] == 30
    assert u.tiktok_keyword_page("fitness", 7)["cursor"] == 37
    page = u.tiktok_keyword_page("fitness", 60)
    assert page["cursor"] == 90
    assert page["has_more"] == 1
    assert type(page["has_more"]) is int


def test_aweme_id_encodes_create_time_and_url_matches():
    for item in u.tiktok_keyword_page("baking", 0)["search_item_list"]:
        a = item["aweme_info"]
        assert int(a["aweme_id"]) >> 32 == a["create_time"]
        assert (
            a["url"] == f"https://www.tiktok.com/@{a['author']['unique_id']}/video/{a['aweme_id']}"
        )
        assert a["create_time"] < common.REFERENCE_EPOCH
        tags = [t["hashtag_name"] for t in a["text_extra"] if t["type"] == 1]
        assert tags and all(
            a["desc"][t["start"] : t["end"]] == "#" + t["hashtag_name"] for t in a["text_extra"]
        )
        assert [c["cha_name"] for c in a["cha_list"]] == tags


@pytest.mark.parametrize(
    ("query", "size"), [("niche yoga", 45), ("Empty gym", 0), ("home workout", 1500), ("NICHE", 45)]
)
def test_pool_sizes(query, size):
    assert u.pool_size(query) == size
    authors = u.tiktok_keyword_unique_authors(query)
    assert len(authors) == size
    assert len(set(authors)) == size


def test_empty_query_first_page_is_empty():
    page = u.tiktok_keyword_page("empty stuff", 0)
    assert page == {"cursor": 30, "has_more": 0, "search_item_list": []}


def test_niche_chain_runs_dry_and_yields_exactly_the_pool():
    seen, cursor, pages = [], 0, 0
    while True:
        page = u.tiktok_keyword_page("niche skincare", cursor)
        pages += 1
        for item in page["search_item_list"]:
            h = item["aweme_info"]["author"]["unique_id"]
            if h not in seen:
                seen.append(h)
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert seen == u.tiktok_keyword_unique_authors("niche skincare")
    assert len(seen) == 45
    after = u.tiktok_keyword_page("niche skincare", cursor)
    assert after["search_item_list"] == []
    assert after["has_more"] == 0


def test_about_half_of_every_page_is_repeats():
    q = "fitness"
    seen: set[str] = set()
    for page in range(12):
        plan = u.keyword_page_plan(q, page * 30)
        handles = [h for h, _, _ in plan]
        new = [h for h, _, is_new in plan if is_new]
        assert 16 <= len(plan) <= 24
        assert len(new) == len(plan) // 2  # the benchmark ratio: floor(half) new, rest repeats
        assert not seen & set(new)
        seen |= set(handles)
    # Repeats include earlier pages and the very same aweme (duplicate items to dedupe).
    ids = [
        i["aweme_info"]["aweme_id"]
        for c in range(0, 150, 30)
        for i in u.tiktok_keyword_page(q, c)["search_item_list"]
    ]
    assert len(ids) - len(set(ids)) > 10


def test_same_query_same_answer_across_processes():
    here = json.dumps(u.tiktok_keyword_page("Skate Boarding", 30), sort_keys=True)
    code = (
        "import json,sys; from fake_scrapecreators import universe as u; "
        "sys.stdout.write(json.dumps(u.tiktok_keyword_page('skate   boarding', 30), "
        "sort_keys=True))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    ).stdout
    assert out == here


def test_query_topic_reaches_handles_bios_and_captions():
    for q, word in (("marathon training", "running"), ("skateboarding", "skateboarding")):
        for h in u.tiktok_keyword_unique_authors(q)[:20]:
            assert topics.topic_for_handle(h).key == word
    authors = u.tiktok_keyword_unique_authors("skateboarding")
    assert all("skateboarding" in h for h in authors[:50])
    profile = u.tiktok_profile(authors[0])["user"]
    assert profile["uniqueId"] == authors[0]


def test_a_topics_hashtag_searched_as_a_keyword_finds_that_topics_creators():
    # What "expand with related hashtags" searches: every hashtag a caption carries.
    for topic in topics.TOPICS:
        keyword_pool = set(u.tiktok_keyword_unique_authors(topic.key))
        for tag in topic.hashtags:
            assert topics.topic_for_query(tag)[0] is topic, tag
            authors = u.tiktok_keyword_unique_authors(tag)
            assert len(authors) == 1500, tag
            assert {topics.topic_for_handle(h).key for h in authors[:30]} == {topic.key}, tag
            if tag != topic.key:  # overlapping the keyword's creators, a little
                assert 0.05 < len(keyword_pool & set(authors)) / len(authors) < 0.15, tag
    # Tags that name an alias resolve as before, with the word as a handle token.
    assert topics.topic_for_query("trailrunning")[1][-1] == "trailrunning"
    assert topics.topic_for_query("runtok")[1] == topics.TOPIC_BY_KEY["running"].handle_words


def test_names_never_look_like_topics_or_control_words():
    for name in topics.FIRST_NAMES + topics.LAST_NAMES:
        assert topics.resolve_word(name) is None
        assert not any(w in name for w in topics.CONTROL_WORDS)


# --- profiles, users search, following ----------------------------------------------------------


def test_search_and_profile_agree():
    page = u.tiktok_keyword_page("cooking", 0)["search_item_list"]
    author = page[0]["aweme_info"]["author"]
    prof = u.tiktok_profile(author["unique_id"])
    assert prof["user"]["id"] == author["uid"]
    assert prof["user"]["secUid"] == author["sec_uid"]
    assert prof["user"]["nickname"] == author["nickname"]
    assert prof["statsV2"]["followerCount"] == str(author["follower_count"])
    assert u.tiktok_profile(user_id=author["uid"]) == prof
    assert u.tiktok_profile("@" + author["unique_id"].upper()) == prof


@pytest.mark.parametrize("handle", ["unknown_user", "someone.missing", "@UNKNOWN"])
def test_unknown_handles_are_not_found(handle):
    with pytest.raises(u.NotFound):
        u.tiktok_profile(handle)
    with pytest.raises(u.NotFound):
        u.instagram_profile(handle)
    with pytest.raises(u.NotFound):
        u.youtube_channel(handle)


def test_users_search_pages_of_ten_until_dry():
    pages = [u.tiktok_users_page("niche pilates", c) for c in range(0, 60, 10)]
    assert [len(p["users"]) for p in pages] == [10, 10, 10, 10, 5, 0]
    assert [p["cursor"] for p in pages] == [10, 20, 30, 40, 50, 60]
    assert all("has_more" not in p for p in pages)
    handles = [x["user_info"]["unique_id"] for p in pages for x in p["users"]]
    assert handles == u.tiktok_users_unique("niche pilates")
    assert all("pilates" in h or topics.topic_for_handle(h).key == "fitness" for h in handles)


def test_following_pages_with_min_time():
    handles = u.tiktok_following_handles("maya.runs")
    assert 52 <= len(handles) <= 68
    got, min_time, pages = [], None, 0
    while True:
        page = u.tiktok_following_page("maya.runs", min_time)
        got += [f["unique_id"] for f in page["followings"]]
        pages += 1
        assert page["total"] == len(handles)
        if not page["has_more"]:
            break
        min_time = page["min_time"]
    assert got == list(handles)
    assert pages == -(-len(handles) // 20)
    assert "maya.runs" not in got
    bio = u.tiktok_following_page("maya.runs")["followings"][0]
    assert bio["signature"] == u.tiktok_profile(bio["unique_id"])["user"]["signature"]


# --- Instagram -----------------------------------------------------------------------------------


def test_ig_hashtag_pages_and_cursor_limits():
    assert u.instagram_hashtag_page("#Yoga")["cursor"] == "2"
    assert u.instagram_hashtag_page("yoga", "11")["cursor"] == "12"
    for bad in ("12", "0", "abc"):
        with pytest.raises(u.BadRequest, match="page must be between 1 and 11"):
            u.instagram_hashtag_page("yoga", bad)
    owners = u.instagram_hashtag_unique_owners("yoga")
    assert 150 <= len(owners) <= 200  # 11 pages of 30-40 posts, half of them new
    assert u.instagram_hashtag_page("yoga", "2") == u.instagram_hashtag_page("YOGA", 2)
    niche = u.instagram_hashtag_unique_owners("niche yoga")
    assert len(niche) == 45
    sizes = [len(u.instagram_hashtag_page("niche yoga", str(p))["posts"]) for p in range(1, 12)]
    assert sizes[:3] == [n for n in sizes[:3] if n >= 30]  # 45 owners: ~17 new per page
    assert sizes[3:] == [0] * 8


def test_ig_related_profiles():
    rel = u.instagram_related_handles("maya.runs")
    assert len(rel) == 80
    assert "maya.runs" not in rel
    assert (
        len(u.instagram_profile("maya.runs")["data"]["user"]["edge_related_profiles"]["edges"])
        == 80
    )
    reach = set(rel)
    for h in rel[:5]:
        reach |= set(u.instagram_related_handles(h) or ())
    assert len(reach) > 150  # related-of-related goes past 80
    user = u.instagram_profile("runner.norelated")["data"]["user"]
    assert "edge_related_profiles" not in user
    sizes = [
        len(u.instagram_related_handles(h) or ())
        for h in u.instagram_hashtag_unique_owners("running")[:150]
    ]
    assert max(sizes) == 80
    assert 0 in sizes
    niche = set(u.instagram_related_handles("lena.niche.runs"))
    for h in list(niche):
        niche |= set(u.instagram_related_handles(h) or ())
    assert len(niche - {"lena.niche.runs"}) <= 45


def test_ig_related_nodes_match_profiles():
    node = u.instagram_profile("maya.runs")["data"]["user"]["edge_related_profiles"]["edges"][3]
    other = u.instagram_profile(node["node"]["username"])["data"]["user"]
    assert (node["node"]["id"], node["node"]["full_name"]) == (other["id"], other["full_name"])
    assert isinstance(other["business_address_json"], str | None)


# --- YouTube ----------------------------------------------------------------------------------


def test_youtube_token_is_opaque_and_chain_runs_dry():
    page = u.youtube_search_page("niche bouldering")
    token = page["continuationToken"]
    assert not token.isdigit() and len(token) > 30
    seen, pages = [], 0
    while token is not None or pages == 0:
        body = u.youtube_search_page("niche bouldering", token if pages else None)
        for v in body["videos"] + body["shorts"]:
            if v["channel"]["id"] not in seen:
                seen.append(v["channel"]["id"])
        token = body.get("continuationToken")
        pages += 1
    assert seen == u.youtube_search_unique_channels("niche bouldering")
    assert len(seen) == 45
    with pytest.raises(u.BadRequest):
        u.youtube_search_page("another query", page["continuationToken"])
    with pytest.raises(u.BadRequest):
        u.youtube_search_page("niche bouldering", page["continuationToken"][:-2] + "xx")
    assert u.youtube_search_page("empty") == {
        "videos": [],
        "channels": [],
        "playlists": [],
        "shorts": [],
        "shelves": [],
        "lives": [],
    }


def test_youtube_channel_ids_resolve_statelessly():
    ids = u.youtube_search_unique_channels("home cooking")
    handles = [u.youtube_channel_handle(c) for c in ids]
    assert any(h.startswith("channel/UC") for h in handles)
    for cid, h in list(zip(ids, handles, strict=True))[:80]:
        by_id = u.youtube_channel(channel_id=cid)
        assert by_id["channelId"] == cid
        if h.startswith("channel/"):
            assert by_id["channel"] == f"http://www.youtube.com/channel/{cid}"
            assert u.youtube_channel(handle=h)["channelId"] == cid
        else:
            assert u.youtube_channel(handle="@" + h)["channelId"] == cid
            assert u.youtube_channel(url=f"https://www.youtube.com/@{h}")["channelId"] == cid
        assert youtube.decode_channel_id(cid)[0] in ("handle", "handleless")
    with pytest.raises(u.NotFound):
        u.youtube_channel(channel_id="UCnot-a-valid-id")
    with pytest.raises(u.BadRequest, match="You must provide a 'handle' or a 'channelId'"):
        u.youtube_channel()


def test_youtube_subscriber_count_matches_text():
    for cid in u.youtube_search_unique_channels("travel")[:40]:
        c = u.youtube_channel(channel_id=cid)
        text = c["subscriberCountText"].removesuffix(" subscribers")
        assert common.uncompact(text) == c["subscriberCount"]


# --- ground truth of emails ----------------------------------------------------------------------


def _canonical(text: str) -> str:
    t = text.lower().replace("＠", "@")
    for a, b in (
        ("[at]", "@"),
        ("(at)", "@"),
        ("{at}", "@"),
        ("(@)", "@"),
        (" at ", "@"),
        ("[dot]", "."),
        ("(dot)", "."),
        (" dot ", "."),
    ):
        t = t.replace(a, b)
    return re.sub(r"\s+", "", t)


def _fields(platform: str, handle: str) -> dict[str, str]:
    if platform == "tiktok":
        user = u.tiktok_profile(handle)["user"]
        return {"bio": user["signature"], "bio_link": (user.get("bioLink") or {}).get("link", "")}
    if platform == "instagram":
        user = u.instagram_profile(handle)["data"]["user"]
        return {
            "bio": user["biography"],
            "bio_link": " ".join(x["url"] for x in user["bio_links"]),
            "external_url": user["external_url"] or "",
            "business_email": user["business_email"] or "",
        }
    c = u.youtube_channel(channel_id=handle)
    return {
        "bio": c["description"],
        "channel_email": c["email"] or "",
        "bio_link": " ".join(c["links"]),
    }


def test_truth_emails_are_where_the_truth_says():
    samples = [
        ("tiktok", h, u.tiktok_profile_truth)
        for h in u.tiktok_keyword_unique_authors("fitness")[:200]
    ]
    samples += [
        ("instagram", h, u.instagram_profile_truth)
        for h in u.instagram_hashtag_unique_owners("travel")[:150]
    ]
    samples += [
        ("youtube", c, u.youtube_channel_truth)
        for c in u.youtube_search_unique_channels("tech")[:150]
    ]
    with_email, sources = 0, set()
    for platform, handle, truth_fn in samples:
        truth = truth_fn(handle)
        fields = _fields(platform, handle)
        with_email += bool(truth["emails"])
        assert list(truth["sources"]) == truth["emails"]
        for email, where in truth["sources"].items():
            assert email == email.lower() and "@" in email
            for source in where:
                sources.add(source)
                assert email in _canonical(fields[source]), (platform, handle, source)
        if not truth["emails"]:
            # only the look-alikes remain: image names such as logo@2x.png are not emails
            found = re.findall(r"[\w.+-]+@[\w-]+\.[a-z]{2,}\b", fields["bio"].lower())
            assert all(re.search(r"@\dx\.(png|jpg)$", f) for f in found), found
    assert 0.32 < with_email / len(samples) < 0.48
    assert sources == set(contacts.SOURCES)


def test_bios_are_awkward_on_purpose():
    bios = [
        u.tiktok_profile(h)["user"]["signature"]
        for h in u.tiktok_keyword_unique_authors("beauty")[:600]
    ]
    text = "\n".join(bios)
    for needle in ("[at]", "(at)", " at ", "＠", "mailto:", "+", "logo@2x.png", "{at}"):
        assert needle in text, needle
    assert "" in bios
    assert re.search(r"[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}", text)  # upper-case emails
    assert re.search(r"@[a-z]+\.[a-z]+[.!,;]", text.lower())  # trailing punctuation
    for script in (r"[\uac00-\ud7a3]", r"[\u3040-\u30ff]", r"[\u0600-\u06ff]", "ü|ö|ä", "é|è"):
        assert re.search(script, text), script
    for mention in re.findall(r"(?<![\w.])@[\w.]+", text):
        assert mention[1:] not in " ".join(
            e
            for h in u.tiktok_keyword_unique_authors("beauty")[:600]
            for e in u.tiktok_profile_truth(h)["emails"]
        )


def test_avatar_urls_mix_formats_expiry_and_variants():
    base = "http://fake.test:1234"
    urls = [
        i["aweme_info"]["author"]["avatar_thumb"]["url_list"][0]
        for c in range(0, 600, 30)
        for i in u.tiktok_keyword_page("gaming", c, base_url=base)["search_item_list"]
    ]
    assert all(x.startswith(base + "/cdn/") for x in urls)
    assert {x.split("?")[0].rsplit(".", 1)[1] for x in urls} == {"heic", "webp", "jpeg"}
    assert any("x-expires=1767225600" in x for x in urls)
    variants = {x.split("/")[4] for x in urls}
    assert {"ok", "browser", "noref", "expired"} <= variants


@pytest.mark.parametrize("query", ["fitness", "skateboarding tricks", "x" * 40, "마라톤"])
def test_handles_respect_platform_syntax(query):
    assert all(re.fullmatch(r"[a-z0-9._]{3,24}", h) for h in u.tiktok_keyword_unique_authors(query))
    assert all(
        re.fullmatch(r"[a-z0-9._]{3,30}", h) for h in u.instagram_hashtag_unique_owners(query)
    )
    handles = [u.youtube_channel_handle(c) for c in u.youtube_search_unique_channels(query)]
    assert all(re.fullmatch(r"[a-z0-9_-]{3,21}|channel/UC[\w-]{22}", h) for h in handles)
