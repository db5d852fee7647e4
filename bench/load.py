"""Load benchmark: 50 concurrent pollers against gunicorn while three searches run.

    .venv/bin/python bench/load.py [--db sqlite|postgres] [--redis URL] [--pollers 50]
        [--seconds 20] [--json]

Processes (all on this machine): gunicorn (`influencer.wsgi`, 3 sync workers as in the
Procfile, DEBUG off), one `manage.py qcluster` (2 workers, niced as in the Procfile), the fake
ScrapeCreators server with the real latency profile at `--time-scale` (niced: it stands in for a
remote API), and the pollers (threads in this process, one HTTP keep-alive session each).

`--time-scale 1` (the default) runs the searches at the real API's speed: the issue's scenario.
`--time-scale 0.1` runs them ten times faster, so the worker writes as much as about thirty
real-time searches would: a stress row.

A user with an API token starts three searches through the REST API (TikTok keyword,
Instagram hashtag and YouTube keyword, 1,000 creators each); once they are running, the
pollers call `GET /api/jobs/<id>/` (status plus the first page of 50 creators, the search page's
poll) with `Authorization: Token …`, spread over the three jobs, in two phases:

- `paced`: each poller polls once a second (the search page polls every 2.5 s), i.e. 50 req/s;
- `saturation`: each poller sends its next request as soon as the previous one answered.

Every gunicorn worker answers a few polls before the phases (a cold worker's first request loads
code). Reported per phase: requests, throughput, p50/p90/p99/max latency as the pollers saw it,
p50/p99 of the server's own time (gunicorn's access log), errors (any non-200 or transport
error), and the creators the searches saved during the phase (they keep running).
The poll throttle knob is raised for the bench user (50 pollers share one account); the throttle
itself runs as shipped. `--redis` sets `REDIS_URL` for every process (the shared cache and the
throttle's cache in Redis, as recommended for production).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common

SEARCHES = [
    ("tiktok", {"keywords": ["fitness", "running", "yoga"]}),
    ("instagram-hashtag", {"hashtags": ["fitness", "running", "yoga", "travel", "food", "gaming"]}),
    ("youtube", {"keywords": ["fitness", "running", "yoga"]}),
]


def _poll_phase(
    base: str, token: str, job_ids: list[str], pollers: int, seconds: float, interval: float
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    start_gate = threading.Barrier(pollers + 1)
    stop_at = [0.0]

    def poller(i: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        url = f"{base}/api/jobs/{job_ids[i % len(job_ids)]}/"
        mine: list[float] = []
        start_gate.wait()
        # Spread the first requests over one interval, as real pollers would be.
        time.sleep(interval * i / pollers)
        next_at = time.perf_counter()
        while time.perf_counter() < stop_at[0]:
            t = time.perf_counter()
            try:
                r = session.get(url, timeout=10)
                ok = r.status_code == 200
                key = None if ok else f"HTTP {r.status_code}"
            except requests.RequestException as exc:
                key = type(exc).__name__
            elapsed = time.perf_counter() - t
            with lock:
                if key:
                    errors[key] = errors.get(key, 0) + 1
                else:
                    mine.append(elapsed)
            if interval:
                next_at += interval
                time.sleep(max(0.0, next_at - time.perf_counter()))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=poller, args=(i,), daemon=True) for i in range(pollers)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds + interval
    start_gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join(timeout=seconds + 30)
    duration = time.perf_counter() - began
    ms = [x * 1000 for x in latencies]
    count = len(ms) + sum(errors.values())
    return {
        "pollers": pollers,
        "interval_s": interval,
        "seconds": round(duration, 1),
        "requests": count,
        "rps": round(count / duration, 1),
        "p50_ms": round(common.percentile(ms, 50), 1),
        "p90_ms": round(common.percentile(ms, 90), 1),
        "p99_ms": round(common.percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def _server_times(access_log: Path, start: int) -> dict[str, Any]:
    """p50/p99 of the time gunicorn spent on the phase's polls (from its access log): the
    client-side figures add the wait for a free worker and the pollers' own scheduling."""
    with access_log.open("rb") as f:
        f.seek(start)
        ms = [int(line.split()[0]) / 1000 for line in f if line.strip()]
    return {
        "server_p50_ms": round(common.percentile(ms, 50), 1),
        "server_p99_ms": round(common.percentile(ms, 99), 1),
    }


