"""A rate limiter shared by every worker process, kept in the "coordination" cache.

Two caps: requests started per second, and requests in flight. Both are built on
`cache.add`, which is atomic in the database cache (a unique INSERT) and in Redis (SET NX),
so no process memory and no read-then-write race is involved (a `get_many` first only skips keys
that are taken; the `add` decides):
- per second: N slots per wall-clock second; a request takes a free slot of the current second;
- in flight: lease keys; a request holds one until it finishes (or the lease expires, so a
  killed process cannot leak capacity for long). How many may be held is the adaptive limit
  (`adaptive.py`: AIMD, learned from the answers the client reports), at most
  `max_concurrent`. A request takes a free key among the first `limit` ones, and only while
  fewer than `limit` keys are held in all: when the limit is cut, the leases above it still
  count, so the calls in flight drain to the new limit before another starts. While the limit
  holds still the cap is exact (the `add` decides); while it shrinks, two processes counting
  at once may let one more call in each until the old leases drain.
"""

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.cache import BaseCache, caches

from core.cache import claim_one

from .adaptive import AdaptiveLimit, Lease
from .errors import CallStopped, UpstreamTimeout

logger = logging.getLogger(__name__)

_POLL = 0.02
_STOP_CHECK = 0.25  # seconds between looks at the stop flag while waiting for our turn


class SharedRateLimiter:
    def __init__(
        self,
        *,
        requests_per_second: Callable[[], int],
        max_concurrent: Callable[[], int],
        lease_seconds: float = 120.0,
        prefix: str = "sc-rl",
        cache: BaseCache | None = None,
        start_concurrent: Callable[[], int] = lambda: 8,
        min_concurrent: Callable[[], int] = lambda: 2,
    ) -> None:
        self._rps = requests_per_second
        self._concurrency = max_concurrent
        self._lease = lease_seconds
        self._prefix = prefix
        self._cache = cache or caches["coordination"]
        self.adaptive = AdaptiveLimit(
            cache=self._cache,
            prefix=prefix,
            start=start_concurrent,
            floor=min_concurrent,
            ceiling=max_concurrent,
        )
        # One thread of this process looks for a slot at a time; the others wait here, without
        # a query. Eight threads of a job waiting for the cap cost one poll, not eight.
        self._shopping = threading.Lock()

    @contextmanager
    def slot(
        self, *, timeout: float, hold: float | None = None, stop: threading.Event | None = None
    ) -> Iterator[Lease]:
        """Wait up to `timeout` s for a place under both caps. Its lease lives `hold` s from
        when the call may start (the limiter's `lease_seconds` unless given): a killed process
        gives its share of the in-flight limit back that soon. Report the answer with `report`.
        `stop` set while waiting (a cancel) ends the wait with `CallStopped`."""
        deadline = time.monotonic() + timeout
        hold = hold or self._lease
        self._shop(deadline, stop)
        try:
            key, token, lease = self._acquire_concurrency(deadline, hold, stop)
            try:
                lease.waited_for_rate = self._acquire_rate(deadline, stop)
                if lease.waited_for_rate:
                    self._cache.touch(key, hold)  # the hold counts from now
            except BaseException:
                self._release(key, token)
                raise
        finally:
            self._shopping.release()
        try:
            yield lease
        finally:
            self._release(key, token)

    def report(self, lease: Lease, *, endpoint: str, status: int | None, seconds: float) -> None:
        """The answer of a call made under `lease` (`status` None: it timed out after
        `seconds`), for the adaptive limit. The limit is advisory: a report the cache cannot
        take is dropped (logged), never the call's answer."""
        try:
            self.adaptive.report(lease, endpoint=endpoint, status=status, seconds=seconds)
        except Exception:
            logger.warning("adaptive limit not updated", exc_info=True)

    def levels(self) -> tuple[int, int]:
        """(calls that may be in flight at once now, across every process; how many of them
        upstream has taken): see `AdaptiveLimit.levels`."""
        return self.adaptive.levels()

    def _release(self, key: str, token: str) -> None:
        if self._cache.get(key) == token:
            self._cache.delete(key)

    def _shop(self, deadline: float, stop: threading.Event | None) -> None:
        """Take the process's turn to look for a slot, looking at `stop` now and then."""
        while not self._shopping.acquire(
            timeout=min(_STOP_CHECK, max(0.0, deadline - time.monotonic()))
        ):
            _check(stop)
            if time.monotonic() >= deadline:
                raise UpstreamTimeout("waited too long for an upstream concurrency slot")

    def _acquire_concurrency(
        self, deadline: float, hold: float, stop: threading.Event | None
    ) -> tuple[str, str, Lease]:
        token = uuid.uuid4().hex
        while True:
            _check(stop)
            # One read: the adaptive limit (and its last cut) and every lease key up to the ceiling.
            keys = [f"{self._prefix}:c:{i}" for i in range(max(1, int(self._concurrency())))]
            found = self._cache.get_many([*self.adaptive.keys, *keys])
            limit = self.adaptive.limit_from(found)
            allowed = max(1, int(limit))
            held = sum(1 for key in keys if key in found)
            # Calls on keys past a limit that was just cut count too: wait until they end.
            if held < allowed:
                key = claim_one(self._cache, keys[:allowed], found, token, hold)
                if key:
                    return key, token, Lease(started=time.time(), in_flight=held + 1, limit=limit)
            self._wait(deadline, "concurrency")

    def _acquire_rate(self, deadline: float, stop: threading.Event | None) -> bool:
        """Take a slot of the current second; True when it had to wait for one."""
        waited = False
        while True:
            _check(stop)
            second = int(time.time())
            keys = [f"{self._prefix}:s:{second}:{i}" for i in range(max(1, int(self._rps())))]
            # A slot only matters during its own second: it lives just past it.
            if claim_one(self._cache, keys, self._cache.get_many(keys), 1, 2):
                return waited
            self._wait(deadline, "rate", until=second + 1 - time.time())
            waited = True

    @staticmethod
    def _wait(deadline: float, what: str, until: float = _POLL) -> None:
        pause = max(_POLL, until) + random.uniform(0, _POLL)
        if time.monotonic() + pause > deadline:
            raise UpstreamTimeout(f"waited too long for an upstream {what} slot")
        time.sleep(pause)


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise CallStopped("stopped while waiting for an upstream slot")
