"""What kind of image a byte string is, from its magic bytes (never from a Content-Type header).

Only raster formats we can decode are recognised. SVG, HTML, XML and anything else are `None`:
the proxy refuses them (an SVG from a CDN could carry script).
"""

JPEG, PNG, GIF, WEBP, HEIC, AVIF = "jpeg", "png", "gif", "webp", "heic", "avif"

# ISO-BMFF `ftyp` brands. HEIF stills and sequences (HEVC or generic), then AVIF.
_HEIC_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"heif"}
)
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2", b"miaf"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def sniff(data: bytes) -> str | None:
    """`jpeg`, `png`, `gif`, `webp`, `heic` (HEIC/HEIF) or `avif`; `None` for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return _sniff_isobmff(data)


def _sniff_isobmff(data: bytes) -> str | None:
    if len(data) < 16 or data[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(data[:4], "big")
    if box_size < 16 or box_size > 4096 or box_size > len(data):
        return None
    major = data[8:12]
    compatible = {data[i : i + 4] for i in range(16, box_size - 3, 4)}
    brands = {major, *compatible}
    if major in _AVIF_BRANDS:
        return AVIF
    if major in _HEIC_BRANDS:
        return HEIC
    if major in _GENERIC_HEIF_BRANDS:
        # A generic HEIF container: the compatible brands say which codec is inside.
        if brands & _HEIC_BRANDS:
            return HEIC
        if brands & _AVIF_BRANDS:
            return AVIF
        return HEIC
    return None
