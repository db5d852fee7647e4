"""Search benchmark: time to 100 / 500 / 1,000 enriched creators, per search type.

    .venv/bin/python bench/search.py [--time-scale 0.1] [--sequential-time-scale 0.01]
        [--jitter 0.2] [--targets 100 500 1000] [--searches tiktok_keyword ...]
        [--no-sequential] [--no-validate] [--json]

Setup: a scratch SQLite database (migrated), the fake ScrapeCreators server in its own process
with `latency_profile="real"` (the real API's medians: TikTok keyword 3.5 s, users 2.0 s,
profile 1.7 s, Instagram profile 5.7 s, hashtag 3.0 s (estimate), YouTube search 1.9 s,
channel 1.5 s), uniform jitter ±`--jitter`, every latency multiplied by `--time-scale`.

Our engine: `job_create`, then the real `engine.job_step` called in a loop in this process until
the job is terminal (the code a `qcluster` worker runs per task; the broker's pickup delay
between steps is left out here and measured in the scale-out benchmark). Before every job the
fake server is reset and warmed (it builds each 300 KB search page once, off the clock: that CPU
time is not part of the real API's medians) and our `ProfileCache` is emptied, so no job profits
from an earlier one. Knobs are the defaults except `api_limits.requests_per_second`, scaled like
the latencies (20/s real → 20/time_scale).

Figures are real seconds:
- `scaled` = wall / time_scale: everything scaled back, including local work (SQL, JSON, thread
  hand-offs) that did not shrink with the latencies, so an upper bound.
- `corrected` = (wall − local) / time_scale + local, where `local` is the part of the wall time
  during which no upstream call of the job was in flight (claims, commits, status checks): local
  work is counted once. Per-call client work (rate limiter, HTTP, JSON) stays inside the scaled
  part, so this still leans pessimistic. `validate` runs TikTok keyword / 100 at time_scale 1.0
  (no scaling at all) to check the estimate against a real-time run.

References in the same run:
- `bound` (see `critical_path`): the critical path the median latencies imply for the pages and
  profiles the job needed (pages counted by replaying the fake universe offline).
- `sequential`: `bench.sequential`, the original platform's loop on the same fake server (target
  1,000 rows; times to 100 / 500 / 1,000 rows read off the same run), at its own time scale
  (it has no local work to speak of), all six search types at once.

Checks on every engine job: delivered == target (or the source ran dry), no creator twice, no
search page fetched twice (successful page calls grouped by their parameters) and no profile
fetched twice.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common

CASES: dict[str, dict[str, Any]] = {
    "tiktok_keyword": {
        "platform": "tiktok",
        "search_type": "keyword",
        "keywords": ["fitness", "running", "yoga"],
    },
    "tiktok_similar": {
        "platform": "tiktok",
        "search_type": "similar",
        "target_username": "trailrunner_maya",
    },
    "instagram_hashtag": {
        "platform": "instagram",
        "search_type": "hashtag",
        "keywords": [
            "fitness",
            "running",
            "yoga",
            "travel",
            "food",
            "fashion",
            "skincare",
            "gaming",
        ],
    },
    "instagram_similar": {
        "platform": "instagram",
        "search_type": "similar",
        "target_username": "maya.trailruns",
    },
    "youtube_keyword": {
        "platform": "youtube",
        "search_type": "keyword",
        "keywords": ["fitness", "running", "yoga"],
    },
    "youtube_similar": {
        "platform": "youtube",
        "search_type": "similar",
        "target_username": "TrailRunnerMaya",
    },
}
TARGETS = (100, 500, 1000)
REAL_RPS = 20  # api_limits.requests_per_second default, in real time


# --- the critical-path bound (offline replay of the fake universe) ---------------------------


class OfflineClient:
    """Builds the fake server's bodies in-process: no HTTP, no latency."""

    def get(
        self, endpoint, params, on_record=None, count_items=None, stop=None, wait_if_refused=True
    ):
        from fake_scrapecreators.api import ROUTES
        from fake_scrapecreators.universe import FakeError
        from scraping.client import NotFound

        clean = {k: str(v) for k, v in params.items() if v not in (None, "")}
        try:
            body = ROUTES[endpoint].build(clean, "http://fake")
        except FakeError as exc:
            if exc.status == 404:
                raise NotFound(exc.message) from exc
            raise
        return SimpleNamespace(body=body)


