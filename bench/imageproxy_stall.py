"""Image proxy benchmark: does `/healthz` still answer while image hosts stall?

    .venv/bin/python bench/imageproxy_stall.py [--requests 12] [--burst 30] [--before]
        [--threads N] [--set knob=value ...] [--json]

gunicorn runs the Procfile's `web` command as written (`influencer.wsgi`, 3 sync workers: one
request per process; `--threads N` adds gthread threads) with the benchmark settings on a scratch
SQLite database. In this process: an image host that accepts connections and never answers
(stalling), a healthy one that sends a 100x100 JPEG after 100 ms (a CDN), and a prober that
calls `/healthz` every 100 ms, one call at a time, from before each phase to its end.

- `stall`: `--requests` proxy requests for distinct images of the stalling host, all at once;
- `repeat`: the images that got a failure placeholder, asked for again (the failure cache);
- `burst`: `--burst` distinct images of the healthy host, 6 at a time like a browser loading a
  page of avatars: how many are served as images and how many get the "busy" placeholder.

Reported per phase: the proxy answers by `X-Image-Proxy-Source`, their latencies, connections
the image hosts saw, and the health check's latencies (max = the longest it froze).

`--before` reproduces the proxy as it was before fetch slots and the failure cache, on the same
code: the 8 s deadline, every slot limit at its maximum and the failure cache off. Knobs are
set as `SystemConfiguration` rows, as staff would.
"""

from __future__ import annotations

import argparse
import io
import queue
import re
import shlex
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common

PROBE_INTERVAL = 0.1
BROWSER_CONNECTIONS = 6
CDN_LATENCY = 0.1
BEFORE_KNOBS = {
    "image_proxy.deadline": "8s",
    "image_proxy.failure_cache_seconds": 0,
    "image_proxy.max_fetches_per_process": 64,
    "image_proxy.max_fetches_per_machine": 256,
    "image_proxy.max_fetches_per_client": 64,
}


# --- the image hosts -------------------------------------------------------------------------


class StallingHost:
    """Accepts connections and never answers; counts them."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)  # never read, never answered, closed at the end

    def close(self) -> None:
        self.socket.close()
        for conn in self._held:
            conn.close()


def healthy_host(jpeg: bytes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.server.seen.append(self.path)  # list.append: safe from many threads
            time.sleep(CDN_LATENCY)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(jpeg)))
            self.end_headers()
            self.wfile.write(jpeg)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def small_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (100, 100), (200, 120, 80)).save(out, format="JPEG", quality=85)
    return out.getvalue()


# --- gunicorn --------------------------------------------------------------------------------


def procfile_web_command(port: int, threads: int) -> list[str]:
    """The Procfile's `web` line with its defaults, gunicorn from this virtualenv, on `port`."""
    procfile = (common.ROOT / "Procfile").read_text().splitlines()
    line = next(line for line in procfile if line.startswith("web:"))
    args = shlex.split(re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line.removeprefix("web:")))
    args[0] = str(common.BIN / args[0])
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    args[args.index("--access-logfile") + 1] = "/dev/null"
    if threads:
        args += ["--threads", str(threads)]
    return args


# --- measuring -------------------------------------------------------------------------------


