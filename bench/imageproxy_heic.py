"""Image proxy benchmark: our HEIC→JPEG conversion vs the `heic-convert` npm package, and the
latency of a cached hit through the Django view.

    .venv/bin/python bench/imageproxy_heic.py [--repeat 10] [--hits 200] [--json docs/x.json]

- Generates 20 photo-like avatar HEICs (100x100, 300x300, 720x720) with pillow-heif.
- Times `imageproxy.convert.process` (sniff, pixel check, decode, JPEG q85) per avatar.
- Times heic-convert 2.x (JPEG, quality 0.85) on the same files in Node, after one warm-up call
  (it compiles libheif's WebAssembly once). Installs it into bench/node if missing; if npm or
  node is unavailable, says so and carries on.
- Serves the HEICs from a local HTTP server and requests them through `/api/proxy/image` with
  Django's test client on a throwaway SQLite database cache (the project's default cache
  backend): one cold request (fetch + convert), then warm hits.
"""

import argparse
import io
import json
import logging
import os
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
SIZES = [(100, 100)] * 6 + [(300, 300)] * 8 + [(720, 720)] * 6


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


def make_avatars(folder: Path) -> list[Path]:
    """Photo-like HEICs: smooth gradients, a face-ish blob, sensor noise."""
    import pillow_heif
    from PIL import Image, ImageDraw, ImageFilter

    paths = []
    for i, size in enumerate(SIZES):
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
        image = Image.blend(image, Image.merge("RGB", (noise, noise, noise)), 0.06)
        out = io.BytesIO()
        pillow_heif.from_pillow(image).save(out, format="HEIF", quality=75)
        path = folder / f"avatar-{i:02d}-{width}x{height}.heic"
        path.write_bytes(out.getvalue())
        paths.append(path)
    return paths


def time_ours(paths: list[Path], repeat: int) -> dict[str, list[float]]:
    from imageproxy import convert

    convert.process(paths[0].read_bytes(), max_pixels=16_000_000)  # warm-up
    times: dict[str, list[float]] = {}
    for path in paths:
        data = path.read_bytes()
        times[str(path)] = []
        for _ in range(repeat):
            start = time.perf_counter()
            convert.process(data, max_pixels=16_000_000)
            times[str(path)].append((time.perf_counter() - start) * 1000)
    return times


def ensure_heic_convert() -> str | None:
    """None when ready, else why not."""
    if not shutil.which("node"):
        return "node is not installed"
    if (NODE_DIR / "node_modules" / "heic-convert").is_dir():
        return None
    if not shutil.which("npm"):
        return "npm is not installed"
    result = subprocess.run(
        ["npm", "install", "--prefix", str(NODE_DIR), "heic-convert"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        return f"npm install heic-convert failed: {result.stderr.strip()[-500:]}"
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
            self.send_header("Content-Type", "image/heic")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def time_view(paths: list[Path], hits: int, folder: Path) -> dict:
    from django.core.management import call_command
    from django.test import Client

    from imageproxy.signing import proxied_image_url

    call_command("createcachetable", verbosity=0)
    server = serve_files(folder)
    client = Client()
    cold, warm, server_side = [], [], []
    try:
        links = [
            proxied_image_url(f"http://127.0.0.1:{server.server_port}/{p.name}", "Bench")
            for p in paths
        ]
        for link in links:
            start = time.perf_counter()
            response = client.get(link)
            cold.append((time.perf_counter() - start) * 1000)
            assert response["X-Image-Proxy-Source"] == "heic-converted", response.headers
        for i in range(hits):
            link = links[i % len(links)]
            start = time.perf_counter()
            response = client.get(link)
            warm.append((time.perf_counter() - start) * 1000)
            assert response["X-Image-Fetch-Strategy"] == "cache", response.headers
            server_side.append(float(response["X-Image-Proxy-Time"]))
    finally:
        server.shutdown()
        server.server_close()
    return {
        "cold_fetch_and_convert": summary(cold),
        "cached_hit_client": summary(warm),
        "cached_hit_x_image_proxy_time": summary(server_side),
    }


def setup_django(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influencer.settings.test")
    # A throwaway database: the shared db.sqlite3 and the test database stay untouched.
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    import django

    django.setup()
    logging.getLogger("imageproxy").setLevel(logging.WARNING)


def by_size(times: dict[str, list[float]]) -> dict[str, dict]:
    groups: dict[str, list[float]] = {}
    for path, values in times.items():
        size = Path(path).stem.rsplit("-", 1)[1]
        groups.setdefault(size, []).extend(values)
    groups["all"] = [v for values in times.values() for v in values]
    return {size: summary(values) for size, values in groups.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="conversions per avatar")
    parser.add_argument("--hits", type=int, default=200, help="cached requests to time")
    parser.add_argument("--json", dest="json_path", help="also write the results here")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="imageproxy-bench-"))
    try:
        setup_django(folder)
        import pillow_heif

        paths = make_avatars(folder)
        ours = by_size(time_ours(paths, args.repeat))
        node = time_heic_convert(paths, args.repeat, folder)
        theirs = by_size(node["times"]) if "times" in node else None
        view = time_view(paths, args.hits, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    results = {
        "avatars": len(SIZES),
        "repeat": args.repeat,
        "ours": {"engine": f"pillow-heif {pillow_heif.__version__}", "per_size": ours},
        "heic_convert": (
            {
                "engine": f"heic-convert {node['heicConvert']} on node {node['node']}",
                "per_size": theirs,
            }
            if theirs
            else {"error": node.get("error")}
        ),
        "view": view,
    }

    print(f"HEIC→JPEG per avatar ({len(SIZES)} avatars x {args.repeat} runs, quality 85)")
    print(f"{'size':>10} | {'ours median':>11} {'p95':>8} | {'heic-convert median':>19} {'p95':>8}")
    for size in ours:
        mine = ours[size]
        other = theirs.get(size) if theirs else None
        other_text = (
            f"{other['median_ms']:>17.2f}ms {other['p95_ms']:>6.2f}ms" if other else f"{'n/a':>28}"
        )
        print(f"{size:>10} | {mine['median_ms']:>9.2f}ms {mine['p95_ms']:>6.2f}ms | {other_text}")
    if not theirs:
        print(f"heic-convert: not measured ({node.get('error')})")
    print()
    print("Through /api/proxy/image (Django test client, database cache)")
    for label, key in (
        ("cold: fetch + convert", "cold_fetch_and_convert"),
        ("cached hit (client)", "cached_hit_client"),
        ("cached hit (X-Image-Proxy-Time)", "cached_hit_x_image_proxy_time"),
    ):
        row = view[key]
        print(f"{label:>34}: median {row['median_ms']:.2f}ms, p95 {row['p95_ms']:.2f}ms")

    if args.json_path:
        target = Path(args.json_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nwrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
