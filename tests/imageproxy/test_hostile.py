"""Hostile inputs: every one is refused (403) or served a placeholder, never fetched from an
internal address, never a 500.

The environment is production-like: only one test host name, `cdn.tiktokcdn.com`, is
allowlisted for loopback (it is the local CDN that plays the hostile server); `127.0.0.1` and
`localhost` are NOT extra-allowed. A canary server listens on loopback: any request reaching it
is an SSRF. Fake DNS maps a few allowlisted names to internal addresses, like an attacker who
controls a record under an allowlisted domain (or a rebinding resolver) would.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core import signing as django_signing

from imageproxy.signing import SALT, proxied_image_url, sign

CDN_HOST = "cdn.tiktokcdn.com"

INTERNAL_DNS = {  # name: (addresses, why refused)
    "internal.tiktokcdn.com": (["10.0.0.7"], "private"),
    "loop.tiktokcdn.com": (["127.0.0.1"], "loopback"),
    "meta.tiktokcdn.com": (["169.254.169.254"], "link-local"),
    "cgnat.tiktokcdn.com": (["100.64.0.1"], "special-100.64.0.0/10"),
    "multicast.tiktokcdn.com": (["224.0.0.1"], "multicast"),
    "reserved.tiktokcdn.com": (["240.0.0.1"], "private"),
    "zero.tiktokcdn.com": (["0.0.0.0"], "unspecified"),  # noqa: S104
    "rebind.tiktokcdn.com": (["93.184.216.34", "127.0.0.1"], "loopback"),
    "v6loop.tiktokcdn.com": (["::1"], "loopback"),
    "mapped.tiktokcdn.com": (["::ffff:127.0.0.1"], "loopback"),
    "nat64.tiktokcdn.com": (["64:ff9b::a9fe:a9fe"], "nat64-link-local"),
    "sixtofour.tiktokcdn.com": (["2002:c0a8:0001::1"], "6to4"),
    "ula.tiktokcdn.com": (["fd00::1"], "private"),
    "linklocal.tiktokcdn.com": (["fe80::1"], "link-local"),
}


@dataclass(frozen=True)
class Case:
    url: Callable  # (cdn, canary) -> the upstream URL to sign
    fmt: str  # expected X-Image-Original-Format
    stage: str  # "url": refused before DNS; "dns": refused after DNS; "cdn": served by the CDN
    reason: str  # why, as logged by the proxy


def lit(url: str) -> Callable:
    return lambda cdn, canary: url.replace("CANARY", str(canary.port))


def via_cdn(path: str) -> Callable:
    return lambda cdn, canary: cdn.url(path, host=CDN_HOST)


def redirect_to(target: str) -> Callable:
    def build(cdn, canary):
        location = target.replace("CANARY", str(canary.port))
        return cdn.url(f"/redirect?to={quote(location, safe='')}", host=CDN_HOST)

    return build


CASES: dict[str, Case] = {
    # -- SSRF by IP literal (refused before any DNS) --------------------------------------
    "loopback": Case(lit("http://127.0.0.1:CANARY/a.jpg"), "blocked", "url", "ip-literal"),
    "loopback-https-443": Case(lit("https://127.0.0.1/a.jpg"), "blocked", "url", "ip-literal"),
    "localhost": Case(lit("http://localhost:CANARY/a.jpg"), "blocked", "url", "hostname"),
    "zero": Case(lit("http://0.0.0.0:CANARY/"), "blocked", "url", "ip-literal"),
    "rfc1918-10": Case(lit("http://10.0.0.1/a.jpg"), "blocked", "url", "ip-literal"),
    "rfc1918-172": Case(lit("http://172.16.0.1/a.jpg"), "blocked", "url", "ip-literal"),
    "rfc1918-192": Case(lit("http://192.168.1.1/a.jpg"), "blocked", "url", "ip-literal"),
    "metadata": Case(
        lit("http://169.254.169.254/latest/meta-data/"), "blocked", "url", "ip-literal"
    ),
    "cgnat": Case(lit("http://100.64.0.1/a.jpg"), "blocked", "url", "ip-literal"),
    "multicast": Case(lit("http://224.0.0.1/a.jpg"), "blocked", "url", "ip-literal"),
    "reserved": Case(lit("http://240.0.0.1/a.jpg"), "blocked", "url", "ip-literal"),
    "ipv6-loopback": Case(lit("http://[::1]:CANARY/a.jpg"), "blocked", "url", "ip-literal"),
    "ipv4-mapped": Case(lit("http://[::ffff:127.0.0.1]:CANARY/"), "blocked", "url", "ip-literal"),
    "ipv4-mapped-hex": Case(lit("http://[::ffff:7f00:1]:CANARY/"), "blocked", "url", "ip-literal"),
    "nat64": Case(lit("http://[64:ff9b::7f00:1]/"), "blocked", "url", "ip-literal"),
    "6to4": Case(lit("http://[2002:c0a8:1::1]/"), "blocked", "url", "ip-literal"),
    "link-local-v6": Case(lit("http://[fe80::1]/"), "blocked", "url", "ip-literal"),
    "ula": Case(lit("http://[fc00::1]/"), "blocked", "url", "ip-literal"),
    "decimal-ip": Case(lit("http://2130706433:CANARY/"), "blocked", "url", "ip-literal"),
    "hex-ip": Case(lit("http://0x7f.1:CANARY/"), "blocked", "url", "ip-literal"),
    "octal-ip": Case(lit("http://017700000001:CANARY/"), "blocked", "url", "ip-literal"),
    "octal-dotted-ip": Case(lit("http://0177.0.0.1:CANARY/"), "blocked", "url", "ip-literal"),
    "short-ip": Case(lit("http://127.1:CANARY/"), "blocked", "url", "ip-literal"),
    # -- malformed and smuggling URLs ------------------------------------------------------
    "userinfo": Case(lit("https://cdn@evil.example/a.jpg"), "blocked", "url", "userinfo"),
    "userinfo-allowlisted": Case(
        lit("http://p16.tiktokcdn.com@127.0.0.1:CANARY/"), "blocked", "url", "userinfo"
    ),
    "backslash": Case(
        lit("http://p16.tiktokcdn.com\\@127.0.0.1:CANARY/"), "blocked", "url", "backslash"
    ),
    "crlf": Case(
        lit("https://p16.tiktokcdn.com/a.jpg\r\nHost: 127.0.0.1"), "blocked", "url", "characters"
    ),
    "tab": Case(lit("https://p16.tiktok\tcdn.com/a.jpg"), "blocked", "url", "characters"),
    "nul": Case(lit("https://p16.tiktokcdn.com\x00.evil.example/"), "blocked", "url", "characters"),
    "non-ascii-host": Case(
        lit("https://p16.tiktokcdn.com。evil.example/"), "blocked", "url", "characters"
    ),
    "port-8080": Case(lit("https://p16.tiktokcdn.com:8080/a.jpg"), "blocked", "url", "port"),
    "port-22": Case(lit("http://p16.tiktokcdn.com:22/"), "blocked", "url", "port"),
    "port-garbage": Case(lit("http://p16.tiktokcdn.com:80x/"), "blocked", "url", "malformed"),
    "ftp": Case(lit("ftp://p16.tiktokcdn.com/a.jpg"), "blocked", "url", "scheme"),
    "file": Case(lit("file:///etc/passwd"), "blocked", "url", "scheme"),
    "gopher": Case(lit("gopher://127.0.0.1:CANARY/_GET%20/"), "blocked", "url", "scheme"),
    "data": Case(lit("data:image/png;base64,iVBORw0KGgo="), "blocked", "url", "scheme"),
    "javascript": Case(lit("javascript:alert(1)"), "blocked", "url", "scheme"),
    "scheme-relative": Case(lit("//p16.tiktokcdn.com/a.jpg"), "blocked", "url", "scheme"),
    "not-allowlisted": Case(lit("https://evil.example/a.jpg"), "blocked", "url", "not-allowlisted"),
    "suffix-trick": Case(
        lit("https://tiktokcdn.com.evil.example/a.jpg"), "blocked", "url", "not-allowlisted"
    ),
    "prefix-trick": Case(
        lit("https://eviltiktokcdn.com/a.jpg"), "blocked", "url", "not-allowlisted"
    ),
    "trailing-dot": Case(lit("https://p16.tiktokcdn.com./a.jpg"), "blocked", "url", "hostname"),
    "percent-host": Case(lit("http://%31%32%37.0.0.1:CANARY/"), "blocked", "url", "ip-literal"),
    # -- allowlisted names resolving inside (attacker DNS / rebinding) --------------------
    **{
        f"dns-{name.split('.')[0]}": Case(lit(f"https://{name}/a.jpg"), "blocked", "dns", why)
        for name, (_addresses, why) in INTERNAL_DNS.items()
    },
    # -- redirects -------------------------------------------------------------------------
    "redirect-loopback": Case(
        redirect_to("http://127.0.0.1:CANARY/"), "blocked", "cdn", "ip-literal"
    ),
    "redirect-metadata": Case(
        redirect_to("http://169.254.169.254/latest/meta-data/"), "blocked", "cdn", "ip-literal"
    ),
    "redirect-internal-dns": Case(
        redirect_to("http://internal.tiktokcdn.com/"), "blocked", "cdn", "private"
    ),
    "redirect-loop-dns": Case(
        redirect_to("http://loop.tiktokcdn.com/"), "blocked", "cdn", "loopback"
    ),
    "redirect-not-allowlisted": Case(
        redirect_to("https://evil.example/a.jpg"), "blocked", "cdn", "not-allowlisted"
    ),
    "redirect-file": Case(redirect_to("file:///etc/passwd"), "blocked", "cdn", "scheme"),
    "redirect-backslash": Case(
        redirect_to("http:\\\\127.0.0.1:CANARY/"), "blocked", "cdn", "backslash"
    ),
    "redirect-protocol-relative": Case(
        redirect_to("//127.0.0.1:CANARY/"), "blocked", "cdn", "ip-literal"
    ),
    "too-many-redirects": Case(via_cdn("/chain/4"), "other", "cdn", "redirects"),
    # -- bodies ----------------------------------------------------------------------------
    "oversize-content-length": Case(via_cdn("/oversize.jpeg"), "other", "cdn", "too-large"),
    "endless-chunked": Case(via_cdn("/endless.jpeg"), "other", "cdn", "too-large"),
    "lying-content-length-short": Case(via_cdn("/lying-short.jpeg"), "jpeg", "cdn", "undecodable"),
    "lying-content-length-long": Case(via_cdn("/lying-long.jpeg"), "other", "cdn", "network"),
    "slow-drip": Case(via_cdn("/drip.jpeg"), "other", "cdn", "deadline"),
    "slow-headers": Case(via_cdn("/slow.jpeg"), "other", "cdn", "deadline"),
    "gzip-encoding": Case(via_cdn("/gzip.jpeg"), "other", "cdn", "encoding"),
    "empty-body": Case(via_cdn("/empty.jpeg"), "other", "cdn", "not-image"),
    "server-error": Case(via_cdn("/500"), "other", "cdn", "status"),
    # -- content ---------------------------------------------------------------------------
    "bomb-png": Case(via_cdn("/bomb.png"), "png", "cdn", "decompression-bomb"),
    "too-many-pixels": Case(via_cdn("/big.png"), "png", "cdn", "too-many-pixels"),
    "html-as-jpeg": Case(via_cdn("/html.jpeg"), "other", "cdn", "not-image"),
    "svg": Case(via_cdn("/image.svg"), "other", "cdn", "not-image"),
    "svg-as-jpeg": Case(via_cdn("/svg-as-jpeg.jpeg"), "other", "cdn", "not-image"),
    "text-as-jpeg": Case(via_cdn("/text.jpeg"), "other", "cdn", "not-image"),
    "truncated-jpeg": Case(via_cdn("/truncated.jpeg"), "jpeg", "cdn", "undecodable"),
}


@pytest.fixture
def hostile_env(db, settings, knobs, net):
    settings.IMAGE_PROXY_EXTRA_ALLOWED_HOSTS = [CDN_HOST]
    knobs["image_proxy.deadline"] = 0.5
    net.dns.update({name: addresses for name, (addresses, _why) in INTERNAL_DNS.items()})
    net.dns[CDN_HOST] = ["127.0.0.1"]
    return net


def test_the_table_is_big_enough():
    assert len(CASES) + len(SIGNATURE_CASES) >= 40


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_upstream_urls_get_a_placeholder(name, hostile_env, cdn, canary, client, caplog):
    caplog.set_level(logging.INFO, logger="imageproxy")
    case = CASES[name]
    url = case.url(cdn, canary)
    started = time.monotonic()
    response = client.get(proxied_image_url(url, "Ann"))
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["X-Image-Proxy-Source"] == "placeholder-error"
    assert response["X-Image-Fetch-Strategy"] == "placeholder"
    assert response["X-Image-Original-Format"] == case.fmt
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b">A</text>" in response.content
    assert elapsed < 5.0  # bounded by the 0.5 s deadline, whatever the server does (slack for load)
    assert [r.reason for r in caplog.records if hasattr(r, "reason")] == [case.reason]

    # Never reached anything internal: the canary saw nothing, and the only address ever
    # connected to is the CDN test host itself.
    assert canary.requests == []
    assert {address for address, _port in hostile_env.connected} <= {"127.0.0.1"}
    assert {port for _address, port in hostile_env.connected} <= {cdn.port}
    if case.stage == "url":
        assert hostile_env.resolved == [] and hostile_env.connected == []
    elif case.stage == "dns":
        assert len(hostile_env.resolved) == 1 and hostile_env.connected == []
    else:
        assert hostile_env.resolved[0] == CDN_HOST
        assert cdn.requests, "the hostile CDN answered"


# -- signatures: refused with 403 before anything is fetched ------------------------------


def _expired_token(url: str) -> str:
    import time_machine

    with time_machine.travel(time.time() - 8 * 86400):
        return sign(url, "Ann")


def _tampered_token(url: str) -> str:
    good = sign("https://p16.tiktokcdn.com/a.jpg", "Ann")
    evil = sign(url, "Ann")
    # The payload of one token with the signature of another.
    return evil.rsplit(":", 1)[0] + ":" + good.rsplit(":", 1)[1]


SIGNATURE_CASES = {
    "no-parameters": lambda url: "",
    "unsigned-url-parameter": lambda url: f"url={quote(url, safe='')}",
    "raw-url-as-token": lambda url: f"s={quote(url, safe='')}",
    "empty-token": lambda url: "s=",
    "garbage-token": lambda url: "s=not.a:token",
    "tampered": lambda url: f"s={_tampered_token(url)}",
    "wrong-salt": lambda url: f"s={django_signing.dumps([url, 'x'], salt='another')}",
    "wrong-key": lambda url: f"s={django_signing.dumps([url, 'x'], salt=SALT, key='k' * 50)}",
    "expired": lambda url: f"s={_expired_token(url)}",
    "oversized-token": lambda url: "s=" + "a" * 9000,
}


@pytest.mark.parametrize("name", list(SIGNATURE_CASES))
def test_bad_signatures_are_refused_without_fetching(name, hostile_env, cdn, canary, client):
    url = cdn.url("/avatar.jpeg", host=CDN_HOST)
    response = client.get(f"/api/proxy/image?{SIGNATURE_CASES[name](url)}")
    assert response.status_code == 403
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    expected = b"Expired image link." if name == "expired" else b"Invalid image link."
    assert response.content == expected
    assert cdn.requests == [] and canary.requests == []
    assert hostile_env.resolved == [] and hostile_env.connected == []


def test_production_settings_refuse_the_fake_cdn_on_loopback(production_env, cdn, get_image):
    response = get_image(cdn.url("/avatar.jpeg"), "Ann")
    assert response["X-Image-Proxy-Source"] == "placeholder-error"
    assert response["X-Image-Original-Format"] == "blocked"
    assert cdn.requests == []


def test_the_loopback_exception_is_for_the_listed_host_only(hostile_env, cdn, get_image):
    # cdn.tiktokcdn.com may reach loopback; loop.tiktokcdn.com (same address) may not.
    assert get_image(cdn.url("/avatar.jpeg", host=CDN_HOST))["X-Image-Proxy-Source"] == "original"
    refused = get_image("http://loop.tiktokcdn.com/avatar.jpeg")
    assert refused["X-Image-Original-Format"] == "blocked"
    assert hostile_env.resolved == [CDN_HOST, "loop.tiktokcdn.com"]
    assert hostile_env.connected == [("127.0.0.1", cdn.port)]
    assert len(cdn.requests) == 1


def test_the_loopback_exception_does_not_extend_to_private_addresses(hostile_env, cdn, get_image):
    hostile_env.dns[CDN_HOST] = ["10.0.0.7"]
    response = get_image(cdn.url("/avatar.jpeg", host=CDN_HOST))
    assert response["X-Image-Original-Format"] == "blocked"
    assert hostile_env.connected == []


def test_a_hanging_resolver_cannot_outlive_the_deadline(hostile_env, get_image, monkeypatch):
    from imageproxy import netguard

    def hanging(host, port):
        time.sleep(2)
        return ["127.0.0.1"]

    monkeypatch.setattr(netguard, "system_resolver", hanging)
    started = time.monotonic()
    response = get_image(f"http://{CDN_HOST}/avatar.jpeg")
    assert time.monotonic() - started < 1.0
    assert response["X-Image-Proxy-Source"] == "placeholder-error"
    assert hostile_env.connected == []
