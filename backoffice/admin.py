"""System configuration and the audit log in the admin (users: `admin_users.py`)."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from sysconfig import config
from sysconfig.models import SystemConfiguration
from sysconfig.registry import REGISTRY
from sysconfig.values import bounds_label, format_value, parse

from . import (
    admin_scraping,  # noqa: F401  (searches, creators, API calls, caches)
    admin_tasks,  # noqa: F401  (django-q2's task admins, resubmit needs "change")
    admin_users,  # noqa: F401  (replaces Django's User admin)
    services,
)
from .models import AdminAction
from .selectors import knob_rows

HOT_RELOAD_NOTE = "Hot-reloadable: every web and worker process uses a new value within seconds."
RESTART_NOTE = "Not hot-reloadable: a new value takes effect at the next restart of each process."


def _knob_label(name: str) -> str:
    knob = REGISTRY[name]
    parts = [knob.type, f"default {format_value(knob, config.default(knob))}"]
    if bounds := bounds_label(knob):
        parts.append(bounds)
    if not knob.hot_reloadable:
        parts.append("restart needed")
    return f"{name} — {', '.join(parts)}"


class ConfigurationForm(forms.ModelForm):
    """Pick a knob (new override) and type its value; validated by the knob's type and bounds."""

    name = forms.ChoiceField(label="Knob")

    class Meta:
        model = SystemConfiguration
        fields = ["value"]
        widgets = {"value": forms.TextInput(attrs={"size": 60})}
        help_texts = {
            "value": "Numbers as 20 or 2.5; durations as 500ms, 90s, 2m, 1h or 7d; booleans as "
            "true or false; lists comma-separated."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].required = False
        if self.instance.pk:
            del self.fields["name"]
        else:
            taken = {row.name for row in SystemConfiguration.objects.all()}
            self.fields["name"].choices = [("", "---------")] + [
                (name, _knob_label(name)) for name in REGISTRY if name not in taken
            ]

    @property
    def knob_name(self) -> str:
        return self.instance.name if self.instance.pk else self.cleaned_data.get("name", "")

    def clean(self):
        cleaned = super().clean()
        knob = REGISTRY.get(self.knob_name)
        if knob is None:
            if self.instance.pk:
                raise ValidationError("This override belongs to a knob that no longer exists.")
            return cleaned
        try:
            cleaned["value"] = format_value(knob, parse(knob, cleaned.get("value") or ""))
        except ValidationError as exc:
            self.add_error("value", exc)
        return cleaned


