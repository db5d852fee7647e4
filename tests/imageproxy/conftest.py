"""Fixtures for the image proxy: a local avatar CDN, a canary server, fake DNS, knob overrides.

Nothing here touches the network: host names resolve through the `net` fixture (unknown names fail
like NXDOMAIN), and the connector refuses anything but loopback and records every address the
proxy tried to connect to.
"""

import socket
from dataclasses import dataclass, field

import pytest

from imageproxy import netguard
from imageproxy.signing import proxied_image_url
from sysconfig import config

from .cdnserver import CDN, ROUTES, start_server, static_route
from .media import encode, photo

# ---------------------------------------------------------------------------------------------
# Test images


@dataclass(frozen=True)
class Images:
    heic: bytes
    heic_size: tuple[int, int]
    webp: bytes
    jpeg: bytes
    png: bytes
    gif: bytes
    avif: bytes


@pytest.fixture(scope="session")
def images() -> Images:
    size = (120, 90)
    base = photo(size)
    return Images(
        heic=encode(base, "HEIF"),
        heic_size=size,
        webp=encode(base, "WEBP"),
        jpeg=encode(base, "JPEG"),
        png=encode(base, "PNG"),
        gif=encode(base.convert("P"), "GIF"),
        avif=encode(base, "AVIF"),
    )


@pytest.fixture(scope="session")
def _cdn_server(images):
    server = start_server()
    server.images = images
    cdn = CDN(server)
    server.cdn = cdn
    cdn.routes.update(ROUTES)
    cdn.routes.update(
        {
            "/avatar.heic": static_route(images.heic, "image/heic"),
            "/avatar.heic-as-jpeg": static_route(images.heic, "image/jpeg"),
            "/avatar.webp": static_route(images.webp, "image/webp"),
            "/avatar.jpeg": static_route(images.jpeg, "image/jpeg"),
            "/avatar.png": static_route(images.png, "image/png"),
            "/avatar.gif": static_route(images.gif, "image/gif"),
            "/avatar.avif": static_route(images.avif, "image/avif"),
            "/truncated.jpeg": static_route(images.jpeg[: len(images.jpeg) // 2], "image/jpeg"),
        }
    )
    yield cdn
    server.shutdown()
    server.server_close()


@pytest.fixture
def cdn(_cdn_server):
    _cdn_server.requests.clear()
    return _cdn_server


@pytest.fixture(scope="session")
def _canary_server():
    """A loopback server that must never be reached: any request to it is an SSRF."""
    server = start_server()
    canary = CDN(server)
    server.cdn = canary
    yield canary
    server.shutdown()
    server.server_close()


@pytest.fixture
def canary(_canary_server):
    _canary_server.requests.clear()
    return _canary_server


# ---------------------------------------------------------------------------------------------
# Network boundary: fake DNS and a recording connector


@dataclass
class Net:
    dns: dict[str, list[str]]
    resolved: list[str] = field(default_factory=list)
    connected: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def net(monkeypatch):
    """Host names resolve from `net.dns` only; connections only ever go to loopback."""
    state = Net(dns={"localhost": ["127.0.0.1"]})

    def resolver(host: str, port: int) -> list[str]:
        state.resolved.append(host)
        if host in state.dns:
            return list(state.dns[host])
        try:
            import ipaddress

            return [str(ipaddress.ip_address(host))]
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} not in fake DNS") from None

    def connector(ip: str, port: int, timeout: float) -> socket.socket:
        state.connected.append((ip, port))
        if ip not in ("127.0.0.1", "::1"):
            raise ConnectionRefusedError(f"test connector refuses {ip}")
        return socket.create_connection((ip, port), timeout=timeout)

    monkeypatch.setattr(netguard, "system_resolver", resolver)
    monkeypatch.setattr(netguard, "system_connector", connector)
    return state


# ---------------------------------------------------------------------------------------------
# Knobs and settings

TEST_KNOBS = {
    "image_proxy.deadline": 1.5,
    "image_proxy.max_bytes": 200_000,
}


@pytest.fixture
def knobs(monkeypatch):
    """Override sysconfig knobs for one test: `knobs["image_proxy.deadline"] = 0.5`."""
    values = dict(TEST_KNOBS)
    real_get = config.get

    def get(name: str):
        return values[name] if name in values else real_get(name)

    monkeypatch.setattr(config, "get", get)
    return values


TIKTOK_TEST_HOSTS = [
    "p16-sign.tiktokcdn-us.com",
    "p16-sign-va.tiktokcdn.com",
    "p19-sign-va.tiktokcdn.com",
    "p16-amd-va.tiktokcdn.com",
    "p77-sign-va.tiktokcdn.com",
]


@pytest.fixture
def proxy_env(db, settings, knobs, net):
    """Development-like: loopback allowed for 127.0.0.1/localhost and the TikTok test names,
    which fake DNS maps to 127.0.0.1."""
    settings.IMAGE_PROXY_EXTRA_ALLOWED_HOSTS = ["127.0.0.1", "localhost", *TIKTOK_TEST_HOSTS]
    for host in TIKTOK_TEST_HOSTS:
        net.dns[host] = ["127.0.0.1"]
    return settings


@pytest.fixture
def production_env(db, settings, knobs, net):
    """Production rules: nothing extra is allowlisted, loopback is refused."""
    settings.IMAGE_PROXY_EXTRA_ALLOWED_HOSTS = []
    return settings


@pytest.fixture
def get_image(client):
    """GET the proxy for (url, name) through a signed link, as a page would."""

    def get(url: str | None, name: str = "Creator"):
        return client.get(proxied_image_url(url, name))

    return get
