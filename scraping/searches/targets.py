"""Reading the target of a similar search."""

from scraping.client import NotFound
from scraping.state import JSONObject

from .base import Params, StepContext


class TargetNotFound(Exception):
    """The similar search's target does not exist: the job ends with this message."""


def fetch_target(ctx: StepContext, endpoint: str, params: Params, *, missing: str) -> JSONObject:
    """The target's profile body; TargetNotFound(`missing`) when upstream has no such account."""
    try:
        return ctx.get(endpoint, params)
    except NotFound as exc:
        raise TargetNotFound(missing) from exc


def not_found_message(account: str) -> str:
    return f"{account} was not found. Check the handle and start a new search."
