"""Turning fetched bytes into something a browser shows, or refusing them.

- HEIC/HEIF (sniffed from the bytes) → JPEG, quality 85, one image only: the primary one (what
  viewers show first; thumbnails, depth maps and other images in the container are ignored).
- JPEG, PNG, WEBP, GIF and AVIF are passed through unchanged once they have decoded cleanly (first
  frame), so a truncated or corrupt file is refused rather than shown broken.
- Anything else (SVG, HTML, unknown) is refused.

Decompression bombs: dimensions are checked against `image_proxy.max_pixels` from the header,
before any pixel is decoded, and Pillow's `DecompressionBombWarning` is turned into an error.
Pillow is only ever allowed the one decoder the sniffed format needs. (`warnings.catch_warnings`
is process-wide state; under threads the pixel check above is what always holds.)
"""

import io
import logging
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image

from sysconfig import config

from . import sniff
from .errors import ImageRejected

logger = logging.getLogger(__name__)

JPEG_QUALITY = 85

CONTENT_TYPES = {
    sniff.JPEG: "image/jpeg",
    sniff.PNG: "image/png",
    sniff.GIF: "image/gif",
    sniff.WEBP: "image/webp",
    sniff.AVIF: "image/avif",
}
_PILLOW_FORMATS = {
    sniff.JPEG: "JPEG",
    sniff.PNG: "PNG",
    sniff.GIF: "GIF",
    sniff.WEBP: "WEBP",
    sniff.AVIF: "AVIF",
}
# X-Image-Original-Format values.
_REPORTED = {sniff.HEIC: "heic", sniff.WEBP: "webp", sniff.JPEG: "jpeg", sniff.PNG: "png"}


@dataclass(frozen=True)
class Processed:
    body: bytes
    content_type: str
    original_format: str  # heic | webp | jpeg | png | other
    converted: bool
    size: tuple[int, int]


def reported_format(kind: str | None) -> str:
    return _REPORTED.get(kind or "", "other")


def process(data: bytes, *, max_pixels: int | None = None) -> Processed:
    """The image to serve for these bytes; raises `ImageRejected`."""
    kind = sniff.sniff(data)
    if kind is None:
        raise ImageRejected("not a supported image", reason="not-image")
    limit = int(max_pixels or config.get("image_proxy.max_pixels"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if kind == sniff.HEIC:
                body, size = heic_to_jpeg(data, max_pixels=limit)
                return Processed(body, "image/jpeg", "heic", True, size)
            image = _open_checked(data, kind, limit)
            return Processed(data, CONTENT_TYPES[kind], reported_format(kind), False, image.size)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(f"decompression bomb: {exc}", reason="decompression-bomb") from exc
    except Exception as exc:
        # Decoders fed hostile bytes raise anything (OSError, ValueError, SyntaxError, struct
        # errors, the bomb warning/error…): every one means "not an image we serve".
        logger.info("image refused by decoder", extra={"kind": kind, "error": repr(exc)})
        raise ImageRejected(f"{kind} did not decode: {exc!r}", reason="undecodable") from exc


def heic_to_jpeg(data: bytes, *, max_pixels: int) -> tuple[bytes, tuple[int, int]]:
    """HEIC/HEIF bytes → (JPEG bytes, size). Checks the pixel count before decoding."""
    heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
    _check_pixels(heif.size, max_pixels)
    image = heif.to_pillow()  # the primary image only
    return _encode_jpeg(image), image.size


def _open_checked(data: bytes, kind: str, max_pixels: int) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
    _check_pixels(image.size, max_pixels)
    image.load()  # the first frame only; a truncated file raises here
    return image


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageRejected(f"bad dimensions {width}x{height}", reason="dimensions")
    if width * height > max_pixels:
        raise ImageRejected(
            f"{width}x{height} is over the {max_pixels} pixel limit", reason="too-many-pixels"
        )


def _encode_jpeg(image: Image.Image) -> bytes:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    save_args: dict = {"quality": JPEG_QUALITY}
    icc = image.info.get("icc_profile")
    if icc:
        save_args["icc_profile"] = icc
    image.save(out, format="JPEG", **save_args)
    return out.getvalue()
