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
