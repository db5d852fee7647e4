"""URL policy and address classification, unit level."""

import pytest

from imageproxy import urlcheck
from imageproxy.errors import UrlRefused
from imageproxy.netguard import address_refusal


@pytest.fixture
def prod(settings):
    settings.IMAGE_PROXY_EXTRA_ALLOWED_HOSTS = []
    return settings


@pytest.mark.parametrize(
    ("url", "host", "port", "path"),
    [
        (
            "https://p16-sign-va.tiktokcdn.com/obj/abc~tplv.heic?x-expires=1&x-signature=a%2Fb",
            "p16-sign-va.tiktokcdn.com",
            443,
            "/obj/abc~tplv.heic?x-expires=1&x-signature=a%2Fb",
        ),
        ("https://tiktokcdn-us.com/a.jpeg", "tiktokcdn-us.com", 443, "/a.jpeg"),
        (
            "http://scontent.cdninstagram.com:80/v/t51.jpg",
            "scontent.cdninstagram.com",
            80,
            "/v/t51.jpg",
        ),
        (
            "https://scontent-lhr8-1.xx.fbcdn.net/v/a.jpg",
            "scontent-lhr8-1.xx.fbcdn.net",
            443,
            "/v/a.jpg",
        ),
        ("https://i.ytimg.com/vi/x/hqdefault.jpg", "i.ytimg.com", 443, "/vi/x/hqdefault.jpg"),
        ("https://YT3.GGPHT.com/abc=s88", "yt3.ggpht.com", 443, "/abc=s88"),
        ("HTTPS://lh3.googleusercontent.com:443", "lh3.googleusercontent.com", 443, "/"),
    ],
)
def test_allowed_urls(prod, url, host, port, path):
    target = urlcheck.check_url(url)
    assert (target.host, target.port, target.path, target.relaxed) == (host, port, path, False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "empty"),
        ("ftp://p16.tiktokcdn.com/a.jpg", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://p16.tiktokcdn.com:70/_x", "scheme"),
        ("https://p16.tiktokcdn.com:8443/a.jpg", "port"),
        ("https://p16.tiktokcdn.com:0/a.jpg", "port"),
        ("https://p16.tiktokcdn.com:99999/a.jpg", "malformed"),
        ("https://cdn@p16.tiktokcdn.com/a.jpg", "userinfo"),
        ("https://p16.tiktokcdn.com@127.0.0.1/a.jpg", "userinfo"),
        ("https://p16.tiktokcdn.com\\@evil.com/a.jpg", "backslash"),
        ("https://p16.tiktokcdn.com/a\r\nHost: evil.com", "characters"),
        ("https://p16.tiktokcdn.com/a b.jpg", "characters"),
        ("https://p16.tiktokcdn.com/\x00.jpg", "characters"),
        ("https://p16.tiktokcdñ.com/a.jpg", "characters"),
        ("https://tiktokcdn.com.evil.com/a.jpg", "not-allowlisted"),
        ("https://eviltiktokcdn.com/a.jpg", "not-allowlisted"),
        ("https://example.com/a.jpg", "not-allowlisted"),
        ("https://127.0.0.1/a.jpg", "ip-literal"),
        ("https://2130706433/a.jpg", "ip-literal"),
        ("https://0x7f.1/a.jpg", "ip-literal"),
        ("https://017700000001/a.jpg", "ip-literal"),
        ("https://[::1]/a.jpg", "ip-literal"),
        ("https://localhost/a.jpg", "hostname"),
        ("https://p16.tiktokcdn.com./a.jpg", "hostname"),
        ("https://-p16.tiktokcdn.com/a.jpg", "hostname"),
        ("https:///a.jpg", "no-host"),
        ("//p16.tiktokcdn.com/a.jpg", "scheme"),
        ("https://" + "a" * 2100 + ".tiktokcdn.com/", "too-long"),
    ],
)
def test_refused_urls(prod, url, reason):
    with pytest.raises(UrlRefused) as info:
        urlcheck.check_url(url)
    assert info.value.reason == reason


def test_allowlist_comes_from_sysconfig(prod, knobs):
    knobs["image_proxy.allowed_hosts"] = ["*.example.org", ".Cdn.Test"]
    assert urlcheck.check_url("https://img.example.org/a.jpg").host == "img.example.org"
    assert urlcheck.check_url("https://cdn.test/a.jpg").host == "cdn.test"
    with pytest.raises(UrlRefused):
        urlcheck.check_url("https://p16.tiktokcdn.com/a.jpg")


def test_extra_hosts_are_exact_and_allow_any_port(settings):
    settings.IMAGE_PROXY_EXTRA_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    target = urlcheck.check_url("http://127.0.0.1:8765/cdn/a.heic")
    assert (target.host, target.port, target.relaxed) == ("127.0.0.1", 8765, True)
    assert urlcheck.check_url("http://localhost:8765/").relaxed is True
    for other in ("http://127.0.0.2:8765/", "http://2130706433:8765/", "http://127.1:8765/"):
        with pytest.raises(UrlRefused):
            urlcheck.check_url(other)


def test_without_query_keeps_path():
    target = urlcheck.Target("https", "p16.tiktokcdn.com", 443, "/a/b.heic?x=1&y=2", False)
    assert target.without_query().url == "https://p16.tiktokcdn.com/a/b.heic"
    assert urlcheck.Target("http", "h.ytimg.com", 8080, "/", True).url == "http://h.ytimg.com:8080/"
    assert urlcheck.Target("http", "::1", 8765, "/a", True).url == "http://[::1]:8765/a"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("0.0.0.0", "unspecified"),  # noqa: S104
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "special-100.64.0.0/10"),
        ("100.127.255.254", "special-100.64.0.0/10"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("192.0.2.10", "private"),
        ("198.18.0.1", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:7f00:1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "ipv4-compatible"),
        ("64:ff9b::7f00:1", "nat64-loopback"),
        ("64:ff9b::a9fe:a9fe", "nat64-link-local"),
        ("64:ff9b::10.0.0.1", "nat64-private"),
        ("64:ff9b:1::1.2.3.4", "nat64-local"),
        ("2002:7f00:1::1", "6to4"),
        ("2002:0a00:0001::1", "6to4"),
        ("2002:0808:0808::1", "6to4"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "scoped"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "private"),
        ("not an ip", "not-an-address"),
    ],
)
def test_internal_addresses_are_refused(address, reason):
    assert address_refusal(address) == reason


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "151.101.1.1", "2606:4700::1111", "64:ff9b::808:808", "::ffff:8.8.4.4"]
)
def test_public_addresses_pass(address):
    assert address_refusal(address) is None


def test_loopback_exception_is_loopback_only():
    assert address_refusal("127.0.0.1", allow_loopback=True) is None
    assert address_refusal("::1", allow_loopback=True) is None
    assert address_refusal("::ffff:127.0.0.1", allow_loopback=True) is None
    # NAT64 of loopback is not loopback: still refused.
    assert address_refusal("64:ff9b::7f00:1", allow_loopback=True) == "nat64-loopback"
    for other in ("10.0.0.1", "169.254.169.254", "0.0.0.0", "fe80::1", "fc00::1"):  # noqa: S104
        assert address_refusal(other, allow_loopback=True) is not None
