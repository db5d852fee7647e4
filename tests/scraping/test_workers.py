"""Real concurrency: several workers on one job, and the real django-q2 cluster."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from fake_scrapecreators import universe as fake
from scraping import engine
from scraping.models import ScrapingJob
from scraping.services import job_create

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def test_two_workers_never_process_one_job_at_the_same_time(fake_api, user, campaign, monkeypatch):
    monkeypatch.setattr("scraping.services.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("scraping.engine.enqueue", lambda *a, **k: None)
    job = job_create(
        owner=user,
        campaign=campaign,
        platform="tiktok",
        search_type="keyword",
        keywords=["running"],
        target_results=60,
    )
    lock = threading.Lock()
    active, overlaps, steps = [0], [0], [0]
    real_unit = engine._run_unit

    def watched_unit(*args):
        with lock:
            active[0] += 1
            overlaps[0] = max(overlaps[0], active[0])
            steps[0] += 1
        try:
            time.sleep(0.02)  # widen the window in which a second worker could sneak in
            return real_unit(*args)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(engine, "_run_unit", watched_unit)

    def worker():
        try:
            for _ in range(400):
                engine.job_step(job.pk)
                if ScrapingJob.objects.get(pk=job.pk).is_terminal:
                    return
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    job.refresh_from_db()
    assert job.status == "completed"
    assert overlaps[0] == 1, "two workers ran a step of the same job at once"
    assert steps[0] >= 3
    # The call log tells the same from the database: every step's calls under one lease token,
    # steps 1..n in order, each step's calls after the previous step's.
    calls = list(job.api_calls.values_list("step", "lease_token", "at"))
    assert sorted({step for step, _, _ in calls}) == list(range(1, job.steps + 1))
    tokens = {}
    for step, token, _ in calls:
        tokens.setdefault(step, set()).add(token)
    assert all(len(t) == 1 and "" not in t for t in tokens.values())
    first_call = {s: min(at for step, _, at in calls if step == s) for s in tokens}
    last_call = {s: max(at for step, _, at in calls if step == s) for s in tokens}
    assert all(last_call[s] <= first_call[s + 1] for s in range(1, job.steps))
    assert (
        list(job.creators.order_by("position").values_list("username", flat=True))
        == (fake.tiktok_keyword_unique_authors("running")[:60])
    )


@pytest.mark.slow
def test_the_real_task_queue_runs_a_job_to_completion(fake_api, user, campaign, settings):
    """Steps go through the ORM broker to a `manage.py qcluster` process."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    job = job_create(
        owner=user,
        campaign=campaign,
        platform="youtube",
        search_type="keyword",
        keywords=["trail running"],
        target_results=40,
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "influencer.settings.test",
        "Q_SYNC": "false",
        "SCRAPECREATORS_BASE_URL": fake_api.base_url,
        "DATABASE_URL": _database_url(),
    }
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_terminal:
                break
            time.sleep(0.3)
    finally:
        cluster.terminate()
        cluster.wait(timeout=30)
    assert (job.status, job.processed_results) == ("completed", 40)
    expected = fake.youtube_search_unique_channels("trail running")[:40]
    assert list(job.creators.order_by("position").values_list("external_id", flat=True)) == expected


def _database_url() -> str:
    """The test database, as a URL another process can open."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params["USER"] or ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"
