import pytest
import requests

from fake_scrapecreators.server import FakeScrapeCreatorsServer
from scraping.client import default_client
from tests.factories import make_campaign

# Fast retries in tests; the real values are minutes and seconds.
TEST_KNOBS = {
    "scraping.retry_base_delay": 0.01,
    "scraping.read_timeout": 2.0,
    "scraping.call_deadline": 20.0,
    "api_limits.requests_per_second": 500,
    "api_limits.max_concurrent_requests": 64,
}


class FakeControl:
    """Drives the fake ScrapeCreators server over its control endpoints."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def configure(self, **changes) -> None:
        requests.post(f"{self.base_url}/_fake/config", json=changes, timeout=5).raise_for_status()

    def calls(self) -> list[dict]:
        return requests.get(f"{self.base_url}/_fake/calls", timeout=5).json()["calls"]

    def calls_to(self, path: str) -> list[dict]:
        response = requests.get(f"{self.base_url}/_fake/calls", params={"path": path}, timeout=5)
        return response.json()["calls"]

    def reset(self) -> None:
        requests.post(f"{self.base_url}/_fake/reset", timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def fake_server():
    server = FakeScrapeCreatorsServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def knobs(monkeypatch):
    """Override sysconfig knobs for one test: knobs["scraping.lease"] = 1."""
    values = dict(TEST_KNOBS)
    monkeypatch.setattr("sysconfig.config._overrides", lambda: values)
    return values


@pytest.fixture
def fake_api(fake_server, settings, knobs):
    control = FakeControl(fake_server.base_url)
    control.reset()
    settings.SCRAPECREATORS_BASE_URL = fake_server.base_url
    settings.SCRAPECREATORS_API_KEY = "test-key"
    # The adaptive in-flight limit is shared state in the coordination cache: each test starts
    # from its start value, whatever the test before learned.
    default_client().limiter.adaptive.forget()
    return control


@pytest.fixture
def no_queue(monkeypatch):
    """Jobs are created but nothing runs their steps (no worker): a test runs them itself, or
    plays a worker that never came."""
    monkeypatch.setattr("scraping.services.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("scraping.engine.enqueue", lambda *a, **k: None)


@pytest.fixture
def campaign(user):
    return make_campaign(user, name="Runners")
