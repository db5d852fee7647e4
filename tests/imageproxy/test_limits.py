"""Fetch slots: per process, per machine and per client. Over a limit, the proxy answers at once
with a placeholder nobody caches, and fetches nothing.

Slots are held here with `limits.fetch_slot` itself, as a stalled fetch of another request would
hold them; `test_stalling_upstream.py` shows the same against real gunicorn workers.
"""

import pytest
from django.core.cache import caches

from imageproxy import limits
from imageproxy.signing import proxied_image_url

ALICE, BOB = "203.0.113.7", "198.51.100.9"


@pytest.fixture
def get_as(client):
    """GET the proxy for a URL as the client at `address`."""

    def get(address: str, url: str, name: str = "Creator"):
        return client.get(proxied_image_url(url, name), REMOTE_ADDR=address)

    return get


def busy(response) -> tuple:
    return (
        response.status_code,
        response["Content-Type"],
        response["X-Image-Proxy-Source"],
        response["X-Image-Fetch-Strategy"],
        response["X-Image-Final-Status"],
        response["Cache-Control"],
        response.get("Retry-After"),
    )


# The deadline knob is 1.5 s in these tests (conftest.TEST_KNOBS): a slot frees within 2 s.
BUSY = (
    200,
    "image/svg+xml; charset=utf-8",
    "placeholder-busy",
    "placeholder",
    "none",
    "no-store",
    "2",
)


def take_and_release(client: str) -> None:
    with limits.fetch_slot(client):
        pass


def held_leases() -> dict:
    keys = limits.machine_keys() + limits.client_keys(ALICE) + limits.client_keys(BOB)
    return caches["coordination"].get_many(keys)


def test_a_client_over_its_limit_gets_the_busy_placeholder_without_any_fetch(
    proxy_env, knobs, cdn, get_as
):
    knobs["image_proxy.max_fetches_per_client"] = 1
    with limits.fetch_slot(ALICE):
        response = get_as(ALICE, cdn.url("/avatar.jpeg"), "Ann")
        assert busy(response) == BUSY
        assert b">A</text>" in response.content
        assert cdn.requests == []
        # Another client still has the machine's second slot.
        other = get_as(BOB, cdn.url("/avatar.jpeg"))
        assert other["X-Image-Proxy-Source"] == "original"
    assert cdn.paths() == ["/avatar.jpeg"]


def test_the_machine_limit_holds_across_clients(proxy_env, knobs, cdn, get_as):
    knobs["image_proxy.max_fetches_per_machine"] = 1
    with limits.fetch_slot(ALICE):
        assert busy(get_as(BOB, cdn.url("/avatar.jpeg"))) == BUSY
    assert cdn.requests == []


def test_the_process_limit_is_checked_first_without_a_query(
    proxy_env, knobs, cdn, get_as, monkeypatch
):
    knobs["image_proxy.max_fetches_per_process"] = 1

    def no_shared_cache(*args, **kwargs):
        raise AssertionError("the shared cache was asked")

    with limits.fetch_slot(ALICE), monkeypatch.context() as patch:
        patch.setattr(caches["coordination"], "get_many", no_shared_cache)
        assert busy(get_as(BOB, cdn.url("/avatar.jpeg"))) == BUSY
    assert cdn.requests == []


@pytest.mark.parametrize(
    ("knob", "level"),
    [
        ("image_proxy.max_fetches_per_process", "process"),
        ("image_proxy.max_fetches_per_machine", "machine"),
        ("image_proxy.max_fetches_per_client", "client"),
    ],
)
def test_each_limit_names_its_level(proxy_env, knobs, knob, level):
    knobs[knob] = 1
    with limits.fetch_slot(ALICE), pytest.raises(limits.Busy) as refused:
        take_and_release(ALICE)
    assert refused.value.level == level