def run(
    *,
    db_kind: str = "sqlite",
    pollers: int = 50,
    seconds: float = 20,
    time_scale: float = 1.0,
    web_workers: int = 3,
    redis_url: str = "",
    log=print,
) -> dict[str, Any]:
    workdir = common.work_dir("load")
    db = common.ScratchDatabase(db_kind, workdir, name="bench_load")
    # The fake stands in for a remote API: it must not take CPU from the web processes.
    fake = common.FakeServer(
        workdir, nice=10, latency_profile="real", time_scale=time_scale, jitter=0.2
    )
    procs: list[common.Proc] = []
    try:
        env = common.base_env(db.url, fake.url, REDIS_URL=redis_url)
        db.migrate(env)
        common.django_setup(db.url, fake.url, REDIS_URL=redis_url)
        from django.core.cache import caches

        for alias in ("default", "coordination"):  # nothing left from an earlier run (Redis)
            caches[alias].clear()
        from rest_framework.authtoken.models import Token

        from scraping.models import Creator, ScrapingJob

        common.set_knobs(
            {
                "api.throttle_poll_per_minute": 100_000,
                "api_limits.requests_per_second": min(500, round(20 / time_scale)),
            }
        )
        owner, campaign = common.make_owner("load@example.com")
        token = Token.objects.create(user=owner).key
        port = common.free_port()
        access_log = workdir / "access.log"
        base = f"http://127.0.0.1:{port}"
        procs.append(
            common.Proc(
                "gunicorn",
                [
                    str(common.BIN / "gunicorn"),
                    "influencer.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(web_workers),
                    "--log-level",
                    "warning",
                    # Server-side time of each request, in microseconds (%(D)s).
                    "--access-logfile",
                    str(access_log),
                    "--access-logformat",
                    "%(D)s %(s)s",
                ],
                env,
                workdir,
            )
        )
        procs.append(
            # Niced as in the Procfile: job steps yield the CPU to web requests.
            common.Proc("qcluster", [common.PYTHON, "manage.py", "qcluster"], env, workdir, nice=10)
        )
        common.wait_http(f"{base}/healthz")
        api = requests.Session()
        api.headers["Authorization"] = f"Token {token}"
        job_ids = []
        for kind, terms in SEARCHES:
            r = api.post(
                f"{base}/api/scraping/{kind}",
                json={"campaignId": str(campaign.pk), "targetResults": 1000, **terms},
                timeout=30,
            )
            r.raise_for_status()
            job_ids.append(r.json()["jobId"])
        deadline = time.monotonic() + 60
        while ScrapingJob.objects.filter(pk__in=job_ids, processed_results__gt=0).count() < 3:
            if time.monotonic() > deadline:
                raise RuntimeError("the searches did not start")
            time.sleep(0.2)
        for _ in range(10 * web_workers):  # warm every worker up
            api.get(f"{base}/api/jobs/{job_ids[0]}/", timeout=30).raise_for_status()
        phases = {}
        for name, interval in (("paced", 1.0), ("saturation", 0.0)):
            before = Creator.objects.filter(job_id__in=job_ids).count()
            log_start = access_log.stat().st_size
            phases[name] = _poll_phase(base, token, job_ids, pollers, seconds, interval)
            saved = Creator.objects.filter(job_id__in=job_ids).count() - before
            phases[name]["creators_saved_meanwhile"] = saved
            phases[name].update(_server_times(access_log, log_start))
            log(f"load {db_kind} redis={bool(redis_url)} {name}: {json.dumps(phases[name])}")
        statuses = list(
            ScrapingJob.objects.filter(pk__in=job_ids).values_list("status", "processed_results")
        )
        return {
            "db": db_kind,
            "redis": bool(redis_url),
            "web_workers": web_workers,
            "time_scale": time_scale,
            "jobs": statuses,
            "phases": phases,
        }
    finally:
        for proc in procs:
            proc.stop()
        fake.stop()
        db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pollers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--redis", default="", help="REDIS_URL for every process")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    result = run(
        db_kind=args.db,
        pollers=args.pollers,
        seconds=args.seconds,
        time_scale=args.time_scale,
        redis_url=args.redis,
        log=log,
    )
    if args.json:
        print(common.dump_json(result))


if __name__ == "__main__":
    main()
