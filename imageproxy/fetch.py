"""Fetching one image safely, with the original platform's 403 ladder.

One request: a URL that passed `urlcheck`, connected through `netguard` (every resolved address
vetted), `Accept-Encoding: identity` and no transparent decompression (a `Content-Encoding`
other than identity is refused), a hard cap on bytes actually read (a `Content-Length` above it
is refused before reading, and streaming stops at the cap whatever the header said), and one
deadline for everything. Redirects are followed by hand, at most `MAX_REDIRECTS`, each hop
re-checked by `urlcheck` and `netguard`.

The ladder (only a 403 moves to the next step; any other failure ends the fetch):

1. `initial-success`: browser-like headers with the platform's referer and origin;
2. `no-referrer`: the same without referer and origin;
3. `simplified-url`: the URL without its query string (skipped when it has none);
4. `minimal-headers`: the simplified URL with curl-like headers;
5. `alternative-domain`: when the simplified URL names a TikTok edge host
   (`pNN-xxx.tiktokcdn[-us].com`), that name swapped for each alternative TikTok CDN host in
   turn, minimal headers. Like the original platform, the first such name anywhere in the URL is
   swapped: normally the host itself; with the fake CDN (development and tests) the original
   host travels in the path (`/cdn/<variant>/<host>/…`). Every alternative URL is a new URL and
   passes `urlcheck` and `netguard` again.

The result names the step that worked.
"""

import http.client
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from urllib3 import BaseHTTPResponse, HTTPConnectionPool, Timeout
from urllib3.exceptions import HTTPError as Urllib3Error

from sysconfig import config

from . import urlcheck
from .deadline import Deadline
from .errors import FetchFailed, Refused, UpstreamForbidden
from .netguard import Guard, open_pool
from .urlcheck import Target

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_CHUNK = 64 * 1024

INITIAL, NO_REFERRER, SIMPLIFIED, MINIMAL, ALTERNATIVE = (
    "initial-success",
    "no-referrer",
    "simplified-url",
    "minimal-headers",
    "alternative-domain",
)

ALTERNATIVE_TIKTOK_HOSTS = (
    "p16-sign-va.tiktokcdn.com",
    "p19-sign-va.tiktokcdn.com",
    "p16-amd-va.tiktokcdn.com",
    "p77-sign-va.tiktokcdn.com",
)
_TIKTOK_EDGE_HOST = re.compile(
    r"(?<![a-z0-9.-])p\d+-[a-z0-9-]+\.tiktokcdn(?:-us)?\.com(?=[/:?#]|$)"
)

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
MINIMAL_HEADERS = {"User-Agent": "curl/7.68.0", "Accept": "*/*", "Accept-Encoding": "identity"}

_PLATFORM_SITES = (
    (("tiktokcdn.com", "tiktokcdn-us.com", "tiktok.com"), "https://www.tiktok.com"),
    (("cdninstagram.com", "fbcdn.net", "instagram.com"), "https://www.instagram.com"),
    (("ytimg.com", "ggpht.com", "googleusercontent.com", "youtube.com"), "https://www.youtube.com"),
)
# The fake ScrapeCreators CDN (development) stands in for TikTok's.
_DEFAULT_SITE = "https://www.tiktok.com"


@dataclass
class Attempt:
    strategy: str
    url: str
    status: int | None = None
    error: str | None = None


@dataclass
class FetchResult:
    body: bytes
    status: int
    strategy: str
    url: str  # the URL that finally answered (after redirects)
    content_type: str  # as the upstream claimed it; informational only
    attempts: list[Attempt] = field(default_factory=list)


class _Status(FetchFailed):
    reason = "status"


def platform_site(host: str) -> str:
    for domains, site in _PLATFORM_SITES:
        if any(host == d or host.endswith("." + d) for d in domains):
            return site
    return _DEFAULT_SITE


def browser_headers(site: str | None) -> dict[str, str]:
    headers = {
        "User-Agent": BROWSER_USER_AGENT,
        "Accept": "image/avif,image/webp,image/apng,image/*,*/*;q=0.8",
        "Accept-Language": "en-US,en;q=0.9",
        "Accept-Encoding": "identity",
        "Sec-Fetch-Dest": "image",
        "Sec-Fetch-Mode": "no-cors",
        "Sec-Fetch-Site": "cross-site",
    }
    if site:
        headers["Referer"] = site + "/"
        headers["Origin"] = site
    return headers


def alternative_urls(url: str) -> list[str]:
    """The URL with its first TikTok edge host name swapped for each alternative host."""
    match = _TIKTOK_EDGE_HOST.search(url)
    if match is None:
        return []
    current = match.group(0)
    return [
        url[: match.start()] + alt + url[match.end() :]
        for alt in ALTERNATIVE_TIKTOK_HOSTS
        if alt != current
    ]


