"""A local HTTP server playing the avatar CDN (and its hostile variants) for the proxy tests."""

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from .media import png_with_header_only

# ---------------------------------------------------------------------------------------------
# The local avatar CDN


@dataclass
class Seen:
    path: str
    query: str
    headers: dict[str, str]

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


Route = Callable[[BaseHTTPRequestHandler, "CDN"], None]


@dataclass
class CDN:
    server: ThreadingHTTPServer
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, **headers):
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    if "Content-Length" not in headers:
        handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cdn: CDN

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        cdn = self.server.cdn
        cdn.requests.append(
            Seen(parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()})
        )
        route = cdn.routes.get(parts.path)
        try:
            if route is None:
                _send(self, 404, b"not found", "text/plain")
            else:
                route(self, cdn)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_server(wrap: Callable | None = None) -> ThreadingHTTPServer:
    """A threaded server on 127.0.0.1, any free port; `wrap` may replace its socket (TLS)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    if wrap is not None:
        server.socket = wrap(server.socket)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class StallingServer:
    """An image host that accepts every connection and never answers a byte.

    `accepted` counts connections; `open` is how many the other side has not closed yet (the
    proxy's deadline shuts its socket down, which ends our read with EOF)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self.open = 0
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _address = self.socket.accept()
            except OSError:
                return  # closed
            with self._lock:
                self.accepted += 1
                self.open += 1
                self._connections.append(conn)
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn: socket.socket) -> None:
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        with self._lock:
            self.open -= 1

    def close(self) -> None:
        self.socket.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()


def static_route(body: bytes, ctype: str, **headers) -> Route:
    return lambda h, cdn: _send(h, 200, body, ctype, **headers)


def _redirect_chain(h: BaseHTTPRequestHandler, cdn: CDN) -> None:
    # /chain/<n> redirects to /chain/<n-1>; /chain/0 is a JPEG.
    n = int(h.path.split("?")[0].rsplit("/", 1)[1])
    if n == 0:
        _send(h, 200, cdn.server.images.jpeg, "image/jpeg")
    else:
        _send(h, 302, b"", "text/plain", Location=f"/chain/{n - 1}")


def _redirect_to(h: BaseHTTPRequestHandler, cdn: CDN) -> None:
    # /redirect?to=<url>: 302 to whatever the test asked for.
    query = urlsplit(h.path).query
    target = query.split("to=", 1)[1] if "to=" in query else "/"
    _send(h, 302, b"", "text/plain", Location=unquote(target))


def _only_with_referer_absent(h, cdn):
    if "referer" in {k.lower() for k in h.headers}:
        _send(h, 403, b"forbidden", "text/plain")
    else:
        _send(h, 200, cdn.server.images.heic, "image/heic")


def _only_without_query(h, cdn):
    if urlsplit(h.path).query:
        _send(h, 403, b"forbidden", "text/plain")
    else:
        _send(h, 200, cdn.server.images.jpeg, "image/jpeg")


def _only_curl(h, cdn):
    if "Mozilla" in h.headers.get("User-Agent", ""):
        _send(h, 403, b"forbidden", "text/plain")
    else:
        _send(h, 200, cdn.server.images.webp, "image/webp")


def _only_browser(h, cdn):
    ua = h.headers.get("User-Agent", "")
    if "Mozilla" in ua and h.headers.get("Referer") == "https://www.tiktok.com/":
        _send(h, 200, cdn.server.images.heic, "image/heic")
    else:
        _send(h, 403, b"forbidden", "text/plain")


def _only_on_p19(h, cdn):
    if h.headers.get("Host", "").split(":")[0] == "p19-sign-va.tiktokcdn.com":
        _send(h, 200, cdn.server.images.jpeg, "image/jpeg")
    else:
        _send(h, 403, b"forbidden", "text/plain")


def _always_403(h, cdn):
    _send(h, 403, b"forbidden", "text/plain")


def _status(code):
    return lambda h, cdn: _send(h, code, b"error", "text/plain")


def _slow(h, cdn):
    time.sleep(5)
    _send(h, 200, cdn.server.images.jpeg, "image/jpeg")


def _drip(h, cdn):
    # Headers at once, then one byte every 100 ms, forever: no single read ever times out.
    h.send_response(200)
    h.send_header("Content-Type", "image/jpeg")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    h.wfile.write(b"\xff\xd8\xff")
    for _ in range(200):
        time.sleep(0.1)
        h.wfile.write(b"\x00")
        h.wfile.flush()


def _endless_chunked(h, cdn):
    h.send_response(200)
    h.send_header("Content-Type", "image/jpeg")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    piece = b"\xff\xd8\xff" + b"\x00" * 8189
    for _ in range(10_000):  # ~80 MB if nobody stops reading
        h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))


def _oversize_declared(h, cdn):
    h.send_response(200)
    h.send_header("Content-Type", "image/jpeg")
    h.send_header("Content-Length", str(10**9))
    h.end_headers()
    h.wfile.write(b"\xff\xd8\xff" + b"\x00" * 1000)


def _lying_length_short(h, cdn):
    # Claims 1000 bytes less than the cap but sends ten times the cap (no length to trust).
    h.send_response(200)
    h.send_header("Content-Type", "image/jpeg")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(cdn.server.images.jpeg[:1000])
    h.wfile.write(b"\x00" * 500_000)


def _lying_length_long(h, cdn):
    # Claims more than it sends, then closes: an incomplete read.
    h.send_response(200)
    h.send_header("Content-Type", "image/jpeg")
    h.send_header("Content-Length", str(len(cdn.server.images.jpeg) + 5000))
    h.end_headers()
    h.wfile.write(cdn.server.images.jpeg)


def _gzip_jpeg(h, cdn):
    _send(h, 200, gzip.compress(cdn.server.images.jpeg), "image/jpeg", Content_Encoding="gzip")


ROUTES: dict[str, Route] = {
    "/chain/0": _redirect_chain,
    "/chain/1": _redirect_chain,
    "/chain/2": _redirect_chain,
    "/chain/3": _redirect_chain,
    "/chain/4": _redirect_chain,
    "/redirect": _redirect_to,
    "/ladder/no-referrer.heic": _only_with_referer_absent,
    "/ladder/simplified.jpeg": _only_without_query,
    "/ladder/minimal.webp": _only_curl,
    "/ladder/browser.heic": _only_browser,
    "/ladder/alternative.jpeg": _only_on_p19,
    "/ladder/never.jpeg": _always_403,
    "/404": _status(404),
    "/500": _status(500),
    "/slow.jpeg": _slow,
    "/drip.jpeg": _drip,
    "/endless.jpeg": _endless_chunked,
    "/oversize.jpeg": _oversize_declared,
    "/lying-short.jpeg": _lying_length_short,
    "/lying-long.jpeg": _lying_length_long,
    "/gzip.jpeg": _gzip_jpeg,
    "/html.jpeg": static_route(b"<html><script>alert(1)</script></html>", "image/jpeg"),
    "/image.svg": static_route(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
    ),
    "/svg-as-jpeg.jpeg": static_route(
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "image/jpeg"
    ),
    "/bomb.png": static_route(png_with_header_only(30_000, 30_000), "image/png"),
    "/big.png": static_route(png_with_header_only(5_000, 5_000), "image/png"),
    "/text.jpeg": static_route(b"just text", "image/jpeg"),
    "/empty.jpeg": static_route(b"", "image/jpeg"),
}
