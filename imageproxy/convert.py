"""Turning fetched bytes into something a browser shows, or refusing them.

- HEIC/HEIF (sniffed from the bytes) → JPEG, quality 85, one image only: the primary one (what
  viewers show first; thumbnails, depth maps and other images in the container are ignored).
- JPEG, PNG, WEBP, GIF and AVIF are passed through unchanged once they have decoded cleanly (first
  frame), so a truncated or corrupt file is refused rather than shown broken.
- Anything else (SVG, HTML, unknown) is refused.

With a `width` (a sized link, `signing.AVATAR_WIDTHS`) the image is made to fit inside
width×width, keeping its aspect ratio and never upscaled, in the same output format: HEIC → JPEG;
JPEG, PNG and still WebP are re-encoded in their own format only when they are bigger than that
(smaller ones pass through unchanged, verified as above). Decoding stays cheap: a JPEG is decoded
at 1/2, 1/4 or 1/8 scale by libjpeg (`draft`), then `thumbnail` shrinks by whole factors
(`reduce`) before the final Lanczos pass. HEIC has no reduced decode (libheif decodes the full
primary image), so its cost is the decode plus a small encode. The EXIF orientation of a
re-encoded JPEG/PNG/WebP is applied to the pixels (the output keeps no EXIF). GIF, AVIF and
animated images are passed through unresized, as without a width.

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
from PIL import Image, ImageOps

from sysconfig import config

from . import sniff
from .errors import ImageRejected

logger = logging.getLogger(__name__)

JPEG_QUALITY = 85
# Sized output: a small picture shown at its own size; 80 keeps it clean at a fraction of q85's
# bytes (docs/benchmarks.md, "Image proxy: avatars at display size").
SIZED_JPEG_QUALITY = 80
SIZED_WEBP_QUALITY = 80
# Re-encoded (not passed through) when bigger than the width. Other formats are never resized.
_RESIZABLE = frozenset({sniff.JPEG, sniff.PNG, sniff.WEBP})

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
    resized: bool = False  # made smaller for a sized link


def reported_format(kind: str | None) -> str:
    return _REPORTED.get(kind or "", "other")


def process(data: bytes, *, max_pixels: int | None = None, width: int | None = None) -> Processed:
    """The image to serve for these bytes, fitted inside width×width when a width is given;
    raises `ImageRejected`."""
    kind = sniff.sniff(data)
    if kind is None:
        raise ImageRejected("not a supported image", reason="not-image")
    limit = int(max_pixels or config.get("image_proxy.max_pixels"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if kind == sniff.HEIC:
                body, size, resized = heic_to_jpeg(data, max_pixels=limit, width=width)
                return Processed(body, "image/jpeg", "heic", True, size, resized)
            if kind not in _RESIZABLE:
                width = None
            image = _open_checked(data, kind, limit, width=width)
            if width and _bigger_than(image.size, width) and not _is_animated(image):
                fitted = _fit(image, width)
                body = _encode_sized(fitted, kind)
                return Processed(
                    body, CONTENT_TYPES[kind], reported_format(kind), False, fitted.size, True
                )
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


def heic_to_jpeg(
    data: bytes, *, max_pixels: int, width: int | None = None
) -> tuple[bytes, tuple[int, int], bool]:
    """HEIC/HEIF bytes → (JPEG bytes, size, resized), fitted inside width×width when given.
    Checks the pixel count before decoding."""
    heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
    _check_pixels(heif.size, max_pixels)
    image = heif.to_pillow()  # the primary image only
    if width and _bigger_than(image.size, width):
        image = _fit(image, width, upright=False)
        return _encode_jpeg(image, quality=SIZED_JPEG_QUALITY), image.size, True
    return _encode_jpeg(image), image.size, False


def _open_checked(
    data: bytes, kind: str, max_pixels: int, *, width: int | None = None
) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
    _check_pixels(image.size, max_pixels)
    if width and kind == sniff.JPEG and _bigger_than(image.size, width):
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale, still at least twice the width (what
        # `thumbnail`'s reducing gap of 2 asks for): a fraction of the work of a full decode.
        image.draft(None, (width * 2, width * 2))
    image.load()  # the first frame only; a truncated file raises here
    return image


def _bigger_than(size: tuple[int, int], width: int) -> bool:
    return size[0] > width or size[1] > width


def _is_animated(image: Image.Image) -> bool:
    return bool(getattr(image, "is_animated", False))


def _fit(image: Image.Image, width: int, *, upright: bool = True) -> Image.Image:
    """Inside width×width, aspect ratio kept; `upright`: the EXIF orientation applied (libheif
    has already applied a HEIC's own transformations)."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = "transparency" in image.info or image.mode in ("PA", "RGBa", "La")
        image = image.convert("RGBA" if has_alpha else "RGB")
    # `reduce` by whole factors, then Lanczos over the last step (at most 2×).
    image.thumbnail((width, width), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if upright:
        # A quarter turn swaps the sides; the box is square, so the image still fits.
        ImageOps.exif_transpose(image, in_place=True)
    return image


def _encode_sized(image: Image.Image, kind: str) -> bytes:
    """A resized JPEG, PNG or WebP, in its own format."""
    if kind == sniff.JPEG:
        return _encode_jpeg(image, quality=SIZED_JPEG_QUALITY)
    out = io.BytesIO()
    save_args: dict = {}
    icc = image.info.get("icc_profile")
    if icc:
        save_args["icc_profile"] = icc
    if kind == sniff.WEBP:
        image.save(out, format="WEBP", quality=SIZED_WEBP_QUALITY, **save_args)
    else:
        image.save(out, format="PNG", **save_args)
    return out.getvalue()


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageRejected(f"bad dimensions {width}x{height}", reason="dimensions")
    if width * height > max_pixels:
        raise ImageRejected(
            f"{width}x{height} is over the {max_pixels} pixel limit", reason="too-many-pixels"
        )


def _encode_jpeg(image: Image.Image, *, quality: int = JPEG_QUALITY) -> bytes:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    save_args: dict = {"quality": quality}
    icc = image.info.get("icc_profile")
    if icc:
        save_args["icc_profile"] = icc
    image.save(out, format="JPEG", **save_args)
    return out.getvalue()