class Prober:
    """`/healthz`, one call at a time, every PROBE_INTERVAL seconds while running."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.latencies: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=180)

    def _run(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                ok = session.get(f"{self.base}/healthz", timeout=120).status_code == 200
            except requests.RequestException:
                ok = False
            self.latencies.append((time.monotonic() - started) * 1000)
            self.failures += not ok
            self._stop.wait(PROBE_INTERVAL)

    def summary(self) -> dict[str, Any]:
        values = self.latencies
        return {
            "probes": len(values),
            "failures": self.failures,
            "p50_ms": round(common.percentile(values, 50), 1),
            "p99_ms": round(common.percentile(values, 99), 1),
            "max_ms": round(max(values), 1),
        }


def fetch_all(base: str, links: list[str], connections: int) -> list[dict[str, Any]]:
    """GET every link through `connections` parallel keep-alive connections."""
    todo: queue.Queue[str] = queue.Queue()
    for link in links:
        todo.put(link)
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def client() -> None:
        session = requests.Session()
        while True:
            try:
                link = todo.get_nowait()
            except queue.Empty:
                return
            started = time.monotonic()
            response = session.get(base + link, timeout=180)
            answer = {
                "link": link,
                "ms": (time.monotonic() - started) * 1000,
                "source": response.headers.get("X-Image-Proxy-Source", str(response.status_code)),
                "strategy": response.headers.get("X-Image-Fetch-Strategy", ""),
            }
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def phase(base: str, links: list[str], connections: int, host_requests) -> dict[str, Any]:
    seen_before = host_requests()
    with Prober(base) as prober:
        time.sleep(0.5)  # the health check's quiet baseline
        started = time.monotonic()
        answers = fetch_all(base, links, connections)
        seconds = time.monotonic() - started
        time.sleep(0.3)
    by_source: dict[str, list[float]] = {}
    for answer in answers:
        by_source.setdefault(answer["source"], []).append(answer["ms"])
    return {
        "proxy_requests": len(links),
        "all_answered_s": round(seconds, 2),
        "upstream_connections": host_requests() - seen_before,
        "from_cache": sum(a["strategy"] == "cache" for a in answers),
        "answers": {
            source: {
                "n": len(ms),
                "median_ms": round(common.percentile(ms, 50), 1),
                "max_ms": round(max(ms), 1),
            }
            for source, ms in sorted(by_source.items())
        },
        "healthz": prober.summary(),
        "_answers": answers,
    }


def run(
    *, requests_count: int, burst: int, before: bool, threads: int, knobs: dict, log
) -> dict[str, Any]:
    workdir = common.work_dir("imageproxy-stall")
    db = common.ScratchDatabase("sqlite", workdir)
    env = common.base_env(db.url, "http://127.0.0.1:9")
    stalling, healthy, proc = StallingHost(), healthy_host(small_jpeg()), None
    try:
        db.migrate(env)
        common.django_setup(db.url, "http://127.0.0.1:9")
        from imageproxy.signing import proxied_image_url
        from sysconfig import config

        settings_knobs = {**(BEFORE_KNOBS if before else {}), **knobs}
        common.set_knobs(settings_knobs)
        port = common.free_port()
        base = f"http://127.0.0.1:{port}"
        command = procfile_web_command(port, threads)
        proc = common.Proc("gunicorn", command, env, workdir)
        common.wait_http(f"{base}/healthz")
        # Every worker loads the proxy's code once (a placeholder, no fetch) before the phases.
        fetch_all(base, [proxied_image_url(None, "warm")] * 12, 6)

        stall_links = [
            proxied_image_url(f"http://127.0.0.1:{stalling.port}/avatar/{i}.jpeg", f"C {i}")
            for i in range(requests_count)
        ]
        results: dict[str, Any] = {
            "machine": common.machine(),
            "mode": "before" if before else "after",
            "gunicorn": " ".join(["gunicorn", *command[1:]]),
            "knobs": {
                name: config.get(name)
                for name in (
                    "image_proxy.deadline",
                    "image_proxy.failure_cache_seconds",
                    "image_proxy.max_fetches_per_process",
                    "image_proxy.max_fetches_per_machine",
                    "image_proxy.max_fetches_per_client",
                )
            },
        }
        log(f"stall: {requests_count} proxy requests to a host that never answers")
        stall = phase(base, stall_links, requests_count, lambda: stalling.accepted)
        failed = [a["link"] for a in stall.pop("_answers") if a["source"] == "placeholder-error"]
        log(f"repeat: {len(failed)} of them again")
        repeat = phase(base, failed, len(failed) or 1, lambda: stalling.accepted)
        repeat.pop("_answers")
        burst_links = [
            proxied_image_url(f"http://127.0.0.1:{healthy.server_port}/p/{i}.jpeg", f"B {i}")
            for i in range(burst)
        ]
        log(f"burst: {burst} avatars of a healthy host, {BROWSER_CONNECTIONS} at a time")
        fast = phase(base, burst_links, BROWSER_CONNECTIONS, lambda: len(healthy.seen))
        fast.pop("_answers")
        results["phases"] = {"stall": stall, "repeat": repeat, "burst": fast}
        for name, numbers in results["phases"].items():
            log(f"{name}: {common.dump_json(numbers)}")
        return results
    finally:
        if proc is not None:
            proc.stop()
        stalling.close()
        healthy.shutdown()
        db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=12, help="stalled proxy requests")
    parser.add_argument("--burst", type=int, default=30, help="avatars of a healthy host")
    parser.add_argument("--before", action="store_true", help="no slots, no failure cache, 8 s")
    parser.add_argument("--threads", type=int, default=0, help="gunicorn --threads (gthread)")
    parser.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    knobs = dict(item.split("=", 1) for item in args.set)
    result = run(
        requests_count=args.requests,
        burst=args.burst,
        before=args.before,
        threads=args.threads,
        knobs=knobs,
        log=log,
    )
    if args.json:
        print(common.dump_json(result))


if __name__ == "__main__":
    main()
