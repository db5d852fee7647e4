"""One ScrapeCreators call = one `get()`: rate-limited, timed out, retried, recorded."""

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from requests.adapters import HTTPAdapter

from scraping.transform.values import clean_json, clean_text
from sysconfig import config

from .adaptive import Lease
from .errors import (
    CallStopped,
    MalformedResponse,
    RateLimited,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
    error_for_status,
)
from .ratelimit import SharedRateLimiter

logger = logging.getLogger(__name__)

CACHEABLE_ENDPOINTS = frozenset(
    {"/v1/tiktok/profile", "/v1/instagram/profile", "/v1/youtube/channel"}
)
# A limiter lease lives the connect and read timeouts plus this: as long as a call can take,
# so that a killed process's leases soon give their share of the in-flight limit back.
LEASE_MARGIN = 2.0


@dataclass
class CallRecord:
    """What `ApiCall` stores about one HTTP attempt."""

    endpoint: str
    params: dict[str, Any]
    status_code: int | None
    duration_ms: int
    credits_charged: int | None
    credits_remaining: int | None
    items: int | None
    attempt: int
    cached: bool
    error: str
    at: datetime


@dataclass
class UpstreamResponse:
    body: dict[str, Any]
    status: int
    credits_charged: int | None
    credits_remaining: int | None
    cached: bool = False
    attempts: int = 1
    records: list[CallRecord] = field(default_factory=list)


def _session() -> requests.Session:
    session = requests.Session()
    # Retries are ours (with Retry-After and a deadline); the adapter only pools connections.
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=64, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class ScrapeCreatorsClient:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        limiter: SharedRateLimiter | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float, threading.Event | None], None] | None = None,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.session = session or _session()
        self._sleep = sleep or _backoff_wait

    def get(
        self,
        endpoint: str,
        params: dict[str, Any],
        *,
        on_record: Callable[[CallRecord], None] | None = None,
        count_items: Callable[[dict[str, Any]], int | None] | None = None,
        stop: threading.Event | None = None,
        wait_if_refused: bool | Callable[[RateLimited], bool] = True,
    ) -> UpstreamResponse:
        """GET `endpoint`; returns the JSON body or raises a classified `UpstreamError`.
        `stop` (a cancel) is looked at before every attempt, while waiting for a limiter slot
        and during a retry's backoff: once set, no further request goes out (`CallStopped`).
        `wait_if_refused` False: a 429 is raised at once (`RateLimited`, with upstream's
        Retry-After) for the caller to try again later, instead of this call waiting it out; a
        callable decides at each 429, given it."""
        params = {k: v for k, v in params.items() if v not in (None, "")}
        if endpoint in CACHEABLE_ENDPOINTS and "cache_max_age" not in params:
            params["cache_max_age"] = config.get("scraping.upstream_cache_max_age")
        deadline = time.monotonic() + config.get("scraping.call_deadline")
        max_retries = int(config.get("scraping.max_retries"))
        attempt = 0
        while True:
            attempt += 1
            if stop is not None and stop.is_set():
                raise CallStopped(f"stopped before attempt {attempt} of {endpoint}")
            try:
                response = self._attempt(
                    endpoint, params, attempt, deadline, on_record, count_items, stop
                )
                response.attempts = attempt
                return response
            except UpstreamError as error:
                if not error.retryable or attempt > max_retries:
                    raise
                if isinstance(error, RateLimited) and not (
                    wait_if_refused(error) if callable(wait_if_refused) else wait_if_refused
                ):
                    raise
                delay = self._backoff(attempt, error.retry_after)
                if time.monotonic() + delay >= deadline:
                    raise
                logger.warning(
                    "upstream call failed, retrying",
                    extra={"endpoint": endpoint, "status": error.status, "delay": round(delay, 2)},
                )
                self._sleep(delay, stop)
                if stop is not None and stop.is_set():
                    raise CallStopped(f"stopped before retrying {endpoint}") from error

    def _attempt(
        self,
        endpoint: str,
        params: dict[str, Any],
        attempt: int,
        deadline: float,
        on_record: Callable[[CallRecord], None] | None,
        count_items: Callable[[dict[str, Any]], int | None] | None,
        stop: threading.Event | None,
    ) -> UpstreamResponse:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise UpstreamTimeout("call deadline exceeded")
        started_at = timezone.now()
        status: int | None = None
        body: Any = None
        error: UpstreamError | None = None
        lease: Lease | None = None
        answered: tuple[int | None, float] | None = None  # for the limiter: (status, seconds)
        start = time.monotonic()
        try:
            timeouts = config.get("scraping.connect_timeout") + config.get("scraping.read_timeout")
            hold = timeouts + LEASE_MARGIN
            slot: AbstractContextManager[Lease | None] = (
                self.limiter.slot(timeout=remaining, hold=hold, stop=stop)
                if self.limiter
                else nullcontext()
            )
            with slot as lease:
                read_timeout = min(config.get("scraping.read_timeout"), deadline - time.monotonic())
                if read_timeout <= 0:
                    raise UpstreamTimeout("call deadline exceeded")
                sent = time.monotonic()
                http = self.session.get(
                    f"{self.base_url}{endpoint}",
                    params=params,
                    headers={"x-api-key": self.api_key, "Accept": "application/json"},
                    timeout=(config.get("scraping.connect_timeout"), read_timeout),
                )
                status = http.status_code
                answered = (status, time.monotonic() - sent)  # upstream's time, not our wait
                body = _parse_body(http)
                if status != 200:
                    error = error_for_status(
                        status, _error_message(body, status), _retry_after(http)
                    )
                elif not isinstance(body, dict):
                    error = MalformedResponse("upstream answered 200 with a body that is not JSON")
        except requests.Timeout:
            error = UpstreamTimeout("upstream did not answer in time")
            answered = (None, time.monotonic() - start)  # no answer in time: an overload sign
        except requests.ConnectionError as exc:
            error = UpstreamUnavailable(f"could not connect to upstream: {type(exc).__name__}")
        except UpstreamTimeout as exc:
            error = exc
        duration_ms = int((time.monotonic() - start) * 1000)

        envelope = body if isinstance(body, dict) else {}
        if self.limiter and lease is not None and answered is not None:
            # The adaptive in-flight limit learns from every answer (a refused connection or
            # our own deadline says nothing about upstream's load). Upstream's cache hits are
            # timed apart: faster, they would make every fresh answer look slow.
            kind = f"{endpoint} (cached)" if envelope.get("cached") else endpoint
            self.limiter.report(lease, endpoint=kind, status=answered[0], seconds=answered[1])
        record = CallRecord(
            endpoint=endpoint,
            params={k: v for k, v in params.items()},
            status_code=status,
            duration_ms=duration_ms,
            credits_charged=_int_or_none(envelope.get("credits_charged")),
            credits_remaining=_int_or_none(envelope.get("credits_remaining")),
            items=count_items(envelope) if (count_items and error is None) else None,
            attempt=attempt,
            cached=bool(envelope.get("cached")),
            error=error.message if error else "",
            at=started_at,
        )
        if on_record:
            on_record(record)
        if error:
            raise error
        assert status is not None  # no error means upstream answered (with a 200)
        return UpstreamResponse(
            body=body,
            status=status,
            credits_charged=record.credits_charged,
            credits_remaining=record.credits_remaining,
            cached=record.cached,
            records=[record],
        )

    @staticmethod
    def _backoff(attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, retry_after)
        base = config.get("scraping.retry_base_delay")
        # Full jitter: spreads retries of many workers hitting the same limit.
        return random.uniform(base / 2, base * (2 ** (attempt - 1)))