def needed_work(
    search_key: str,
    params: dict[str, Any],
    n: int,
    client: Any = None,
    chains: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Pages (per chain, all chains in parallel) or expansion levels needed for n new creators.

    The chains a search of `params` starts with, or `chains` (a finished job's saved chains:
    its related hashtags, found live, included). With `client` (an HTTP client on the fake
    server) the same walk warms the server's caches.
    """
    from scraping.searches import SEARCHES, StepContext
    from scraping.state import Chain

    search = SEARCHES[search_key]
    job = SimpleNamespace(
        keywords=params.get("keywords") or [],
        target_username=params.get("target_username") or "",
        target_results=n,
        expand_related=False,
    )
    state = search.initial_state(job)
    if chains is not None:
        state.chains = [
            Chain(term=c["term"], kind=c.get("kind"), sort=c.get("sort")) for c in chains
        ]
    state.similar_keywords = 4
    ctx = StepContext(client=client or OfflineClient(), on_record=None, state=state)
    if search.needs_prepare:
        seed = search.prepare(ctx, job)
        if seed:
            state.apply(seed)
    seen: set[str] = set()
    admitted: list[dict] = []

    def admit(seeds) -> None:
        for seed in seeds:
            key = seed.get("external_id")
            if key and key not in seen and not search.excluded(state, seed):
                seen.add(key)
                admitted.append(seed)

    admit(state.pending)
    chains = state.chains
    depth = 0
    while len(admitted) < n and any(not c.done for c in chains):
        depth += 1
        for chain in chains:
            if not chain.done and len(admitted) < n:
                page = search.fetch_page(ctx, chain)
                chain.cursor, chain.done = page.cursor, page.done
                chain.pages += 1
                admit(page.seeds)
    levels = 1 if admitted else 0
    if not chains:  # Instagram similar: related profiles, then related-of-related
        frontier, i = len(admitted), 0
        while len(admitted) < n and i < len(admitted):
            body = search.fetch_profile(ctx, admitted[i])
            admit(search.expand(state, admitted[i], body))
            i += 1
            if i == frontier and len(admitted) > frontier:
                levels, frontier = levels + 1, len(admitted)
        if len(admitted) > frontier:
            levels += 1
    return {
        "chains": [(c.kind == "following", c.pages) for c in chains if c.pages],
        "depth": depth,
        "levels": levels,
        "available": min(n, len(admitted)),
    }


def critical_path(
    search_key: str,
    params: dict,
    n: int,
    concurrency: int,
    latency: dict[str, float],
    chains: list[dict[str, Any]] | None = None,
    pages_in_concurrency: bool = False,
) -> dict[str, float]:
    """Lower bounds on the time to n enriched creators, from the median latencies.

    `naive` is the issue's formula: the longest cursor chain vs the enrichment at the
    concurrency cap, whichever is longer, plus the target call of a similar search.
    `bound` adds the two dependencies no implementation can avoid: nothing can be enriched
    before the first page has arrived, and the creators of the last page still need their
    profile call after it. Both are still lower bounds; `bound` is the one we compare with.
    `pages_in_concurrency`: the cap counts every call in flight, pages too (as an upstream's
    ceiling does), so the pages' time shares it with the profile calls'.
    """
    from scraping.searches import SEARCHES

    search = SEARCHES[search_key]
    work = needed_work(search_key, params, n, chains=chains)
    profile = latency[search.profile_endpoint]
    chain_seconds, first_page, page_seconds = 0.0, 0.0, 0.0
    for following, pages in work["chains"]:
        endpoint = search.following_endpoint if following else search.page_endpoint
        chain_seconds = max(chain_seconds, pages * latency[endpoint])
        first_page = min(first_page or latency[endpoint], latency[endpoint])
        page_seconds += pages * latency[endpoint]
    if not work["chains"]:  # Instagram similar: each level of related profiles needs the last
        chain_seconds = max(0, work["levels"] - 1) * profile
    shared = page_seconds if pages_in_concurrency else 0.0
    enrich_seconds = (n * profile + shared) / concurrency
    prepare = profile if search.needs_prepare else 0.0
    naive = prepare + max(chain_seconds, enrich_seconds)
    bound = prepare + max(chain_seconds + profile, first_page + enrich_seconds)
    return {
        "pages_needed": sum(p for _, p in work["chains"]),
        "chain_seconds": round(chain_seconds, 2),
        "enrich_seconds": round(enrich_seconds, 2),
        "prepare_seconds": prepare,
        "first_page_seconds": first_page,
        "naive_bound": round(naive, 2),
        "bound": round(bound, 2),
    }


# --- our engine ------------------------------------------------------------------------------


def run_engine(
    search_key: str,
    target: int,
    fake: common.FakeServer,
    fake_config: dict,
    owner,
    campaign,
    time_scale: float,
    deadline: float = 900,
    case: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run one search to its end; `case` overrides the search's CASES entry (job_create's
    arguments)."""
    from django.db.models import Count

    from scraping import engine
    from scraping.models import ApiCall, ProfileCache, ScrapingJob
    from scraping.searches import SEARCHES
    from scraping.services import job_create
    from scraping.transitions import TERMINAL_STATUSES

    search = SEARCHES[search_key]
    # Warm the fake server: building a 300 KB search page from scratch costs it 25-45 ms of CPU
    # that the real API's medians do not contain (at time_scale 0.1 that would read as +0.4 s).
    from bench.sequential import PlainClient

    fake.reset(latency_profile="none")
    case = case or CASES[search_key]
    needed_work(search_key, case, int(target * 1.2), PlainClient(fake.url))
    fake.reset(**fake_config)
    ProfileCache.objects.all().delete()
    job = job_create(owner=owner, campaign=campaign, target_results=target, **case)
    milestones: dict[int, float] = {}
    start = time.perf_counter()
    while True:
        engine.job_step(job.pk)
        status, saved = ScrapingJob.objects.values_list("status", "processed_results").get(
            pk=job.pk
        )
        now = time.perf_counter() - start
        for m in TARGETS:
            if saved >= m and m not in milestones:
                milestones[m] = now
        if status in TERMINAL_STATUSES or now > deadline:
            break
    wall = time.perf_counter() - start
    job.refresh_from_db()
    creators = job.creators.all()
    rows = creators.count()
    distinct = creators.values("external_id").distinct().count()
    calls = ApiCall.objects.filter(job=job)
    page_endpoints = [search.page_endpoint, getattr(search, "following_endpoint", "")]
    ok_pages = calls.filter(endpoint__in=page_endpoints, status_code=200)
    by_params = Counter(
        (c.endpoint, json.dumps(c.params, sort_keys=True)) for c in ok_pages.only("params")
    )
    pages_twice = sum(1 for v in by_params.values() if v > 1)
    profile_twice = (
        calls.filter(endpoint=search.profile_endpoint, status_code=200)
        .values("params")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    # Local time: the part of the wall time during which no upstream call was in flight.
    local = max(0.0, wall - _upstream_busy(job))
    return {
        "search": search_key,
        "target": target,
        "status": job.status,
        "delivered": job.processed_results,
        "rows": rows,
        "overshoot": max(0, rows - target),
        "duplicates": rows - distinct,
        "pages_fetched": ok_pages.count(),
        "pages_fetched_twice": pages_twice,
        "profiles_fetched_twice": profile_twice,
        "upstream_calls": calls.count(),
        "calls_per_creator": round(calls.count() / max(1, rows), 3),
        "credits": job.credits_used,
        "credits_per_creator": round(job.credits_used / max(1, rows), 3),
        "steps": job.steps,
        "wall": round(wall, 3),
        "local": round(local, 3),
        "scaled": round(wall / time_scale, 1),
        "corrected": round((wall - local) / time_scale + local, 1),
        "milestones_scaled": {m: round(t / time_scale, 1) for m, t in milestones.items()},
        "finish_reason": job.finish_reason,
        "answered_429": calls.filter(status_code=429).count(),
        "chains": [
            {key: chain.get(key) for key in ("term", "kind", "sort")}
            for chain in (job.state or {}).get("chains") or []
        ],
        "chain_terms": [_chain_label(chain) for chain in (job.state or {}).get("chains") or []],
    }


def _chain_label(chain: dict[str, Any]) -> str:
    """ "fitness", "fitness (most-liked)", "#runtok" (a related hashtag)."""
    if chain.get("kind") == "related":
        return f"#{chain['term']}"
    return f"{chain['term']} ({chain['sort']})" if chain.get("sort") else str(chain.get("term"))


def _upstream_busy(job) -> float:
    """Seconds during which at least one upstream call of the job was in flight.

    A call's interval starts before it waits for a rate-limiter slot, so limiter work counts as
    upstream time here (it is scaled back with it: the conservative side).
    """
    from scraping.models import ApiCall

    waits = 0.0
    rows = ApiCall.objects.filter(job=job).values_list("at", "duration_ms")
    spans = sorted((at.timestamp(), at.timestamp() + ms / 1000) for at, ms in rows)
    # Union of the intervals during which at least one upstream call was in flight.
    cur_start = cur_end = None
    for s, e in spans:
        if cur_end is None or s > cur_end:
            if cur_end is not None:
                waits += cur_end - cur_start
            cur_start, cur_end = s, e
        else:
            cur_end = max(cur_end, e)
    if cur_end is not None:
        waits += cur_end - cur_start
    return waits


# --- the whole benchmark ---------------------------------------------------------------------


def run(
    *,
    time_scale: float = 0.1,
    sequential_time_scale: float = 0.01,
    jitter: float = 0.2,
    targets: tuple[int, ...] = TARGETS,
    searches: tuple[str, ...] = tuple(CASES),
    sequential: bool = True,
    validate: bool = True,
    log=print,
) -> dict[str, Any]:
    workdir = common.work_dir("search")
    db = common.ScratchDatabase("sqlite", workdir)
    fake = common.FakeServer(workdir)
    fake_config = {"latency_profile": "real", "time_scale": time_scale, "jitter": jitter}
    try:
        env = common.base_env(db.url, fake.url)
        db.migrate(env)
        common.django_setup(db.url, fake.url)
        from fake_scrapecreators.config import REAL_LATENCY
        from scraping import engine, services
        from sysconfig import config

        engine.enqueue = services.enqueue = lambda *a, **k: None  # the loop below runs steps
        common.set_knobs({"api_limits.requests_per_second": min(500, round(REAL_RPS / time_scale))})
        concurrency = int(config.get("scraping.enrichment_concurrency"))
        owner, campaign = common.make_owner()
        fake_check = verify_fake_server(fake, fake_config, time_scale, jitter)
        log(f"fake server: {json.dumps(fake_check)}")
        results = []
        for key in searches:
            for target in targets:
                r = run_engine(key, target, fake, fake_config, owner, campaign, time_scale)
                n = r["delivered"]
                r.update(critical_path(key, CASES[key], n, concurrency, REAL_LATENCY))
                r["vs_bound_scaled"] = round(r["scaled"] / r["bound"], 2) if r["bound"] else None
                r["vs_bound_corrected"] = (
                    round(r["corrected"] / r["bound"], 2) if r["bound"] else None
                )
                log(
                    f"{key:18} {target:5} {r['status']:9} {n:5} scaled {r['scaled']:7.1f} s "
                    f"corrected {r['corrected']:7.1f} s bound {r['bound']:6.1f} s "
                    f"x{r['vs_bound_corrected']} steps {r['steps']} "
                    f"dup {r['duplicates']} over {r['overshoot']} twice {r['pages_fetched_twice']}"
                )
                results.append(r)
                if n < target:  # the source ran dry: bigger targets give the same job
                    break
        validation = {}
        if validate:
            # The same TikTok keyword search for 100 creators with no time scaling at all.
            unscaled = {**fake_config, "time_scale": 1.0}
            real = run_engine("tiktok_keyword", 100, fake, unscaled, owner, campaign, 1.0)
            scaled = next(
                (r for r in results if (r["search"], r["target"]) == ("tiktok_keyword", 100)), None
            )
            validation = {
                "real_seconds": real["wall"],
                "scaled_estimate": scaled and scaled["scaled"],
                "corrected_estimate": scaled and scaled["corrected"],
                "bound": critical_path(
                    "tiktok_keyword", CASES["tiktok_keyword"], 100, concurrency, REAL_LATENCY
                )["bound"],
            }
            log(f"validation at time_scale 1.0: {json.dumps(validation)}")
        seq = {}
        if sequential:
            seq_config = {**fake_config, "time_scale": sequential_time_scale}
            seq = run_sequential(fake, seq_config, sequential_time_scale, searches, log)
        return {
            "time_scale": time_scale,
            "sequential_time_scale": sequential_time_scale,
            "validation": validation,
            "jitter": jitter,
            "concurrency": concurrency,
            "fake_server": fake_check,
            "engine": results,
            "sequential": seq,
        }
    finally:
        fake.stop()
        db.drop()


def run_sequential(fake, fake_config, time_scale, searches, log) -> dict[str, Any]:
    """The original platform's loop for every search type at once (one thread each)."""
    from bench import sequential
    from fake_scrapecreators.config import REAL_LATENCY

    fake.reset(**fake_config)
    target = max(TARGETS)
    with ThreadPoolExecutor(max_workers=len(searches)) as pool:
        futures = {
            key: pool.submit(
                sequential.run,
                key,
                CASES[key],
                target,
                fake.url,
                time_scale,
                REAL_LATENCY,
                TARGETS,
            )
            for key in searches
        }
        out = {}
        for key, future in futures.items():
            r = future.result()
            out[key] = {
                "rows": r.rows,
                "unique": r.unique,
                "duplicates": r.rows - r.unique,
                "overshoot": max(0, r.rows - target),
                "pages": r.pages,
                "profile_calls": r.profile_calls,
                "credits": r.credits,
                "dry": r.dry,
                "scaled": round(r.wall / time_scale, 1),
                "model": round(r.model_seconds, 1),
                "rows_at_scaled": {m: round(t / time_scale, 1) for m, t in r.rows_at.items()},
                "rows_at_model": {m: round(t, 1) for m, t in r.model_rows_at.items()},
                "unique_at_scaled": {m: round(t / time_scale, 1) for m, t in r.unique_at.items()},
            }
            log(f"sequential {key:18} {json.dumps(out[key])}")
    return out


def verify_fake_server(fake, fake_config, time_scale, jitter) -> dict[str, Any]:
    """Measured latency per endpoint (scaled back) and the share of repeated TikTok authors."""
    import requests

    from fake_scrapecreators.universe import keyword_page_plan

    fake.reset(**fake_config)
    probes = {
        "/v1/tiktok/search/keyword": {"query": "fitness"},
        "/v1/tiktok/search/users": {"query": "fitness"},
        "/v1/tiktok/profile": {"handle": "trailrunner_maya"},
        "/v1/instagram/profile": {"handle": "maya.trailruns"},
        "/v1/youtube/search": {"query": "fitness"},
        "/v1/youtube/channel": {"handle": "TrailRunnerMaya"},
    }
    lock = threading.Lock()
    measured: dict[str, list[float]] = {p: [] for p in probes}

    def probe(path, params):
        session = requests.Session()
        for _ in range(15):
            t = time.perf_counter()
            session.get(f"{fake.url}{path}", params=params, headers={"x-api-key": "probe"})
            with lock:
                measured[path].append(time.perf_counter() - t)

    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        for path, params in probes.items():
            pool.submit(probe, path, params)
    from fake_scrapecreators.config import REAL_LATENCY

    latency = {
        p: {
            "real_median": REAL_LATENCY[p],
            "measured_median_scaled": round(common.percentile(v, 50) / time_scale, 2),
            "min_scaled": round(min(v) / time_scale, 2),
            "max_scaled": round(max(v) / time_scale, 2),
        }
        for p, v in measured.items()
    }
    items = new = 0
    for query in ("fitness", "running", "yoga"):
        for page in range(30):
            plan = keyword_page_plan(query, page * 30)
            items += len(plan)
            new += sum(1 for _, _, is_new in plan if is_new)
    return {
        "latency": latency,
        "tiktok_keyword_repeat_share": round(1 - new / items, 3),
        "jitter": jitter,
        "time_scale": time_scale,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--sequential-time-scale", type=float, default=0.01)
    parser.add_argument("--no-validate", action="store_true", help="skip the time_scale=1 run")
    parser.add_argument("--jitter", type=float, default=0.2)
    parser.add_argument("--targets", type=int, nargs="+", default=list(TARGETS))
    parser.add_argument("--searches", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--no-sequential", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    result = run(
        time_scale=args.time_scale,
        sequential_time_scale=args.sequential_time_scale,
        validate=not args.no_validate,
        jitter=args.jitter,
        targets=tuple(args.targets),
        searches=tuple(args.searches),
        sequential=not args.no_sequential,
        log=log,
    )
    if args.json:
        print(common.dump_json(result))


if __name__ == "__main__":
    main()
