"""The adaptive (AIMD) in-flight limit of the shared rate limiter, over real HTTP against the fake
server: it grows while calls succeed with the limit in use, halves once per overload (429s, 5xx,
slow calls) by 0.7, probes slowly near the level it was last cut from, stays within its bounds,
is shared by every limiter (process), and settles near an upstream's own ceiling with few 429s. No timed assertions: counts and bounds only."""

import time
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections

from fake_scrapecreators import universe as fake
from scraping import engine
from scraping.client import RateLimited, ScrapeCreatorsClient, default_client
from scraping.client.adaptive import AdaptiveLimit, Lease
from scraping.client.ratelimit import SharedRateLimiter
from scraping.models import ScrapingJob
from scraping.services import job_create

pytestmark = pytest.mark.django_db(transaction=True)

PROFILE = "/v1/tiktok/profile"
HANDLES = fake.tiktok_keyword_unique_authors("running")[:50]
# Long enough that the limiter's own cost (a few serialized cache writes per call; ~15 ms on the
# tests' SQLite) does not cap the calls in flight below the limit.
LATENCY = 0.2
cache = caches["coordination"]


@pytest.fixture(autouse=True)
def _empty_coordination_cache():
    cache.clear()  # cache tables are not models: a transactional test's flush leaves them


def limiter(*, start=8, floor=2, most=64, prefix="t-aimd") -> SharedRateLimiter:
    return SharedRateLimiter(
        requests_per_second=lambda: 1000,
        max_concurrent=lambda: most,
        start_concurrent=lambda: start,
        min_concurrent=lambda: floor,
        prefix=prefix,
    )


def client(fake_api, shared: SharedRateLimiter) -> ScrapeCreatorsClient:
    return ScrapeCreatorsClient(api_key="test-key", base_url=fake_api.base_url, limiter=shared)


def call_many(sc: ScrapeCreatorsClient, calls: int, threads: int, first: int = 0) -> list[int]:
    """`calls` profile calls from `threads` threads, from the `first` handle on; the final
    status of each."""

    def one(i: int) -> int:
        try:
            return sc.get(PROFILE, {"handle": HANDLES[(first + i) % len(HANDLES)]}).status
        finally:
            connections.close_all()  # this thread's connection to the coordination cache

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, range(calls)))


def answered(fake_api, status: int) -> int:
    return sum(1 for c in fake_api.calls_to(PROFILE) if c["status"] == status)


def test_the_limit_grows_while_calls_succeed_with_the_limit_in_use(fake_api):
    fake_api.configure(latency={PROFILE: LATENCY})
    shared = limiter(start=4)
    assert call_many(client(fake_api, shared), calls=120, threads=12) == [200] * 120
    # Slow start (+1 per success), never past 1.5 × the 12 calls 12 threads hold in flight.
    assert 12 < shared.adaptive.current() <= 18


def test_a_lone_caller_does_not_inflate_a_limit_it_never_uses(fake_api):
    shared = limiter(start=8)
    assert call_many(client(fake_api, shared), calls=30, threads=1) == [200] * 30
    assert shared.adaptive.current() == 8


def test_a_burst_of_429s_from_one_overload_cuts_the_limit_once(fake_api):
    fake_api.configure(faults=[{"path": PROFILE, "fault": "429", "times": 8, "retry_after": 0.2}])
    shared = limiter(start=16)
    assert call_many(client(fake_api, shared), calls=8, threads=8) == [200] * 8
    assert answered(fake_api, 429) == 8
    # One cut (16 → 11.2), not eight (→ the floor); the 8 retries may add up to one back.
    assert 11.2 <= shared.adaptive.current() <= 12.2


def test_a_burst_of_5xx_cuts_the_limit_once(fake_api):
    fake_api.configure(faults=[{"path": PROFILE, "fault": "500", "times": 6, "retry_after": 0}])
    shared = limiter(start=20)
    assert call_many(client(fake_api, shared), calls=6, threads=6) == [200] * 6
    assert answered(fake_api, 500) == 6
    assert 14 <= shared.adaptive.current() <= 15


