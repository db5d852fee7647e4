"""How many upstream image fetches may run at once, so a stalling image host cannot take the web
server down with it.

A fetch that stalls holds whatever serves it until `image_proxy.deadline`: a gunicorn thread
(the Procfile runs WEB_CONCURRENCY processes × WEB_THREADS threads, 3 × 8 by default). With one
request per process, twelve stalled avatars once froze every page, `/healthz` included, for
31 s; threads alone only raise the number it takes. So before any upstream request the
proxy takes a slot at three levels, without waiting; when one is full it answers at once with a
placeholder that nobody caches (`Busy`):

- per process (`image_proxy.max_fetches_per_process`): a counter in memory, no query. It bounds
  the threads of a threaded server, and still holds when the shared cache is down;
- per machine (`image_proxy.max_fetches_per_machine`): leases shared by every web process of the
  machine (keyed by host name). This is the limit that keeps web threads free for everything
  else, so it must stay well below the machine's workers × threads;
- per client (`image_proxy.max_fetches_per_client`): leases keyed by the client's address,
  shared by every machine, so one client cannot take every slot.

The client's address is REMOTE_ADDR: no setting trusts X-Forwarded-For, and the header is
whatever the client wants it to be. An IPv6 address counts for its /64 (one subscriber's usual
allocation). Behind a reverse proxy every client has the proxy's address and shares one quota.

Leases are `cache.add` keys in the `coordination` cache (atomic in the database cache and in
Redis; never culled while live), and expire `LEASE_MARGIN` seconds after the fetch deadline, so
a killed process frees its slots on its own. If that cache fails, the shared limits are skipped
(and logged) rather than refusing every avatar.
"""

import hashlib
import ipaddress
import logging
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import caches
from django.http import HttpRequest

from core.cache import claim_one
from sysconfig import config

logger = logging.getLogger(__name__)

KEY_PREFIX = "imageproxy:slot"
MACHINE = socket.gethostname()
LEASE_MARGIN = 10.0  # a fetch ends by its deadline; this covers a slow release


class Busy(Exception):
    """Every slot of one level is taken: answer a placeholder now, fetch nothing."""

    def __init__(self, level: str) -> None:
        super().__init__(f"no free image fetch slot ({level})")
        self.level = level  # process | machine | client


class ProcessSlots:
    """The fetches this process runs right now (every thread counts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0

    def take(self) -> None:
        limit = int(config.get("image_proxy.max_fetches_per_process"))
        with self._lock:
            if self.in_flight >= limit:
                raise Busy("process")
            self.in_flight += 1

    def release(self) -> None:
        with self._lock:
            self.in_flight -= 1


process_slots = ProcessSlots()


def client_address(request: HttpRequest) -> str:
    """Who asks, for the per-client limit: REMOTE_ADDR, an IPv6 address as its /64."""
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def machine_keys() -> list[str]:
    count = int(config.get("image_proxy.max_fetches_per_machine"))
    return [f"{KEY_PREFIX}:machine:{MACHINE}:{i}" for i in range(count)]


def client_keys(client: str) -> list[str]:
    # Hashed: cache keys stay short and safe, and no address is stored in clear.
    digest = hashlib.sha256(client.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    count = int(config.get("image_proxy.max_fetches_per_client"))
    return [f"{KEY_PREFIX}:client:{digest}:{i}" for i in range(count)]


@contextmanager
def fetch_slot(client: str) -> Iterator[None]:
    """Hold one slot of each level while the body runs; raises `Busy` at once if one is full."""
    process_slots.take()
    try:
        token = uuid.uuid4().hex
        held = _take_shared(client, token)
        try:
            yield
        finally:
            _release_shared(held, token)
    finally:
        process_slots.release()


def _take_shared(client: str, token: str) -> list[str]:
    """The machine and client lease keys now held (empty if the shared cache failed)."""
    cache = caches["coordination"]
    lease = float(config.get("image_proxy.deadline")) + LEASE_MARGIN
    levels = {"machine": machine_keys(), "client": client_keys(client)}
    held: list[str] = []
    try:
        # One read finds the free keys; `add` decides, so two processes never share a key.
        taken = cache.get_many([key for keys in levels.values() for key in keys])
        for level, keys in levels.items():
            key = claim_one(cache, keys, taken, token, lease)
            if key is None:
                _release_shared(held, token)
                raise Busy(level)
            held.append(key)
    except Busy:
        raise
    except Exception:
        logger.warning("image fetch slots unavailable, per-process limit only", exc_info=True)
        _release_shared(held, token)
        return []
    return held


def _release_shared(keys: list[str], token: str) -> None:
    if not keys:
        return
    cache = caches["coordination"]
    try:
        # Only our own leases: one that expired may already belong to another fetch.
        current = cache.get_many(keys)
        cache.delete_many([key for key in keys if current.get(key) == token])
    except Exception:
        logger.warning("image fetch slots not released (they expire)", exc_info=True)
