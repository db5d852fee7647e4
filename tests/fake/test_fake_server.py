"""The fake ScrapeCreators HTTP server: envelope, errors, credits, cache, faults, latency, control."""

import json
import time
from pathlib import Path

import pytest
import requests

from fake_scrapecreators import universe as u
from fake_scrapecreators.server import FakeScrapeCreatorsServer
from fake_scrapecreators.testing import running_fake_server, shape_mismatches

EXAMPLES = Path(__file__).with_name("examples")
KEY = {"x-api-key": "test-key"}
START = 1_000_000


@pytest.fixture(scope="module")
def server():
    with running_fake_server() as sc:
        yield sc


@pytest.fixture
def sc(server: FakeScrapeCreatorsServer):
    server.reset()
    return server


def get(sc, path, params=None, headers=KEY, **kw):
    return requests.get(sc.base_url + path, params=params, headers=headers, timeout=5, **kw)


def example(name):
    return json.loads((EXAMPLES / name).read_text())


# --- bodies ------------------------------------------------------------------------------------


def test_keyword_body_is_the_pure_body_plus_the_envelope(sc):
    r = get(sc, "/v1/tiktok/search/keyword", {"query": "fitness", "cursor": 30})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert list(body)[:3] == ["success", "credits_remaining", "credits_charged"]
    assert (body["success"], body["credits_remaining"], body["credits_charged"]) == (
        True,
        START - 1,
        1,
    )
    assert body == u.with_envelope(
        u.tiktok_keyword_page("fitness", 30, base_url=sc.base_url), START - 1
    )
    assert body["cursor"] == 60
    assert body["has_more"] == 1
    assert (
        shape_mismatches(
            example("tiktok_search_keyword.json"), body, {"$.search_item_list[].search_aweme_info"}
        )
        == []
    )


@pytest.mark.parametrize(
    ("path", "params", "file", "optional"),
    [
        (
            "/v1/tiktok/search/keyword",
            {"query": "yoga", "trim": "true"},
            "tiktok_search_keyword_trim.json",
            set(),
        ),
        (
            "/v1/tiktok/search/users",
            {"query": "yoga"},
            "tiktok_search_users.json",
            {"$.users[].user_info.signature"},
        ),
        ("/v1/tiktok/user/following", {"handle": "maya.runs"}, "tiktok_user_following.json", set()),
        ("/v1/tiktok/profile", {"handle": "maya.runs"}, "tiktok_profile.json", {"$.user.bioLink"}),
        (
            "/v1/instagram/profile",
            {"handle": "maya.runs"},
            "instagram_profile.json",
            {"$.data.user.edge_related_profiles"},
        ),
        (
            "/v1/instagram/search/hashtag",
            {"hashtag": "#yoga", "cursor": "2"},
            "instagram_search_hashtag.json",
            {
                "$.posts[].accessibility_caption",
                "$.posts[].is_affiliate",
                "$.posts[].owner.is_private",
                "$.posts[].owner.is_unpublished",
                "$.posts[].owner.follower_count",
                "$.posts[].owner.post_count",
            },
        ),
        ("/v1/youtube/search", {"query": "yoga"}, "youtube_search.json", {"$.continuationToken"}),
        (
            "/v1/youtube/channel",
            {"handle": "@yogawithmaya"},
            "youtube_channel.json",
            {"$.instagram", "$.tiktok", "$.twitter"},
        ),
        ("/v1/account/credit-balance", None, "account_credit_balance.json", set()),
        ("/v1/credit-balance", None, "credit_balance_legacy.json", set()),
    ],
)
def test_endpoint_shapes(sc, path, params, file, optional):
    r = get(sc, path, params)
    assert r.status_code == 200
    assert shape_mismatches(example(file), r.json(), optional) == []


