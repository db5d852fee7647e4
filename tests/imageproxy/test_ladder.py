"""The 403 ladder, step by step, through the view against the local CDN."""

import io

import pytest
from PIL import Image

from imageproxy import fetch

BROWSER_UA = fetch.BROWSER_USER_AGENT


def strategy(response) -> tuple[str, str, str, str]:
    return (
        response["X-Image-Fetch-Strategy"],
        response["X-Image-Proxy-Source"],
        response["X-Image-Original-Format"],
        response["X-Image-Final-Status"],
    )


def test_step1_initial_success_sends_browser_headers_and_tiktok_referer(
    proxy_env, cdn, get_image, images
):
    response = get_image(cdn.url("/ladder/browser.heic?x-expires=1&x-signature=s"), "Ann")
    assert response.status_code == 200
    assert strategy(response) == ("initial-success", "heic-converted", "heic", "200")
    assert response["Content-Type"] == "image/jpeg"
    [seen] = cdn.requests
    assert (seen.path, seen.query) == ("/ladder/browser.heic", "x-expires=1&x-signature=s")
    assert seen.headers["user-agent"] == BROWSER_UA
    assert seen.headers["referer"] == "https://www.tiktok.com/"
    assert seen.headers["origin"] == "https://www.tiktok.com"
    assert seen.headers["accept-encoding"] == "identity"
    assert seen.headers["accept"].startswith("image/avif,image/webp")
    assert seen.headers["host"] == f"127.0.0.1:{cdn.port}"


def test_step2_no_referrer(proxy_env, cdn, get_image):
    response = get_image(cdn.url("/ladder/no-referrer.heic?sig=1"), "Ann")
    assert strategy(response) == ("no-referrer", "heic-converted", "heic", "200")
    first, second = cdn.requests
    assert first.headers["referer"] == "https://www.tiktok.com/"
    assert "referer" not in second.headers and "origin" not in second.headers
    assert second.headers["user-agent"] == BROWSER_UA
    assert second.query == "sig=1"


def test_step3_simplified_url_drops_the_query(proxy_env, cdn, get_image):
    response = get_image(cdn.url("/ladder/simplified.jpeg?x-expires=1&x-signature=abc"), "Ann")
    assert strategy(response) == ("simplified-url", "original", "jpeg", "200")
    assert [(r.path, r.query, "referer" in r.headers) for r in cdn.requests] == [
        ("/ladder/simplified.jpeg", "x-expires=1&x-signature=abc", True),
        ("/ladder/simplified.jpeg", "x-expires=1&x-signature=abc", False),
        ("/ladder/simplified.jpeg", "", False),
    ]


def test_step4_minimal_headers(proxy_env, cdn, get_image, images):
    response = get_image(cdn.url("/ladder/minimal.webp?sig=1"), "Ann")
    assert strategy(response) == ("minimal-headers", "original", "webp", "200")
    assert response.content == images.webp
    assert len(cdn.requests) == 4
    last = cdn.requests[-1]
    assert last.query == ""
    assert last.headers["user-agent"] == "curl/7.68.0"
    assert last.headers["accept"] == "*/*"
    assert "referer" not in last.headers


def test_step3_is_skipped_when_there_is_no_query(proxy_env, cdn, get_image):
    response = get_image(cdn.url("/ladder/minimal.webp"), "Ann")
    assert strategy(response) == ("minimal-headers", "original", "webp", "200")
    assert [r.headers["user-agent"] for r in cdn.requests] == [
        BROWSER_UA,
        BROWSER_UA,
        "curl/7.68.0",
    ]


def test_step5_alternative_tiktok_domain(proxy_env, cdn, get_image, images):
    url = cdn.url("/ladder/alternative.jpeg?x-expires=1", host="p16-sign.tiktokcdn-us.com")
    response = get_image(url, "Ann")
    assert strategy(response) == ("alternative-domain", "original", "jpeg", "200")
    assert response.content == images.jpeg
    assert [(r.host.split(":")[0], r.query) for r in cdn.requests] == [
        ("p16-sign.tiktokcdn-us.com", "x-expires=1"),
        ("p16-sign.tiktokcdn-us.com", "x-expires=1"),
        ("p16-sign.tiktokcdn-us.com", ""),
        ("p16-sign.tiktokcdn-us.com", ""),
        ("p16-sign-va.tiktokcdn.com", ""),
        ("p19-sign-va.tiktokcdn.com", ""),
    ]
    assert cdn.requests[-1].headers["user-agent"] == "curl/7.68.0"