def test_a_burst_of_slow_calls_cuts_the_limit_once(fake_api):
    shared = limiter(start=16)
    sc = client(fake_api, shared)
    call_many(sc, calls=8, threads=1)  # the endpoint's baseline: a few milliseconds
    assert shared.adaptive.current() == 16
    fake_api.configure(latency={PROFILE: 0.6})  # > 2 × baseline + 0.25 s
    # Other handles: answers from upstream's cache are timed apart from fresh ones.
    assert call_many(sc, calls=8, threads=8, first=8) == [200] * 8
    assert shared.adaptive.current() == pytest.approx(11.2)


def grow(adaptive, successes: int, in_flight: int | None = None) -> float:
    """`successes` calls answered promptly with `in_flight` calls in flight (the whole limit
    unless given); the limit after."""
    for _ in range(successes):
        limit = adaptive.current()
        lease = Lease(started=time.time(), in_flight=in_flight or int(limit), limit=limit)
        adaptive.report(lease, endpoint=PROFILE, status=200, seconds=0.01)
    return adaptive.current()


def test_before_the_first_cut_the_limit_grows_by_one_per_success():
    shared = limiter(start=8)
    assert grow(shared.adaptive, 8) == 16  # slow start: a round of 8 successes doubles it
    assert grow(shared.adaptive, 16) == 32
    assert grow(shared.adaptive, 40) == 64  # the maximum


def test_the_limit_grows_to_one_and_a_half_times_the_calls_in_flight_at_most():
    shared = limiter(start=8)
    assert grow(shared.adaptive, 8, in_flight=8) == 12
    assert grow(shared.adaptive, 8, in_flight=10) == 15


def test_after_a_cut_growth_is_about_one_a_round_and_slow_near_the_last_peak():
    shared = limiter(start=10)
    cache.set("t-aimd:aimd:peak", 30.0, timeout=None)  # the last cut was from 30
    assert 10.9 < grow(shared.adaptive, 10) < 11  # a round of 10 successes: about +1
    cache.set(shared.adaptive.key, 10.0, timeout=None)
    cache.set("t-aimd:aimd:peak", 10.5, timeout=None)  # the last cut was from 10.5
    # The same round, 64 times slower: 10 × 1/(10 × 64) = about +0.016.
    assert 10.015 < grow(shared.adaptive, 10) < 10.016
    cache.set(shared.adaptive.key, 11.5, timeout=None)  # past the peak + 1: the ceiling moved
    assert 12.3 < grow(shared.adaptive, 10) < 12.4


def slow_call(adaptive) -> float:
    """One call answered, but slowly (started now, after any earlier cut); the limit after."""
    limit = adaptive.current()
    for _ in range(6):  # the endpoint's baseline: prompt calls (they also count as growth)
        adaptive.baselines.slow(PROFILE, 0.01)
    lease = Lease(started=time.time(), in_flight=int(limit), limit=limit)
    adaptive.report(lease, endpoint=PROFILE, status=200, seconds=5.0)
    return adaptive.current()


def test_after_a_slow_call_the_limit_climbs_back_at_the_normal_pace_then_probes_slowly():
    """8 calls were in flight and none was refused: after a slowdown's cut the limit returns to
    8 within a round or two, and only then probes 9 slowly (at a ceiling of 8 it used to sit at
    7 for hundreds of calls after each slow one)."""
    shared = limiter(start=8)
    cache.set("t-aimd:aimd:peak", 9.0, timeout=None)  # a 429 at 9 earlier: 8 is the ceiling
    cache.set(shared.adaptive.key, 8.1, timeout=None)
    assert slow_call(shared.adaptive) == pytest.approx(5.67)
    assert 8.0 < grow(shared.adaptive, 20) < 8.1  # back to 8 calls within 2 rounds, then slowed
    assert cache.get("t-aimd:aimd:peak") == pytest.approx(8.1)
    # Past 8 the same 15 successes add 15 × 1/(8 × 64): about 0.03.
    before = shared.adaptive.current()
    assert grow(shared.adaptive, 15) - before == pytest.approx(15 / 8 / 64, abs=0.002)


