"""Image proxy benchmark: avatars at display size. Per avatar, in one run: heic-convert (the
original platform's Node package), the bare pillow-heif decode+encode, our proxy path unsized
and at each avatar width, and the cached hit through the Django view.

    .venv/bin/python bench/imageproxy_heic.py [--repeat 10] [--hits 60] [--json docs/x.json]

- Generates photo-like avatars: 6 HEICs of 720x720 and 6 of 1080x1080 (TikTok's
  `avatar_medium` and `avatar_larger`, the one our TikTok transform keeps), and 6 JPEGs of
  1080x1080 (Instagram and YouTube send JPEG avatars; heic-convert has nothing to do there).
- Per avatar, `--repeat` times each, the paths in turn (so machine load hits them alike), time
  and output bytes of:
  - `heic_convert`: heic-convert 2.x in Node, JPEG quality 0.85, full size, after one warm-up
    call (it compiles libheif's WebAssembly once). Installed into bench/node (`npm ci`) if
    missing; if node or npm is unavailable, says so and carries on;
  - `bare`: the bare library call, no resize: `pillow_heif.open_heif(…).to_pillow()` (Pillow's
    decoder for JPEG), saved as JPEG quality 85;
  - `ours`: `imageproxy.convert.process` unsized, what an unsized link serves (sniff, pixel
    check, HEIC → JPEG q85; a JPEG is verified by a full decode and passed through);
  - `ours_w<width>`: the same at each of `signing.AVATAR_WIDTHS` (decode, resize, encode);
- Serves the files from a local HTTP server and requests them through `/api/proxy/image` with
  Django's test client on a throwaway SQLite database cache (the project's default cache
  backend), unsized and at each width: one cold request per avatar (fetch + convert + store),
  then `--hits` cached hits per width and kind of avatar.
"""

import argparse
import io
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "bench" / "node"
NODE_SCRIPT = NODE_DIR / "heic_convert_bench.js"
PER_GROUP = 6
GROUPS = (("heic", (720, 720)), ("heic", (1080, 1080)), ("jpeg", (1080, 1080)))
MAX_PIXELS = 16_000_000


def group_name(kind: str, size: tuple[int, int]) -> str:
    return f"{kind} {size[0]}x{size[1]}"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values), 3),
        "p95_ms": round(percentile(values, 95), 3),
        "min_ms": round(min(values), 3),
        "max_ms": round(max(values), 3),
    }


