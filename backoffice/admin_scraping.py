"""Searches, creators and upstream calls in the admin.

Rows here are records of what happened: read-only. What staff may do to a search (cancel,
retry, force a stuck one to error or completed) goes through audited services, as list actions
and as buttons on the search's page.
"""

import json

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.errors import PaymentRequired, StartThrottled
from core.numbers import whole_number
from scraping.models import ApiCall, Creator, CreatorMetrics, ProfileCache, ScrapingJob
from scraping.services import InvalidTransition
from scraping.transitions import ACTIVE_STATUSES

from .services import job_cancel_by_staff, job_force_status, job_retry_by_staff

SHOWN_CALLS = 50
SHOWN_CREATORS = 50


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: viewable, never added, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OwnerFilter(admin.SimpleListFilter):
    """The owners with the most searches; any owner through ?owner__id__exact=<id>."""

    title = "owner"
    parameter_name = "owner__id__exact"

    def lookups(self, request, model_admin):
        top = list(
            ScrapingJob.objects.order_by()
            .values_list("owner")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("owner", flat=True)[:20]
        )
        selected = whole_number(self.value())
        if selected is not None and selected not in top:
            top.append(selected)
        users = get_user_model().objects.in_bulk(top)
        return [(str(pk), users[pk].email or users[pk].username) for pk in top if pk in users]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        owner_id = whole_number(value)
        return queryset.none() if owner_id is None else queryset.filter(owner_id=owner_id)


def _step_label(call) -> str:
    """The step and the start of its lease token, e.g. `3 · 9f2c1a` (the tokens of one step
    number differ when the step was repeated after a lost lease)."""
    if call.step is None:
        return "—"
    return f"{call.step} · {call.lease_token[:6]}" if call.lease_token else str(call.step)


def _job_link(job_id) -> str:
    if job_id is None:
        return "—"
    url = reverse("admin:scraping_scrapingjob_change", args=[job_id])
    return format_html('<a href="{}">{}</a>', url, str(job_id)[:8])


