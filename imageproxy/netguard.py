"""Connect-time address checks: the proxy only ever connects to public unicast addresses.

The host is resolved here (not by urllib3), every address it resolves to is classified, and the
socket is opened to a vetted IP; the original host name is still sent in `Host` and used for TLS
SNI and certificate verification, because urllib3 wraps our socket with `server_hostname=host`.
Resolving once and connecting to what we checked closes the DNS-rebinding gap between "check"
and "connect".

Refused: unspecified, loopback, private (RFC 1918 and friends), shared/CGNAT (100.64/10),
link-local, multicast, reserved, documentation and benchmark ranges, IPv6 unique-local and
site-local, and IPv6 forms that embed an IPv4 address we would refuse (IPv4-mapped,
IPv4-compatible, NAT64 64:ff9b::/96); 6to4, Teredo and local-use NAT64 are refused outright.

`allow_loopback=True` (only for hosts listed in `settings.IMAGE_PROXY_EXTRA_ALLOWED_HOSTS`, see
`urlcheck`) lets loopback addresses through and nothing else.
"""

import concurrent.futures
import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from .errors import AddressRefused, Refused

CONNECT_TIMEOUT = 5.0  # per address; the request's deadline bounds the total

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
Connector = Callable[[str, int, float], socket.socket]

_V4_BLOCKED = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_V6_BLOCKED = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback, IPv4-compatible
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments, Teredo (2001::/32) included
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "3fff::/20",  # documentation
        "64:ff9b:1::/48",  # local-use NAT64
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def address_refusal(address: str | IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why we would not connect to this address, or `None` if we may."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return "not-an-address"
    if ip.version == 6:
        if ip.scope_id:
            return "scoped"
        if ip.ipv4_mapped is not None:
            return address_refusal(ip.ipv4_mapped, allow_loopback=allow_loopback)
        if ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            inner = address_refusal(embedded, allow_loopback=False)
            return f"nat64-{inner}" if inner else None
        if ip in _NAT64_LOCAL:
            return "nat64-local"
        if ip.sixtofour is not None:
            return "6to4"
        if ip.teredo is not None:
            return "teredo"
        if ip in _IPV4_COMPATIBLE and int(ip) > 1:
            return "ipv4-compatible"
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    for label, flag in (
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return label
    if ip.version == 6 and ip.is_site_local:
        return "site-local"
    blocked = _V4_BLOCKED if ip.version == 4 else _V6_BLOCKED
    for network in blocked:
        if ip in network:
            return f"special-{network}"
    if not ip.is_global:
        return "not-global"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (TCP), in order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = str(sockaddr[0])
        if ip not in seen:
            seen.append(ip)
    return seen


def system_connector(ip: str, port: int, timeout: float) -> socket.socket:
    sock = socket.create_connection((ip, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


# getaddrinfo has no timeout of its own: it runs here so a slow resolver cannot outlive the
# deadline (the thread finishes in the background; the request does not wait for it).
_RESOLVER_POOL = concurrent.futures.ThreadPoolExecutor(
    max_workers=8, thread_name_prefix="imageproxy-dns"
)


class Guard:
    """Resolves, vets every address, connects to a vetted one. Tests inject resolver/connector."""

    def __init__(
        self, *, resolver: Resolver | None = None, connector: Connector | None = None
    ) -> None:
        self.resolver = resolver
        self.connector = connector

    def vetted_addresses(
        self, host: str, port: int, *, allow_loopback: bool, timeout: float
    ) -> list[str]:
        resolver = self.resolver or system_resolver
        future = _RESOLVER_POOL.submit(resolver, host, port)
        try:
            addresses = list(future.result(timeout=timeout))
        except concurrent.futures.TimeoutError as exc:
            raise TimeoutError(f"resolving {host} timed out") from exc
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} has no address")
        for address in addresses:
            reason = address_refusal(address, allow_loopback=allow_loopback)
            if reason:
                # One bad address refuses the host: a resolver mixing public and internal
                # answers is exactly what a rebinding attack looks like.
                raise AddressRefused(f"{host} resolves to {address} ({reason})", reason=reason)
        return addresses

    def connect(self, host: str, port: int, *, allow_loopback: bool, deadline) -> socket.socket:
        addresses = self.vetted_addresses(
            host, port, allow_loopback=allow_loopback, timeout=deadline.remaining()
        )
        connector = self.connector or system_connector
        last_error: OSError | None = None
        for address in addresses:
            try:
                sock = connector(address, port, min(deadline.remaining(), CONNECT_TIMEOUT))
            except OSError as exc:
                last_error = exc
                continue
            deadline.register(sock)
            return sock
        raise last_error or OSError(f"could not connect to {host}")


if TYPE_CHECKING:
    _ConnectionBase = HTTPConnection  # what the mixin is mixed into (host, port, errors)
else:
    _ConnectionBase = object


class _GuardedMixin(_ConnectionBase):
    """Replaces urllib3's own resolve-and-connect with the guard's."""

    def __init__(self, *args, guard: Guard, deadline, allow_loopback: bool, **kwargs) -> None:
        self._guard = guard
        self._deadline = deadline
        self._allow_loopback = allow_loopback
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        try:
            return self._guard.connect(
                self.host, self.port, allow_loopback=self._allow_loopback, deadline=self._deadline
            )
        except Refused:
            raise
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"failed to connect to {self.host}: {exc}") from exc


class GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


def _ca_certs() -> str | None:
    try:
        import certifi
    except ImportError:  # pragma: no cover - requests brings certifi
        return None
    return certifi.where()


def open_pool(
    scheme: str, host: str, port: int, *, guard: Guard, deadline, allow_loopback: bool, timeout
) -> HTTPConnectionPool:
    """A one-connection pool whose connections go through the guard; no retries, no proxies."""
    common = {
        "host": host,
        "port": port,
        "timeout": timeout,
        "maxsize": 1,
        "block": False,
        "retries": False,
        "guard": guard,
        "deadline": deadline,
        "allow_loopback": allow_loopback,
    }
    if scheme == "https":
        return GuardedHTTPSConnectionPool(cert_reqs="CERT_REQUIRED", ca_certs=_ca_certs(), **common)
    return GuardedHTTPConnectionPool(**common)
