"""Runtime knobs of the fake server (changeable over HTTP: `POST /_fake/config`)."""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

# Median upstream latencies (seconds) measured on the real API; IG hashtag, following and the
# recent-posts endpoints are estimates. Used by `latency_profile="real"`, scaled by `time_scale`.
REAL_LATENCY: dict[str, float] = {
    "/v1/tiktok/search/keyword": 3.5,
    "/v1/tiktok/search/users": 2.0,
    "/v1/tiktok/profile": 1.7,
    "/v1/tiktok/user/following": 2.0,
    "/v1/instagram/profile": 5.7,
    "/v1/instagram/search/hashtag": 3.0,
    "/v1/youtube/search": 1.9,
    "/v1/youtube/channel": 1.5,
    "/v3/tiktok/profile/videos": 2.5,
    "/v2/instagram/user/posts": 4.0,
    "/v1/instagram/user/reels": 4.0,
    "/v1/youtube/channel-videos": 2.0,
}
LATENCY_PROFILES: dict[str, dict[str, float]] = {"none": {}, "real": REAL_LATENCY}

# "NNN" = JSON error body with that status; "textNNN" = plain-text body; "timeout" = sleep
# `timeout_sleep` s then answer normally; "malformed" = 200 with truncated JSON (charged);
# "empty" = 200 with no body; "disconnect" = close the connection without a response.
PAGE_QUIRKS = ("repeat", "empty")
FAULT_RE = re.compile(r"^(?:[45]\d\d|text[45]\d\d|timeout|malformed|empty|disconnect)$")


@dataclass
class FakeConfig:
    latency_profile: str = "none"
    latency: dict[str, float] = field(default_factory=dict)  # per-path override, seconds
    jitter: float = 0.0  # each delay is multiplied by 1 ± jitter (uniform)
    time_scale: float = 1.0  # multiplies every API latency (0.01: 3.5 s → 35 ms)
    # Scripted faults, consumed in order by matching requests:
    # {"path": "/v1/..."|"/v1/tiktok/*"|"*", "fault": "429", "times": 1, "retry_after": 2}
    # "params": {"handle": "maya"} narrows a rule to requests with those parameters (handles
    # compared without case or "@"), e.g. a 404 for some profiles only.
    faults: list[dict[str, Any]] = field(default_factory=list)
    # How paged endpoints misbehave after their first page, as the real API sometimes does:
    # {"/v1/tiktok/user/following": "repeat"} answers every later page with the first page
    # again (same items, same cursor, has_more still true); "empty" answers it with no items
    # and has_more still true.
    page_quirks: dict[str, str] = field(default_factory=dict)
    fault_rate: float = 0.0  # random faults (chaos): probability per API request
    fault_kinds: list[str] = field(default_factory=lambda: ["429", "500", "timeout", "malformed"])
    fault_seed: int = 0
    timeout_sleep: float = 10.0
    retry_after: float = 1.0  # Retry-After of 429s without their own
    # The upstream's own ceiling (0 = none): beyond this many requests in flight, or this many
    # started in the last second, the API answers 429 with Retry-After, as a real rate-limited
    # service does. Balance endpoints count too; the CDN does not.
    ceiling_concurrency: int = 0
    ceiling_per_second: float = 0.0
    default_credits: int = 1_000_000  # starting balance of every API key
    cdn_slow_seconds: float = 3.0  # /cdn/slow and /cdn/drip
    cdn_huge_bytes: int = 64 * 1024 * 1024  # /cdn/huge Content-Length
    cdn_endless_seconds: float = 60.0  # /cdn/endless gives up after this long

    def latency_for(self, path: str) -> float:
        base = self.latency.get(path, LATENCY_PROFILES[self.latency_profile].get(path, 0.0))
        return max(0.0, float(base)) * self.time_scale

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def merged(self, patch: dict[str, Any]) -> FakeConfig:
        """A validated copy with `patch`'s top-level keys replaced (ValueError if invalid)."""
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(patch) - set(known))
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        data = self.to_dict()
        for name, value in patch.items():
            default = data[name]
            if isinstance(default, bool | str | list | dict):
                if not isinstance(value, type(default)):
                    raise ValueError(f"{name} must be a {type(default).__name__}")
            elif isinstance(default, int | float):
                try:
                    value = type(default)(value)
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"{name} must be a number") from exc
            data[name] = copy.deepcopy(value)  # rules are consumed in place: never share them
        new = FakeConfig(**data)
        new.validate()
        return new

    def validate(self) -> None:
        if self.latency_profile not in LATENCY_PROFILES:
            raise ValueError(f"latency_profile must be one of {sorted(LATENCY_PROFILES)}")
        for path, seconds in self.latency.items():
            if not isinstance(seconds, int | float) or isinstance(seconds, bool):
                raise ValueError(f"latency[{path!r}] must be a number of seconds")
        if self.ceiling_concurrency < 0 or self.ceiling_per_second < 0:
            raise ValueError("a ceiling is 0 (none) or a positive number")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        for kind in self.fault_kinds:
            if not FAULT_RE.match(str(kind)):
                raise ValueError(f"unknown fault kind {kind!r}")
        for path, quirk in self.page_quirks.items():
            if quirk not in PAGE_QUIRKS:
                raise ValueError(f"page_quirks[{path!r}] must be one of {sorted(PAGE_QUIRKS)}")
        for rule in self.faults:
            if not isinstance(rule, dict) or "fault" not in rule:
                raise ValueError("each fault rule needs at least a 'fault'")
            if not isinstance(rule.get("params", {}), dict):
                raise ValueError("a fault rule's params must be an object")
            if not FAULT_RE.match(str(rule["fault"])):
                raise ValueError(f"unknown fault kind {rule['fault']!r}")
            rule.setdefault("path", "*")
            rule["times"] = int(rule.get("times", 1))
