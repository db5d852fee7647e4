"""The fake server's own rate ceiling: past it the API answers 429 with Retry-After, as a real
rate-limited upstream does (for tuning our adaptive concurrency against it)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from fake_scrapecreators.testing import running_fake_server

KEY = {"x-api-key": "test-key"}
PROFILE = "/v1/tiktok/profile"


@pytest.fixture(scope="module")
def server():
    with running_fake_server() as sc:
        yield sc


@pytest.fixture
def sc(server):
    server.reset()
    return server


def configure(sc, **changes):
    requests.post(f"{sc.base_url}/_fake/config", json=changes, timeout=5).raise_for_status()


def get(sc, handle: str) -> requests.Response:
    return requests.get(sc.base_url + PROFILE, params={"handle": handle}, headers=KEY, timeout=10)


def test_beyond_the_concurrency_ceiling_requests_get_429_with_retry_after(sc):
    configure(sc, ceiling_concurrency=2, latency={PROFILE: 1.0}, retry_after=0.5)
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(lambda n: get(sc, "trailrunner_maya"), range(5)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 200, 429, 429, 429]
    refused = [a for a in answers if a.status_code == 429]
    assert {a.headers["Retry-After"] for a in refused} == {"0.5"}
    assert {a.json()["errorStatus"] for a in refused} == {429}
    # Once the two in flight have answered, the next request is admitted again.
    assert get(sc, "trailrunner_maya").status_code == 200


def test_beyond_the_per_second_ceiling_requests_wait_for_the_next_second(sc):
    configure(sc, ceiling_per_second=3)
    statuses = [get(sc, "trailrunner_maya").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = get(sc, "trailrunner_maya")
    assert refused.status_code == 429
    assert 0.05 <= float(refused.headers["Retry-After"]) <= 1.0
    calls = requests.get(f"{sc.base_url}/_fake/calls", params={"path": PROFILE}, timeout=5).json()
    assert [c["fault"] for c in calls["calls"]] == [
        None,
        None,
        None,
        "ceiling",
        "ceiling",
        "ceiling",
    ]


def test_no_ceiling_by_default(sc):
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: get(sc, "trailrunner_maya"), range(8)))
    assert {a.status_code for a in answers} == {200}


def test_a_negative_ceiling_is_refused(sc):
    response = requests.post(
        f"{sc.base_url}/_fake/config", json={"ceiling_concurrency": -1}, timeout=5
    )
    assert response.status_code == 400
    assert response.json() == {"error": "a ceiling is 0 (none) or a positive number"}
