"""Search speed at the upstream's ceiling: adaptive concurrency and the related-hashtags frontier.

    .venv/bin/python bench/ceiling.py [--db sqlite|postgres] [--redis URL] [--time-scale 0.5]
        [--jitter 0.2] [--json]

ScrapeCreators publishes no rate limit, so the fake server is given one: beyond `ceiling`
requests in flight it answers 429 with Retry-After (fake_scrapecreators/config.py). Our shared
limiter adapts its in-flight cap to it (AIMD, scraping/client/ratelimit.py); our own
requests-per-second cap is lifted to its maximum knob value so that the upstream's ceiling, not
ours, is what binds. Latencies are the real API's medians (TikTok keyword page 3.5 s, profile
1.7 s), scaled by `--time-scale`; a ceiling of in-flight requests does not change with the
scale (rate × latency is constant), so the same ceiling holds in real time.

Runs (TikTok keyword, 1,000 creators, the method and checks of bench/search.py):
- 3 keywords at a ceiling of 64, without and with "also search related hashtags";
- 3 keywords at a ceiling of 8: adaptive with a fresh limit (it learns the ceiling during the
  search, as a new deployment's first search does), then with the limit learned by the search
  before (every later search) and with the fixed cap of 8 it replaced (no slower), taking turns
  three times: the two differ by less than one run's spread;
- 1 keyword at a ceiling of 64, without and with "also search related hashtags".

`bound` is the critical path at the ceiling: the longest page chain the job walked (its own
chains replayed offline, related hashtags included) plus one profile call, or the first page
plus every call the job needed (its pages and its profile calls) at `ceiling` in flight,
whichever is longer: the ceiling counts pages too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common
from bench.search import critical_path, needed_work, run_engine

TARGET = 1000
THREE = {"platform": "tiktok", "search_type": "keyword", "keywords": ["fitness", "running", "yoga"]}
ONE = {"platform": "tiktok", "search_type": "keyword", "keywords": ["fitness"]}
# Before this limiter: a fixed cap of 8 calls in flight and 8 profile calls per step, each
# keyword paged in relevance order only.
FIXED_8 = {
    "api_limits.max_concurrent_requests": 8,
    "api_limits.adaptive_start_concurrency": 8,
    "api_limits.adaptive_min_concurrency": 8,
    "scraping.enrichment_concurrency": 8,
    "scraping.creators_per_ordering": 0,
}
# A fresh limit starts at `adaptive_start_concurrency` and learns the ceiling during the search
# (a new deployment's first search); a learned one is where the search before left it (every
# later search: the limit is shared and kept). A fixed one is pinned by the knobs (FIXED_8) and
# leaves the learned limit as it was.
FRESH, LEARNED, FIXED = "fresh", "learned", "fixed"
# The adaptive limit and the fixed cap it replaced differ by less than a percent: one run of
# each says little, so that pair runs `COMPARED_RUNS` times, taking turns.
COMPARED_RUNS = 3
AT_8_LEARNED = ("3 keywords", THREE, 8, {}, LEARNED)
AT_8_FIXED = ("3 keywords, fixed cap of 8 (before)", THREE, 8, FIXED_8, FIXED)
RUNS = (  # label, job_create's arguments, the upstream's ceiling, knobs besides defaults, limit
    ("3 keywords", THREE, 64, {}, FRESH),
    ("3 keywords + related hashtags", {**THREE, "expand_related": True}, 64, {}, FRESH),
    ("3 keywords", THREE, 8, {}, FRESH),
    *(AT_8_LEARNED, AT_8_FIXED) * COMPARED_RUNS,
    ("1 keyword", ONE, 64, {}, FRESH),
    ("1 keyword + related hashtags", {**ONE, "expand_related": True}, 64, {}, FRESH),
)


def run(
    *,
    db_kind: str = "sqlite",
    redis_url: str = "",
    time_scale: float = 0.5,
    jitter: float = 0.2,
    ceilings: tuple[int, ...] = (),
    log=print,
) -> dict[str, Any]:
    workdir = common.work_dir("ceiling")
    db = common.ScratchDatabase(db_kind, workdir, name="bench_ceiling")
    fake = common.FakeServer(workdir)
    try:
        env = common.base_env(db.url, fake.url, REDIS_URL=redis_url)
        db.migrate(env)
        common.django_setup(db.url, fake.url, REDIS_URL=redis_url)
        from fake_scrapecreators.config import REAL_LATENCY
        from scraping import engine, services
        from sysconfig.registry import REGISTRY

        engine.enqueue = services.enqueue = lambda *a, **k: None  # the loop runs the steps
        rps = int(REGISTRY["api_limits.requests_per_second"].maximum or 500)
        defaults = {name: REGISTRY[name].default_for("development") for name in FIXED_8}
        owner, campaign = common.make_owner()
        results = []
        for label, case, ceiling, knobs, limit in RUNS:
            if ceilings and ceiling not in ceilings:
                continue
            common.set_knobs({"api_limits.requests_per_second": rps, **defaults, **knobs})
            fake_config = {
                "latency_profile": "real",
                "time_scale": time_scale,
                "jitter": jitter,
                "ceiling_concurrency": ceiling,
                "retry_after": round(1.0 * time_scale, 3),  # 1 s real, scaled like latency
            }
            if limit == FRESH:
                _reset_limiter()
            r = run_engine(
                "tiktok_keyword", TARGET, fake, fake_config, owner, campaign, time_scale, case=case
            )
            terms = r["chain_terms"] or case["keywords"]
            r.update(
                critical_path(
                    "tiktok_keyword",
                    case,
                    r["delivered"],
                    ceiling,
                    REAL_LATENCY,
                    chains=r["chains"] or None,
                    pages_in_concurrency=True,
                )
            )
            r.update(
                label=label,
                floor=_calls_floor(case, r["delivered"]),
                ceiling=ceiling,
                limit=limit,
                share_429=round(r["answered_429"] / max(1, r["upstream_calls"]), 4),
                vs_bound=round(r["corrected"] / r["bound"], 2) if r["bound"] else None,
                real_rps_cap=round(rps * time_scale, 1),
            )
            log(
                f"{label:36} ceiling {ceiling:3} {limit:7} {r['status']:9} {r['delivered']:5} "
                f"corrected {r['corrected']:6.1f} s bound {r['bound']:6.1f} s "
                f"calls/creator {r['calls_per_creator']} 429s {r['share_429']:.2%} "
                f"chains {len(terms)}"
            )
            results.append(r)
        return {
            "db": db_kind,
            "redis": bool(redis_url),
            "time_scale": time_scale,
            "jitter": jitter,
            "target": TARGET,
            "runs": results,
        }
    finally:
        fake.stop()
        db.drop()


def _calls_floor(case: dict[str, Any], delivered: int) -> float:
    """Calls per creator of a search of `case` that pages each keyword in relevance order only
    (one page of each in turn, replayed offline) and stops at the page that shows the last
    creator: one profile call per creator plus those pages. Another order only adds repeats."""
    pages = sum(p for _, p in needed_work("tiktok_keyword", case, delivered)["chains"])
    return round((delivered + pages) / max(1, delivered), 3)


def _reset_limiter() -> None:
    """Every run starts from the limiter's starting cap, as a fresh deployment would."""
    from django.core.cache import caches

    caches["coordination"].clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--redis", default="", help="REDIS_URL: the limiter's shared cache")
    parser.add_argument("--time-scale", type=float, default=0.5)
    parser.add_argument("--jitter", type=float, default=0.2)
    parser.add_argument(
        "--ceiling", type=int, nargs="*", default=[], help="only the runs at these ceilings"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    args = parser.parse_args()
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    results = run(
        db_kind=args.db,
        redis_url=args.redis,
        time_scale=args.time_scale,
        jitter=args.jitter,
        ceilings=tuple(args.ceiling),
        log=log,
    )
    if args.json:
        print(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
