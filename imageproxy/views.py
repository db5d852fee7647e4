"""`GET /api/proxy/image?s=<signed>[&w=<width>]`: the avatar proxy. The signature is the
authorisation; `w` must be the width signed into the token (one of `AVATAR_WIDTHS`)."""

import logging
import time

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from . import limits, proxy
from .signing import AVATAR_WIDTHS, BadProxySignature, ExpiredProxySignature, unsign_sized

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _secure(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _refused(message: str, status: int = 403) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return _secure(response)


def _width_problem(asked: str | None, signed: int | None) -> str:
    """Why the `w` parameter cannot go with this token's signed width; "" when it can."""
    allowed = " or ".join(str(w) for w in AVATAR_WIDTHS)
    wanted = None
    if asked is not None:
        if not (asked.isascii() and asked.isdigit() and len(asked) <= 4):
            return f"Unknown image width {asked[:16]!r}: the proxy serves widths {allowed}."
        wanted = int(asked)
        if wanted not in AVATAR_WIDTHS:
            return f"Unknown image width {wanted}: the proxy serves widths {allowed}."
    if signed is not None and signed not in AVATAR_WIDTHS:  # a width since withdrawn
        return f"Unknown image width {signed}: the proxy serves widths {allowed}."
    if wanted != signed:
        if signed is None:
            return f"Image width {wanted} is not signed for this link."
        return f"This link is signed for width {signed}: ask with w={signed}."
    return ""


@login_not_required
@require_safe
def image(request: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    try:
        url, name, width = unsign_sized(request.GET.get("s"))
    except ExpiredProxySignature:
        return _refused("Expired image link.")
    except BadProxySignature:
        logger.info("image proxy: bad signature")
        return _refused("Invalid image link.")
    problem = _width_problem(request.GET.get("w"), width)
    if problem:
        logger.info("image proxy: bad width", extra={"width": request.GET.get("w")})
        return _refused(problem, status=400)

    outcome = proxy.serve(url, name, client=limits.client_address(request), width=width)
    response = HttpResponse(outcome.body, content_type=outcome.content_type)
    if outcome.retry_after:
        # Too busy to fetch right now: the next view should ask again, not reuse this.
        response["Cache-Control"] = "no-store"
        response["Retry-After"] = str(outcome.retry_after)
    else:
        response["Cache-Control"] = f"public, max-age={outcome.max_age}"
    response["X-Image-Proxy-Source"] = outcome.source
    response["X-Image-Original-Format"] = outcome.original_format
    response["X-Image-Fetch-Strategy"] = outcome.strategy
    response["X-Image-Final-Status"] = outcome.final_status
    response["X-Image-Proxy-Time"] = f"{(time.perf_counter() - started) * 1000:.1f}"
    return _secure(response)
