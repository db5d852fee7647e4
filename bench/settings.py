"""Settings for benchmark processes: the harness, gunicorn and `manage.py qcluster`.

Development settings with production-like behaviour (DEBUG off, quiet logs) on whatever
`DATABASE_URL` the runner passes, talking to the fake ScrapeCreators server at
`FAKE_SCRAPECREATORS_URL`. Knobs are set as `SystemConfiguration` rows by the runner (see
`bench.common.set_knobs`), exactly as staff would set them. The `bench` app adds optional step
instrumentation for the scale-out proof (`BENCH_STEP_LOG`, see `bench.apps`).
"""

from influencer.settings.dev import *  # noqa: F403
from influencer.settings.dev import INSTALLED_APPS, LOGGING, Q_CLUSTER, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.apps.BenchConfig"]
# Static files straight from the finders: the benchmarks never run collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": env.str("LOG_LEVEL", "WARNING")}}

# The broker's idle poll is a fixed wall-clock pause; benchmarks that compress time with the fake
# server's time_scale compress it too (BENCH_Q_POLL), so it keeps its real share of a step.
Q_CLUSTER = {**Q_CLUSTER, "poll": env.float("BENCH_Q_POLL", default=Q_CLUSTER["poll"])}