@admin.register(ScrapingJob)
class ScrapingJobAdmin(admin.ModelAdmin):
    list_display = [
        "short_id",
        "owner",
        "campaign",
        "platform",
        "search_type",
        "query_label",
        "status",
        "progress",
        "processed_results",
        "target_results",
        "processed_runs",
        "credits_used",
        "created_at",
        "updated_at",
    ]
    list_display_links = ["short_id"]
    list_filter = ["status", "platform", "search_type", OwnerFilter, "created_at"]
    search_fields = ["id", "owner__email", "campaign__name", "target_username"]
    list_select_related = ["owner", "campaign"]
    date_hierarchy = "created_at"
    actions = ["cancel_jobs", "retry_jobs", "force_error", "force_completed"]
    change_form_template = "admin/scraping/scrapingjob/change_form.html"
    fieldsets = [
        (
            "Outcome",
            {
                "fields": [
                    "status",
                    "error_display",
                    "finish_reason",
                    "progress",
                    "processed_results",
                    "target_results",
                ]
            },
        ),
        (
            "Search",
            {
                "fields": [
                    "id",
                    "owner",
                    "campaign",
                    "platform",
                    "search_type",
                    "keywords",
                    "target_username",
                ]
            },
        ),
        (
            "Cost",
            {"fields": ["processed_runs", "search_calls", "api_call_budget", "credits_used"]},
        ),
        (
            "Timing",
            {"fields": ["created_at", "started_at", "updated_at", "completed_at", "timeout_at"]},
        ),
        ("Lease", {"fields": ["locked_until", "worker_id", "attempts", "steps"]}),
        ("Upstream calls", {"fields": ["api_calls_table"]}),
        ("Creators", {"fields": ["creators_table"]}),
        ("Task queue", {"fields": ["task_queue_links"]}),
        ("Engine state", {"fields": ["state_display"], "classes": ["collapse"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field for _, options in self.fieldsets for field in options["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # retention deletes searches, and logs it

    @admin.display(description="id", ordering="id")
    def short_id(self, obj):
        return str(obj.pk)[:8]

    @admin.display(description="query")
    def query_label(self, obj):
        return obj.query_label

    @admin.display(description="error")
    def error_display(self, obj):
        if not obj.error:
            return "—"
        return format_html('<strong class="errornote">{}</strong>', obj.error)

    @admin.display(description="state")
    def state_display(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.state, indent=2, default=str)[:20000])

    @admin.display(description="upstream calls")
    def api_calls_table(self, obj):
        total = obj.api_calls.count()
        if not total:
            return "No upstream calls yet."
        calls = list(obj.api_calls.order_by("-at", "-id")[:SHOWN_CALLS])
        link = reverse("admin:scraping_apicall_changelist") + f"?job__id__exact={obj.pk}"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td>"
            "<td>{} ms</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    call.at.strftime("%Y-%m-%d %H:%M:%S"),
                    _step_label(call),
                    call.endpoint,
                    json.dumps(call.params, default=str)[:200],
                    call.status_code or "—",
                    call.duration_ms,
                    "—" if call.credits_charged is None else call.credits_charged,
                    "—" if call.items is None else call.items,
                    f"{call.attempt}{' · cached' if call.cached else ''}",
                    call.error[:300] or "",
                )
                for call in calls
            ),
        )
        return format_html(
            '<p>{} calls; the latest {} below. <a href="{}">All calls of this search</a></p>'
            "<table><thead><tr><th>at</th><th>step</th><th>endpoint</th><th>params</th>"
            "<th>status</th>"
            "<th>time</th><th>credits</th><th>items</th><th>attempt</th><th>error</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            total,
            len(calls),
            link,
            rows,
        )

    @admin.display(description="creators")
    def creators_table(self, obj):
        total = obj.creators.count()
        if not total:
            return "No creators yet."
        creators = list(obj.creators.order_by("position")[:SHOWN_CREATORS])
        link = reverse("admin:scraping_creator_changelist") + f"?job__id__exact={obj.pk}"
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:scraping_creator_change", args=[creator.pk]),
                    creator.username or creator.external_id,
                    creator.display_name,
                    "—" if creator.followers is None else f"{creator.followers:,}",
                    ", ".join(creator.emails) or "—",
                    creator.keyword,
                )
                for creator in creators
            ),
        )
        return format_html(
            '<p>{} creators; the first {} below. <a href="{}">All creators of this search</a></p>'
            "<table><thead><tr><th>username</th><th>name</th><th>followers</th><th>emails</th>"
            "<th>found by</th></tr></thead><tbody>{}</tbody></table>",
            total,
            len(creators),
            link,
            rows,
        )

    @admin.display(description="task queue")
    def task_queue_links(self, obj):
        return task_queue_links()

    # --- actions: every one through an audited service --------------------------------------

    def _each(self, request, queryset, verb: str, call) -> None:
        done, refused = 0, []
        for job in queryset.select_related("owner"):
            try:
                call(job)
                done += 1
            except (InvalidTransition, ValidationError, PaymentRequired, StartThrottled) as exc:
                refused.append(f"{str(job.pk)[:8]}: {exc}")
        self.message_user(request, f"{done} search(es) {verb}.")
        if refused:
            self.message_user(request, " · ".join(refused), messages.WARNING)

    @admin.action(description="Cancel selected searches", permissions=["change"])
    def cancel_jobs(self, request, queryset):

        self._each(
            request, queryset, "cancelled", lambda j: job_cancel_by_staff(admin=request.user, job=j)
        )

    @admin.action(description="Retry selected searches", permissions=["change"])
    def retry_jobs(self, request, queryset):

        self._each(
            request, queryset, "retried", lambda j: job_retry_by_staff(admin=request.user, job=j)
        )

    @admin.action(description="Force selected stuck searches to error", permissions=["change"])
    def force_error(self, request, queryset):

        self._each(
            request,
            queryset,
            "forced to error",
            lambda j: job_force_status(admin=request.user, job=j, status="error"),
        )

    @admin.action(description="Force selected stuck searches to completed", permissions=["change"])
    def force_completed(self, request, queryset):

        self._each(
            request,
            queryset,
            "forced to completed",
            lambda j: job_force_status(admin=request.user, job=j, status="completed"),
        )

    # --- buttons on the search's page --------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(self.job_action_view)
        return [
            path(
                "<uuid:object_id>/do/<str:operation>/",
                view,
                name="scraping_scrapingjob_operation",
            ),
            *super().get_urls(),
        ]

    def job_action_view(self, request, object_id, operation):

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = get_object_or_404(ScrapingJob.objects.select_related("owner"), pk=object_id)
        if not self.has_change_permission(request, job):
            raise PermissionDenied
        reason = request.POST.get("reason", "")[:500]
        operations = {
            "cancel": lambda: job_cancel_by_staff(admin=request.user, job=job),
            "retry": lambda: job_retry_by_staff(admin=request.user, job=job),
            "force-error": lambda: job_force_status(
                admin=request.user, job=job, status="error", reason=reason
            ),
            "force-completed": lambda: job_force_status(
                admin=request.user, job=job, status="completed", reason=reason
            ),
        }
        if operation not in operations:
            raise PermissionDenied
        try:
            result = operations[operation]()
        except (InvalidTransition, ValidationError, PaymentRequired, StartThrottled) as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"Search is now {result.get_status_display().lower()}.")
        return HttpResponseRedirect(reverse("admin:scraping_scrapingjob_change", args=[job.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        if job is not None:
            extra |= {
                "can_cancel": job.status in ACTIVE_STATUSES,
                "can_retry": job.can_retry,
                "can_force": job.status in ACTIVE_STATUSES,
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})


def task_queue_links() -> str:
    links = [
        ("admin:django_q_ormq_changelist", "Queued tasks", ""),
        ("admin:django_q_success_changelist", "Successful tasks", "?q=scraping.tasks"),
        ("admin:django_q_failure_changelist", "Failed tasks", "?q=scraping.tasks"),
        ("admin:django_q_schedule_changelist", "Schedules", ""),
    ]
    return format_html_join(
        " · ",
        '<a href="{}{}">{}</a>',
        ((reverse(name), query, label) for name, label, query in links),
    )


@admin.register(Creator)
class CreatorAdmin(ReadOnlyAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["username", "platform", "followers", "has_email", "job_link", "created_at"]
    list_filter = ["platform", "has_email", "verified"]
    search_fields = ["username", "display_name", "external_id"]
    list_select_related = ["job"]
    show_full_result_count = False

    @admin.display(description="search")
    def job_link(self, obj):
        return _job_link(obj.job_id)


@admin.register(ApiCall)
class ApiCallAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "endpoint",
        "status_code",
        "duration_ms",
        "credits_charged",
        "items",
        "attempt",
        "cached",
        "job_link",
        "step_label",
    ]
    list_filter = ["endpoint", "status_code", "cached", "at"]
    date_hierarchy = "at"
    show_full_result_count = False

    @admin.display(description="search")
    def job_link(self, obj):
        return _job_link(obj.job_id)

    @admin.display(description="step · lease")
    def step_label(self, obj):
        return _step_label(obj)


@admin.register(ProfileCache)
class ProfileCacheAdmin(ReadOnlyAdmin):
    list_display = ["platform", "key", "fetched_at"]
    list_filter = ["platform"]
    search_fields = ["key"]


@admin.register(CreatorMetrics)
class CreatorMetricsAdmin(ReadOnlyAdmin):
    """Recent-content metrics, shared by every search and user (public data)."""

    list_display = ["platform", "handle", "external_id", "status", "fetched_at", "requested_at"]
    list_filter = ["platform", "status"]
    search_fields = ["handle", "external_id"]
