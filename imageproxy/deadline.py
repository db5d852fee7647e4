"""A total time budget for one proxied image, enforced even against slow-drip servers.

Socket timeouts bound one `recv`, not a response: a server sending one byte a second never trips
them. A watchdog timer therefore shuts down every socket opened under the deadline when it
expires, so any blocked read returns at once and the fetch fails with reason `deadline`.
"""

import contextlib
import socket
import threading
import time

from .errors import FetchFailed


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, float(seconds))
        self.expires_at = time.monotonic() + self.seconds
        self.expired = False
        self._closed = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def passed(self) -> bool:
        """True once the budget is spent, even before the watchdog thread has run."""
        return self.expired or time.monotonic() >= self.expires_at

    def remaining(self) -> float:
        """Seconds left; raises `FetchFailed(reason="deadline")` when there are none."""
        left = self.expires_at - time.monotonic()
        if left <= 0 or self.expired:
            raise FetchFailed(f"deadline of {self.seconds:g}s exceeded", reason="deadline")
        return left

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            if self._closed or self.expired:
                _shutdown(sock)
                return
            self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._closed:
                return
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._sockets.clear()
        self._timer.cancel()

    def __enter__(self) -> "Deadline":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _shutdown(sock: socket.socket) -> None:
    # The plain-socket method, also for an SSLSocket: wakes a blocked read without touching
    # the TLS state another thread may be using.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
