"""Upstream failures, classified once so callers can decide without parsing messages.

`retryable` errors (429, 5xx, timeouts, broken bodies) are retried by the client with backoff;
the others are never retried blindly. `fatal` errors stop the whole job (a bad key or no
credits will not fix themselves); a 404 only skips the one creator it concerned.
"""


class UpstreamError(Exception):
    retryable = False
    fatal = False

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


class BadRequest(UpstreamError):
    pass


class AuthError(UpstreamError):
    fatal = True


class OutOfCredits(UpstreamError):
    fatal = True


class Forbidden(UpstreamError):
    pass


class NotFound(UpstreamError):
    pass


class RateLimited(UpstreamError):
    retryable = True


class ServerError(UpstreamError):
    retryable = True


class UpstreamTimeout(UpstreamError):
    retryable = True


class UpstreamUnavailable(UpstreamError):
    """Connection refused or reset before any answer."""

    retryable = True


class MalformedResponse(UpstreamError):
    """A 200 whose body is not the JSON object the contract promises."""

    retryable = True


_BY_STATUS = {400: BadRequest, 401: AuthError, 402: OutOfCredits, 403: Forbidden, 404: NotFound}

USER_MESSAGES = {
    AuthError: "ScrapeCreators rejected the API key (401). Staff: check SCRAPECREATORS_API_KEY.",
    OutOfCredits: "The ScrapeCreators account is out of credits (402). Top it up, then retry.",
}


def error_for_status(status: int, message: str, retry_after: float | None = None) -> UpstreamError:
    if status == 429:
        return RateLimited(message, status=status, retry_after=retry_after)
    if status >= 500:
        return ServerError(message, status=status, retry_after=retry_after)
    return _BY_STATUS.get(status, UpstreamError)(message, status=status)


def user_message(error: UpstreamError) -> str:
    """Plain words for the job's error field."""
    return USER_MESSAGES.get(type(error), f"Upstream error: {error.message}")


class CallStopped(Exception):
    """The caller's stop flag (a cancel) was set before the next attempt went out: upstream was
    not asked (again). Not an `UpstreamError`: nothing failed upstream."""