def photo(size: tuple[int, int], i: int):
    """A photo-like picture: smooth gradients, a face-ish blob, sensor noise."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    base = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 25 + i)
    red = Image.blend(base, noise, 0.25)
    green = base.rotate(90 + i * 7).resize(size)
    blue = Image.blend(base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise, 0.15)
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (width * 0.25, height * 0.15, width * 0.75, height * 0.7),
        fill=(200 - i * 3, 160 + i, 140),
    )
    draw.rectangle((0, height * 0.75, width, height), fill=(40 + i * 5, 60, 90))
    image = image.filter(ImageFilter.GaussianBlur(radius=max(1, width // 150)))
    return Image.blend(image, Image.merge("RGB", (noise, noise, noise)), 0.06)


def make_avatars(folder: Path) -> dict[str, list[Path]]:
    import pillow_heif

    groups: dict[str, list[Path]] = {}
    for kind, size in GROUPS:
        paths = []
        for i in range(PER_GROUP):
            image = photo(size, i)
            out = io.BytesIO()
            if kind == "heic":
                pillow_heif.from_pillow(image).save(out, format="HEIF", quality=75)
            else:
                image.save(out, format="JPEG", quality=90)  # what CDNs typically send
            path = folder / f"avatar-{kind}-{size[0]}x{size[1]}-{i:02d}.{kind}"
            path.write_bytes(out.getvalue())
            paths.append(path)
        groups[group_name(kind, size)] = paths
    return groups


def bare(data: bytes, kind: str) -> bytes:
    """The library call with nothing of ours: decode, encode JPEG q85, full size."""
    import pillow_heif
    from PIL import Image

    if kind == "heic":
        image = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True).to_pillow()
    else:
        image = Image.open(io.BytesIO(data))
        image.load()
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def python_paths(widths: tuple[int, ...]):
    from imageproxy import convert

    paths = {
        "bare": bare,
        "ours": lambda data, kind: convert.process(data, max_pixels=MAX_PIXELS).body,
    }
    for width in widths:
        paths[f"ours_w{width}"] = lambda data, kind, width=width: (
            convert.process(data, max_pixels=MAX_PIXELS, width=width).body
        )
    return paths


def time_python(groups: dict[str, list[Path]], repeat: int, widths: tuple[int, ...]) -> dict:
    """{group: {path: {"times": [...], "bytes": [...]}}}, the paths interleaved per run."""
    paths = python_paths(widths)
    results: dict[str, dict] = {}
    for group, files in groups.items():
        kind = group.split()[0]
        for fn in paths.values():  # warm-up (imports, decoder set-up)
            fn(files[0].read_bytes(), kind)
        per_path = {name: {"times": [], "bytes": []} for name in paths}
        for file in files:
            data = file.read_bytes()
            sizes = {}
            for _ in range(repeat):
                for name, fn in paths.items():
                    start = time.perf_counter()
                    body = fn(data, kind)
                    per_path[name]["times"].append((time.perf_counter() - start) * 1000)
                    sizes[name] = len(body)
            for name, size in sizes.items():
                per_path[name]["bytes"].append(size)
        results[group] = per_path
    return results


def ensure_heic_convert() -> str | None:
    """None when ready, else why not."""
    if not shutil.which("node"):
        return "node is not installed"
    if (NODE_DIR / "node_modules" / "heic-convert").is_dir():
        return None
    if not shutil.which("npm"):
        return "npm is not installed"
    # `npm ci` installs exactly what package-lock.json says and leaves both files alone.
    result = subprocess.run(
        ["npm", "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        return f"npm ci (heic-convert) failed: {result.stderr.strip()[-500:]}"
    return None


def time_heic_convert(paths: list[Path], repeat: int, folder: Path) -> dict:
    problem = ensure_heic_convert()
    if problem:
        return {"error": problem}
    listing = folder / "files.json"
    listing.write_text(json.dumps([str(p) for p in paths]))
    try:
        result = subprocess.run(
            ["node", str(NODE_SCRIPT), str(listing), str(repeat)],
            capture_output=True,
            text=True,
            timeout=900,
        )
    except subprocess.TimeoutExpired:
        return {"error": "heic-convert timed out"}
    if result.returncode != 0:
        return {"error": f"heic-convert failed: {result.stderr.strip()[-500:]}"}
    return json.loads(result.stdout)


def serve_files(folder: Path) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = folder / self.path.lstrip("/").split("?")[0]
            if path.parent != folder or not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", f"image/{path.suffix.lstrip('.')}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def time_view(groups: dict[str, list[Path]], hits: int, widths: tuple[int, ...], folder: Path):
    """{"unsized" | "w72" | …: {group: {cold, hit_client, hit_server}}}."""
    from django.core.management import call_command
    from django.test import Client

    from imageproxy.signing import proxied_image_url

    call_command("migrate", verbosity=0)  # the knobs' table: the view reads its knobs
    call_command("createcachetable", verbosity=0)
    server = serve_files(folder)
    client = Client()
    results: dict[str, dict] = {}
    try:
        for width in (None, *widths):
            label = f"w{width}" if width else "unsized"
            results[label] = {}
            for group, files in groups.items():
                base = f"http://127.0.0.1:{server.server_port}"
                links = [proxied_image_url(f"{base}/{p.name}", "Bench", width) for p in files]
                cold, warm, server_side = [], [], []
                for link in links:
                    start = time.perf_counter()
                    response = client.get(link)
                    cold.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response
                    assert response["X-Image-Fetch-Strategy"] == "initial-success", response
                for i in range(hits):
                    start = time.perf_counter()
                    response = client.get(links[i % len(links)])
                    warm.append((time.perf_counter() - start) * 1000)
                    assert response["X-Image-Fetch-Strategy"] == "cache", response.headers
                    server_side.append(float(response["X-Image-Proxy-Time"]))
                results[label][group] = {
                    "cold": summary(cold),
                    "hit_client": summary(warm),
                    "hit_server": summary(server_side),
                }
    finally:
        server.shutdown()
        server.server_close()
    return results


def setup_django(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influencer.settings.test")
    # A throwaway database: the shared db.sqlite3 and the test database stay untouched.
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    import django

    django.setup()
    logging.getLogger("imageproxy").setLevel(logging.WARNING)


def describe(values: dict) -> dict:
    out = summary(values["times"])
    out["bytes"] = round(statistics.median(values["bytes"]))
    return out


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, load {load:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="conversions per avatar")
    parser.add_argument("--hits", type=int, default=60, help="cached requests per link set")
    parser.add_argument("--json", dest="json_path", help="also write the results here")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="imageproxy-bench-"))
    try:
        setup_django(folder)
        import PIL
        import pillow_heif

        from imageproxy.convert import JPEG_QUALITY, SIZED_JPEG_QUALITY
        from imageproxy.signing import AVATAR_WIDTHS

        widths = tuple(AVATAR_WIDTHS)
        groups = make_avatars(folder)
        ours = time_python(groups, args.repeat, widths)
        heic_files = [p for name, files in groups.items() if name.startswith("heic") for p in files]
        node = time_heic_convert(heic_files, args.repeat, folder)
        view = time_view(groups, args.hits, widths, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    per_group: dict[str, dict] = {}
    for group, files in groups.items():
        paths: dict[str, dict] = {}
        if "times" in node and group.startswith("heic"):
            names = [str(p) for p in files]
            paths["heic_convert"] = describe(
                {
                    "times": [t for n in names for t in node["times"][n]],
                    "bytes": [node["bytes"][n] for n in names],
                }
            )
        for name, values in ours[group].items():
            paths[name] = describe(values)
        per_group[group] = {"avatars": len(files), "paths": paths}

    results = {
        "machine": machine(),
        "repeat": args.repeat,
        "hits": args.hits,
        "widths": list(widths),
        "quality": {"unsized": JPEG_QUALITY, "sized": SIZED_JPEG_QUALITY},
        "engines": {
            "pillow_heif": pillow_heif.__version__,
            "pillow": PIL.__version__,
            "heic_convert": (
                f"heic-convert {node['heicConvert']} on node {node['node']}"
                if "times" in node
                else None
            ),
        },
        "heic_convert_error": node.get("error"),
        "groups": per_group,
        "view": view,
    }

    labels = {"heic_convert": "heic-convert (Node), full size", "bare": "bare decode+encode"}
    labels["ours"] = "ours, unsized link"
    for width in widths:
        labels[f"ours_w{width}"] = f"ours, w={width} (decode+resize+encode)"
    print(
        f"Per avatar ({PER_GROUP} avatars per row group x {args.repeat} runs; JPEG quality "
        f"{JPEG_QUALITY} full size, {SIZED_JPEG_QUALITY} sized). {results['machine']}."
    )
    for group, row in per_group.items():
        print(f"\n{group}")
        print(f"{'path':>42} | {'median':>9} {'p95':>9} | {'bytes':>8}")
        for name, stats in row["paths"].items():
            print(
                f"{labels[name]:>42} | {stats['median_ms']:>7.2f}ms {stats['p95_ms']:>7.2f}ms | "
                f"{stats['bytes']:>8,}"
            )
        for label, by_group in view.items():
            hit = by_group[group]["hit_client"]["median_ms"]
            cold = by_group[group]["cold"]["median_ms"]
            print(f"{'view ' + label + ': cold / cached hit':>42} | {cold:>7.2f}ms {hit:>7.2f}ms |")
    if node.get("error"):
        print(f"\nheic-convert: not measured ({node['error']})")

    if args.json_path:
        target = Path(args.json_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
