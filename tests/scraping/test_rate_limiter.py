"""The shared upstream rate limiter: caps that hold across processes, whatever the cache holds."""

import os
import threading
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from scraping.client.errors import UpstreamTimeout
from scraping.client.ratelimit import SharedRateLimiter

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
cache = caches["coordination"]


def limiter(cache_backend=cache, *, concurrent: int = 1, per_second: int = 1000, prefix="t-rl"):
    return SharedRateLimiter(
        requests_per_second=lambda: per_second,
        max_concurrent=lambda: concurrent,
        prefix=prefix,
        cache=cache_backend,
    )


@pytest.fixture(autouse=True)
def _empty_coordination_cache():
    # Cache tables are not models: a transactional test's flush leaves their rows behind.
    cache.clear()


def coordination_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM influencer_coordination")
        return cursor.fetchone()[0]


def test_a_full_coordination_cache_never_culls_a_live_lease():
    # Django's database cache culls a third of its rows in key order once it is over
    # MAX_ENTRIES, live leases included, and the in-flight cap was then exceeded.
    one_at_a_time = limiter(concurrent=1)
    with one_at_a_time.slot(timeout=1):
        # The fillers sort after the lease, so a key-order cull would take the lease first.
        cache.set_many({f"zz-filler:{i}": i for i in range(1100)})
        assert coordination_rows() == 1 + 1 + 1100  # the lease, a rate slot, the fillers
        assert cache.get("t-rl:c:0") is not None
        with (
            pytest.raises(UpstreamTimeout, match="concurrency slot"),
            one_at_a_time.slot(timeout=0.1),
        ):
            pass
    with one_at_a_time.slot(timeout=1):
        pass


def test_the_coordination_cache_deletes_expired_rows_once_over_its_size():
    cache.set_many({f"short:{i}": i for i in range(1001)}, timeout=1)
    cache.set("lives", "on", timeout=60)
    time.sleep(2.1)
    cache.set("trigger", 1, timeout=60)
    assert coordination_rows() == 2
    assert cache.get_many(["lives", "trigger"]) == {"lives": "on", "trigger": 1}


def test_rate_slots_expire_just_after_their_second():
    two_per_second = limiter(concurrent=8, per_second=2, prefix="t-rate")
    second = int(time.time())
    with two_per_second.slot(timeout=1):
        pass
    taken = [cache.get(f"t-rate:s:{s}:{i}") for s in (second, second + 1) for i in range(2)]
    assert taken.count(1) == 1
    time.sleep(3.1)
    assert [cache.get(f"t-rate:s:{s}:{i}") for s in (second, second + 1) for i in range(2)] == [
        None
    ] * 4


@pytest.fixture
def redis_cache():
    backend = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": f"test-{os.getpid()}"})
    try:
        backend.get("ping")
    except Exception as exc:  # any connection error means "no Redis here"
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
    backend.clear()
    yield backend
    backend.clear()


def test_the_in_flight_cap_holds_across_threads_on_redis(redis_cache):
    three_at_once = limiter(redis_cache, concurrent=3)
    in_flight = peak = 0
    lock = threading.Lock()

    def call():
        nonlocal in_flight, peak
        with three_at_once.slot(timeout=10):
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            time.sleep(0.05)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=call) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 3
    assert [redis_cache.get(f"t-rl:c:{i}") for i in range(3)] == [None, None, None]


class CountingCache:
    """The coordination cache, recording how many threads are inside `get_many` at once."""

    def __init__(self, inner):
        self.inner = inner
        self.inside = self.most_inside = 0
        self.lock = threading.Lock()

    def get_many(self, keys):
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        time.sleep(0.005)  # long enough for another thread to come in, were it allowed to
        try:
            return self.inner.get_many(keys)
        finally:
            with self.lock:
                self.inside -= 1

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_threads_waiting_for_the_cap_look_one_at_a_time():
    counting = CountingCache(cache)
    one_at_a_time = limiter(counting, concurrent=1)

    def call():
        with one_at_a_time.slot(timeout=10):
            time.sleep(0.02)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counting.most_inside == 1
    assert [cache.get("t-rl:c:0")] == [None]
