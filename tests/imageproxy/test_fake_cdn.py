"""The proxy against the fake ScrapeCreators server's avatar CDN (the offline demo path)."""

import io

import pytest
from PIL import Image

fake_testing = pytest.importorskip("fake_scrapecreators.testing")

PATH = "p16-common-sign.tiktokcdn-us.com/tos-useast8-avt-0068-tx2/abc123~tplv-tiktokx-cropcenter-q:100:100:q70"
QUERY = "?x-expires=1893456000&x-signature=abc%3D"


@pytest.fixture(scope="module")
def fake_server():
    with fake_testing.running_fake_server(
        cdn_slow_seconds=3, cdn_huge_bytes=3 * 1024 * 1024, cdn_endless_seconds=3
    ) as server:
        yield server


@pytest.fixture
def fake_cdn(fake_server, proxy_env, knobs, get_image):
    fake_server.reset()
    knobs["image_proxy.deadline"] = 1.0

    def get(variant: str, ext: str = ".heic", query: str = QUERY):
        return get_image(f"{fake_server.base_url}/cdn/{variant}/{PATH}{ext}{query}", "Maria")

    get.server = fake_server
    return get


def headers(response):
    return (
        response["X-Image-Fetch-Strategy"],
        response["X-Image-Proxy-Source"],
        response["X-Image-Original-Format"],
    )


@pytest.mark.parametrize(
    ("variant", "query", "strategy", "requests"),
    [
        ("ok", QUERY, "initial-success", 1),
        ("browser", QUERY, "initial-success", 1),
        ("noref", QUERY, "no-referrer", 2),
        ("noquery", QUERY, "simplified-url", 3),
        ("expired", "?x-expires=1000&x-signature=old", "simplified-url", 3),
        ("minimal", QUERY, "minimal-headers", 4),
        ("altdomain", QUERY, "alternative-domain", 5),
        ("redirect", QUERY, "initial-success", 2),
    ],
)
def test_every_ladder_rung_of_the_fake_cdn(fake_cdn, variant, query, strategy, requests):
    response = fake_cdn(variant, query=query)
    assert response.status_code == 200
    assert headers(response) == (strategy, "heic-converted", "heic")
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("JPEG", (100, 100))
    assert len(fake_cdn.server.calls()) == requests


def test_alternative_domain_rung_swaps_the_host_in_the_fake_path(fake_cdn):
    fake_cdn("altdomain")
    paths = [call["path"] for call in fake_cdn.server.calls()]
    assert paths[-1].startswith("/cdn/altdomain/p16-sign-va.tiktokcdn.com/")


@pytest.mark.parametrize(
    ("variant", "ext", "source", "fmt"),
    [
        ("ok", ".webp", "original", "webp"),
        ("ok", ".jpeg", "original", "jpeg"),
        ("ok", ".png", "original", "png"),
        ("mislabeled", ".jpeg", "original", "png"),
    ],
)
def test_other_formats_from_the_fake_cdn(fake_cdn, variant, ext, source, fmt):
    response = fake_cdn(variant, ext=ext)
    assert headers(response) == ("initial-success", source, fmt)


@pytest.mark.parametrize(
    ("variant", "source", "fmt"),
    [
        ("403", "placeholder-403", "blocked"),
        ("404", "placeholder-error", "other"),
        ("500", "placeholder-error", "other"),
        ("slow-3", "placeholder-error", "other"),
        ("drip-5", "placeholder-error", "other"),
        ("huge", "placeholder-error", "other"),
        ("endless", "placeholder-error", "other"),
        ("redirect-loop", "placeholder-error", "other"),
        ("redirect-internal", "placeholder-error", "blocked"),
        ("redirect-loopback", "placeholder-error", "blocked"),
        ("html", "placeholder-error", "other"),
        ("empty", "placeholder-error", "other"),
        ("corrupt", "placeholder-error", "other"),
    ],
)
def test_hostile_fake_cdn_variants_get_a_placeholder(fake_cdn, net, variant, source, fmt):
    response = fake_cdn(variant)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert headers(response) == ("placeholder", source, fmt)
    assert b">M</text>" in response.content
    assert {address for address, _port in net.connected} == {"127.0.0.1"}