def test_every_step_forbidden_gives_the_403_placeholder(proxy_env, cdn, get_image, net):
    url = cdn.url("/ladder/never.jpeg?x=1", host="p16-sign-va.tiktokcdn.com")
    response = get_image(url, "Zed")
    assert response.status_code == 200
    assert strategy(response) == ("placeholder", "placeholder-403", "blocked", "403")
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    assert b">Z</text>" in response.content
    # 4 steps on the original host, then the three other alternative hosts (not itself again).
    assert [r.host.split(":")[0] for r in cdn.requests] == [
        "p16-sign-va.tiktokcdn.com",
        "p16-sign-va.tiktokcdn.com",
        "p16-sign-va.tiktokcdn.com",
        "p16-sign-va.tiktokcdn.com",
        "p19-sign-va.tiktokcdn.com",
        "p16-amd-va.tiktokcdn.com",
        "p77-sign-va.tiktokcdn.com",
    ]


def test_non_tiktok_hosts_have_no_alternative_step(proxy_env, cdn, get_image):
    response = get_image(cdn.url("/ladder/never.jpeg?x=1"), "Ann")
    assert strategy(response) == ("placeholder", "placeholder-403", "blocked", "403")
    assert len(cdn.requests) == 4


def test_a_non_403_failure_ends_the_ladder(proxy_env, cdn, get_image):
    response = get_image(cdn.url("/404?x=1"), "Ann")
    assert strategy(response) == ("placeholder", "placeholder-error", "other", "404")
    assert len(cdn.requests) == 1


def test_up_to_three_redirects_are_followed(proxy_env, cdn, get_image):
    response = get_image(cdn.url("/chain/3"), "Ann")
    assert strategy(response) == ("initial-success", "original", "jpeg", "200")
    assert cdn.paths() == ["/chain/3", "/chain/2", "/chain/1", "/chain/0"]
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("p16-sign-va.tiktokcdn.com", "https://www.tiktok.com"),
        ("p16.tiktokcdn-us.com", "https://www.tiktok.com"),
        ("scontent-lhr8-1.cdninstagram.com", "https://www.instagram.com"),
        ("scontent.xx.fbcdn.net", "https://www.instagram.com"),
        ("i.ytimg.com", "https://www.youtube.com"),
        ("yt3.ggpht.com", "https://www.youtube.com"),
        ("lh3.googleusercontent.com", "https://www.youtube.com"),
        ("127.0.0.1", "https://www.tiktok.com"),
    ],
)
def test_platform_referer(host, site):
    assert fetch.platform_site(host) == site
    assert fetch.browser_headers(site)["Referer"] == site + "/"


def test_alternative_urls_swap_the_tiktok_edge_host():
    assert fetch.alternative_urls("https://p16-sign.tiktokcdn-us.com/obj/a.heic") == [
        f"https://{host}/obj/a.heic" for host in fetch.ALTERNATIVE_TIKTOK_HOSTS
    ]
    assert fetch.alternative_urls("https://p19-sign-va.tiktokcdn.com/a.heic") == [
        "https://p16-sign-va.tiktokcdn.com/a.heic",
        "https://p16-amd-va.tiktokcdn.com/a.heic",
        "https://p77-sign-va.tiktokcdn.com/a.heic",
    ]
    # The fake CDN carries the original host in its path.
    assert (
        fetch.alternative_urls(
            "http://127.0.0.1:8765/cdn/altdomain/p16-common-sign.tiktokcdn-us.com/tos/a.heic"
        )[0]
        == "http://127.0.0.1:8765/cdn/altdomain/p16-sign-va.tiktokcdn.com/tos/a.heic"
    )
    for url in (
        "https://sf16-website.tiktokcdn.com/a.jpeg",
        "https://scontent.cdninstagram.com/a.jpg",
        "https://xp16-sign.tiktokcdn.com/a.jpg",
        "https://p16-sign.tiktokcdn.com.evil.example/a.jpg",
    ):
        assert fetch.alternative_urls(url) == []
