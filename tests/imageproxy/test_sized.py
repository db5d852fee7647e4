"""Sized links (`proxied_image_url(url, name, width=…)`): the image fitted to the width the page
shows, cached per (url, width); widths outside `AVATAR_WIDTHS` or not signed are refused.

Upstream fetches go over real HTTP to the local CDN (`cdn`), the view through Django's client.
"""

import io
from urllib.parse import urlencode

import pytest
from django.core import signing as django_signing
from django.core.cache import caches
from PIL import Image

from imageproxy import cache, convert
from imageproxy.errors import ImageRejected
from imageproxy.signing import (
    AVATAR_WIDTHS,
    SALT,
    UnknownWidth,
    proxied_image_url,
    sign,
    unsign,
    unsign_sized,
)

from .cdnserver import static_route
from .media import encode, photo

SVG = "image/svg+xml; charset=utf-8"

# (source size, width) → output size: fits inside width×width, aspect ratio kept.
EXPECTED = {
    ((720, 720), 72): (72, 72),
    ((720, 720), 128): (128, 128),
    ((1280, 720), 72): (72, 41),
    ((1280, 720), 128): (128, 72),
    ((720, 1280), 128): (72, 128),
    ((64, 64), 72): (64, 64),  # never upscaled
    ((64, 64), 128): (64, 64),
}
SOURCES = sorted({size for size, _width in EXPECTED})


@pytest.fixture(scope="module")
def sources() -> dict[tuple[str, tuple[int, int]], bytes]:
    out = {}
    for size in SOURCES:
        base = photo(size, seed=size[0] % 7)
        out[("heic", size)] = encode(base, "HEIF")
        out[("jpeg", size)] = encode(base, "JPEG")
    return out


@pytest.fixture
def sized_cdn(cdn, sources, knobs):
    """The CDN with /sized/<w>x<h>.<heic|jpeg>; photos this big are over the tests' byte cap."""
    knobs["image_proxy.max_bytes"] = 5_000_000
    for (kind, (w, h)), data in sources.items():
        ctype = "image/heic" if kind == "heic" else "image/jpeg"
        cdn.routes[f"/sized/{w}x{h}.{kind}"] = static_route(data, ctype)
    return cdn


@pytest.fixture
def get_sized(client):
    def get(url: str | None, width: int | None, name: str = "Creator"):
        return client.get(proxied_image_url(url, name, width=width))

    return get


def decoded(response) -> Image.Image:
    return Image.open(io.BytesIO(response.content))


# --- exact sizes, through the view -----------------------------------------------------------


@pytest.mark.parametrize(("size", "width"), list(EXPECTED))
def test_heic_is_served_as_jpeg_at_the_width(proxy_env, sized_cdn, get_sized, size, width):
    response = get_sized(sized_cdn.url(f"/sized/{size[0]}x{size[1]}.heic"), width)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Image-Proxy-Source"] == "heic-converted"
    assert response["X-Image-Original-Format"] == "heic"
    image = decoded(response)
    assert (image.format, image.size) == ("JPEG", EXPECTED[size, width])


@pytest.mark.parametrize(("size", "width"), list(EXPECTED))
def test_jpeg_is_served_at_the_width(proxy_env, sized_cdn, get_sized, sources, size, width):
    response = get_sized(sized_cdn.url(f"/sized/{size[0]}x{size[1]}.jpeg"), width)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    image = decoded(response)
    assert (image.format, image.size) == ("JPEG", EXPECTED[size, width])
    if EXPECTED[size, width] == size:
        # Small enough already: the verified original bytes, not a re-encoding.
        assert response["X-Image-Proxy-Source"] == "original"
        assert response.content == sources["jpeg", size]
    else:
        assert response["X-Image-Proxy-Source"] == "resized"


def test_the_unsized_link_still_serves_the_full_image(proxy_env, sized_cdn, get_image):
    response = get_image(sized_cdn.url("/sized/1280x720.heic"))
    assert response["X-Image-Proxy-Source"] == "heic-converted"
    assert decoded(response).size == (1280, 720)


@pytest.mark.parametrize(
    ("path", "fmt", "content_type"),
    [("/avatar.png", "PNG", "image/png"), ("/avatar.webp", "WEBP", "image/webp")],
)
def test_png_and_webp_keep_their_format(proxy_env, cdn, get_sized, path, fmt, content_type):
    response = get_sized(cdn.url(path), 72)  # the test images are 120x90
    assert response["Content-Type"] == content_type
    assert response["X-Image-Proxy-Source"] == "resized"
    assert (decoded(response).format, decoded(response).size) == (fmt, (72, 54))


def test_gif_and_avif_are_never_resized(proxy_env, cdn, get_sized, images):
    for path, original in (("/avatar.gif", images.gif), ("/avatar.avif", images.avif)):
        response = get_sized(cdn.url(path), 72)
        assert response["X-Image-Proxy-Source"] == "original"
        assert response.content == original


