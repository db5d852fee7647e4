"""Mutable server state behind one lock: config, balances, cache, call log, fault dice."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from .config import FakeConfig

CALL_LOG_SIZE = 20_000


@dataclass
class Fault:
    kind: str
    retry_after: float | None = None


def _params_match(wanted: dict[str, Any], params: dict[str, str]) -> bool:
    def norm(value: Any) -> str:
        return str(value).strip().lstrip("@").lower()

    return all(norm(params.get(k, "")) == norm(v) for k, v in wanted.items())


def _copy(config: FakeConfig) -> FakeConfig:
    return FakeConfig(**json.loads(json.dumps(config.to_dict())))


class State:
    def __init__(self, config: FakeConfig) -> None:
        self.lock = threading.Lock()
        self.startup = _copy(config)
        self.reset()

    def reset(self) -> None:
        """Config back to the start-up config; balances, cache and call log emptied."""
        with self.lock:
            self.config = _copy(self.startup)
            self.credits: dict[str, int] = {}
            self.cache: dict[tuple[str, str], tuple[dict, float]] = {}
            self.calls: deque[dict[str, Any]] = deque(maxlen=CALL_LOG_SIZE)
            self.seq = 0
            self.in_flight = 0
            self.started: deque[float] = deque()  # monotonic starts within the last second
            self._reseed()

    def _reseed(self) -> None:
        self.fault_rng = random.Random(f"faults-{self.config.fault_seed}")
        self.jitter_rng = random.Random(f"jitter-{self.config.fault_seed}")

    def update(self, patch: dict[str, Any]) -> None:
        """Merge `patch` into the config ("credits": {key: n} sets balances); ValueError if bad."""
        patch = dict(patch)
        balances = patch.pop("credits", None)
        if balances is not None and not (
            isinstance(balances, dict)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in balances.values())
        ):
            raise ValueError("credits must be an object of key → integer balance")
        with self.lock:
            self.config = self.config.merged(patch)
            if "fault_seed" in patch or "fault_rate" in patch:
                self._reseed()  # a new chaos run starts from the seed's first roll
            self.credits.update(balances or {})

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {**self.config.to_dict(), "credits": dict(self.credits)}

    def delay(self, path: str) -> float:
        with self.lock:
            base = self.config.latency_for(path)
            j = self.config.jitter
            return base * (1 + self.jitter_rng.uniform(-j, j)) if base and j else base

    def next_fault(self, path: str, params: dict[str, str] | None = None) -> Fault | None:
        """The first matching scripted rule with `times` left, else a random roll."""
        with self.lock:
            for rule in self.config.faults:
                pattern = rule.get("path", "*")
                hit = pattern in ("*", path) or (
                    pattern.endswith("*") and path.startswith(pattern[:-1])
                )
                hit = hit and _params_match(rule.get("params") or {}, params or {})
                if hit and rule.get("times", 1) > 0:
                    rule["times"] -= 1
                    return Fault(str(rule["fault"]), rule.get("retry_after"))
            if self.config.fault_rate and self.fault_rng.random() < self.config.fault_rate:
                return Fault(self.fault_rng.choice(self.config.fault_kinds))
        return None

    def admit(self) -> float | None:
        """Count a request in under the ceiling; else the seconds to wait (its Retry-After).
        An admitted request must be let out with `release`."""
        with self.lock:
            now = time.monotonic()
            config = self.config
            while self.started and now - self.started[0] >= 1.0:
                self.started.popleft()
            if config.ceiling_concurrency and self.in_flight >= config.ceiling_concurrency:
                return config.retry_after
            if config.ceiling_per_second and len(self.started) >= config.ceiling_per_second:
                return round(max(0.05, 1.0 - (now - self.started[0])), 2)
            self.in_flight += 1
            self.started.append(now)
            return None

    def release(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def balance(self, key: str) -> int:
        with self.lock:
            return self.credits.setdefault(key, self.config.default_credits)

    def charge(self, key: str, cost: int) -> int | None:
        """The new balance, or None when the key cannot pay `cost` (→ 402)."""
        with self.lock:
            balance = self.credits.setdefault(key, self.config.default_credits)
            if cost and balance < cost:
                return None
            self.credits[key] = balance - cost
            return balance - cost

    def cache_get(self, key: tuple[str, str]) -> tuple[dict, float] | None:
        with self.lock:
            return self.cache.get(key)

    def cache_put(self, key: tuple[str, str], payload: dict, at: float) -> None:
        with self.lock:
            self.cache[key] = (payload, at)  # a fresh fetch refreshes the cache

    def log(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.seq += 1
            self.calls.append({"seq": self.seq, **entry})

    def calls_since(self, since: int = 0, path: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["seq"] > since and (not path or c["path"] == path)]
