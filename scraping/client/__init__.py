"""The ScrapeCreators HTTP client: one session, timeouts, retries, a shared rate limiter."""

from .client import CallRecord, ScrapeCreatorsClient, UpstreamResponse, default_client
from .errors import (
    AuthError,
    BadRequest,
    CallStopped,
    Forbidden,
    MalformedResponse,
    NotFound,
    OutOfCredits,
    RateLimited,
    ServerError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

__all__ = [
    "AuthError",
    "BadRequest",
    "CallRecord",
    "CallStopped",
    "Forbidden",
    "MalformedResponse",
    "NotFound",
    "OutOfCredits",
    "RateLimited",
    "ScrapeCreatorsClient",
    "ServerError",
    "UpstreamError",
    "UpstreamResponse",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "default_client",
]