@admin.register(SystemConfiguration)
class SystemConfigurationAdmin(admin.ModelAdmin):
    """Overrides of the knob registry. The list page also shows every knob with its value."""

    form = ConfigurationForm
    list_display = [
        "name_display",
        "value",
        "default_display",
        "type_display",
        "reload_display",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["category"]
    search_fields = ["category", "key", "value"]
    list_select_related = ["updated_by"]
    actions = ["reset_to_default"]
    change_list_template = "admin/sysconfig/systemconfiguration/change_list.html"
    change_form_template = "admin/sysconfig/systemconfiguration/change_form.html"
    info_fields = [
        "knob_name",
        "type_display",
        "default_display",
        "bounds_display",
        "description_display",
        "reload_display",
        "running_display",
        "updated_by",
        "updated_at",
    ]

    def get_fields(self, request, obj=None):
        return ["value", *self.info_fields] if obj else ["name", "value"]

    def get_readonly_fields(self, request, obj=None):
        return self.info_fields if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # "Reset to default" instead: it is audited and announces the change

    @admin.display(description="knob", ordering="category")
    def name_display(self, obj):
        return obj.name

    @admin.display(description="knob")
    def knob_name(self, obj):
        return obj.name

    def _knob(self, obj):
        return REGISTRY.get(obj.name)

    @admin.display(description="type")
    def type_display(self, obj):
        knob = self._knob(obj)
        return knob.type if knob else "unknown knob"

    @admin.display(description="default")
    def default_display(self, obj):
        knob = self._knob(obj)
        return format_value(knob, config.default(knob)) if knob else "—"

    @admin.display(description="bounds")
    def bounds_display(self, obj):
        knob = self._knob(obj)
        return (bounds_label(knob) or "—") if knob else "—"

    @admin.display(description="description")
    def description_display(self, obj):
        knob = self._knob(obj)
        return knob.description if knob else "—"

    @admin.display(description="reload")
    def reload_display(self, obj):
        knob = self._knob(obj)
        if knob is None:
            return "—"
        return "hot" if knob.hot_reloadable else "at restart"

    @admin.display(description="value in this process")
    def running_display(self, obj):
        knob = self._knob(obj)
        if knob is None:
            return "—"
        running = format_value(knob, config.get(obj.name))
        if not knob.hot_reloadable and running != obj.value:
            return f"{running} (the saved value takes effect at the next restart)"
        return running

    # --- saving goes through the services: validated, audited, announced --------------------

    def save_model(self, request, obj, form, change):
        name = form.knob_name
        row = services.config_set(admin=request.user, name=name, value=form.cleaned_data["value"])
        obj.pk, obj.category, obj.key = row.pk, row.category, row.key
        obj.value, obj.updated_by, obj.updated_at = row.value, row.updated_by, row.updated_at
        obj.created_at = row.created_at
        obj._state.adding = False
        knob = REGISTRY[name]
        if knob.hot_reloadable:
            messages.info(request, f"{name} = {row.value}. {HOT_RELOAD_NOTE}")
        else:
            messages.warning(request, f"{name} = {row.value}. {RESTART_NOTE}")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        name = request.GET.get("name")
        if name in REGISTRY and "value" not in initial:
            knob = REGISTRY[name]
            initial["value"] = format_value(knob, config.default(knob))
        return initial

    @admin.action(description="Reset selected knobs to their defaults")
    def reset_to_default(self, request, queryset):
        names = [row.name for row in queryset]
        for name in names:
            services.config_reset(admin=request.user, name=name)
        self.message_user(request, f"Reset to default: {', '.join(names) or 'nothing'}.")

    def get_urls(self):
        urls = super().get_urls()
        reset = path(
            "<int:object_id>/reset/",
            self.admin_site.admin_view(self.reset_view),
            name="sysconfig_systemconfiguration_reset",
        )
        return [reset, *urls]

    def reset_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        row = get_object_or_404(SystemConfiguration, pk=object_id)
        if not self.has_change_permission(request, row):
            raise PermissionDenied
        services.config_reset(admin=request.user, name=row.name)
        knob = REGISTRY.get(row.name)
        note = RESTART_NOTE if knob and not knob.hot_reloadable else HOT_RELOAD_NOTE
        self.message_user(request, f"{row.name} is back to its default. {note}")
        return HttpResponseRedirect(reverse("admin:sysconfig_systemconfiguration_changelist"))

    def changelist_view(self, request, extra_context=None):
        extra = {"knobs": knob_rows(), "restart_note": RESTART_NOTE}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            knob = REGISTRY.get(obj.name)
            context["reload_note"] = (
                HOT_RELOAD_NOTE if knob is None or knob.hot_reloadable else RESTART_NOTE
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(AdminAction)
class AdminActionAdmin(admin.ModelAdmin):
    """The audit log: read-only, for everyone including superusers."""

    list_display = ["created_at", "action", "admin_display", "target_display", "summary"]
    list_filter = [
        "action",
        ("admin", admin.RelatedOnlyFieldListFilter),
        ("target_user", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["admin_email", "target_email"]
    list_select_related = ["admin", "target_user"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "created_at",
        "action",
        "admin",
        "admin_email",
        "target_user",
        "target_email",
        "details_display",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="admin", ordering="admin_email")
    def admin_display(self, obj):
        return obj.admin_email or "system"

    @admin.display(description="target", ordering="target_email")
    def target_display(self, obj):
        if obj.target_user_id is None:
            return obj.target_email or "—"
        url = reverse("admin:auth_user_change", args=[obj.target_user_id])
        return format_html('<a href="{}">{}</a>', url, obj.target_email or obj.target_user_id)

    @admin.display(description="details")
    def summary(self, obj):
        details = obj.details or {}
        if "key" in details:
            before = details.get("before", {}).get("value")
            after = details.get("after", {}).get("value")
            return f"{details['key']}: {before} → {after}"
        if "job_id" in details:
            before = details.get("before", {}).get("status")
            after = details.get("after", {}).get("status")
            return f"job {details['job_id']}: {before} → {after}"
        if "email_type" in details:
            extra = f" in {details['delay']}" if details.get("delay") else ""
            return f"{details['email_type']}{extra}"
        if "total" in details:
            total = details["total"]
            return f"removed {total.get('jobs', 0)} searches, {total.get('creators', 0)} creators"
        text = json.dumps(details, sort_keys=True, default=str)
        return text if len(text) <= 120 else text[:117] + "..."

    @admin.display(description="details")
    def details_display(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.details, indent=2, sort_keys=True, default=str)
        )