def test_avatar_urls_follow_the_host_header(sc):
    headers = {**KEY, "Host": f"localhost:{sc.port}"}
    body = get(sc, "/v1/tiktok/profile", {"handle": "maya.runs"}, headers=headers).json()
    assert body["user"]["avatarThumb"].startswith(f"http://localhost:{sc.port}/cdn/")
    assert (
        requests.get(
            body["user"]["avatarThumb"].replace(
                "/cdn/" + body["user"]["avatarThumb"].split("/")[4] + "/", "/cdn/ok/"
            ),
            timeout=5,
        ).status_code
        == 200
    )


def test_balances(sc):
    get(sc, "/v1/tiktok/profile", {"handle": "a.b"})
    assert get(sc, "/v1/account/credit-balance").json() == {
        "success": True,
        "credits_remaining": START - 1,
        "credits_charged": 0,
        "creditCount": START - 1,
    }
    assert get(sc, "/v1/credit-balance").json() == {
        "creditCount": START - 1,
        "message": f"You have {START - 1} credits remaining.",
        "success": True,
    }


def test_pagination_over_http_until_dry(sc):
    cursor, seen, calls = 0, [], 0
    while True:
        body = get(
            sc, "/v1/tiktok/search/keyword", {"query": "niche vanlife", "cursor": cursor}
        ).json()
        calls += 1
        assert body["cursor"] == cursor + 30
        seen += [i["aweme_info"]["author"]["unique_id"] for i in body["search_item_list"]]
        cursor = body["cursor"]
        if body["has_more"] == 0:
            break
    assert list(dict.fromkeys(seen)) == u.tiktok_keyword_unique_authors("niche vanlife")
    assert (
        get(sc, "/v1/tiktok/search/keyword", {"query": "niche vanlife", "cursor": cursor}).json()[
            "search_item_list"
        ]
        == []
    )
    assert get(sc, "/v1/account/credit-balance").json()["creditCount"] == START - calls - 1


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "invalid-key"}, {"x-api-key": ""}])
def test_401(sc, headers):
    r = get(sc, "/v1/tiktok/profile", {"handle": "a.b"}, headers=headers)
    assert r.status_code == 401
    assert r.json() == {
        "success": False,
        "error": "unauthorized",
        "errorStatus": 401,
        "message": "Invalid API key",
    }


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/v1/youtube/channel", {}, "You must provide a 'handle' or a 'channelId'"),
        ("/v1/tiktok/profile", {}, "You must provide a 'handle' or a 'user_id'"),
        ("/v1/tiktok/search/keyword", {"query": " "}, "You must provide a query"),
        ("/v1/tiktok/search/keyword", {"query": "x", "cursor": "abc"}, "cursor must be a number"),
        (
            "/v1/instagram/search/hashtag",
            {"hashtag": "yoga", "cursor": "12"},
            "page must be between 1 and 11",
        ),
        ("/v1/instagram/profile", {}, "You must provide a handle"),
        (
            "/v1/youtube/search",
            {"query": "yoga", "continuationToken": "nope"},
            "Invalid continuationToken",
        ),
        (
            "/v1/tiktok/profile",
            {"handle": "a.b", "cache_max_age": "2d"},
            "cache_max_age must be one of 1d, 3d, 7d, 14d, 30d",
        ),
    ],
)
def test_400(sc, path, params, message):
    r = get(sc, path, params)
    assert r.status_code == 400
    assert r.json() == {
        "success": False,
        "credits_remaining": START,
        "error": "bad_request",
        "errorStatus": 400,
        "message": message,
    }


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/v1/tiktok/profile", {"handle": "unknown_person"}, "Profile not found"),
        ("/v1/tiktok/user/following", {"handle": "missing.one"}, "Profile not found"),
        ("/v1/instagram/profile", {"handle": "@someone_missing"}, "Profile not found"),
        ("/v1/youtube/channel", {"handle": "unknownchannel"}, "Channel not found"),
        ("/v1/youtube/channel", {"channelId": "UCshort"}, "Channel not found"),
    ],
)
def test_404(sc, path, params, message):
    r = get(sc, path, params)
    assert r.status_code == 404
    assert r.json() == {
        "success": False,
        "credits_remaining": START,
        "error": "not_found",
        "errorStatus": 404,
        "message": message,
    }