class Fetcher:
    """One image fetch: `Fetcher().fetch(url)`. Raises `Refused`, `UpstreamForbidden` or
    `FetchFailed`; never returns a non-200 body."""

    def __init__(
        self,
        *,
        guard: Guard | None = None,
        max_bytes: int | None = None,
        deadline_seconds: float | None = None,
    ) -> None:
        self.guard = guard or Guard()
        self.max_bytes = int(max_bytes or config.get("image_proxy.max_bytes"))
        self.deadline_seconds = float(deadline_seconds or config.get("image_proxy.deadline"))

    def fetch(self, url: str) -> FetchResult:
        target = urlcheck.check_url(url)
        attempts: list[Attempt] = []
        with Deadline(self.deadline_seconds) as deadline:
            site = platform_site(target.host)
            simple = target.without_query()
            steps: list[tuple[str, Target, dict[str, str]]] = [
                (INITIAL, target, browser_headers(site)),
                (NO_REFERRER, target, browser_headers(None)),
            ]
            if target.has_query:
                steps.append((SIMPLIFIED, simple, browser_headers(None)))
            steps.append((MINIMAL, simple, MINIMAL_HEADERS))
            for strategy, step_target, headers in steps:
                result = self._attempt(strategy, step_target, headers, deadline, attempts)
                if result is not None:
                    return result
            return self._alternatives(simple, deadline, attempts)

    def _attempt(
        self,
        strategy: str,
        target: Target,
        headers: dict[str, str],
        deadline: Deadline,
        attempts: list[Attempt],
    ) -> FetchResult | None:
        """The result, or None on a 403 (next step). Any other failure raises."""
        attempt = Attempt(strategy, target.url)
        attempts.append(attempt)
        try:
            status, body, content_type, final_url = self._get(target, headers, deadline)
        except _Status as exc:
            attempt.status = exc.status
            if exc.status == 403:
                logger.info("image upstream 403", extra={"strategy": strategy, "url": target.url})
                return None
            raise
        except FetchFailed as exc:
            attempt.error = exc.reason
            raise
        attempt.status = status
        return FetchResult(body, status, strategy, final_url, content_type, attempts)

    def _alternatives(
        self, simple: Target, deadline: Deadline, attempts: list[Attempt]
    ) -> FetchResult:
        last_status = 403
        for alt_url in alternative_urls(simple.url):
            try:
                alt_target = urlcheck.check_url(alt_url)
                result = self._attempt(ALTERNATIVE, alt_target, MINIMAL_HEADERS, deadline, attempts)
            except Refused as exc:
                attempts.append(Attempt(ALTERNATIVE, alt_url, error=exc.reason))
                continue
            except FetchFailed as exc:
                if exc.reason == "deadline":
                    raise
                last_status = exc.status or last_status
                continue
            if result is not None:
                return result
        raise UpstreamForbidden("every fallback was refused upstream", status=last_status)

    def _get(
        self, target: Target, headers: dict[str, str], deadline: Deadline
    ) -> tuple[int, bytes, str, str]:
        """GET following redirects by hand; (status, body, content type, final url)."""
        for hop in range(MAX_REDIRECTS + 1):
            response, pool = self._request(target, headers, deadline)
            try:
                status = response.status
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchFailed("redirect without Location", status=status)
                    if hop == MAX_REDIRECTS:
                        raise FetchFailed(
                            f"more than {MAX_REDIRECTS} redirects",
                            reason="redirects",
                            status=status,
                        )
                    # Each hop is a new URL: full policy check again (and netguard at connect).
                    target = urlcheck.check_url(urljoin(target.url, location))
                    continue
                if status != 200:
                    raise _Status(f"upstream answered {status}", status=status)
                try:
                    body = self._read_body(response, deadline)
                except FetchFailed as exc:
                    exc.status = exc.status or status
                    raise
                return status, body, response.headers.get("Content-Type", ""), target.url
            finally:
                response.close()
                pool.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(
        self, target: Target, headers: dict[str, str], deadline: Deadline
    ) -> tuple[BaseHTTPResponse, HTTPConnectionPool]:
        remaining = deadline.remaining()
        pool = open_pool(
            target.scheme,
            target.host,
            target.port,
            guard=self.guard,
            deadline=deadline,
            allow_loopback=target.relaxed,
            timeout=Timeout(connect=min(remaining, 5.0), read=remaining),
        )
        try:
            response = pool.urlopen(
                "GET",
                target.path,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                assert_same_host=False,
                release_conn=False,
            )
        except (Urllib3Error, OSError, http.client.HTTPException) as exc:
            pool.close()
            raise self._network_error(exc, deadline) from exc
        except BaseException:
            pool.close()
            raise
        return response, pool

    def _read_body(self, response: BaseHTTPResponse, deadline: Deadline) -> bytes:
        encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise FetchFailed(f"Content-Encoding {encoding!r} refused", reason="encoding")
        declared = response.headers.get("Content-Length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError as exc:
                raise FetchFailed("malformed Content-Length", reason="malformed") from exc
            if length > self.max_bytes:
                raise FetchFailed(
                    f"Content-Length {length} over the {self.max_bytes} byte cap",
                    reason="too-large",
                )
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                deadline.remaining()
                chunk = response.read1(READ_CHUNK, decode_content=False)
                if not chunk:
                    break
                total += len(chunk)
                if total > self.max_bytes:
                    raise FetchFailed(
                        f"body over the {self.max_bytes} byte cap", reason="too-large"
                    )
                chunks.append(chunk)
        except (Urllib3Error, OSError, http.client.HTTPException) as exc:
            raise self._network_error(exc, deadline) from exc
        if deadline.passed:
            raise FetchFailed("deadline exceeded", reason="deadline")
        return b"".join(chunks)

    @staticmethod
    def _network_error(exc: BaseException, deadline: Deadline) -> FetchFailed:
        # A socket timeout can fire just before the watchdog: past the budget it is the deadline.
        if deadline.passed:
            return FetchFailed("deadline exceeded", reason="deadline")
        return FetchFailed(f"{type(exc).__name__}: {exc}", reason="network")


def fetch_image(url: str, *, guard: Guard | None = None) -> FetchResult:
    """Fetch an image URL with the sysconfig limits; see `Fetcher`."""
    return Fetcher(guard=guard).fetch(url)