def refuse(adaptive) -> float:
    """One call answered 429 (started now, after any earlier cut); the limit after."""
    limit = adaptive.current()
    lease = Lease(started=time.time(), in_flight=int(limit), limit=limit)
    adaptive.report(lease, endpoint=PROFILE, status=429, seconds=0.01)
    return adaptive.current()


def test_a_refused_probe_at_the_known_ceiling_steps_back_a_little(monkeypatch):
    monkeypatch.setattr("scraping.client.adaptive.COOLDOWN", 0.0)
    shared = limiter(start=10)
    assert refuse(shared.adaptive) == pytest.approx(7.0)  # an overload: × 0.7, peak 10
    cache.set(shared.adaptive.key, 10.0, timeout=None)  # climbed back to the peak
    assert refuse(shared.adaptive) == pytest.approx(9.0)  # the known ceiling: × 0.9
    assert refuse(shared.adaptive) == pytest.approx(6.3)  # refused below it: × 0.7 again
    assert cache.get("t-aimd:aimd:peak") == pytest.approx(9.0)


def test_at_the_level_upstream_refused_the_limit_is_a_probe_one_call_over_what_it_took(
    monkeypatch,
):
    monkeypatch.setattr("scraping.client.adaptive.COOLDOWN", 0.0)
    shared = limiter(start=9)
    assert shared.levels() == (9, 9)  # nothing refused yet: no probe
    refuse(shared.adaptive)  # refused at 9: 8 is the ceiling it knows
    assert shared.levels() == (6, 6)
    for limit, levels in [(8.9, (8, 8)), (9.0, (9, 8)), (9.99, (9, 8)), (10.0, (10, 10))]:
        cache.set(shared.adaptive.key, limit, timeout=None)
        assert shared.levels() == levels  # past 9 + 1 upstream took 9: the ceiling moved up


def test_a_level_that_only_slowed_is_no_probe():
    shared = limiter(start=9)
    slow_call(shared.adaptive)  # cut from 9 by a slow call, not refused
    cache.set(shared.adaptive.key, 9.0, timeout=None)
    assert shared.levels() == (9, 9)


def test_a_5xx_at_the_known_ceiling_is_an_overload(monkeypatch):
    monkeypatch.setattr("scraping.client.adaptive.COOLDOWN", 0.0)
    shared = limiter(start=10)
    cache.set("t-aimd:aimd:peak", 10.0, timeout=None)
    lease = Lease(started=time.time(), in_flight=10, limit=10.0)
    shared.adaptive.report(lease, endpoint=PROFILE, status=503, seconds=0.01)
    assert shared.adaptive.current() == pytest.approx(7.0)


def test_the_limit_never_exceeds_the_maximum(fake_api):
    fake_api.configure(latency={PROFILE: LATENCY})
    shared = limiter(start=8, most=10)
    assert call_many(client(fake_api, shared), calls=100, threads=16) == [200] * 100
    assert shared.adaptive.current() == 10
    assert shared.levels() == (10, 10)


def test_the_limit_never_goes_below_the_floor(fake_api, monkeypatch):
    monkeypatch.setattr("scraping.client.adaptive.COOLDOWN", 0.0)  # every 429 may cut
    fake_api.configure(faults=[{"path": PROFILE, "fault": "429", "times": 4, "retry_after": 0.05}])
    shared = limiter(start=8, floor=3)
    # One call, four 429s in a row, each retried after the one before was answered (and cut):
    # 8 → 5.6 → 3.92 → 3 (the floor) → 3.
    assert call_many(client(fake_api, shared), calls=1, threads=1) == [200]
    assert answered(fake_api, 429) == 4
    assert shared.adaptive.current() == 3


def test_a_call_still_refused_after_its_retries_fails_as_today(fake_api, knobs):
    knobs["scraping.max_retries"] = 1
    fake_api.configure(faults=[{"path": PROFILE, "fault": "429", "times": 2, "retry_after": 0}])
    sc = client(fake_api, limiter())
    with pytest.raises(RateLimited):
        sc.get(PROFILE, {"handle": HANDLES[0]})
    assert answered(fake_api, 429) == 2