# --- conversion details ----------------------------------------------------------------------


def test_sized_heic_uses_the_sized_quality(sources):
    result = convert.process(sources["heic", (720, 720)], width=128)
    assert result.resized and result.converted
    assert result.size == (128, 128)
    unsized = convert.process(sources["heic", (720, 720)])
    assert len(result.body) < len(unsized.body) / 10


def test_a_big_jpeg_is_decoded_at_a_reduced_scale(sources, monkeypatch):
    from PIL import JpegImagePlugin

    drafts = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(self, mode, size):
        result = real_draft(self, mode, size)
        drafts.append((size, self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    result = convert.process(sources["jpeg", (1280, 720)], width=72)
    assert result.size == (72, 41)
    # Asked for twice the width; libjpeg decoded at 1/4 scale (320x180), not 1280x720.
    assert drafts[0] == ((144, 144), (320, 180))


def test_the_exif_orientation_is_applied_when_a_jpeg_is_resized():
    stored = photo((200, 100))  # shown rotated a quarter turn: 100 wide, 200 tall
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, format="JPEG", exif=exif)
    result = convert.process(out.getvalue(), width=72)
    assert Image.open(io.BytesIO(result.body)).size == (36, 72)


def test_a_png_with_alpha_keeps_it():
    rgba = Image.new("RGBA", (300, 300), (255, 0, 0, 0))
    result = convert.process(encode(rgba, "PNG"), width=128)
    image = Image.open(io.BytesIO(result.body))
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (128, 128))
    assert image.getpixel((64, 64))[3] == 0


