"""`GET /api/proxy/image?s=<signed>`: the avatar proxy. The signature is the authorisation."""

import logging
import time

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from . import proxy
from .signing import BadProxySignature, ExpiredProxySignature, unsign

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _secure(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _forbidden(message: str) -> HttpResponse:
    response = HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return _secure(response)


@login_not_required
@require_safe
def image(request: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    try:
        url, name = unsign(request.GET.get("s"))
    except ExpiredProxySignature:
        return _forbidden("Expired image link.")
    except BadProxySignature:
        logger.info("image proxy: bad signature")
        return _forbidden("Invalid image link.")

    outcome = proxy.serve(url, name)
    response = HttpResponse(outcome.body, content_type=outcome.content_type)
    response["Cache-Control"] = f"public, max-age={outcome.max_age}"
    response["X-Image-Proxy-Source"] = outcome.source
    response["X-Image-Original-Format"] = outcome.original_format
    response["X-Image-Fetch-Strategy"] = outcome.strategy
    response["X-Image-Final-Status"] = outcome.final_status
    response["X-Image-Proxy-Time"] = f"{(time.perf_counter() - started) * 1000:.1f}"
    return _secure(response)
