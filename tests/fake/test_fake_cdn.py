"""The fake avatar CDN: real HEIC/WEBP/JPEG/PNG bytes and one variant per 403-ladder rung."""

import io
import time

import pillow_heif
import pytest
import requests
from PIL import Image, UnidentifiedImageError

from fake_scrapecreators import universe as u
from fake_scrapecreators.testing import running_fake_server

pillow_heif.register_heif_opener()
KEY = {"x-api-key": "k"}
PATH = "p16-common-sign.tiktokcdn-us.com/tos-useast8-avt-0068-tx2/abc123~tplv-tiktokx-cropcenter-q:100:100:q70"
QUERY = "?x-expires=1893456000&x-signature=abc%3D"
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)",
    "Referer": "https://www.tiktok.com/",
    "Accept-Language": "en-US,en;q=0.9",
}


@pytest.fixture(scope="module")
def server():
    with running_fake_server(
        cdn_slow_seconds=0.3, cdn_huge_bytes=3 * 1024 * 1024, cdn_endless_seconds=5
    ) as sc:
        yield sc


@pytest.fixture
def cdn(server):
    server.reset()

    def fetch(variant, path=PATH + ".jpeg", query=QUERY, headers=None, **kw):
        url = f"{server.base_url}/cdn/{variant}/{path}{query}"
        return requests.get(url, headers=headers or {}, timeout=5, **kw)

    fetch.server = server
    return fetch


def decode(r):
    img = Image.open(io.BytesIO(r.content))
    img.load()
    return img


@pytest.mark.parametrize(
    ("ext", "ctype", "fmt"),
    [
        ("heic", "image/heic", "HEIF"),
        ("webp", "image/webp", "WEBP"),
        ("jpeg", "image/jpeg", "JPEG"),
        ("png", "image/png", "PNG"),
        ("image", "image/jpeg", "JPEG"),
    ],
)
def test_formats_really_decode(cdn, ext, ctype, fmt):
    r = cdn("ok", PATH + "." + ext)
    assert (r.status_code, r.headers["Content-Type"]) == (200, ctype)
    img = decode(r)
    assert (img.format, img.size) == (fmt, (100, 100))


def test_heic_avatar_from_the_data_decodes_with_pillow_heif(cdn):
    base = cdn.server.base_url
    body = requests.get(
        base + "/v1/tiktok/search/keyword", params={"query": "gaming"}, headers=KEY, timeout=5
    ).json()
    urls = [
        i["aweme_info"]["author"]["avatar_300x300"]["url_list"][0] for i in body["search_item_list"]
    ]
    heic = next(x for x in urls if ".heic?" in x and "/cdn/ok/" in x)
    r = requests.get(heic, timeout=5)
    assert r.content[4:12] == b"ftypheic"
    img = decode(r)
    assert (img.format, img.size) == ("HEIF", (300, 300))
    # every size of one avatar has the same colour
    small = decode(requests.get(heic.replace(":300:300:", ":100:100:"), timeout=5))
    assert small.getpixel((2, 2)) == pytest.approx(img.getpixel((2, 2)), abs=12)


def test_youtube_and_instagram_avatars_are_served(cdn):
    base = cdn.server.base_url
    ch = requests.get(
        base + "/v1/youtube/channel", params={"handle": "abc"}, headers=KEY, timeout=5
    ).json()
    src = ch["avatar"]["image"]["sources"][1]
    assert decode(requests.get(src["url"], timeout=5)).size == (src["width"], src["width"])
    assert u.DEFAULT_BASE_URL not in str(ch)
    ig = requests.get(
        base + "/v1/instagram/profile", params={"handle": "maya.runs"}, headers=KEY, timeout=5
    ).json()["data"]["user"]
    assert decode(requests.get(ig["profile_pic_url_hd"], timeout=5)).size == (320, 320)


# --- the 403 ladder ------------------------------------------------------------------------------


def test_browser_needs_mozilla_and_a_tiktok_referer(cdn):
    assert cdn("browser").status_code == 403
    assert cdn("browser", headers={"User-Agent": "Mozilla/5.0"}).status_code == 403
    assert cdn("browser", headers={"Referer": "https://www.tiktok.com/"}).status_code == 403
    assert cdn("browser", headers=BROWSER).status_code == 200


def test_noref_needs_no_referer(cdn):
    assert cdn("noref", headers=BROWSER).status_code == 403
    no_ref = {k: v for k, v in BROWSER.items() if k != "Referer"}
    assert cdn("noref", headers=no_ref).status_code == 200


def test_noquery_needs_the_query_string_dropped(cdn):
    assert cdn("noquery", headers=BROWSER).status_code == 403
    assert cdn("noquery", query="", headers=BROWSER).status_code == 200


