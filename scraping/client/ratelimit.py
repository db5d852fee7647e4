"""A rate limiter shared by every worker process, kept in the "coordination" cache.

Two caps: requests started per second, and requests in flight. Both are built on
`cache.add`, which is atomic in the database cache (a unique INSERT) and in Redis (SET NX),
so no process memory and no read-then-write race is involved (a `get_many` first only skips keys
that are taken; the `add` decides):
- per second: N slots per wall-clock second; a request takes a free slot of the current second;
- in flight: C lease keys; a request holds one until it finishes (or the lease expires, so a
  killed process cannot leak capacity for long).
"""

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.cache import caches

from .errors import UpstreamTimeout

_POLL = 0.02


class SharedRateLimiter:
    def __init__(
        self,
        *,
        requests_per_second: Callable[[], int],
        max_concurrent: Callable[[], int],
        lease_seconds: float = 120.0,
        prefix: str = "sc-rl",
        cache=None,
    ):
        self._rps = requests_per_second
        self._concurrency = max_concurrent
        self._lease = lease_seconds
        self._prefix = prefix
        self._cache = cache or caches["coordination"]
        # One thread of this process looks for a slot at a time; the others wait here, without
        # a query. Eight threads of a job waiting for the cap cost one poll, not eight.
        self._shopping = threading.Lock()

    @contextmanager
    def slot(self, *, timeout: float) -> Iterator[None]:
        deadline = time.monotonic() + timeout
        if not self._shopping.acquire(timeout=max(0.0, timeout)):
            raise UpstreamTimeout("waited too long for an upstream concurrency slot")
        try:
            key, token = self._acquire_concurrency(deadline)
            try:
                self._acquire_rate(deadline)
            except BaseException:
                self._release(key, token)
                raise
        finally:
            self._shopping.release()
        try:
            yield
        finally:
            self._release(key, token)

    def _release(self, key: str, token: str) -> None:
        if self._cache.get(key) == token:
            self._cache.delete(key)

    def _acquire_concurrency(self, deadline: float) -> tuple[str, str]:
        token = uuid.uuid4().hex
        while True:
            keys = [f"{self._prefix}:c:{i}" for i in range(max(1, int(self._concurrency())))]
            key = self._take_free(keys, token, self._lease)
            if key:
                return key, token
            self._wait(deadline, "concurrency")

    def _acquire_rate(self, deadline: float) -> None:
        while True:
            second = int(time.time())
            keys = [f"{self._prefix}:s:{second}:{i}" for i in range(max(1, int(self._rps())))]
            # A slot only matters during its own second: it lives just past it.
            if self._take_free(keys, 1, 2):
                return
            self._wait(deadline, "rate", until=second + 1 - time.time())

    def _take_free(self, keys: list[str], value, timeout: float) -> str | None:
        """Claim one of `keys` that nobody holds. One read finds the free ones, so a waiting
        caller costs one query per look instead of one write attempt per key."""
        taken = self._cache.get_many(keys)
        free = [key for key in keys if key not in taken]
        random.shuffle(free)
        for key in free:
            if self._cache.add(key, value, timeout=timeout):
                return key
        return None

    @staticmethod
    def _wait(deadline: float, what: str, until: float = _POLL) -> None:
        pause = max(_POLL, until) + random.uniform(0, _POLL)
        if time.monotonic() + pause > deadline:
            raise UpstreamTimeout(f"waited too long for an upstream {what} slot")
        time.sleep(pause)
