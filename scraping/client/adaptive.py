"""Adaptive concurrency (AIMD): how many upstream calls may be in flight at once, learned from
the upstream's own answers and shared by every worker process.

The limit is one float in the "coordination" cache; `SharedRateLimiter.slot()` uses its whole
part as the in-flight cap, and the client reports every answered call here:

- **Slow start**: until the first cut, a call that succeeded (any status but 429 and 5xx) and
  was not slow adds 1, which would double the limit every round of `limit` calls, as TCP's
  slow start does; `HEADROOM` (below) holds it to half again per round. From 8, an upstream
  that takes 64 is reached in about six rounds, where adding one a round would take 56 (about
  95 s of 1.7 s profile calls, longer than a whole search).
- **Additive increase**: after a cut, such a call adds 1/limit, so a round of `limit`
  successful calls adds about one.
- **Only a limit in use grows**: a call counts only if at least half the limit was in flight
  when it started (TCP's congestion window validation, RFC 7661) and it did not wait for a
  per-second slot (then that cap, not this one, held calls back); and the limit never grows
  past `HEADROOM` (1.5) times the calls in flight beside it. A quiet system does not inflate a
  limit it never tried, and a fresh limit overshoots an upstream ceiling by half of it at most
  (about half a ceiling's worth of calls refused, once), not by all of it.
- **Multiplicative decrease**: a 429, a 5xx, a timeout or a slow call multiplies the limit by
  0.7 (a refused connection says nothing about upstream's load and changes nothing). 0.7, not
  TCP Reno's 0.5, as TCP CUBIC does: against a fixed ceiling a halved limit spends most of the
  climb back well under it, which is slower than a fixed cap at that ceiling. One overload
  answers many calls at once (a burst of 429s, or every call in flight turning slow), and that
  must cut the limit once, not down to the floor: a cut happens at most once per `COOLDOWN`
  (an atomic `cache.add` decides, across processes), and only for a call that started after
  the last cut (the calls started before it belong to the overload it answered).
- **Careful probing near the last overload**: the limit a cut started from (the peak) is
  remembered; near it, growth is `PROBE_SLOWDOWN` times slower, so the limit rests just under
  an upstream ceiling and tests it now and then instead of every few rounds (the plateau of
  CUBIC's window curve). Near means from one call under a peak upstream refused (a 429: its
  whole number is over the ceiling), or from the whole number of a peak that only slowed or
  failed (a slow call, a 5xx, a timeout: that many calls were not refused, so the limit climbs
  back to them at the normal pace; at a ceiling of 8, slowing from 7 instead kept 7 calls in
  flight for hundreds of calls after each slow one), up to the peak + 1. Past it growth is
  normal again: the ceiling has moved up. A 429 once the limit has reached the peak's whole
  number confirms the ceiling it already knew rather than signalling an overload, so it costs
  a cut by 0.9 (back under the ceiling, not far below it) and the peak stays; another 429
  below that level cuts by 0.7 as usual, so a ceiling that really came down is still followed
  down multiplicatively.
- **A ceiling that holds is tested less and less often**: each probe refused at the same whole
  number as the peak before it doubles the slowdown near the peak (64, 128, 256, then 512
  times: `PROBE_BACKOFF_DOUBLINGS`), so a ceiling confirmed again and again costs a refused call
  every few thousand calls instead of every few hundred (each refused call waits its
  Retry-After, and its step waits for it). Any other cut, or a probe refused at another level
  (the ceiling moved), starts again from 64: the slowdown is evidence about one ceiling only.
  At a ceiling of 8 that is one probe in about 500 calls, then 1,000, 2,000 and 4,000 (about
  19 minutes of calls at 1.7 s): a ceiling that went up is found within that.
- **Bounds**: never below `api_limits.adaptive_min_concurrency` nor above
  `api_limits.max_concurrent_requests` (checked at every read, so a lowered knob holds at
  once). No value yet (first use, or the coordination cache was emptied):
  `api_limits.adaptive_start_concurrency`. The value has no expiry: a limit that sits at the
  ceiling is not rewritten, and it must not fall back to the start for that.
- **Slow**: longer than `SLOW_FACTOR` × the endpoint's baseline + `SLOW_MARGIN`. The baseline
  is an average that follows a faster call quickly and a slower one slowly, so it sits near the
  fastest recent calls; it still follows a lasting change of the upstream's speed within a few
  tens of calls, so an upstream that got slower for good is not punished forever. The margin
  keeps the jitter of fast calls (and of a busy machine) from counting as overload. Each
  process learns its own baselines from its own calls: a few calls are enough.

The read-modify-write of the limit is not atomic: two processes may read the same value and
the second write wins, losing an increase. That is acceptable for AIMD (the next answers
correct it, as TCP's do). A lost cut is not: a burst of successes answered during one overload
would write the old limit back over the cut, and the calls above the ceiling would go on being
refused until the cooldown let the next cut through (under load on a slow coordination cache,
15 % of the calls of one test were). So a cut is also written on its own, as (time, value),
and the limit carries the time of the cut it grew from: a limit that grew from before the last
cut is stale, and the cut's value stands instead. A bare number in the limit key (set from a
shell or a test) is taken as it is. The cheap atomic primitive decides the one cut per window.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache.backends.base import BaseCache

logger = logging.getLogger(__name__)

INCREASE = 1.0  # added per round of `limit` successful calls
DECREASE = 0.7  # the limit is multiplied by this on overload
PROBE_SLOWDOWN = 64  # growth is this many times slower within one call of the last peak
PROBE_DECREASE = 0.9  # the cut when a probe at the last peak is refused with a 429
PROBE_BACKOFF_DOUBLINGS = 3  # a ceiling refusing probes in a row: slowdown × 2 each, 3 times
HEADROOM = 1.5  # the limit grows to at most this many times the calls in flight
COOLDOWN = 1.0  # seconds: at most one cut per window, whatever the processes
SLOW_FACTOR = 2.0  # a call is slow past this many times its endpoint's baseline...
SLOW_MARGIN = 0.25  # ...plus this many seconds
WARMUP_CALLS = 5  # calls an endpoint's baseline needs before a call can count as slow
FOLLOW_FASTER = 0.3  # baseline weight of a call faster than the baseline
FOLLOW_SLOWER = 0.02  # and of a slower one


@dataclass
class Lease:
    """One call's place under the limiter: what the adaptive limit learns from its answer."""

    started: float  # wall-clock time the call got its slot (compared across processes)
    in_flight: int  # calls holding a slot then, this one included
    limit: float  # the adaptive limit then
    waited_for_rate: bool = False  # it had to wait for a per-second slot

    @property
    def limit_in_use(self) -> bool:
        """The call ran with at least half the limit in flight and no per-second wait."""
        return self.in_flight * 2 >= int(self.limit) and not self.waited_for_rate


