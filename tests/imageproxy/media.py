"""Test images: photo-like avatars in every format, and bomb headers."""

import io
import struct
import zlib

import pillow_heif
from PIL import Image


def photo(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A photo-like RGB image: gradient plus noise."""
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40 + seed)
    red = Image.blend(gradient, noise, 0.3)
    green = gradient.rotate(90).resize(size)
    blue = noise
    return Image.merge("RGB", (red, green, blue))


def encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":
        pillow_heif.from_pillow(image).save(out, format="HEIF", quality=70)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def png_with_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height, with a tiny IDAT: a decompression bomb header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )
