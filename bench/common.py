"""Shared plumbing of the benchmarks: processes, databases, knobs, machine facts, statistics."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- statistics ------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- the machine -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024)
    postgres = ""
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect(POSTGRES_SERVER + "postgres", connect_timeout=3) as conn:
            postgres = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    import django

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": mem_gb,
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": postgres,
        "os": f"{platform.system()} {platform.release()}",
    }


def machine_line(info: dict[str, Any]) -> str:
    pg = f", PostgreSQL {info['postgres']}" if info.get("postgres") else ""
    return (
        f"{info['date']}: {info['cpus']} CPUs ({info['cpu']}), {info['ram_gb']} GB RAM, "
        f"Python {info['python']}, Django {info['django']}, SQLite {info['sqlite']}{pg}"
    )


# --- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Proc:
    """A child process in its own session, so it can be killed with all its children."""

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], log_dir: Path, nice: int = 0
    ):
        self.name = name
        if nice:
            args = ["nice", "-n", str(nice), *args]
        self.log_path = log_dir / f"{name}.log"
        self.log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (this child and the workers it forked)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.popen.wait(timeout=10)
        else:
            self.kill(signal.SIGKILL)  # orphaned grandchildren, if any
        self.log.close()


def base_env(db_url: str, fake_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": db_url,
        "FAKE_SCRAPECREATORS_URL": fake_url,
        "SCRAPECREATORS_API_KEY": "",
        "REDIS_URL": "",
        "APP_ENV": "development",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def manage(args: list[str], env: dict[str, str], timeout: float = 300) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=timeout,
        stdout=subprocess.DEVNULL,
    )


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up in {timeout:.0f} s")
        time.sleep(0.1)


class FakeServer:
    """`python -m fake_scrapecreators` in its own process (so it never competes for our GIL)."""

    def __init__(self, log_dir: Path, nice: int = 0, **config: Any):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = Proc(
            f"fake-{self.port}",
            [PYTHON, "-m", "fake_scrapecreators", "--port", str(self.port)],
            {**os.environ, "PYTHONUNBUFFERED": "1"},
            log_dir,
            nice=nice,
        )
        wait_http(f"{self.url}/_fake/health")
        if config:
            self.configure(**config)

    def configure(self, **patch: Any) -> dict:
        r = requests.post(f"{self.url}/_fake/config", json=patch, timeout=10)
        r.raise_for_status()
        return r.json()

    def reset(self, **config: Any) -> None:
        requests.post(f"{self.url}/_fake/reset", timeout=10).raise_for_status()
        if config:
            self.configure(**config)

    def calls(self, path: str | None = None, since: int = 0) -> list[dict]:
        params: dict[str, Any] = {"since": since}
        if path:
            params["path"] = path
        return requests.get(f"{self.url}/_fake/calls", params=params, timeout=30).json()["calls"]

    def stop(self) -> None:
        self.proc.stop(timeout=5)


# --- databases -------------------------------------------------------------------------------


class ScratchDatabase:
    """A throw-away SQLite file or Postgres database, migrated, dropped on `drop()`."""

    def __init__(self, kind: str, work_dir: Path, name: str = "bench"):
        self.kind = kind
        if kind == "sqlite":
            self.path = work_dir / f"{name}.sqlite3"
            self.url = f"sqlite:///{self.path}"
            self.name = str(self.path)
        else:
            self.name = name
            self.url = f"{POSTGRES_SERVER}{name}"
            self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
            self._admin("CREATE DATABASE {}", name)

    @staticmethod
    def _admin(sql: str, name: str) -> None:
        import psycopg
        from psycopg import sql as psql

        with psycopg.connect(POSTGRES_SERVER + "postgres", autocommit=True) as conn:
            conn.execute(psql.SQL(sql).format(psql.Identifier(name)))

    def migrate(self, env: dict[str, str]) -> None:
        manage(["migrate", "--noinput"], {**env, "DATABASE_URL": self.url})

    def drop(self) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{self.path}{suffix}").unlink()
        else:
            with contextlib.suppress(Exception):
                self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)


def work_dir(prefix: str) -> Path:
    """A temporary directory for databases and process logs, removed at exit (set
    BENCH_KEEP_LOGS=1 to keep it for a look at the logs of gunicorn, qcluster and the fake)."""
    path = Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))
    if not os.environ.get("BENCH_KEEP_LOGS"):
        atexit.register(shutil.rmtree, path, True)
    return path


# --- Django in this process ------------------------------------------------------------------


def django_setup(db_url: str, fake_url: str, **extra: str) -> None:
    """Configure Django in the harness process (once) like the bench worker processes."""
    os.environ.update(base_env(db_url, fake_url, **extra))
    import django

    django.setup()


def set_knobs(values: dict[str, Any]) -> None:
    """Set knobs the way staff do: `SystemConfiguration` rows, picked up by every process."""
    from backoffice.services import config_set
    from sysconfig import config

    for name, value in values.items():
        config_set(admin=None, name=name, value=value)
    config.invalidate()


def make_owner(email: str = "bench@example.com", campaign_name: str = "Benchmarks"):
    """A user with a finished onboarding and a Pro plan, plus a campaign."""
    from django.contrib.auth import get_user_model

    from campaigns.models import Campaign

    user = get_user_model().objects.create_user(
        username=email,
        email=email,
        password="bench-password-123",  # noqa: S106
    )
    _unlimited(user)
    campaign = Campaign.objects.create(owner=user, name=campaign_name, status="active")
    return user, campaign


def _unlimited(user) -> None:
    """An onboarded Pro subscriber, so no plan limit or page gate stops a benchmark."""
    from datetime import timedelta

    from django.utils import timezone

    from trials.models import UserProfile

    now = timezone.now()
    UserProfile.objects.update_or_create(
        user=user,
        defaults={
            "onboarding_step": UserProfile.OnboardingStep.COMPLETED,
            "onboarding_completed_at": now,
            "plan": UserProfile.Plan.PRO,
            "subscription_status": UserProfile.SubscriptionStatus.ACTIVE,
            "trial_started_at": now - timedelta(days=1),
            "trial_ends_at": now + timedelta(days=30),
        },
    )


def dump_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=False, default=str)