class LatencyBaseline:
    """Per endpoint, the latency of its fastest recent calls (this process's own calls)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_endpoint: dict[str, tuple[float, int]] = {}  # endpoint → (baseline, calls)

    def slow(self, endpoint: str, seconds: float) -> bool:
        """Whether this call was slow for its endpoint; the call then joins the baseline."""
        with self._lock:
            baseline, calls = self._by_endpoint.get(endpoint, (seconds, 0))
            slow = calls >= WARMUP_CALLS and seconds > SLOW_FACTOR * baseline + SLOW_MARGIN
            weight = FOLLOW_FASTER if seconds < baseline else FOLLOW_SLOWER
            self._by_endpoint[endpoint] = (baseline + weight * (seconds - baseline), calls + 1)
            return slow


class AdaptiveLimit:
    """The shared AIMD in-flight limit (see the module's docstring)."""

    def __init__(
        self,
        *,
        cache: BaseCache,
        prefix: str,
        start: Callable[[], float],
        floor: Callable[[], float],
        ceiling: Callable[[], float],
    ) -> None:
        self._cache = cache
        self.key = f"{prefix}:aimd:limit"  # (limit, time of the cut it grew from), or a number
        self._cut_key = f"{prefix}:aimd:cut"  # (wall-clock time, value) of the last cut
        self._peak_key = f"{prefix}:aimd:peak"  # the limit the last cut started from
        self._soft_key = f"{prefix}:aimd:peak_soft"  # True: that cut was not a 429
        self._held_key = f"{prefix}:aimd:held"  # probes refused in a row at the peak's level
        self._cooldown_key = f"{prefix}:aimd:cooldown"  # present during a cut's window
        self.keys = [self.key, self._cut_key]  # what `limit_from` reads
        self._start, self._floor, self._ceiling = start, floor, ceiling
        self.baselines = LatencyBaseline()

    def limit_from(self, found: dict[str, object]) -> float:
        """The limit from a `get_many` of `keys`, within today's bounds."""
        return self._bounded(_stored_limit(found.get(self.key), found.get(self._cut_key)))

    def current(self) -> float:
        return self.limit_from(self._cache.get_many(self.keys))

    def levels(self) -> tuple[int, int]:
        """(calls that may be in flight now, how many of them upstream has taken before): one
        fewer while the limit's whole number is the level upstream refused at the last cut (a
        probe: its one call over that is most likely refused again), else the same."""
        limit, _, peak, soft, _ = self._read()
        whole = max(1, int(limit))
        probing = bool(peak) and not soft and int(peak) <= limit < peak + 1
        return whole, max(1, whole - 1) if probing else whole

    def _bounded(self, raw: float | None) -> float:
        """None: not set yet (the start value)."""
        ceiling = max(1.0, float(self._ceiling()))
        value = float(self._start()) if raw is None else raw
        return min(ceiling, max(float(self._floor()), value))

    def report(self, lease: Lease, *, endpoint: str, status: int | None, seconds: float) -> None:
        """Learn from one answered call: `status` None means it timed out (no answer)."""
        if status is None or status == 429 or status >= 500:
            self._cut(lease, "timeout" if status is None else f"HTTP {status}", status == 429)
        elif self.baselines.slow(endpoint, seconds):
            self._cut(lease, f"slow call ({seconds:.2f} s)", False)
        elif lease.limit_in_use:
            self._grow(lease)

    def forget(self) -> None:
        """Back to the start value (tests; or from a shell, after a change upstream)."""
        self._cache.delete_many(
            [
                self.key,
                self._cut_key,
                self._peak_key,
                self._soft_key,
                self._held_key,
                self._cooldown_key,
            ]
        )

    def _read(self) -> tuple[float, float, float, bool, int]:
        """The limit, the time of the last cut, the peak it cut from (0.0: none yet), whether
        that cut was not a 429 (no value, as a peak set by hand: it was) and how many probes in
        a row that peak's level has refused."""
        found = self._cache.get_many([*self.keys, self._peak_key, self._soft_key, self._held_key])
        peak, held = found.get(self._peak_key), found.get(self._held_key)
        return (
            self.limit_from(found),
            _cut_record(found.get(self._cut_key))[0],
            peak if isinstance(peak, float) else 0.0,
            found.get(self._soft_key) is True,
            held if isinstance(held, int) else 0,
        )

    def _grow(self, lease: Lease) -> None:
        limit, last_cut, peak, soft, held = self._read()
        if lease.started < last_cut:
            return  # it ran under the limit before the last cut: no evidence for this one
        if not peak:
            step = INCREASE  # slow start: no overload seen yet
        elif _near(limit, peak, soft):
            step = INCREASE / limit / (PROBE_SLOWDOWN * 2 ** min(held, PROBE_BACKOFF_DOUBLINGS))
        else:
            step = INCREASE / limit
        # Never far past the calls this one ran beside: what was not tried is not known.
        grown = min(max(1.0, float(self._ceiling())), HEADROOM * lease.in_flight, limit + step)
        if grown > limit:  # stamped with the cut it grew from: a cut since then outranks it
            self._cache.set(self.key, (grown, last_cut), timeout=None)

    def _cut(self, lease: Lease, why: str, refused: bool) -> None:
        """`refused`: a 429, upstream's own word that the limit is over its ceiling."""
        limit, last_cut, peak, _, held = self._read()
        if lease.started < last_cut:
            return  # the overload the last cut already answered
        if not self._cache.add(self._cooldown_key, 1, timeout=COOLDOWN):
            return  # another call (maybe in another process) has just cut
        # A probe refused at the last peak's level: the ceiling it knew, not an overload.
        probe_refused = refused and bool(peak) and int(limit) >= int(peak)
        cut = self._bounded(limit * (PROBE_DECREASE if probe_refused else DECREASE))
        now = time.time()
        new_peak = max(peak, limit) if probe_refused else limit
        # The same level refused again: the ceiling holds, test it half as often.
        held = held + 1 if probe_refused and int(limit) == int(peak) else 0
        self._cache.set_many(
            {
                self.key: (cut, now),
                self._cut_key: (now, cut),
                self._peak_key: new_peak,
                self._soft_key: not refused,
                self._held_key: held,
            },
            timeout=None,
        )
        logger.info(
            "upstream concurrency limit cut",
            extra={"reason": why, "limit": round(cut, 2), "was": round(limit, 2)},
        )


def _near(limit: float, peak: float, soft: bool) -> bool:
    """Probing a known ceiling: from one call under a refused peak (or from the whole number
    of a `soft` one, which was not refused) up to one call past it."""
    return (float(int(peak)) if soft else peak - 1) <= limit < peak + 1


def _cut_record(stored: object) -> tuple[float, float | None]:
    """(time, value) of the last cut; (0.0, None) before any."""
    if isinstance(stored, tuple) and len(stored) == 2:
        return float(stored[0]), float(stored[1])
    return 0.0, None


def _stored_limit(stored: object, cut: object) -> float | None:
    """The stored limit (None: not set yet). A limit that grew from before the last cut lost a
    race with it: the cut's value stands."""
    cut_time, cut_value = _cut_record(cut)
    if isinstance(stored, int | float):
        return float(stored)  # set by hand: taken as it is
    if isinstance(stored, tuple) and len(stored) == 2:
        value, grew_from = float(stored[0]), float(stored[1])
        return cut_value if cut_value is not None and grew_from < cut_time else value
    return cut_value
