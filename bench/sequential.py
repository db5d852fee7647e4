"""A runner that behaves like the original platform, for the search benchmark's reference.

The original processed one search page at a time; for every item on it, it made one profile call,
one after the other with a 100 ms pause between calls; it saved every item (no de-duplication of
authors seen before), checked the target only after a whole page, and scheduled the next page
2 s later (QStash `delay: '2s'`). This runner does the same against the same fake server,
with every pause multiplied by the fake server's `time_scale`:

- one page at a time, chains (keywords, hashtags, similar-search queries) in round-robin;
- similar searches first read the target (one profile call), like ours;
- Instagram similar: the target's related profiles are the first "page", and each enriched
  profile's related list becomes a later page (first in, first out);
- no `cache_max_age`, no retries, no rate limiter: exactly one request in flight.

It reuses our adapters only to read page bodies (which items a page holds); the control flow is
the original's. Rows are counted as the original counted them (every item is a row), so the
report shows both its overshoot (rows past the target) and its duplicates (rows of a creator
already delivered).
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import requests

PROFILE_PAUSE = 0.1  # seconds between two profile calls (original platform)
PAGE_PAUSE = 2.0  # seconds before the next page (QStash delay)


class PlainClient:
    """Just HTTP: one GET, JSON body, raise on an error status. Counts calls and credits."""

    def __init__(self, base_url: str, api_key: str = "bench-sequential"):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.session = requests.Session()
        self.calls: list[tuple[str, float]] = []  # (endpoint, seconds)
        self.credits = 0

    def get(
        self,
        endpoint: str,
        params: dict,
        on_record=None,
        count_items=None,
        stop=None,
        wait_if_refused=True,
    ):
        params = {k: v for k, v in params.items() if v not in (None, "")}
        start = time.perf_counter()
        r = self.session.get(
            f"{self.base_url}{endpoint}",
            params=params,
            headers={"x-api-key": self.api_key},
            timeout=120,
        )
        self.calls.append((endpoint, time.perf_counter() - start))
        body = r.json()
        if r.status_code != 200:
            from scraping.client.errors import error_for_status

            raise error_for_status(r.status_code, str(body.get("message")), None)
        self.credits += int(body.get("credits_charged") or 0)
        return SimpleNamespace(body=body)


@dataclass
class SequentialResult:
    rows: int = 0
    unique: int = 0
    pages: int = 0
    profile_calls: int = 0
    credits: int = 0
    wall: float = 0.0
    model_seconds: float = 0.0  # medians + pauses, no local overhead (real seconds)
    rows_at: dict[int, float] = field(default_factory=dict)  # milestone → wall seconds
    unique_at: dict[int, float] = field(default_factory=dict)
    model_rows_at: dict[int, float] = field(default_factory=dict)  # milestone → model seconds
    dry: bool = False


def run(
    search_key: str,
    params: dict[str, Any],
    target: int,
    base_url: str,
    time_scale: float,
    latency: dict[str, float],
    milestones: tuple[int, ...] = (100, 500, 1000),
) -> SequentialResult:
    from scraping.searches import SEARCHES, StepContext

    search = SEARCHES[search_key]
    job = SimpleNamespace(  # the given chains only: related hashtags are found live
        keywords=params.get("keywords") or [],
        target_username=params.get("target_username") or "",
        expand_related=False,
    )
    state = search.initial_state(job)
    state.similar_keywords = 4
    client = PlainClient(base_url)
    ctx = StepContext(client=client, on_record=None, state=state)
    out = SequentialResult()
    model = 0.0
    seen: set[str] = set()
    start = time.perf_counter()

    if search.needs_prepare:
        seed = search.prepare(ctx, job)
        if seed:
            state.apply(seed)
        model += latency[search.profile_endpoint]
    related_pages: deque[list[dict]] = deque()
    if state.pending:
        related_pages.append(list(state.pending))
    chains = state.chains
    turn = 0

    def next_page() -> list[dict] | None:
        nonlocal turn, model
        live = [c for c in chains if not c.done]
        if live:
            chain = live[turn % len(live)]
            turn += 1
            page = search.fetch_page(ctx, chain)
            model += latency[_page_endpoint(search, chain)]
            chain.cursor, chain.done = page.cursor, page.done
            out.pages += 1
            return page.seeds
        if related_pages:
            out.pages += 1
            return related_pages.popleft()
        return None

    first_profile = True
    while out.rows < target:
        seeds = next_page()
        if seeds is None:
            out.dry = True
            break
        for seed in seeds:
            if not first_profile:
                time.sleep(PROFILE_PAUSE * time_scale)
                model += PROFILE_PAUSE
            first_profile = False
            body = None
            with contextlib.suppress(Exception):  # the original logged and carried on
                body = search.fetch_profile(ctx, seed)
            out.profile_calls += 1
            model += latency[search.profile_endpoint]
            out.rows += 1
            seen.add(seed.get("external_id"))
            now = time.perf_counter() - start
            for m in milestones:
                if out.rows == m:
                    out.rows_at[m] = now
                    out.model_rows_at[m] = model
                if len(seen) == m and m not in out.unique_at:
                    out.unique_at[m] = now
            if body and search_key == "instagram_similar":
                related_pages.append(search.expand(state, seed, body))
        if out.rows >= target:
            break
        time.sleep(PAGE_PAUSE * time_scale)
        model += PAGE_PAUSE
    out.wall = time.perf_counter() - start
    out.unique = len(seen)
    out.credits = client.credits
    out.model_seconds = model
    return out


def _page_endpoint(search, chain) -> str:
    if chain.kind == "following":
        return search.following_endpoint
    return search.page_endpoint
