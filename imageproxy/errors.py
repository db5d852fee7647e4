"""Why the proxy did not serve an image. Every one of these ends as a placeholder, never a 500."""


class ProxyError(Exception):
    """Base class. `reason` is a short machine-readable word for logs."""

    reason = "error"

    def __init__(self, message: str = "", *, reason: str | None = None) -> None:
        super().__init__(message or self.reason)
        if reason:
            self.reason = reason


class Refused(ProxyError):
    """Our policy refused the request before or at connect time (SSRF guard). Nothing was sent."""

    reason = "refused"


class UrlRefused(Refused):
    """The URL itself is not allowed: scheme, port, host, userinfo, characters."""

    reason = "url-refused"


class AddressRefused(Refused):
    """The host resolved to an address we never connect to (loopback, private, …)."""

    reason = "address-refused"


class FetchFailed(ProxyError):
    """The upstream could not give us an image: network error, status, deadline, size."""

    reason = "fetch-failed"

    def __init__(
        self, message: str = "", *, reason: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, reason=reason)
        self.status = status


class UpstreamForbidden(FetchFailed):
    """Every step of the 403 ladder was answered with 403."""

    reason = "forbidden"


class ImageRejected(ProxyError):
    """The bytes are not an image we serve: unknown type, undecodable, too many pixels."""

    reason = "image-rejected"