def test_two_limiters_share_one_limit(fake_api):
    """Two worker processes: each has its own limiter object over the same coordination cache."""
    fake_api.configure(latency={PROFILE: LATENCY})
    first, second = limiter(start=4), limiter(start=4)
    call_many(client(fake_api, first), calls=60, threads=8)
    grown = first.adaptive.current()
    assert grown > 6
    assert second.adaptive.current() == grown
    fake_api.configure(faults=[{"path": PROFILE, "fault": "429", "times": 1, "retry_after": 0}])
    call_many(client(fake_api, second), calls=1, threads=1)
    assert first.adaptive.current() == pytest.approx(max(2, grown * 0.7))


def test_against_a_ceiling_of_16_few_calls_are_refused_and_the_limit_settles_near_it(fake_api):
    """The fake refuses (429, Retry-After) past 16 requests in flight. Starting at 8, the limit
    climbs, meets the ceiling, is cut to 0.7 of it, climbs again and probes the ceiling slowly:
    a saw-tooth between about 11 and 17. Calls of a second: long enough that even a loaded
    machine, taking one slot after the other from its coordination cache, keeps 16 in flight
    (with 0.4 s calls it could not, and the limit grew unrefused to 1.5 × the 17 it held)."""
    fake_api.configure(ceiling_concurrency=16, retry_after=0.2, latency={PROFILE: 1.0})
    shared = limiter(start=8)
    assert call_many(client(fake_api, shared), calls=300, threads=40) == [200] * 300
    assert answered(fake_api, 200) == 300
    # The first overshoot refuses up to 8 (the limit grows to 1.5 × 16 at most); each later
    # climb past the ceiling, one or two.
    assert 1 <= answered(fake_api, 429) <= 16
    assert 8 <= shared.adaptive.current() <= 20


def test_a_growth_computed_before_a_cut_does_not_undo_it(monkeypatch):
    """A success and a 429 answered at once: the success read the limit (10), the 429 cut it
    (to 7), then the success wrote 11. The cut stands."""
    adaptive = limiter(start=10).adaptive
    read = adaptive._read

    def read_then_cut():
        before = read()
        monkeypatch.setattr(adaptive, "_read", read)
        refuse(adaptive)
        return before

    monkeypatch.setattr(adaptive, "_read", read_then_cut)
    lease = Lease(started=time.time(), in_flight=10, limit=10.0)
    adaptive.report(lease, endpoint=PROFILE, status=200, seconds=0.01)
    assert cache.get(adaptive.key)[0] == 11  # the growth was written...
    assert adaptive.current() == pytest.approx(7.0)  # ...and is read as stale
    assert 7.9 < grow(adaptive, 7) < 8  # later growth builds on the cut: a round adds about 1


def six_keyword_search(user, campaign) -> ScrapingJob:
    """A TikTok keyword job of 500 creators whose first step leaves dozens of authors pending."""
    return job_create(
        owner=user,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running", "marathon", "trail running", "yoga", "hiking", "cycling"],
        target_results=500,
    )


def test_a_job_step_runs_as_many_profile_calls_as_the_limit_allows(
    fake_api, user, campaign, knobs, no_queue
):
    """Profile calls per step follow the shared limit (one round first, then three rounds), up
    to `scraping.enrichment_concurrency`."""
    shared = default_client().limiter

    def profile_calls() -> int:
        return len(fake_api.calls_to(PROFILE))

    job = six_keyword_search(user, campaign)
    engine.job_step(job.pk)  # the first page of each keyword: authors pending, no profile yet
    assert profile_calls() == 0
    cache.set(shared.adaptive.key, 5.0)
    engine.job_step(job.pk)  # a job's first batch is one round
    assert profile_calls() == 5
    cache.set(shared.adaptive.key, 12.0)
    engine.job_step(job.pk)  # then three rounds
    assert profile_calls() == 5 + 36
    knobs["scraping.enrichment_concurrency"] = 10
    cache.set(shared.adaptive.key, 20.0)
    engine.job_step(job.pk)  # the knob is the most
    assert profile_calls() == 5 + 36 + 30