def _backoff_wait(seconds: float, stop: threading.Event | None) -> None:
    """A retry's backoff: `seconds`, or less once `stop` (a cancel) is set."""
    if stop is None:
        time.sleep(seconds)
    else:
        stop.wait(seconds)


def _parse_body(http: requests.Response) -> Any:
    # Cleaned here, before anything keeps it: upstream strings may carry NUL (and other
    # control characters), which Postgres text and jsonb refuse. Bodies end up in creators'
    # fields and raw JSON, the profile cache, the job's state and the call log's errors.
    try:
        return clean_json(http.json())
    except (ValueError, json.JSONDecodeError):
        return clean_text(http.text)


def _error_message(body: Any, status: int) -> str:
    """Read `message`, then `error`, from a JSON object; else the text body."""
    if isinstance(body, dict):
        message = body.get("message") or body.get("error")
        if message:
            return str(message)
        return json.dumps(body)[:300]
    text = str(body or "").strip()
    return text[:300] or f"HTTP {status}"


def _retry_after(http: requests.Response) -> float | None:
    value = http.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
        except (TypeError, ValueError):
            return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_limiter = SharedRateLimiter(
    requests_per_second=lambda: config.get("api_limits.requests_per_second"),
    max_concurrent=lambda: config.get("api_limits.max_concurrent_requests"),
    start_concurrent=lambda: config.get("api_limits.adaptive_start_concurrency"),
    min_concurrent=lambda: config.get("api_limits.adaptive_min_concurrency"),
)


def default_client() -> ScrapeCreatorsClient:
    """A client configured from settings, sharing the process-wide session and limiter."""
    global _default
    key = (settings.SCRAPECREATORS_API_KEY, settings.SCRAPECREATORS_BASE_URL)
    if _default is None or (_default.api_key, _default.base_url) != key:
        _default = ScrapeCreatorsClient(api_key=key[0], base_url=key[1], limiter=_limiter)
    return _default


_default: ScrapeCreatorsClient | None = None
