"""The accessor: overrides, the shared version stamp, hot reload (also across processes)."""

import dataclasses
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection

from backoffice import services
from sysconfig import config
from sysconfig.models import SystemConfiguration
from sysconfig.registry import REGISTRY

ROOT = Path(__file__).resolve().parents[2]

cache = caches["coordination"]


def override(name: str, value: str) -> None:
    category, key = name.split(".", 1)
    SystemConfiguration.objects.create(category=category, key=key, value=value)


@pytest.mark.django_db
def test_defaults_without_overrides():
    assert config.get("scraping.lease") == 300.0
    assert config.get("api_limits.max_api_calls_tiktok_keyword") == 300
    assert config.get("scraping.upstream_cache_max_age") == "7d"
    assert config.get("ui.poll_interval") == 2.5


@pytest.mark.django_db
def test_overrides_are_typed_values():
    override("scraping.lease", "2m")
    override("api_limits.requests_per_second", "50")
    override("image_proxy.allowed_hosts", "a.com, b.com")
    assert config.get("scraping.lease") == 120.0
    assert config.get("api_limits.requests_per_second") == 50
    assert config.get("image_proxy.allowed_hosts") == ["a.com", "b.com"]


@pytest.mark.django_db
def test_a_saved_change_is_seen_by_this_process_on_commit(commit_hooks, superuser):
    assert config.get("scraping.lease") == 300.0
    with commit_hooks():
        services.config_set(admin=superuser, name="scraping.lease", value="90s")
    assert config.get("scraping.lease") == 90.0
    with commit_hooks():
        services.config_reset(admin=superuser, name="scraping.lease")
    assert config.get("scraping.lease") == 300.0


@pytest.mark.django_db
def test_the_snapshot_is_reused_until_the_stamp_moves(django_assert_num_queries):
    config.get("scraping.lease")  # loads
    with django_assert_num_queries(0):
        for _ in range(1000):
            config.get("scraping.lease")
    # Another process changes a row and bumps the stamp: seen after the check interval.
    override("scraping.lease", "1m")
    cache.set(config.STAMP_KEY, "another-version", timeout=None)
    assert config.get("scraping.lease") == 300.0  # within the interval: the snapshot
    config._snapshot.checked_at -= config.CHECK_INTERVAL
    assert config.get("scraping.lease") == 60.0


@pytest.mark.django_db
def test_a_stamp_check_costs_one_cache_read_when_nothing_changed(django_assert_num_queries):
    config.get("scraping.lease")
    config._snapshot.checked_at -= config.CHECK_INTERVAL
    with django_assert_num_queries(1):  # the database cache's SELECT of the stamp
        config.get("scraping.lease")


@pytest.mark.django_db
def test_an_evicted_stamp_makes_processes_reload_never_go_stale():
    assert config.get("scraping.lease") == 300.0
    override("scraping.lease", "4m")  # written while the stamp was lost
    cache.delete(config.STAMP_KEY)  # evicted (or the cache was flushed)
    config._snapshot.checked_at -= config.CHECK_INTERVAL
    assert config.get("scraping.lease") == 240.0
    assert cache.get(config.STAMP_KEY) is not None  # a new stamp was set


@pytest.mark.django_db
def test_an_unreadable_cache_keeps_the_last_values(monkeypatch, caplog):
    override("scraping.lease", "4m")
    assert config.get("scraping.lease") == 240.0

    def broken():
        raise ConnectionError("cache down")

    monkeypatch.setattr(config, "current_version", broken)
    config._snapshot.checked_at -= config.CHECK_INTERVAL
    assert config.get("scraping.lease") == 240.0
    assert "configuration could not be refreshed" in caplog.text


def test_without_a_database_the_defaults_are_used(caplog):
    # No django_db mark: any database access raises, as with a database that is down.
    assert config.get("scraping.lease") == 300.0
    assert "configuration could not be refreshed" in caplog.text


@pytest.mark.django_db
def test_invalid_or_unknown_rows_are_ignored_not_fatal(caplog):
    override("scraping.lease", "forever")
    override("scraping.gone_knob", "1")
    override("scraping.max_retries", "99")  # out of bounds (0–10), e.g. bounds tightened later
    assert config.get("scraping.lease") == 300.0
    assert config.get("scraping.max_retries") == 4
    assert "invalid override ignored" in caplog.text
    assert "override of an unknown knob ignored" in caplog.text


@pytest.mark.django_db
def test_a_knob_that_is_not_hot_reloadable_keeps_its_value_until_restart(
    monkeypatch, commit_hooks, superuser
):
    name = "scraping.enrichment_concurrency"
    monkeypatch.setitem(REGISTRY, name, dataclasses.replace(REGISTRY[name], hot_reloadable=False))
    override("scraping.lease", "1m")
    assert config.get(name) == 64  # the process starts
    with commit_hooks():
        services.config_set(admin=superuser, name=name, value="3")
        services.config_set(admin=superuser, name="scraping.lease", value="2m")
    assert config.get("scraping.lease") == 120.0  # hot: at once
    assert config.get(name) == 64  # not hot: what this process started with
    config.reset()  # a restart
    assert config.get(name) == 3


@pytest.mark.django_db
def test_tests_can_still_replace_the_overrides(monkeypatch):
    """The scraping tests' `knobs` fixture patches `_overrides`; keep that working."""
    monkeypatch.setattr("sysconfig.config._overrides", lambda: {"scraping.lease": 1.0})
    assert config.get("scraping.lease") == 1.0
    assert config.get("scraping.max_retries") == 4


# --- another process ------------------------------------------------------------------------

WATCHER = """
import os, sys, time
import django
django.setup()
from sysconfig import config
name, target = sys.argv[1], sys.argv[2]
print("start", repr(config.get(name)), flush=True)
last = None
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    value = config.get(name)
    if repr(value) != last:
        last = repr(value)
        print("value", last, flush=True)
    if last == target:
        break
    time.sleep(0.05)
"""


def _database_url() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params["USER"] or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


def _watch(name: str, target: str) -> tuple[subprocess.Popen, "queue.Queue[str]"]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "influencer.settings.test",
        "DATABASE_URL": _database_url(),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", WATCHER, name, target],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line.strip()) for line in proc.stdout], daemon=True
    ).start()
    return proc, lines


def _wait_for(lines: "queue.Queue[str]", wanted: str, timeout: float) -> float:
    start = time.monotonic()
    while True:
        remaining = timeout - (time.monotonic() - start)
        if remaining <= 0:
            raise AssertionError(f"never saw {wanted!r} within {timeout} s")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line == wanted:
            return time.monotonic() - start


@pytest.mark.django_db(transaction=True)
def test_a_change_reaches_another_process_within_five_seconds(make_user):
    admin = make_user("root@example.com", is_staff=True, is_superuser=True)
    proc, lines = _watch("scraping.lease", "45.0")
    try:
        _wait_for(lines, "start 300.0", timeout=60)  # the other process runs and has loaded
        services.config_set(admin=admin, name="scraping.lease", value="45s")
        assert _wait_for(lines, "value 45.0", timeout=5) < 5
    finally:
        proc.kill()
        proc.wait(timeout=10)

    proc, lines = _watch("scraping.lease", "300.0")
    try:
        _wait_for(lines, "start 45.0", timeout=60)
        services.config_reset(admin=admin, name="scraping.lease")
        assert _wait_for(lines, "value 300.0", timeout=5) < 5
    finally:
        proc.kill()
        proc.wait(timeout=10)
