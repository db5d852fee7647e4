"""Sniffing, HEIC→JPEG conversion, pass-through and decompression-bomb limits."""

import io

import pillow_heif
import pytest
from PIL import Image

from imageproxy import convert, sniff
from imageproxy.errors import ImageRejected

from .media import encode, photo, png_with_header_only


def test_sniff_recognises_formats_by_magic_bytes(images):
    assert sniff.sniff(images.heic) == "heic"
    assert sniff.sniff(images.jpeg) == "jpeg"
    assert sniff.sniff(images.png) == "png"
    assert sniff.sniff(images.gif) == "gif"
    assert sniff.sniff(images.webp) == "webp"
    assert sniff.sniff(images.avif) == "avif"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        b'<?xml version="1.0"?><svg/>',
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
        b"\x00\x00\x00\x08ftyp",
        b"GIF88a",
        b"%PDF-1.7",
    ],
)
def test_sniff_refuses_everything_else(data):
    assert sniff.sniff(data) is None


def test_sniff_generic_heif_brands():
    mif1_heic = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic"
    mif1_avif = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif"
    assert sniff.sniff(mif1_heic) == "heic"
    assert sniff.sniff(mif1_avif) == "avif"


def test_heic_is_converted_to_jpeg_of_the_same_size(images):
    result = convert.process(images.heic)
    assert (result.content_type, result.original_format, result.converted) == (
        "image/jpeg",
        "heic",
        True,
    )
    assert result.body[:3] == b"\xff\xd8\xff"
    decoded = Image.open(io.BytesIO(result.body))
    assert (decoded.format, decoded.size, decoded.mode) == ("JPEG", images.heic_size, "RGB")


def test_heic_conversion_uses_quality_85(images):
    result = convert.process(images.heic)
    heif = pillow_heif.open_heif(io.BytesIO(images.heic)).to_pillow()
    reference = io.BytesIO()
    heif.save(reference, format="JPEG", quality=85)
    assert result.body == reference.getvalue()


def test_heic_with_alpha_is_flattened_on_white():
    rgba = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    result = convert.process(encode(rgba, "HEIF"))
    decoded = Image.open(io.BytesIO(result.body))
    assert decoded.mode == "RGB"
    r, g, b = decoded.getpixel((20, 15))
    assert min(r, g, b) > 240  # white, not black


def test_only_the_primary_image_of_a_multi_image_heic_is_converted():
    first, second = photo((64, 48)), photo((32, 32), seed=5)
    heif = pillow_heif.from_pillow(first)
    heif.add_from_pillow(second)
    out = io.BytesIO()
    heif.save(out, format="HEIF", quality=70)
    result = convert.process(out.getvalue())
    assert Image.open(io.BytesIO(result.body)).size == (64, 48)


@pytest.mark.parametrize(
    ("attr", "content_type", "reported"),
    [
        ("jpeg", "image/jpeg", "jpeg"),
        ("png", "image/png", "png"),
        ("webp", "image/webp", "webp"),
        ("gif", "image/gif", "other"),
        ("avif", "image/avif", "other"),
    ],
)
def test_other_formats_pass_through_unchanged(images, attr, content_type, reported):
    data = getattr(images, attr)
    result = convert.process(data)
    assert (result.body, result.content_type, result.original_format, result.converted) == (
        data,
        content_type,
        reported,
        False,
    )


def test_truncated_image_is_refused(images):
    with pytest.raises(ImageRejected) as info:
        convert.process(images.jpeg[: len(images.jpeg) // 2])
    assert info.value.reason == "undecodable"


def test_pixel_limit_refuses_before_decoding(images):
    with pytest.raises(ImageRejected) as info:
        convert.process(images.heic, max_pixels=120 * 90 - 1)
    assert info.value.reason == "too-many-pixels"
    assert convert.process(images.heic, max_pixels=120 * 90).converted is True
    with pytest.raises(ImageRejected) as info:
        convert.process(png_with_header_only(5_000, 5_000), max_pixels=16_000_000)
    assert info.value.reason == "too-many-pixels"


def test_pillow_bomb_error_is_a_refusal():
    # 30000x30000 is over twice Pillow's own limit: Pillow raises while opening.
    with pytest.raises(ImageRejected) as info:
        convert.process(png_with_header_only(30_000, 30_000), max_pixels=100_000_000)
    assert info.value.reason == "decompression-bomb"


def test_decompression_bomb_warning_is_an_error(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = encode(photo((40, 30)), "PNG")  # 1200 pixels: over Pillow's limit, under ours
    with pytest.raises(ImageRejected) as info:
        convert.process(data, max_pixels=10_000)
    assert info.value.reason == "decompression-bomb"


def test_unknown_bytes_are_refused():
    with pytest.raises(ImageRejected) as info:
        convert.process(b"<svg/>")
    assert info.value.reason == "not-image"


def test_a_jpeg_cannot_hide_another_decoder(images):
    # A file sniffed as JPEG is only ever opened with Pillow's JPEG plugin.
    fake = b"\xff\xd8\xff" + images.png
    with pytest.raises(ImageRejected):
        convert.process(fake)