def test_a_truncated_jpeg_is_refused_at_a_width_too(sources):
    data = sources["jpeg", (1280, 720)]
    with pytest.raises(ImageRejected):
        convert.process(data[: len(data) // 2], width=72)


# --- the cache, per (url, width) -------------------------------------------------------------


def test_the_second_request_is_a_cache_hit_without_a_fetch(proxy_env, sized_cdn, get_sized):
    url = sized_cdn.url("/sized/720x720.heic")
    first = get_sized(url, 128, "Ann")
    second = get_sized(url, 128, "Bob")
    assert first["X-Image-Fetch-Strategy"] == "initial-success"
    assert second["X-Image-Fetch-Strategy"] == "cache"
    assert second["X-Image-Proxy-Source"] == "heic-converted"
    assert second["Cache-Control"] == "public, max-age=3600"
    assert second.content == first.content
    assert decoded(second).size == (128, 128)
    assert sized_cdn.paths() == ["/sized/720x720.heic"]


def test_each_width_and_the_unsized_link_have_their_own_entry(
    proxy_env, sized_cdn, get_sized, get_image
):
    url = sized_cdn.url("/sized/720x720.jpeg")
    sizes = {}
    for width in (*AVATAR_WIDTHS, None):
        sizes[width] = decoded(get_sized(url, width)).size
        again = get_sized(url, width)
        assert again["X-Image-Fetch-Strategy"] == "cache"
        assert decoded(again).size == sizes[width]
    assert sizes == {72: (72, 72), 128: (128, 128), None: (720, 720)}
    assert len(sized_cdn.requests) == 3  # one fetch per width, then hits
    images_cache = caches["images"]
    assert images_cache.get(cache.key_for(url, 128))["content_type"] == "image/jpeg"
    assert images_cache.get(cache.key_for(url))["source"] == "original"
    assert cache.key_for(url, 128) == cache.key_for(url) + ":w128"


def test_a_failure_is_remembered_for_every_width(proxy_env, cdn, get_sized):
    first = get_sized(cdn.url("/404"), 72, "Ann")
    second = get_sized(cdn.url("/404"), 128, "Zed")
    third = get_sized(cdn.url("/404"), None, "Zed")
    assert first["X-Image-Fetch-Strategy"] == "placeholder"
    assert second["X-Image-Fetch-Strategy"] == third["X-Image-Fetch-Strategy"] == "cache"
    assert second["Content-Type"] == SVG
    assert cdn.paths() == ["/404"]


def test_placeholders_take_the_width(proxy_env, cdn, get_sized, get_image):
    sized = get_sized(cdn.url("/404"), 72, "Ann").content
    assert b'width="72" height="72" viewBox="0 0 200 200"' in sized
    assert b'width="200" height="200"' in get_image(None, "Ann").content
    assert b'width="128" height="128"' in get_sized(None, 128, "Ann").content


# --- what may be asked -----------------------------------------------------------------------


def test_the_unsized_link_is_unchanged(proxy_env):
    url = "https://p16-sign-va.tiktokcdn.com/a.heic?x=1"
    link = proxied_image_url(url, "Maria")
    token = link.removeprefix("/api/proxy/image?s=")
    assert "&" not in token
    # The same payload, and so the same bytes, as before widths existed.
    payload = django_signing.Signer(salt=SALT).unsign_object(token)
    assert len(payload) == 3
    assert token == django_signing.Signer(salt=SALT).sign_object(payload, compress=True)
    assert unsign(token) == (url, "Maria")
    assert unsign_sized(token) == (url, "Maria", None)


def test_the_width_is_signed_and_shown(proxy_env):
    url = "https://p16-sign-va.tiktokcdn.com/a.heic"
    link = proxied_image_url(url, "Maria", width=128)
    assert link.startswith("/api/proxy/image?s=") and link.endswith("&w=128")
    token = link.removeprefix("/api/proxy/image?s=").removesuffix("&w=128")
    assert unsign_sized(token) == (url, "Maria", 128)
    assert unsign(token) == (url, "Maria")


@pytest.mark.parametrize("width", [0, 96, 97, 1000, -72, "72"])
def test_only_known_widths_can_be_signed(width):
    with pytest.raises(UnknownWidth):
        proxied_image_url("https://p16.tiktokcdn.com/a.jpeg", "Ann", width=width)


def _refused(response, status: int, message: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.decode() == message


def test_an_unsigned_width_is_refused(proxy_env, cdn, client):
    link = proxied_image_url(cdn.url("/avatar.jpeg"), "Ann")
    _refused(client.get(link + "&w=128"), 400, "Image width 128 is not signed for this link.")
    assert cdn.requests == []


@pytest.mark.parametrize(
    ("w", "message"),
    [
        ("97", "Unknown image width 97: the proxy serves widths 72 or 128."),
        ("4000", "Unknown image width 4000: the proxy serves widths 72 or 128."),
        ("0", "Unknown image width 0: the proxy serves widths 72 or 128."),
        ("abc", "Unknown image width 'abc': the proxy serves widths 72 or 128."),
        ("-72", "Unknown image width '-72': the proxy serves widths 72 or 128."),
        ("²", "Unknown image width '²': the proxy serves widths 72 or 128."),
        ("9" * 5000, f"Unknown image width '{'9' * 16}': the proxy serves widths 72 or 128."),
    ],
)
def test_an_unknown_width_is_refused(proxy_env, cdn, client, w, message):
    query = urlencode({"w": w})
    link = proxied_image_url(cdn.url("/avatar.jpeg"), "Ann")
    _refused(client.get(f"{link}&{query}"), 400, message)
    sized = proxied_image_url(cdn.url("/avatar.jpeg"), "Ann", width=128).rsplit("&w=", 1)[0]
    _refused(client.get(f"{sized}&{query}"), 400, message)
    assert cdn.requests == []


def test_the_width_must_be_the_signed_one(proxy_env, cdn, client):
    link = proxied_image_url(cdn.url("/avatar.jpeg"), "Ann", width=128)
    _refused(
        client.get(link.replace("&w=128", "&w=72")),
        400,
        "This link is signed for width 128: ask with w=128.",
    )
    _refused(
        client.get(link.replace("&w=128", "")),
        400,
        "This link is signed for width 128: ask with w=128.",
    )
    assert cdn.requests == []
    assert client.get(link).status_code == 200


def test_a_signed_width_since_withdrawn_is_refused(proxy_env, cdn, client):
    token = sign(cdn.url("/avatar.jpeg"), "Ann")
    url, name, day = django_signing.Signer(salt=SALT).unsign_object(token)
    old = django_signing.Signer(salt=SALT).sign_object([url, name, day, 96], compress=True)
    _refused(
        client.get("/api/proxy/image", {"s": old, "w": "96"}),
        400,
        "Unknown image width 96: the proxy serves widths 72 or 128.",
    )


def test_a_bad_signature_is_still_a_403_whatever_the_width(proxy_env, cdn, client):
    link = proxied_image_url(cdn.url("/avatar.jpeg"), "Ann", width=72)
    _refused(client.get(link.replace("?s=", "?s=x")), 403, "Invalid image link.")
    forged = django_signing.Signer(salt=SALT, key="other-key").sign_object(
        [cdn.url("/avatar.jpeg"), "Ann", 10**6, 72], compress=True
    )
    _refused(client.get("/api/proxy/image", {"s": forged, "w": "72"}), 403, "Invalid image link.")


@pytest.mark.parametrize(
    "payload",
    [
        ["https://a.example/x.jpeg", "Ann", 10**6, "72"],
        ["https://a.example/x.jpeg", "Ann", 10**6, 72.0],
        ["https://a.example/x.jpeg", "Ann", 10**6, 72, 1],
    ],
)
def test_malformed_sized_payloads_are_bad_signatures(payload):
    from imageproxy.signing import BadProxySignature

    token = django_signing.Signer(salt=SALT).sign_object(payload, compress=True)
    with pytest.raises(BadProxySignature):
        unsign_sized(token)
