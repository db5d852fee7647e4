"""Staff tool pages inside the admin: overview, email testing, test users, image cache purge.

Anonymous visitors are sent to the admin login page; signed-in users who are not active staff
get 403.
"""

import logging
from functools import wraps

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from trials.models import ScheduledEmail
from trials.services.lifecycle_emails import email_render

from . import selectors, services
from .forms import EmailTestForm, TestUserForm
from .models import AdminAction

logger = logging.getLogger(__name__)


def staff_view(view):
    protected = admin.site.admin_view(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        return protected(request, *args, **kwargs)

    return login_not_required(wrapper)


def _render(request, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


@staff_view
@require_http_methods(["GET"])
def overview(request):
    return _render(request, "backoffice/overview.html", "Overview", stats=selectors.overview())


@staff_view
@require_POST
def image_cache_purge(request):
    services.image_cache_purge(admin=request.user)
    messages.success(request, "Image cache purged: avatars are fetched again on their next view.")
    return redirect("staff:overview")


@staff_view
@require_http_methods(["GET", "POST"])
def email_test(request):
    preview = None
    if request.method == "POST":
        form = EmailTestForm(request.POST)
        if form.is_valid():
            user, email_type = form.cleaned_data["user"], form.cleaned_data["email_type"]
            if "preview" in request.POST:
                return _email_page(request, form, _preview(user, email_type))
            try:
                if "schedule" in request.POST:
                    delay = form.cleaned_data["delay"] or "2m"
                    services.email_test_schedule(
                        admin=request.user, user=user, email_type=email_type, delay=delay
                    )
                    messages.success(request, f"{email_type} to {user.email} scheduled in {delay}.")
                else:
                    sent = services.email_test_send(
                        admin=request.user, user=user, email_type=email_type
                    )
                    status = getattr(sent, "status", "sent")
                    if status == "sent":
                        messages.success(request, f"{email_type} sent to {user.email}.")
                    else:
                        error = getattr(sent, "error", "")
                        messages.warning(
                            request, f"{email_type} to {user.email}: {status}. {error}".strip()
                        )
            except (ValueError, ValidationError) as exc:
                messages.error(request, f"Not sent: {exc}")
            query = urlencode({"user": user.email, "email_type": email_type})
            return HttpResponseRedirect(f"{reverse('staff:email_test')}?{query}")
    else:
        initial = {"email_type": request.GET.get("email_type") or "welcome"}
        if request.GET.get("user"):
            initial["user"] = request.GET["user"]
        form = EmailTestForm(initial=initial)
        if "preview" in request.GET:
            form = EmailTestForm(request.GET)
            if form.is_valid():
                preview = _preview(form.cleaned_data["user"], form.cleaned_data["email_type"])
    return _email_page(request, form, preview)


def _email_page(request, form, preview):
    user = _initial_user(form)
    recent = []
    if user is not None:
        recent = list(ScheduledEmail.objects.filter(user=user).order_by("-scheduled_for")[:20])
    return _render(
        request,
        "backoffice/email_test.html",
        "Email testing",
        form=form,
        preview=preview,
        selected_user=user,
        recent_emails=recent,
    )


def _preview(user, email_type: str) -> dict:
    subject, text, html = email_render(user=user, email_type=email_type)
    return {"subject": subject, "text": text, "html": html, "to": user.email, "type": email_type}


def _initial_user(form):
    if form.is_bound and form.is_valid():
        return form.cleaned_data["user"]
    raw = form.initial.get("user")
    if not raw:
        return None
    try:
        return form.fields["user"].clean(str(raw))
    except ValidationError:
        return None


@staff_view
@require_http_methods(["GET", "POST"])
def test_users(request):
    if request.method == "POST":
        form = TestUserForm(request.POST)
        if form.is_valid():
            try:
                user = services.test_user_create_by_staff(
                    admin=request.user,
                    state=form.cleaned_data["state"],
                    email=form.cleaned_data["email"] or None,
                )
            except (ValueError, ValidationError) as exc:
                messages.error(request, f"Not created: {exc}")
            else:
                messages.success(
                    request, f"Test user {user.email} created ({form.cleaned_data['state']})."
                )
                return redirect("staff:test_users")
    else:
        form = TestUserForm()
    created = (
        AdminAction.objects.filter(action=AdminAction.Action.TEST_USER_CREATED)
        .select_related("target_user", "admin")
        .order_by("-created_at")[:20]
    )
    return _render(
        request, "backoffice/test_users.html", "Test users", form=form, created=list(created)
    )