def test_unknown_endpoint(sc):
    r = get(sc, "/v1/tiktok/nope")
    assert (r.status_code, r.json()["message"]) == (404, "Endpoint not found")


def test_402_when_credits_run_out_but_cache_hits_are_free(sc):
    requests.post(sc.base_url + "/_fake/config", json={"credits": {"poor": 2}}, timeout=5)
    poor = {"x-api-key": "poor"}
    first = get(sc, "/v1/instagram/profile", {"handle": "maya.runs"}, headers=poor).json()
    assert (first["credits_remaining"], first["credits_charged"]) == (1, 1)
    assert (
        get(sc, "/v1/tiktok/profile", {"handle": "x.y"}, headers=poor).json()["credits_remaining"]
        == 0
    )
    r = get(sc, "/v1/tiktok/profile", {"handle": "x.z"}, headers=poor)
    assert r.status_code == 402
    assert r.json() == {
        "success": False,
        "credits_remaining": 0,
        "error": "payment_required",
        "errorStatus": 402,
        "message": "You have no credits remaining. Purchase more at https://app.scrapecreators.com",
    }
    hit = get(
        sc, "/v1/instagram/profile", {"handle": "maya.runs", "cache_max_age": "7d"}, headers=poor
    )
    assert hit.status_code == 200
    assert (hit.json()["credits_charged"], hit.json()["cached"]) == (0, True)
    assert get(sc, "/v1/tiktok/profile", {"handle": "a.b"}).json()["credits_remaining"] == START - 1


# --- cache ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "first", "again"),
    [
        ("/v1/tiktok/profile", {"handle": "maya.runs"}, {"handle": "@Maya.Runs"}),
        ("/v1/instagram/profile", {"handle": "maya.runs"}, {"handle": "maya.runs"}),
        (
            "/v1/youtube/channel",
            {"handle": "mayaruns"},
            {"channelId": u.channel_id_for_handle("mayaruns")},
        ),
    ],
)
def test_repeated_request_with_cache_max_age_is_a_free_hit(sc, path, first, again):
    one = get(sc, path, {**first, "cache_max_age": "1d"}).json()
    assert (one["credits_charged"], one["credits_remaining"]) == (1, START - 1)
    assert "cached" not in one
    two = get(sc, path, {**again, "cache_max_age": "30d"}).json()
    assert (two["credits_charged"], two["credits_remaining"]) == (0, START - 1)
    assert list(two)[-2:] == ["cached", "cached_at"]
    assert two["cached"] is True
    assert two["cached_at"].endswith("Z") and two["cached_at"][:4] == time.strftime("%Y")
    assert {
        k: v for k, v in two.items() if k not in ("cached", "cached_at", "credits_charged")
    } == {k: v for k, v in one.items() if k != "credits_charged"}
    three = get(sc, path, again).json()  # no cache_max_age: a fresh, paid fetch
    assert (three["credits_charged"], three["credits_remaining"]) == (1, START - 2)
    calls = sc.calls(path)
    assert [(c["credits_charged"], c["cached"]) for c in calls] == [
        (1, False),
        (0, True),
        (1, False),
    ]


def test_search_endpoints_are_not_cacheable(sc):
    for _ in range(2):
        body = get(sc, "/v1/youtube/search", {"query": "yoga", "cache_max_age": "1d"}).json()
        assert body["credits_charged"] == 1
        assert "cached" not in body


# --- faults --------------------------------------------------------------------------------------


