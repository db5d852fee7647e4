"""A stdlib HTTP server that speaks the ScrapeCreators API from the fake universe.

    server = FakeScrapeCreatorsServer(port=0).start()   # background thread
    requests.get(f"{server.base_url}/v1/tiktok/profile", params={"handle": "maya.runs"},
                 headers={"x-api-key": "any-key"})
    server.stop()

API (GET, `x-api-key` required: a missing header or the key "invalid-key" is a 401, any other
non-empty key is valid and starts with `default_credits`):
/v1/tiktok/search/keyword, /v1/tiktok/search/users, /v1/tiktok/profile, /v1/tiktok/user/following,
/v1/instagram/search/hashtag, /v1/instagram/profile, /v1/youtube/search, /v1/youtube/channel,
/v3/tiktok/profile/videos, /v2/instagram/user/posts, /v1/instagram/user/reels,
/v1/youtube/channel-videos (recent posts), /v1/account/credit-balance, /v1/credit-balance
(legacy). Every 200 object body has the envelope;
a page costs 1 credit, errors cost nothing, and a cache hit costs 0: on the cacheable endpoints
(TikTok/IG profile, YouTube channel) a request with `cache_max_age` (1d|3d|7d|14d|30d) for a
resource fetched before (by this server process) gets `credits_charged: 0` and `cached: true,
cached_at`. When a key's balance is 0 every charged call is a 402.

Control endpoints (JSON; for tests in other processes):
GET  /_fake/health           {"ok": true}
GET  /_fake/config           the FakeConfig plus "credits" (balance per key seen)
POST /_fake/config           merge top-level keys into the config; "credits": {"key": n} sets
                             balances. 400 with {"error": ...} on unknown keys or bad values.
POST /_fake/reset            config back to the server's start-up config; credits, call log and
                             cache cleared
GET  /_fake/calls            {"calls": [...]} every API and CDN request: seq, method, path, params,
                             status, time (ISO), ts, duration_ms, api_key, fault, credits_charged,
                             cached (+ headers for CDN requests). Filters: ?path=/v1/…&since=<seq>

Knobs (latency per endpoint / "real" profile / time_scale / jitter, scripted and random faults,
page quirks, the rate ceiling, credits, CDN timings) are the fields of `FakeConfig` in `config`.
The API logic is in `api` (routes, faults, credits, cache), the state in `state`, the avatar CDN
(`/cdn/...`) in `cdn`; this module is the HTTP plumbing. `python -m fake_scrapecreators --port 8765`
runs it standalone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import api, cdn
from .config import FakeConfig
from .state import State

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeScrapeCreators/1.0"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client's delayed ACK
    # stalls the body ~40 ms per response (TCP_NODELAY, as real HTTP servers set it).
    disable_nagle_algorithm = True
    state: State  # set on the subclass made per server
    server: ThreadingHTTPServer  # what serves it (a TCP server: the address is (host, port))

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake-sc %s " + format, self.address_string(), *args)

    # -- plumbing

    @property
    def base_url(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"http://{host}"

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode(), headers=headers)

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        return json.loads(raw or b"{}")

    # -- verbs

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        if path.startswith("/cdn/"):
            self._cdn(url.path, url.query)
        elif path.startswith("/_fake/"):
            self._control_get(path, url.query)
        else:
            self._api(path, url.query)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        try:
            data = self._read_json()
        except (ValueError, UnicodeDecodeError):
            self._json(400, {"error": "body must be JSON"})
            return
        if path == "/_fake/config":
            if not isinstance(data, dict):
                self._json(400, {"error": "body must be a JSON object"})
                return
            try:
                self.state.update(data)
            except ValueError as exc:
                self._json(400, {"error": str(exc)})
                return
            self._json(200, self.state.snapshot())
        elif path == "/_fake/reset":
            self.state.reset()
            self._json(200, self.state.snapshot())
        else:
            self._json(404, {"error": "not found"})

    # -- control

    def _control_get(self, path: str, query: str) -> None:
        if path == "/_fake/health":
            self._json(200, {"ok": True, "base_url": self.base_url})
        elif path == "/_fake/config":
            self._json(200, self.state.snapshot())
        elif path == "/_fake/calls":
            q = {k: v[-1] for k, v in parse_qs(query).items()}
            try:
                since = int(q.get("since") or 0)
            except ValueError:
                self._json(400, {"error": "since must be an integer"})
                return
            calls = self.state.calls_since(since, (q.get("path") or "").rstrip("/") or None)
            self._json(200, {"calls": calls, "count": len(calls)})
        else:
            self._json(404, {"error": "not found"})

    # -- CDN

    def _cdn(self, path: str, query: str) -> None:
        started = time.monotonic()
        headers = {k.lower(): v for k, v in self.headers.items()}
        resp = cdn.respond(path, query, headers, self.state.config, self.base_url)
        if resp.delay:
            time.sleep(resp.delay)
        self.state.log(  # before answering (see _api); duration = time to first byte
            {
                "method": self.command,
                "path": path,
                "params": _params(query),
                "status": resp.status,
                "time": _now_iso(),
                "ts": time.time(),
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "api_key": None,
                "fault": None,
                "credits_charged": 0,
                "cached": False,
                "headers": headers,
            }
        )
        if resp.stream is None:
            ctype = resp.headers.pop("Content-Type", "text/plain")
            self._send(resp.status, resp.body, ctype, resp.headers)
        else:
            self._stream(resp)

    def _stream(self, resp: cdn.CdnResponse) -> None:
        try:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            if resp.content_length is not None:
                self.send_header("Content-Length", str(resp.content_length))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            for chunk in resp.stream or ():
                self.wfile.write(chunk)
                self.wfile.flush()
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- API

    def _api(self, path: str, query: str) -> None:
        started = time.monotonic()
        params = _params(query)
        key = self.headers.get("x-api-key") or ""
        result = api.handle(self.state, path, params, key, self.base_url)
        # Log before answering, so a client that has the response also sees its log entry.
        self.state.log(
            {
                "method": self.command,
                "path": path,
                "params": params,
                "status": result.status,
                "time": _now_iso(),
                "ts": time.time(),
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "api_key": key or None,
                "fault": result.log.get("fault"),
                "credits_charged": result.log.get("credits_charged", 0),
                "cached": result.log.get("cached", False),
            }
        )
        if result.disconnect:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._send(result.status, result.body, result.content_type, result.headers)


def _params(query: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class FakeScrapeCreatorsServer:
    """The fake API + CDN on a background thread (or in the foreground: `serve_forever`)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, config: FakeConfig | None = None
    ) -> None:
        self.state = State(config or FakeConfig())
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self.httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def config(self) -> FakeConfig:
        return self.state.config

    def configure(self, **patch: Any) -> None:
        """Same as POST /_fake/config, in-process."""
        self.state.update(patch)

    def reset(self) -> None:
        self.state.reset()

    def calls(self, path: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """The call log (same entries as GET /_fake/calls)."""
        return self.state.calls_since(since, path)

    def start(self) -> FakeScrapeCreatorsServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="fake-scrapecreators", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeScrapeCreatorsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run(host: str = "127.0.0.1", port: int = 8765, **options: Any) -> None:
    """Serve in the foreground until Ctrl-C (for `python -m fake_scrapecreators`).

    `options` are FakeConfig fields (e.g. latency_profile="real", time_scale=0.1); None values
    are ignored, anything else unknown is a ValueError.
    """
    patch = {k: v for k, v in options.items() if v is not None}
    server = FakeScrapeCreatorsServer(host, port, FakeConfig().merged(patch))
    logger.info("fake ScrapeCreators listening on %s", server.base_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


def main(host: str = "127.0.0.1", port: int = 8765) -> None:
    """`serve_forever`-style entry point with the default config."""
    run(host, port)
