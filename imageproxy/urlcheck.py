"""Is this URL one the proxy may fetch? Parsing and policy only; addresses are checked at connect
time by `netguard`.

Rules: http or https; printable ASCII only (no whitespace, control characters, backslashes or
non-ASCII); no userinfo; a DNS host name (never an IP literal, in any of its decimal, octal or hex
spellings) that is one of the allowlisted domains (`image_proxy.allowed_hosts`, a domain allows its
subdomains) on port 80 or 443.

`settings.IMAGE_PROXY_EXTRA_ALLOWED_HOSTS` (development and tests only; empty in production) lists
exact host names or IP literals that are also allowed, on any port; `netguard` then lets exactly
those hosts connect to loopback addresses, so the fake ScrapeCreators CDN works offline.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from django.conf import settings

from sysconfig import config

from .errors import UrlRefused

MAX_URL_LENGTH = 2048
ALLOWED_SCHEMES = ("http", "https")
ALLOWED_PORTS = (80, 443)
DEFAULT_PORTS = {"http": 80, "https": 443}

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


@dataclass(frozen=True)
class Target:
    """A URL that passed the policy, split the way the fetcher needs it."""

    scheme: str
    host: str  # lower case, no brackets, no trailing dot
    port: int  # the effective port
    path: str  # path and query, at least "/"
    relaxed: bool  # host is in IMAGE_PROXY_EXTRA_ALLOWED_HOSTS: loopback allowed, any port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        netloc = host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"
        return f"{self.scheme}://{netloc}{self.path}"

    @property
    def has_query(self) -> bool:
        return "?" in self.path

    def without_query(self) -> "Target":
        return replace(self, path=self.path.split("?", 1)[0] or "/")


def allowed_domains() -> tuple[str, ...]:
    """The allowlist from sysconfig, normalised (`*.x.com`, `.x.com` and `x.com` mean the same)."""
    raw = config.get("image_proxy.allowed_hosts") or []
    domains = []
    for item in raw:
        domain = str(item).strip().lower().removeprefix("*.").strip(".")
        if domain:
            domains.append(domain)
    return tuple(domains)


def extra_hosts() -> frozenset[str]:
    """Exact hosts allowed by the settings module (development/tests), loopback included."""
    hosts = getattr(settings, "IMAGE_PROXY_EXTRA_ALLOWED_HOSTS", None) or ()
    return frozenset(str(h).strip().lower().strip("[]") for h in hosts if str(h).strip())


def host_allowed(host: str, domains: tuple[str, ...] | None = None) -> bool:
    domains = allowed_domains() if domains is None else domains
    return any(host == d or host.endswith("." + d) for d in domains)


def looks_like_ip(host: str) -> bool:
    """True for IP literals in any spelling a resolver might accept (`2130706433`, `0x7f.1`, …)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(host)  # accepts 127.1, 0x7f.0.0.1, 017700000001, 2130706433
        return True
    except (OSError, ValueError):
        pass
    last = host.rsplit(".", 1)[-1]
    return bool(_NUMERIC_LABEL.match(last))


def check_url(url: object) -> Target:
    """The parsed target if the URL may be fetched; raises `UrlRefused` otherwise."""
    if not isinstance(url, str) or not url:
        raise UrlRefused("empty url", reason="empty")
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused("url too long", reason="too-long")
    if any(not (0x21 <= ord(ch) <= 0x7E) for ch in url):
        raise UrlRefused("whitespace, control or non-ASCII character in url", reason="characters")
    if "\\" in url:
        raise UrlRefused("backslash in url", reason="backslash")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"malformed url: {exc}", reason="malformed") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UrlRefused(f"scheme {scheme!r} not allowed", reason="scheme")
    if not parts.netloc:
        raise UrlRefused("no host", reason="no-host")
    if "@" in parts.netloc:
        raise UrlRefused("userinfo in url", reason="userinfo")
    host = (parts.hostname or "").lower()
    if not host:
        raise UrlRefused("no host", reason="no-host")

    path = parts.path or "/"
    if not path.startswith("/"):
        raise UrlRefused("relative path", reason="malformed")
    if parts.query:
        path = f"{path}?{parts.query}"

    if host in extra_hosts():
        if port == 0:
            raise UrlRefused("port 0", reason="port")
        return Target(scheme, host, port or DEFAULT_PORTS[scheme], path, relaxed=True)

    if "[" in parts.netloc or looks_like_ip(host):
        raise UrlRefused(f"IP literal host {host!r} not allowed", reason="ip-literal")
    if len(host) > 253 or not _HOSTNAME.match(host):
        raise UrlRefused(f"invalid host name {host!r}", reason="hostname")
    if not host_allowed(host):
        raise UrlRefused(f"host {host!r} is not on the allowlist", reason="not-allowlisted")
    if port is not None and port not in ALLOWED_PORTS:
        raise UrlRefused(f"port {port} not allowed", reason="port")
    return Target(scheme, host, port or DEFAULT_PORTS[scheme], path, relaxed=False)
