"""The view's contract (routes, headers, formats), the server-side cache and the failure cache."""

import io

import pytest
from django.core.cache import caches
from PIL import Image

from imageproxy import cache, convert, fetch
from imageproxy.signing import proxied_image_url

django_cache = caches["images"]

IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def test_heic_avatar_is_served_as_jpeg_with_all_headers(proxy_env, cdn, get_image, images):
    response = get_image(cdn.url("/avatar.heic"), "Ann")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == IMAGE_CSP
    assert response["X-Image-Proxy-Source"] == "heic-converted"
    assert response["X-Image-Original-Format"] == "heic"
    assert response["X-Image-Fetch-Strategy"] == "initial-success"
    assert response["X-Image-Final-Status"] == "200"
    assert float(response["X-Image-Proxy-Time"]) >= 0
    decoded = Image.open(io.BytesIO(response.content))
    assert (decoded.format, decoded.size) == ("JPEG", images.heic_size)


def test_heic_is_sniffed_not_trusted_from_the_header(proxy_env, cdn, get_image):
    response = get_image(cdn.url("/avatar.heic-as-jpeg"))
    assert response["X-Image-Proxy-Source"] == "heic-converted"
    assert response.content[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    ("path", "attr", "content_type", "reported"),
    [
        ("/avatar.webp", "webp", "image/webp", "webp"),
        ("/avatar.jpeg", "jpeg", "image/jpeg", "jpeg"),
        ("/avatar.png", "png", "image/png", "png"),
        ("/avatar.gif", "gif", "image/gif", "other"),
        ("/avatar.avif", "avif", "image/avif", "other"),
    ],
)
def test_other_formats_pass_through(
    proxy_env, cdn, get_image, images, path, attr, content_type, reported
):
    response = get_image(cdn.url(path))
    assert response.content == getattr(images, attr)
    assert response["Content-Type"] == content_type
    assert response["X-Image-Proxy-Source"] == "original"
    assert response["X-Image-Original-Format"] == reported


