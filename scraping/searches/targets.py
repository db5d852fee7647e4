"""Reading the target of a similar search."""

from scraping.client import NotFound

from .base import StepContext


class TargetNotFound(Exception):
    """The similar search's target does not exist: the job ends with this message."""


def fetch_target(ctx: StepContext, endpoint: str, params: dict) -> dict:
    try:
        return ctx.get(endpoint, params)
    except NotFound as exc:
        label = next(iter(params.values()))
        raise TargetNotFound(f"The target {label} was not found upstream.") from exc
