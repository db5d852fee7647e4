"""Scale-out benchmark: the same six searches with one and with two worker processes (Postgres).

    .venv/bin/python bench/scaleout.py [--time-scale 0.2] [--workers-per-cluster 2] [--json]

For each configuration a scratch Postgres database `bench_scaleout` is created on
`BENCH_POSTGRES` (default postgres://postgres@127.0.0.1:5432/) and dropped afterwards. The fake
ScrapeCreators server runs with the real latency profile at `--time-scale`. Six searches (one of
each type, targets sized to similar amounts of upstream work) are created in one transaction
each, then N `manage.py qcluster` processes (`Q_WORKERS` worker processes each, the Procfile's
`worker`) run them to the end.

- Throughput: creators delivered / time from the first enqueue to the last job's completion,
  scaled back to real seconds (÷ time_scale), and the speed-up of two processes over one.
  The broker's idle poll is scaled like the latencies (`BENCH_Q_POLL`). The shared rate
  limiter's caps are raised for these two runs (`max_concurrent_requests` 64) so that what is
  measured is the workers, not the caps.
- Caps: a third run (two processes, half the targets, default caps) checks that the caps hold
  across processes: the peak number of upstream requests in flight, measured at the fake
  server, should stay at or under `api_limits.max_concurrent_requests` (16).
- Proof that no job step ran twice at once: every worker process writes one line per step
  (`bench.apps`, `BENCH_STEP_LOG`): the moment right after its claim succeeded and the moment
  right before its commit began. For every job, the intervals must not overlap (any overlap
  would mean a second claim while a step was still working); their number must equal the
  job's `steps` counter; the steps of one job were run by workers of both processes (the lease
  really changed hands between processes); no search page was fetched twice; no creator twice.
  The production call log says the same: no (job, step) has `ApiCall` rows under two lease
  tokens.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common

# One of each search type; targets chosen so each job needs roughly the same upstream time.
JOBS = [
    ("tiktok_keyword", 200),
    ("tiktok_similar", 200),
    ("instagram_hashtag", 60),
    ("instagram_similar", 60),
    ("youtube_keyword", 240),
    ("youtube_similar", 240),
]


def _peak_in_flight(calls: list[dict]) -> int:
    events = []
    for c in calls:
        if not c["path"].startswith("/v1/"):
            continue
        end = c["ts"]  # logged when the answer was ready
        events += [(end - c["duration_ms"] / 1000, 1), (end, -1)]
    peak = cur = 0
    for _, delta in sorted(events, key=lambda e: (e[0], e[1])):
        cur += delta
        peak = max(peak, cur)
    return peak


def _one_run(
    clusters: int,
    workers: int,
    time_scale: float,
    caps: dict[str, Any],
    db: common.ScratchDatabase,
    fake: common.FakeServer,
    workdir: Path,
    log,
    share: float = 1.0,
) -> dict[str, Any]:
    from django.core.cache import caches
    from django.db.models import Count
    from django_q.models import OrmQ, Task

    from bench.search import CASES
    from scraping.models import ApiCall, Creator, ProfileCache, ScrapingJob
    from scraping.services import job_create
    from sysconfig.models import SystemConfiguration

    # A clean slate: no jobs, queue, cached profiles, limiter slots or knobs from a run before.
    ScrapingJob.objects.all().delete()
    ProfileCache.objects.all().delete()
    OrmQ.objects.all().delete()
    Task.objects.all().delete()
    SystemConfiguration.objects.all().delete()
    for alias in ("default", "coordination"):
        caches[alias].clear()
    common.set_knobs(caps)
    fake.reset(latency_profile="real", time_scale=time_scale, jitter=0.2)
    owner, campaign = common.make_owner(f"scaleout-{clusters}-{time.time_ns()}@example.com")
    step_log = workdir / f"steps-{clusters}-{time.time_ns()}.jsonl"
    env = common.base_env(
        db.url,
        fake.url,
        Q_WORKERS=str(workers),
        BENCH_STEP_LOG=str(step_log),
        BENCH_Q_POLL=str(0.2 * time_scale),
    )
    jobs = [
        job_create(
            owner=owner, campaign=campaign, target_results=round(target * share), **CASES[key]
        )
        for key, target in JOBS
    ]
    job_ids = [j.pk for j in jobs]
    procs: list[common.Proc] = []
    started = time.perf_counter()
    try:
        for i in range(clusters):
            procs.append(
                common.Proc(
                    f"qcluster-{clusters}-{i}",
                    [common.PYTHON, "manage.py", "qcluster"],
                    env,
                    workdir,
                )
            )
        deadline = time.monotonic() + 600
        while ScrapingJob.objects.filter(pk__in=job_ids, completed_at__isnull=True).exists():
            if time.monotonic() > deadline:
                raise RuntimeError("scale-out jobs did not finish in 10 minutes")
            time.sleep(0.05)
        wall = time.perf_counter() - started
    finally:
        for proc in procs:
            proc.stop()
    done = list(ScrapingJob.objects.filter(pk__in=job_ids))
    calls = fake.calls()
    steps = [json.loads(line) for line in step_log.read_text().splitlines() if line]
    page_endpoints = [
        "/v1/tiktok/search/keyword",
        "/v1/tiktok/search/users",
        "/v1/tiktok/user/following",
        "/v1/instagram/search/hashtag",
        "/v1/youtube/search",
    ]
    ok_pages = ApiCall.objects.filter(
        job_id__in=job_ids, endpoint__in=page_endpoints, status_code=200
    )
    by_params = Counter(
        (c.job_id, c.endpoint, json.dumps(c.params, sort_keys=True)) for c in ok_pages
    )
    duplicates = sum(
        row["n"] - 1
        for row in Creator.objects.filter(job_id__in=job_ids)
        .values("job_id", "external_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    # The same question asked of the production call log: a (job, step) under two lease tokens.
    steps_under_two_leases = (
        ApiCall.objects.filter(job_id__in=job_ids)
        .values("job_id", "step")
        .annotate(tokens=Count("lease_token", distinct=True))
        .filter(tokens__gt=1)
        .count()
    )
    proof = _proof(
        steps,
        {str(j.pk): j.steps for j in done},
        pages_twice=sum(1 for n in by_params.values() if n > 1),
        duplicates=duplicates,
        all_completed=all(j.status == "completed" for j in done),
    )
    proof["steps_under_two_leases_in_call_log"] = steps_under_two_leases
    delivered = sum(j.processed_results for j in done)
    result = {
        "clusters": clusters,
        "workers_per_cluster": workers,
        "task_slots": clusters * workers,
        "targets_share": share,
        "caps": caps,
        "wall": round(wall, 2),
        "scaled_seconds": round(wall / time_scale, 1),
        "delivered": delivered,
        "creators_per_second": round(delivered / (wall / time_scale), 2),
        "jobs": [
            {
                "search": j.search_key,
                "status": j.status,
                "delivered": j.processed_results,
                "steps": j.steps,
            }
            for j in done
        ],
        "peak_in_flight": _peak_in_flight(calls),
        "proof": proof,
    }
    log(
        f"scale-out {clusters}x{workers} caps={caps}: {delivered} creators in "
        f"{result['scaled_seconds']} s -> {result['creators_per_second']}/s, "
        f"peak in flight {result['peak_in_flight']}, proof {json.dumps(proof)}"
    )
    return result


def _proof(
    steps: list[dict],
    counted: dict[str, int],
    *,
    pages_twice: int,
    duplicates: int,
    all_completed: bool,
) -> dict[str, Any]:
    by_job: dict[str, list[dict]] = defaultdict(list)
    for s in steps:
        by_job[s["job"]].append(s)
    overlaps = 0
    for intervals in by_job.values():
        intervals.sort(key=lambda s: s["start"])
        latest_end = float("-inf")
        for step in intervals:
            if step["start"] < latest_end:  # claimed while an earlier step was still working
                overlaps += 1
            latest_end = max(latest_end, step["end"])
    mismatched = [j for j, n in counted.items() if len(by_job.get(j, [])) != n]
    # The process group of a worker is its qcluster (each one is started in its own session).
    clusters_per_job = {j: len({s["pgid"] for s in by_job.get(j, [])}) for j in counted}
    return {
        "steps": len(steps),
        "overlapping_steps": overlaps,
        "step_count_mismatches": len(mismatched),
        "jobs_run_by_both_processes": sum(1 for n in clusters_per_job.values() if n > 1),
        "worker_processes_seen": len({s["pid"] for s in steps}),
        "pages_fetched_twice": pages_twice,
        "duplicate_creators": duplicates,
        "all_completed": all_completed,
    }


def run(*, time_scale: float = 0.2, workers_per_cluster: int = 2, log=print) -> dict[str, Any]:
    raised = {
        "api_limits.max_concurrent_requests": 64,
        "api_limits.requests_per_second": min(500, round(100 / time_scale)),
    }
    default_caps = {"api_limits.requests_per_second": min(500, round(20 / time_scale))}
    workdir = common.work_dir("scaleout")
    db = common.ScratchDatabase("postgres", workdir, name="bench_scaleout")
    fake = common.FakeServer(workdir)
    try:
        db.migrate(common.base_env(db.url, fake.url))
        common.django_setup(db.url, fake.url)
        runs = [
            _one_run(1, workers_per_cluster, time_scale, raised, db, fake, workdir, log),
            _one_run(2, workers_per_cluster, time_scale, raised, db, fake, workdir, log),
            # The caps check needs no full-size jobs: half the targets.
            _one_run(2, workers_per_cluster, time_scale, default_caps, db, fake, workdir, log, 0.5),
        ]
    finally:
        from django.db import connections

        connections.close_all()
        fake.stop()
        db.drop()
    return {
        "time_scale": time_scale,
        "runs": runs,
        "speedup": round(runs[1]["creators_per_second"] / runs[0]["creators_per_second"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=0.2)
    parser.add_argument("--workers-per-cluster", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    result = run(time_scale=args.time_scale, workers_per_cluster=args.workers_per_cluster, log=log)
    if args.json:
        print(common.dump_json(result))


if __name__ == "__main__":
    main()
