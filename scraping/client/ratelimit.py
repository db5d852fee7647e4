"""A rate limiter shared by every worker process, kept in the "coordination" cache.

Two caps: requests started per second, and requests in flight. Both are built on
`cache.add`, which is atomic in the database cache (a unique INSERT) and in Redis (SET NX),
so no process memory and no read-then-write race is involved:
- per second: N slots per wall-clock second; a request takes a free slot of the current second;
- in flight: C lease keys; a request holds one until it finishes (or the lease expires, so a
  killed process cannot leak capacity for long).
"""

import random
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

    @contextmanager
    def slot(self, *, timeout: float) -> Iterator[None]:
        deadline = time.monotonic() + timeout
        key, token = self._acquire_concurrency(deadline)
        try:
            self._acquire_rate(deadline)
            yield
        finally:
            if self._cache.get(key) == token:
                self._cache.delete(key)

    def _acquire_concurrency(self, deadline: float) -> tuple[str, str]:
        token = uuid.uuid4().hex
        while True:
            slots = list(range(max(1, int(self._concurrency()))))
            random.shuffle(slots)
            for i in slots:
                key = f"{self._prefix}:c:{i}"
                if self._cache.add(key, token, timeout=self._lease):
                    return key, token
            self._wait(deadline, "concurrency")

    def _acquire_rate(self, deadline: float) -> None:
        while True:
            second = int(time.time())
            slots = list(range(max(1, int(self._rps()))))
            random.shuffle(slots)
            for i in slots:
                # A slot only matters during its own second: it lives just past it.
                if self._cache.add(f"{self._prefix}:s:{second}:{i}", 1, timeout=2):
                    return
            self._wait(deadline, "rate", until=second + 1 - time.time())

    @staticmethod
    def _wait(deadline: float, what: str, until: float = _POLL) -> None:
        pause = max(_POLL, until) + random.uniform(0, _POLL)
        if time.monotonic() + pause > deadline:
            raise UpstreamTimeout(f"waited too long for an upstream {what} slot")
        time.sleep(pause)
