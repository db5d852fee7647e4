"""The app keeps answering while an image host stalls: real gunicorn, the Procfile's settings.

gunicorn runs the Procfile's `web` command (`influencer.wsgi`, 3 workers of 8 threads) on the
test database. The image host accepts connections and never answers a byte. Twelve proxy
requests for twelve of its images arrive at once from one client: the client's fetch slots
(`image_proxy.max_fetches_per_client`, 6; the machine allows 12 from all clients) admit six,
which stall until the deadline; the other six get the busy placeholder at once, and `/healthz`
answers while the six are still stalled. Without the slots, the twelve held every worker for
deadlines in a row (31 s with the old 8 s deadline and sync workers), and `/healthz` waited.
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from backoffice.services import config_set
from imageproxy.signing import proxied_image_url

from .cdnserver import StallingServer

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PROXY_REQUESTS = 12
ADMITTED = 6  # image_proxy.max_fetches_per_client, default (one client here)
DEADLINE = 4  # seconds a stalled fetch holds its slot (the knob; 5 s by default)


def procfile_web_command(port: int) -> list[str]:
    """The Procfile's `web` line with its defaults, gunicorn from this virtualenv, on `port`."""
    line = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    command = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line.removeprefix("web:"))
    args = shlex.split(command)
    args[0] = str(Path(sys.executable).parent / args[0])
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    return args


def database_url() -> str:
    """The test database, for the gunicorn processes."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{params['USER'] or ''}{password}@{host}:{port}/{params['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stalling_host():
    server = StallingServer()
    yield server
    server.close()


@pytest.fixture
def gunicorn(tmp_path):
    """The base URL of gunicorn started as the Procfile says, with a short fetch deadline."""
    config_set(admin=None, name="image_proxy.deadline", value=f"{DEADLINE}s")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "influencer.settings.test",
        "DATABASE_URL": database_url(),
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            procfile_web_command(port),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, log_path)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def wait_until_up(base: str, proc: subprocess.Popen, log_path: Path) -> None:
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer: {log_path.read_text()[-2000:]}")


class Answers:
    """Proxy responses as they arrive, from many threads."""

    def __init__(self) -> None:
        self.received: list[tuple[str, requests.Response]] = []
        self._arrived = threading.Condition()

    def get(self, url: str) -> None:
        response = requests.get(url, timeout=60)
        with self._arrived:
            self.received.append((url, response))
            self._arrived.notify_all()

    def wait_for(self, count: int) -> list[tuple[str, requests.Response]]:
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout=60):
                pytest.fail(f"only {len(self.received)} of {count} proxy answers arrived")
            return list(self.received)


def in_parallel(urls: list[str], answers: Answers) -> list[threading.Thread]:
    threads = [threading.Thread(target=answers.get, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    return threads


def source(response: requests.Response) -> str:
    return response.headers["X-Image-Proxy-Source"]


def test_health_check_answers_while_proxy_requests_stall(stalling_host, gunicorn):
    # Every worker has served a request (a placeholder, no fetch) before the stalls begin.
    warm_up = Answers()
    for thread in in_parallel([gunicorn + proxied_image_url(None, "warm")] * 6, warm_up):
        thread.join(timeout=60)

    urls = [
        gunicorn + proxied_image_url(stalling_host.url(f"/avatar/{i}.jpeg"), f"Creator {i}")
        for i in range(PROXY_REQUESTS)
    ]
    answers = Answers()
    threads = in_parallel(urls, answers)

    over_limit = answers.wait_for(PROXY_REQUESTS - ADMITTED)
    health = requests.get(f"{gunicorn}/healthz", timeout=60)
    still_stalled = stalling_host.open

    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert still_stalled == ADMITTED  # the health check did not wait for the stalled fetches
    assert stalling_host.accepted == ADMITTED
    assert [source(response) for _url, response in over_limit] == ["placeholder-busy"] * (
        PROXY_REQUESTS - ADMITTED
    )
    for _url, response in over_limit:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Retry-After"] == str(DEADLINE)

    for thread in threads:
        thread.join(timeout=60)
    stalled = [(url, r) for url, r in answers.received if source(r) != "placeholder-busy"]
    assert [(source(r), r.headers["X-Image-Fetch-Strategy"]) for _url, r in stalled] == [
        ("placeholder-error", "placeholder")
    ] * ADMITTED

    # A stalled image is now remembered: asking for it again costs no connection upstream.
    again = requests.get(stalled[0][0], timeout=60)
    assert (source(again), again.headers["X-Image-Fetch-Strategy"]) == (
        "placeholder-error",
        "cache",
    )
    assert stalling_host.accepted == ADMITTED
