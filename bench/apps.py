"""Bench-only instrumentation, active when `BENCH_STEP_LOG` names a file.

For the scale-out proof every process appends one JSON line per job step it ran to that file:
`{"job", "token", "pid", "start", "end"}`, where `start` is taken right after the step's claim
(the conditional UPDATE) succeeded and `end` right before the step's commit transaction begins.
That interval covers all of the step's upstream work. The engine only lets a second step claim a
job after the first one committed (or its lease expired), so in a correct run the intervals of
one job never overlap; if two steps ever ran at once, the later claim would fall inside the
earlier interval and `bench.scaleout` reports it. Nothing here changes what the engine does.
"""

import json
import os
import threading
import time

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    label = "bench"
    verbose_name = "Benchmarks"

    def ready(self) -> None:
        path = os.environ.get("BENCH_STEP_LOG")
        if path:
            install_step_log(path)
        for name in filter(None, os.environ.get("BENCH_EXPERIMENTS", "").split(",")):
            EXPERIMENTS[name]()


# --- what-if experiments of the load benchmark (never on by default) --------------------------


def _no_poll_throttle() -> None:
    """Polls skip the per-user throttle (which writes its history to the cache every request)."""
    from influencer.api import PollThrottle

    PollThrottle.allow_request = lambda self, request, view: True


def _defer_job_state() -> None:
    """The poll loads the job without its `state` JSON (cursors and the seen set, ~60 KB)."""
    from django.shortcuts import get_object_or_404

    from scraping import selectors

    def job_get(*, user, job_id):
        jobs = selectors.job_list(user=user).select_related("campaign").defer("state")
        return get_object_or_404(jobs, pk=job_id)

    selectors.job_get = job_get


EXPERIMENTS = {"no-poll-throttle": _no_poll_throttle, "defer-job-state": _defer_job_state}


_lock = threading.Lock()
_claimed: dict[str, float] = {}


def install_step_log(path: str) -> None:
    from scraping import engine

    if getattr(engine, "_bench_step_log", None):
        return
    real_claim, real_commit = engine._claim, engine._commit

    def claim(job_id, token):
        job = real_claim(job_id, token)
        if job is not None:
            with _lock:
                _claimed[token] = time.time()
        return job

    def commit(job_id, token, *args, **kwargs):
        end = time.time()
        with _lock:
            start = _claimed.pop(token, None)
        if start is not None:
            line = json.dumps(
                {
                    "job": str(job_id),
                    "token": token,
                    "pid": os.getpid(),
                    "pgid": os.getpgid(0),
                    "start": start,
                    "end": end,
                }
            )
            # One write() of a short line on an O_APPEND file: lines of processes never mix.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)
        return real_commit(job_id, token, *args, **kwargs)

    engine._claim, engine._commit = claim, commit
    engine._bench_step_log = path
