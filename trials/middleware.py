"""Onboarding gate and PaymentRequired responses.

- A signed-in user who has not finished onboarding is sent to it from every app page. Exempt:
  staff, public views (@login_not_required: landing, health check, the webhook, …), the
  onboarding and account pages, the admin, the API (it answers normally; its entitlement
  checks answer 402), static files.
- PaymentRequired raised by any view becomes a 402: JSON with the upgrade URL for the API,
  a page with the message and a link for pages.
"""

from django.http import JsonResponse
from django.shortcuts import redirect, render

from core.errors import PaymentRequired

from .selectors import onboarding_required

EXEMPT_PREFIXES = ("/onboarding/", "/accounts/", "/admin/", "/api/", "/static/", "/billing/webhook")


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path_info.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def payment_required_response(request, exc: PaymentRequired):
    """The 402 for one PaymentRequired (usable from views that catch it themselves)."""
    if wants_json(request):
        return JsonResponse(
            # The API's one error format (core.api.error_response).
            {"message": exc.message, "errors": {}, "upgradeUrl": exc.upgrade_url},
            status=402,
            headers={"Cache-Control": "no-store"},
        )
    return render(
        request,
        "trials/payment_required.html",
        {
            "message": exc.message,
            "upgrade_path": exc.upgrade_path,
            "code": exc.code,
            "limit_reached": exc.code in ("campaign_limit", "creator_limit"),
        },
        status=402,
    )


class TrialMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        if request.path_info.startswith(EXEMPT_PREFIXES):
            return None
        if onboarding_required(request.user):
            return redirect("onboarding")
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, PaymentRequired):
            return payment_required_response(request, exception)
        return None
