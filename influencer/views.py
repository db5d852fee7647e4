from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from core.redirects import local_url
from trials.accounts import api_tokens_revoke


@login_not_required
def landing(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "landing.html")


@login_not_required
def healthz(request):
    """Liveness for load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@login_not_required
def not_found(request, exception=None):
    """404 for every URL no route matched: JSON under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Not found.", "errors": {}}, status=404)
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"message": "Server error. It has been logged.", "errors": {}}, status=500
        )
    return render(request, "500.html", status=500)


@require_http_methods(["GET", "POST"])
def api_token(request):
    """Create, rotate or revoke the user's API token (Authorization: Token <key>)."""
    if request.method == "POST":
        action = request.POST.get("action")
        api_tokens_revoke(user=request.user)
        if action == "create":
            Token.objects.create(user=request.user)
            messages.success(request, "New API token created. The old one no longer works.")
        else:
            messages.success(request, "API token revoked.")
        return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "account/api_token.html", {"token": token})


@login_not_required
def admin_login(request):
    """/admin/login/: staff sign in on allauth's login page, whose failed attempts are rate
    limited (ACCOUNT_RATE_LIMITS); the admin's own form has no limit, so it is never served."""
    next_url = local_url(request, request.GET.get(REDIRECT_FIELD_NAME, ""), reverse("admin:index"))
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        # Signed in but not staff: allauth would send them straight back here.
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def admin_password_change(request):
    """/admin/password_change/: the account page's form, which also revokes API tokens."""
    return redirect("account_change_password")
