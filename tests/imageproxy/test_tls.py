"""HTTPS through the guard: we connect to the vetted IP, but TLS still verifies the host name."""

import shutil
import ssl
import subprocess

import pytest

from imageproxy import netguard
from imageproxy.errors import FetchFailed
from imageproxy.fetch import Fetcher

from .cdnserver import CDN, start_server, static_route

HOST = "cdn.tiktokcdn.com"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=DNS:{HOST}",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def https_cdn(tls_files, images):
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = start_server(wrap=lambda sock: context.wrap_socket(sock, server_side=True))
    cdn = CDN(server)
    server.cdn = cdn
    server.images = images
    cdn.routes["/avatar.jpeg"] = static_route(images.jpeg, "image/jpeg")
    yield cdn
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls_env(settings, knobs, net, tls_files, monkeypatch):
    settings.IMAGE_PROXY_EXTRA_ALLOWED_HOSTS = [HOST, "other.tiktokcdn.com"]
    net.dns[HOST] = ["127.0.0.1"]
    net.dns["other.tiktokcdn.com"] = ["127.0.0.1"]
    monkeypatch.setattr(netguard, "_ca_certs", lambda: str(tls_files[0]))
    return net


def test_https_verifies_the_original_host_name(tls_env, https_cdn, images):
    result = Fetcher().fetch(f"https://{HOST}:{https_cdn.port}/avatar.jpeg")
    assert result.body == images.jpeg
    assert tls_env.connected == [("127.0.0.1", https_cdn.port)]
    assert https_cdn.requests[0].headers["host"] == f"{HOST}:{https_cdn.port}"


def test_https_refuses_a_certificate_for_another_name(tls_env, https_cdn):
    with pytest.raises(FetchFailed) as info:
        Fetcher().fetch(f"https://other.tiktokcdn.com:{https_cdn.port}/avatar.jpeg")
    assert info.value.reason == "network"
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value) or "match" in str(info.value)
    assert https_cdn.requests == []


def test_https_refuses_an_untrusted_certificate(tls_env, https_cdn, monkeypatch):
    monkeypatch.setattr(netguard, "_ca_certs", lambda: None)
    with pytest.raises(FetchFailed) as info:
        Fetcher().fetch(f"https://{HOST}:{https_cdn.port}/avatar.jpeg")
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)
    assert https_cdn.requests == []