def test_a_step_probing_a_refused_ceiling_enriches_whole_rounds_of_the_level_under_it(
    fake_api, user, campaign, no_queue
):
    """At 9 calls, 8 the most upstream took, a step runs 3 rounds of 8 profiles plus the probe
    (25, not 27): upstream refusing the probe leaves 24 calls for 8, whole rounds."""
    shared = default_client().limiter
    job = six_keyword_search(user, campaign)
    engine.job_step(job.pk)  # the first pages: authors pending
    cache.set(shared.adaptive.key, 5.0)
    engine.job_step(job.pk)  # the first batch: one round
    cache.set(shared.adaptive.key, 9.0, timeout=None)
    refuse(shared.adaptive)  # upstream refused 9 calls earlier
    cache.set(shared.adaptive.key, 9.0, timeout=None)  # and the limit has climbed back to 9
    engine.job_step(job.pk)
    assert len(fake_api.calls_to(PROFILE)) == 5 + 3 * 8 + 1


def test_a_ceiling_that_holds_is_probed_less_and_less_often(monkeypatch):
    """Against a ceiling of 8 that never moves, the calls between refused probes double three
    times, then hold: from 8.1 (9 × 0.9) the limit climbs to 9 by 1/(limit × 64 × 2^k) a call,
    that is (9² − 8.1²) / 2 × 64 × 2^k ≈ 492.5 × 2^k calls."""
    monkeypatch.setattr("scraping.client.adaptive.COOLDOWN", 0.0)
    adaptive = AdaptiveLimit(
        cache=LocMemCache("aimd-probes", {}),
        prefix="probes",
        start=lambda: 8,
        floor=lambda: 2,
        ceiling=lambda: 64,
    )
    refused_at = []
    for call in range(12_000):
        limit = adaptive.current()
        lease = Lease(started=time.time(), in_flight=int(limit), limit=limit)
        over = int(limit) > 8
        adaptive.report(lease, endpoint=PROFILE, status=429 if over else 200, seconds=0.01)
        if over:
            refused_at.append(call)
    gaps = [after - before for before, after in pairwise(refused_at)]
    # Slow start reaches 9 at once and is refused (× 0.7 to 6.3); back past 8 at the normal
    # pace (14 calls, to 8.12), then to 9 at 64 times slower: (9² − 8.12²) / 2 × 64 ≈ 482.
    assert refused_at[0] == 1
    assert gaps == [
        pytest.approx(14 + 482, abs=2),
        pytest.approx(492.5 * 2, abs=2),  # each refused probe doubles the next gap...
        pytest.approx(492.5 * 4, abs=2),
        pytest.approx(492.5 * 8, abs=2),
        pytest.approx(492.5 * 8, abs=2),  # ...three times: then one in about 3,940 calls
    ]


def test_another_cut_probes_at_the_first_pace_again(monkeypatch):
    monkeypatch.setattr("scraping.client.adaptive.COOLDOWN", 0.0)
    shared = limiter(start=10)
    cache.set("t-aimd:aimd:peak", 10.0, timeout=None)
    cache.set("t-aimd:aimd:held", 3, timeout=None)  # the ceiling refused three probes in a row
    cache.set(shared.adaptive.key, 9.5, timeout=None)
    assert grow(shared.adaptive, 10) - 9.5 == pytest.approx(10 / 9.5 / 512, abs=0.0005)
    cache.set(shared.adaptive.key, 10.0, timeout=None)
    refuse(shared.adaptive)  # at the same level: a fourth, and the slowdown stays at its most
    assert cache.get("t-aimd:aimd:held") == 4
    cache.set(shared.adaptive.key, 5.0, timeout=None)
    refuse(shared.adaptive)  # refused far below the peak: an overload, the ceiling is unknown
    assert cache.get("t-aimd:aimd:held") == 0
    cache.set(shared.adaptive.key, 9.5, timeout=None)
    cache.set("t-aimd:aimd:peak", 10.0, timeout=None)
    assert grow(shared.adaptive, 10) - 9.5 == pytest.approx(10 / 9.5 / 64, abs=0.002)