def test_a_refusal_gives_back_what_it_took(proxy_env, knobs):
    knobs["image_proxy.max_fetches_per_client"] = 1
    with limits.fetch_slot(ALICE):
        outer = held_leases()
        with pytest.raises(limits.Busy):
            take_and_release(ALICE)
        # The second machine slot it had taken before the client limit said no is free again.
        assert held_leases() == outer
        assert len(outer) == 2
        assert limits.process_slots.in_flight == 1
    assert held_leases() == {}
    assert limits.process_slots.in_flight == 0


def test_busy_answers_are_not_remembered(proxy_env, knobs, cdn, get_as):
    knobs["image_proxy.max_fetches_per_client"] = 1
    with limits.fetch_slot(ALICE):
        assert busy(get_as(ALICE, cdn.url("/avatar.jpeg"))) == BUSY
    response = get_as(ALICE, cdn.url("/avatar.jpeg"))
    assert response["X-Image-Proxy-Source"] == "original"
    assert response["X-Image-Fetch-Strategy"] == "initial-success"


@pytest.mark.parametrize("path", ["/avatar.jpeg", "/404"])
def test_cached_answers_need_no_slot(proxy_env, knobs, cdn, get_as, path):
    get_as(ALICE, cdn.url(path))
    knobs["image_proxy.max_fetches_per_process"] = 1
    with limits.fetch_slot(BOB):
        response = get_as(ALICE, cdn.url(path))
    assert response["X-Image-Fetch-Strategy"] == "cache"
    assert len(cdn.requests) == 1


@pytest.mark.parametrize("path", ["/avatar.jpeg", "/404", "/slow.jpeg", "/ladder/never.jpeg"])
def test_slots_are_released_whatever_the_fetch_gave(proxy_env, knobs, cdn, get_as, path):
    knobs["image_proxy.deadline"] = 0.3
    get_as(ALICE, cdn.url(path))
    assert held_leases() == {}
    assert limits.process_slots.in_flight == 0


def test_leases_outlive_the_deadline_only_briefly(proxy_env, knobs, monkeypatch):
    # A process killed mid-fetch never releases its leases: they expire on their own.
    knobs["image_proxy.deadline"] = 4
    coordination = caches["coordination"]
    timeouts = []
    real_add = coordination.add

    def recording_add(key, value, timeout):
        timeouts.append(timeout)
        return real_add(key, value, timeout)

    monkeypatch.setattr(coordination, "add", recording_add)
    with limits.fetch_slot(ALICE):
        pass
    assert timeouts == [14.0, 14.0]  # machine and client: deadline + LEASE_MARGIN


def test_a_broken_shared_cache_leaves_the_process_limit(proxy_env, knobs, cdn, get_as, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("coordination cache down")

    monkeypatch.setattr(caches["coordination"], "get_many", broken)
    response = get_as(ALICE, cdn.url("/avatar.jpeg"))
    assert response["X-Image-Proxy-Source"] == "original"
    knobs["image_proxy.max_fetches_per_process"] = 1
    with limits.fetch_slot(ALICE):
        assert busy(get_as(BOB, cdn.url("/avatar.png"))) == BUSY
    assert limits.process_slots.in_flight == 0


def test_limits_are_read_on_every_fetch(proxy_env, knobs):
    knobs["image_proxy.max_fetches_per_machine"] = 3
    knobs["image_proxy.max_fetches_per_client"] = 4
    assert len(limits.machine_keys()) == 3
    assert len(limits.client_keys(ALICE)) == 4
    assert limits.client_keys(ALICE) != limits.client_keys(BOB)


@pytest.mark.parametrize(
    ("remote_addr", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", ""),
        ("not-an-address", "not-an-address"),
    ],
)
def test_the_client_is_remote_addr_and_ipv6_counts_per_64(rf, remote_addr, client):
    request = rf.get("/api/proxy/image", REMOTE_ADDR=remote_addr)
    assert limits.client_address(request) == client


def test_forwarded_headers_are_not_trusted(rf):
    request = rf.get("/api/proxy/image", REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB)
    assert limits.client_address(request) == ALICE