def configure(sc, **patch):
    r = requests.post(sc.base_url + "/_fake/config", json=patch, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def test_scripted_faults_are_consumed_in_order(sc):
    configure(
        sc,
        faults=[
            {"path": "/v1/tiktok/search/keyword", "fault": "429", "times": 2, "retry_after": 3},
            {"path": "/v1/tiktok/*", "fault": "text500"},
            {"path": "/v1/tiktok/search/keyword", "fault": "500"},
        ],
    )
    assert get(sc, "/v1/tiktok/profile", {"handle": "a.b"}).status_code == 500  # text500 (path *)
    statuses = []
    for _ in range(4):
        r = get(sc, "/v1/tiktok/search/keyword", {"query": "yoga"})
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert r.headers["Retry-After"] == "3"
            assert r.json() == {
                "success": False,
                "credits_remaining": START,
                "error": "too_many_requests",
                "errorStatus": 429,
                "message": "Too many requests, slow down",
            }
    assert statuses == [429, 429, 500, 200]
    assert [f["times"] for f in get(sc, "/_fake/config").json()["faults"]] == [0, 0, 0]
    assert [c["fault"] for c in sc.calls()] == ["text500", "429", "429", "500", None]


@pytest.mark.parametrize(
    ("fault", "status", "ctype", "body"),
    [
        ("text500", 500, "text/plain; charset=utf-8", "Internal Server Error"),
        ("text502", 502, "text/plain; charset=utf-8", "Bad Gateway"),
        (
            "401",
            401,
            "application/json",
            {
                "success": False,
                "error": "unauthorized",
                "errorStatus": 401,
                "message": "Invalid API key",
            },
        ),
        ("402", 402, "application/json", None),
        ("503", 503, "application/json", None),
        ("empty", 200, "application/json", ""),
    ],
)
def test_fault_kinds(sc, fault, status, ctype, body):
    configure(sc, faults=[{"path": "/v1/youtube/channel", "fault": fault}])
    r = get(sc, "/v1/youtube/channel", {"handle": "abc"})
    assert (r.status_code, r.headers["Content-Type"]) == (status, ctype)
    if isinstance(body, dict):
        assert r.json() == body
    elif body is not None:
        assert r.text == body
    else:
        assert r.json()["errorStatus"] == status
    assert get(sc, "/v1/youtube/channel", {"handle": "abc"}).status_code == 200


def test_malformed_is_a_paid_200_with_truncated_json(sc):
    configure(sc, faults=[{"fault": "malformed"}])
    r = get(sc, "/v1/tiktok/profile", {"handle": "a.b"})
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    assert r.text.startswith('{"success": true')
    assert get(sc, "/v1/credit-balance").json()["creditCount"] == START - 1


def test_timeout_and_disconnect(sc):
    configure(sc, timeout_sleep=0.6, faults=[{"fault": "timeout"}, {"fault": "disconnect"}])
    with pytest.raises(requests.ReadTimeout):
        requests.get(
            sc.base_url + "/v1/tiktok/profile", params={"handle": "a.b"}, headers=KEY, timeout=0.2
        )
    with pytest.raises(requests.ConnectionError):
        get(sc, "/v1/tiktok/profile", {"handle": "a.b"})
    assert get(sc, "/v1/tiktok/profile", {"handle": "a.b"}).status_code == 200


def test_random_faults_are_seeded(sc):
    def run():
        return [get(sc, "/v1/tiktok/profile", {"handle": f"h{i}"}).status_code for i in range(40)]

    configure(sc, fault_rate=0.3, fault_kinds=["500", "429"], fault_seed=7)
    first = run()
    configure(sc, fault_seed=7)  # re-seeding replays the same dice
    assert run() == first
    assert 4 <= sum(s != 200 for s in first) <= 20
    assert set(first) == {200, 500, 429}
    configure(sc, fault_rate=0.0)
    assert set(run()) == {200}


# --- latency -------------------------------------------------------------------------------------


def timed(sc, path, params):
    t = time.monotonic()
    assert get(sc, path, params).status_code == 200
    return time.monotonic() - t


def test_latency_profile_real_with_time_scale(sc):
    assert timed(sc, "/v1/instagram/profile", {"handle": "a.b"}) < 0.2  # default: no latency
    configure(sc, latency_profile="real", time_scale=0.05)
    ig = timed(sc, "/v1/instagram/profile", {"handle": "a.b"})  # 5.7 s × 0.05 = 285 ms
    assert 0.28 <= ig < 0.8
    yt = timed(sc, "/v1/youtube/channel", {"handle": "a"})  # 1.5 s × 0.05 = 75 ms
    assert 0.07 <= yt < ig


def test_latency_override_and_jitter(sc):
    configure(sc, latency={"/v1/tiktok/profile": 0.2}, jitter=0.5)
    times = [timed(sc, "/v1/tiktok/profile", {"handle": "a.b"}) for _ in range(4)]
    assert all(0.1 <= t < 0.6 for t in times)
    assert max(times) - min(times) > 0.01
    assert timed(sc, "/v1/tiktok/search/users", {"query": "a"}) < 0.1


# --- control endpoints ---------------------------------------------------------------------------


def test_config_get_post_and_validation(sc):
    cfg = get(sc, "/_fake/config").json()
    assert (cfg["latency_profile"], cfg["time_scale"], cfg["timeout_sleep"]) == ("none", 1.0, 10.0)
    assert cfg["credits"] == {}
    new = configure(sc, time_scale=0.5, default_credits=10, credits={"k1": 3})
    assert (new["time_scale"], new["default_credits"], new["credits"]) == (0.5, 10, {"k1": 3})
    assert get(sc, "/v1/credit-balance", headers={"x-api-key": "fresh"}).json()["creditCount"] == 10
    for bad in (
        {"nope": 1},
        {"fault_rate": 2},
        {"faults": [{"fault": "explode"}]},
        {"latency_profile": "slow"},
        {"credits": {"k": "many"}},
        {"time_scale": "x"},
    ):
        r = requests.post(sc.base_url + "/_fake/config", json=bad, timeout=5)
        assert r.status_code == 400
        assert "error" in r.json()
    assert requests.get(sc.base_url + "/_fake/health", timeout=5).json()["ok"] is True


def test_reset_restores_everything(sc):
    configure(sc, time_scale=0.1, credits={"test-key": 5})
    get(sc, "/v1/tiktok/profile", {"handle": "maya.runs"})
    r = requests.post(sc.base_url + "/_fake/reset", timeout=5)
    assert r.status_code == 200
    assert r.json()["time_scale"] == 1.0
    assert r.json()["credits"] == {}
    assert requests.get(sc.base_url + "/_fake/calls", timeout=5).json() == {"calls": [], "count": 0}
    again = get(sc, "/v1/tiktok/profile", {"handle": "maya.runs", "cache_max_age": "1d"}).json()
    assert (again["credits_charged"], again["credits_remaining"]) == (1, START - 1)


def test_call_log(sc):
    get(sc, "/v1/tiktok/profile", {"handle": "a.b"})
    get(sc, "/v1/tiktok/search/keyword", {"query": "x y", "cursor": "30"})
    get(sc, "/v1/tiktok/profile", {"handle": "zz"}, headers={})
    calls = requests.get(sc.base_url + "/_fake/calls", timeout=5).json()["calls"]
    assert [(c["seq"], c["path"], c["status"], c["api_key"]) for c in calls] == [
        (1, "/v1/tiktok/profile", 200, "test-key"),
        (2, "/v1/tiktok/search/keyword", 200, "test-key"),
        (3, "/v1/tiktok/profile", 401, None),
    ]
    assert calls[1]["params"] == {"query": "x y", "cursor": "30"}
    assert calls[0]["time"].endswith("Z") and calls[0]["duration_ms"] >= 0
    only = requests.get(
        sc.base_url + "/_fake/calls", params={"path": "/v1/tiktok/profile", "since": 1}, timeout=5
    ).json()
    assert [c["seq"] for c in only["calls"]] == [3]


def test_module_entry_point_runs_a_server():
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fake_scrapecreators",
            "--port",
            str(port),
            "--latency-profile",
            "real",
            "--time-scale",
            "0.01",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cfg = None
    try:
        for _ in range(100):
            try:
                cfg = requests.get(f"http://127.0.0.1:{port}/_fake/config", timeout=1).json()
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        assert (cfg["latency_profile"], cfg["time_scale"]) == ("real", 0.01)
    finally:
        proc.terminate()
        proc.wait(timeout=5)