def test_both_routes_answer_without_redirect_and_without_login(proxy_env, cdn, client):
    link = proxied_image_url(cdn.url("/avatar.jpeg"), "Ann")
    path, query = link.split("?", 1)
    assert path == "/api/proxy/image"
    for url in (f"{path}?{query}", f"{path}/?{query}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"


def test_head_is_allowed_and_post_is_not(proxy_env, cdn, client):
    link = proxied_image_url(cdn.url("/avatar.jpeg"), "Ann")
    assert client.head(link).status_code == 200
    assert client.post(link).status_code == 405


def test_empty_url_is_a_placeholder_without_any_fetch(proxy_env, cdn, get_image, net):
    response = get_image(None, "maria")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["X-Image-Proxy-Source"] == "placeholder-error"
    assert response["X-Image-Fetch-Strategy"] == "placeholder"
    assert response["X-Image-Final-Status"] == "none"
    assert response["Content-Security-Policy"] == IMAGE_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b">M</text>" in response.content
    assert net.resolved == [] and cdn.requests == []


def test_placeholder_escapes_the_signed_name(proxy_env, get_image):
    response = get_image(None, '<script>alert("x")</script>')
    assert b"<script" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_an_unexpected_bug_is_still_a_placeholder(proxy_env, cdn, get_image, monkeypatch):
    def boom(self, url):
        raise RuntimeError("bug")

    monkeypatch.setattr(fetch.Fetcher, "fetch", boom)
    response = get_image(cdn.url("/avatar.jpeg"), "Ann")
    assert response.status_code == 200
    assert response["X-Image-Proxy-Source"] == "placeholder-error"


def test_knobs_set_the_browser_cache_lifetimes(proxy_env, knobs, cdn, get_image):
    knobs["image_proxy.image_cache_seconds"] = 120
    knobs["image_proxy.placeholder_cache_seconds"] = 30
    assert get_image(cdn.url("/avatar.jpeg"))["Cache-Control"] == "public, max-age=120"
    assert get_image(cdn.url("/404"))["Cache-Control"] == "public, max-age=30"


# --- the server-side cache -------------------------------------------------------------------


@pytest.fixture
def conversions(monkeypatch):
    calls = []
    real = convert.process

    def counting(data, **kwargs):
        calls.append(len(data))
        return real(data, **kwargs)

    monkeypatch.setattr(convert, "process", counting)
    return calls


def test_a_repeated_avatar_costs_no_fetch_and_no_conversion(proxy_env, cdn, get_image, conversions):
    url = cdn.url("/avatar.heic")
    first = get_image(url, "Ann")
    second = get_image(url, "Someone Else")
    assert first["X-Image-Fetch-Strategy"] == "initial-success"
    assert second["X-Image-Fetch-Strategy"] == "cache"
    assert second["X-Image-Proxy-Source"] == "heic-converted"
    assert second["X-Image-Original-Format"] == "heic"
    assert second["X-Image-Final-Status"] == "200"
    assert second["Content-Type"] == "image/jpeg"
    assert second["Cache-Control"] == "public, max-age=3600"
    assert second.content == first.content
    assert len(cdn.requests) == 1
    assert len(conversions) == 1


def test_the_cache_is_keyed_by_url_and_lives_in_the_shared_cache(proxy_env, cdn, get_image):
    url = cdn.url("/avatar.webp")
    get_image(url)
    entry = django_cache.get(cache.key_for(url))
    assert entry["content_type"] == "image/webp"
    assert entry["source"] == "original"
    get_image(cdn.url("/avatar.webp?other=1"))
    assert len(cdn.requests) == 2


def test_oversized_entries_are_not_cached(proxy_env, cdn, get_image, monkeypatch, images):
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", len(images.jpeg) - 1)
    get_image(cdn.url("/avatar.jpeg"))
    response = get_image(cdn.url("/avatar.jpeg"))
    assert response["X-Image-Fetch-Strategy"] == "initial-success"
    assert len(cdn.requests) == 2


def test_cache_ttl_comes_from_sysconfig(proxy_env, knobs, cdn, get_image):
    knobs["image_proxy.server_cache_seconds"] = 0
    get_image(cdn.url("/avatar.jpeg"))
    get_image(cdn.url("/avatar.jpeg"))
    assert len(cdn.requests) == 2


def test_purge_forgets_cached_images(proxy_env, cdn, get_image):
    get_image(cdn.url("/avatar.jpeg"))
    assert get_image(cdn.url("/avatar.jpeg"))["X-Image-Fetch-Strategy"] == "cache"
    cache.purge()
    assert get_image(cdn.url("/avatar.jpeg"))["X-Image-Fetch-Strategy"] == "initial-success"
    assert len(cdn.requests) == 2


def test_a_broken_cache_only_costs_performance(proxy_env, cdn, get_image, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(django_cache, "get_many", broken)
    monkeypatch.setattr(django_cache, "set", broken)
    response = get_image(cdn.url("/avatar.jpeg"))
    assert response.status_code == 200
    assert response["X-Image-Proxy-Source"] == "original"


# --- the failure cache -----------------------------------------------------------------------


def cached_as(response) -> tuple[str, str, str, str]:
    return (
        response["X-Image-Fetch-Strategy"],
        response["X-Image-Proxy-Source"],
        response["X-Image-Original-Format"],
        response["X-Image-Final-Status"],
    )


def test_a_failed_image_is_remembered_and_not_fetched_again(proxy_env, cdn, get_image):
    first = get_image(cdn.url("/404"), "Ann")
    second = get_image(cdn.url("/404"), "Zed")
    assert cached_as(first) == ("placeholder", "placeholder-error", "other", "404")
    assert cached_as(second) == ("cache", "placeholder-error", "other", "404")
    assert second["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert second["Cache-Control"] == "public, max-age=300"
    assert "Retry-After" not in second
    # The name is not part of what is cached: each request draws its own initial.
    assert b">Z</text>" in second.content
    assert cdn.paths() == ["/404"]


def test_every_fallback_refused_is_remembered_as_the_403_placeholder(proxy_env, cdn, get_image):
    url = cdn.url("/ladder/never.jpeg?x=1")
    get_image(url)
    assert len(cdn.requests) == 4
    response = get_image(url)
    assert cached_as(response) == ("cache", "placeholder-403", "blocked", "403")
    assert len(cdn.requests) == 4


def test_a_timeout_is_remembered(proxy_env, knobs, cdn, get_image):
    knobs["image_proxy.deadline"] = 0.3
    get_image(cdn.url("/slow.jpeg"))
    response = get_image(cdn.url("/slow.jpeg"))
    assert cached_as(response) == ("cache", "placeholder-error", "other", "none")
    assert cdn.paths() == ["/slow.jpeg"]


def test_bytes_that_are_no_image_are_remembered(proxy_env, cdn, get_image):
    get_image(cdn.url("/html.jpeg"))
    response = get_image(cdn.url("/html.jpeg"))
    assert cached_as(response) == ("cache", "placeholder-error", "other", "200")
    assert cdn.paths() == ["/html.jpeg"]


def test_failures_live_failure_cache_seconds_in_the_shared_cache(
    proxy_env, knobs, cdn, get_image, monkeypatch
):
    knobs["image_proxy.failure_cache_seconds"] = 120
    stored = []
    real_set = django_cache.set

    def recording_set(key, value, timeout):
        stored.append((key, value, timeout))
        real_set(key, value, timeout)

    monkeypatch.setattr(django_cache, "set", recording_set)
    url = cdn.url("/500")
    get_image(url)
    [(key, entry, timeout)] = stored
    assert key == cache.key_for(url)
    assert timeout == 120
    assert {k: v for k, v in entry.items() if k != "stored_at"} == {
        "failed": True,
        "source": "placeholder-error",
        "original_format": "other",
        "status": 500,
    }


def test_no_failure_cache_when_the_knob_is_zero(proxy_env, knobs, cdn, get_image):
    knobs["image_proxy.failure_cache_seconds"] = 0
    get_image(cdn.url("/404"))
    get_image(cdn.url("/404"))
    assert len(cdn.requests) == 2


def test_policy_refusals_are_not_cached(proxy_env, get_image):
    url = "http://example.org/avatar.jpeg"  # not on the allowlist
    response = get_image(url)
    assert cached_as(response) == ("placeholder", "placeholder-error", "blocked", "none")
    assert django_cache.get(cache.key_for(url)) is None


def test_purge_forgets_failures(proxy_env, cdn, get_image):
    get_image(cdn.url("/404"))
    cache.purge()
    response = get_image(cdn.url("/404"))
    assert response["X-Image-Fetch-Strategy"] == "placeholder"
    assert cdn.paths() == ["/404", "/404"]