def test_expired_signature_403s_until_the_query_goes(cdn):
    assert cdn("expired", query="?x-expires=1767225600&x-signature=a").status_code == 403
    assert cdn("expired", query="?x-expires=1893456000&x-signature=a").status_code == 200
    assert cdn("expired", query="").status_code == 200


def test_minimal_headers(cdn):
    assert cdn("minimal", headers=BROWSER).status_code == 403
    assert cdn("minimal", headers={"Accept-Language": "en"}).status_code == 403
    assert cdn("minimal", headers={"User-Agent": "Mozilla/5.0"}).status_code == 200
    assert cdn("minimal").status_code == 200  # plain requests: UA, Accept, Accept-Encoding


def test_alternative_domain(cdn):
    assert cdn("altdomain", headers=BROWSER).status_code == 403
    for host in (
        "p16-sign-va.tiktokcdn.com",
        "p19-sign-va.tiktokcdn.com",
        "p16-amd-va.tiktokcdn.com",
        "p77-sign-va.tiktokcdn.com",
    ):
        path = PATH.replace("p16-common-sign.tiktokcdn-us.com", host) + ".jpeg"
        assert cdn("altdomain", path=path).status_code == 200


@pytest.mark.parametrize("status", [403, 404, 500])
def test_fixed_statuses(cdn, status):
    assert cdn(str(status), headers=BROWSER).status_code == status


def test_unknown_variant_and_bad_paths(cdn):
    assert cdn("nonsense").status_code == 404
    assert requests.get(cdn.server.base_url + "/cdn/ok", timeout=5).status_code == 404


def test_cdn_requests_are_logged_with_headers(cdn):
    cdn("noref", headers=BROWSER)
    call = requests.get(cdn.server.base_url + "/_fake/calls", timeout=5).json()["calls"][-1]
    assert call["path"] == f"/cdn/noref/{PATH}.jpeg"
    assert (call["status"], call["headers"]["referer"]) == (403, "https://www.tiktok.com/")
    assert call["params"]["x-expires"] == "1893456000"


# --- hostile responses ---------------------------------------------------------------------------


def test_slow_and_drip(cdn):
    t = time.monotonic()
    assert cdn("slow").status_code == 200
    assert time.monotonic() - t >= 0.3
    t = time.monotonic()
    assert cdn("slow-0.1").status_code == 200
    assert 0.1 <= time.monotonic() - t < 0.3
    t = time.monotonic()
    r = cdn("drip-0.2")
    assert time.monotonic() - t >= 0.18
    assert decode(r).size == (100, 100)


def test_huge_declares_and_streams_many_megabytes(cdn):
    with cdn("huge", stream=True) as r:
        assert r.headers["Content-Length"] == str(3 * 1024 * 1024)
        assert r.headers["Content-Type"] == "image/jpeg"
        first = next(r.iter_content(1024))
        assert first[:2] == b"\xff\xd8"
        total = len(first) + sum(len(c) for c in r.iter_content(256 * 1024))
    assert total == 3 * 1024 * 1024


def test_endless_has_no_length_and_keeps_streaming(cdn):
    with cdn("endless", stream=True) as r:
        assert "Content-Length" not in r.headers
        got = 0
        for chunk in r.iter_content(64 * 1024):
            got += len(chunk)
            if got > 4 * 1024 * 1024:
                break
    assert got > 4 * 1024 * 1024


def test_redirects(cdn):
    base = cdn.server.base_url
    r = cdn("redirect", allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"] == f"{base}/cdn/ok/{PATH}.jpeg{QUERY}"
    assert decode(cdn("redirect")).size == (100, 100)
    loop = cdn("redirect-loop", allow_redirects=False)
    assert loop.headers["Location"] == f"{base}/cdn/redirect-loop/{PATH}.jpeg{QUERY}"
    assert cdn("redirect-internal", allow_redirects=False).headers["Location"] == (
        "http://169.254.169.254/latest/meta-data/"
    )
    assert cdn("redirect-loopback", allow_redirects=False).headers["Location"] == (
        f"http://127.0.0.2:{cdn.server.port}/_fake/config"
    )


def test_wrong_content(cdn):
    html = cdn("html")
    assert (html.status_code, html.headers["Content-Type"]) == (200, "image/jpeg")
    assert html.content.startswith(b"<!doctype html>")
    empty = cdn("empty")
    assert (empty.status_code, empty.content) == (200, b"")
    with pytest.raises(UnidentifiedImageError):
        decode(cdn("corrupt"))
    mislabeled = cdn("mislabeled")
    assert mislabeled.headers["Content-Type"] == "image/jpeg"
    assert decode(mislabeled).format == "PNG"
