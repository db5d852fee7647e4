"""Users in the admin: usage columns, where staff rights come from, and audited staff actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from trials.selectors import plan_usage

from . import selectors, services
from .models import AdminAction
from .services import StaffActionRefused

User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)

PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")
# Whoever changes a user's email (then resets the password) or password owns the account.
IDENTITY_FIELDS = ("username", "email")


class TrialExtendForm(forms.Form):
    days = forms.IntegerField(
        min_value=1, max_value=365, initial=services.DEFAULT_TRIAL_EXTENSION_DAYS
    )


@admin.register(User)
class StaffUserAdmin(DjangoUserAdmin):
    list_display = [
        "email",
        "username",
        "is_active",
        "staff_badge",
        "trial_display",
        "plan_display",
        "campaigns_display",
        "searches_display",
        "creators_display",
        "date_joined",
        "last_login",
    ]
    list_display_links = ["email", "username"]
    list_filter = ["is_staff", "is_superuser", "is_active", "date_joined"]
    search_fields = ["email", "username", "first_name", "last_name"]
    ordering = ["-date_joined"]
    actions = ["promote", "demote", "extend_trial", "deactivate"]
    usage_fields = [
        "staff_source",
        "trial_display",
        "plan_usage_display",
        "campaigns_display",
        "searches_display",
        "creators_display",
        "tools_display",
        "recent_actions_display",
    ]

    def get_queryset(self, request):
        return selectors.users_with_usage(super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not request.user.is_superuser:
            # The password field is a button to the set-password page, which is superuser-only.
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
                for name, options in fieldsets
            ]
        return [*fieldsets, ("Usage and staff tools", {"fields": self.usage_fields})]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        if obj is not None:
            readonly += self.usage_fields
            if not request.user.is_superuser:
                # Staff manage users; only a superuser hands out superuser rights or permissions,
                # or changes who an account belongs to.
                readonly += PRIVILEGE_FIELDS + IDENTITY_FIELDS
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # nor their password: that would be a way to become them
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            # Setting someone's password is becoming them. Staff change their own on the
            # account page (/accounts/password/change/).
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description="staff", ordering="is_staff")
    def staff_badge(self, obj):
        if obj.is_superuser:
            label = "superuser"
        elif obj.is_staff:
            label = "staff"
        else:
            return "—"
        if getattr(obj, "staff_from_env", False):
            return format_html(
                '{} <span class="badge-env" title="{}">from ADMIN_EMAILS</span>',
                label,
                "Granted because a verified address is listed in ADMIN_EMAILS",
            )
        return label

    @admin.display(description="staff rights")
    def staff_source(self, obj):
        if not obj.is_staff:
            return "Not staff."
        if getattr(obj, "staff_from_env", False):
            return (
                "From the environment: a verified address of this user is in ADMIN_EMAILS. "
                "Demoting lasts until the next sign-in; remove the address from ADMIN_EMAILS "
                "to make it stick."
            )
        return "Granted in the admin."

    @admin.display(description="trial")
    def trial_display(self, obj):
        return selectors.trial_status(obj)

    @admin.display(description="plan")
    def plan_display(self, obj):
        return selectors.plan_of(obj)

    @admin.display(description="campaigns", ordering="campaigns_count")
    def campaigns_display(self, obj):
        url = reverse("admin:campaigns_campaign_changelist")
        return format_html(
            '<a href="{}?owner__id__exact={}">{}</a>', url, obj.pk, obj.campaigns_count
        )

    @admin.display(description="searches", ordering="searches_count")
    def searches_display(self, obj):
        url = reverse("admin:scraping_scrapingjob_changelist")
        return format_html(
            '<a href="{}?owner__id__exact={}">{}</a>', url, obj.pk, obj.searches_count
        )

    # Rows saved by all their searches: a creator found twice is two rows. What the plan
    # counts (each creator once a month) is "creators_used" under plan and usage.
    @admin.display(description="creators saved (every search)", ordering="creators_found")
    def creators_display(self, obj):
        return obj.creators_found

    @admin.display(description="plan and usage")
    def plan_usage_display(self, obj):
        usage = plan_usage(obj)
        if not usage:
            return "—"
        return format_html_join(
            "", "<div><strong>{}</strong>: {}</div>", ((k, v) for k, v in usage.items())
        )

    @admin.display(description="tools")
    def tools_display(self, obj):
        email_url = reverse("staff:email_test")
        actions_url = reverse("admin:backoffice_adminaction_changelist")
        return format_html(
            '<a href="{}?user={}">Preview or send an email</a> · '
            '<a href="{}?target_user__id__exact={}">Admin actions on this user</a>',
            email_url,
            obj.pk,
            actions_url,
            obj.pk,
        )

    @admin.display(description="recent admin actions")
    def recent_actions_display(self, obj):
        recent = AdminAction.objects.filter(target_user=obj)[:5]
        if not recent:
            return "—"
        return format_html_join(
            "",
            "<div>{} · {} · {}</div>",
            (
                (a.created_at.strftime("%Y-%m-%d %H:%M"), a.get_action_display(), a.admin_email)
                for a in recent
            ),
        )

    # --- actions (each one audited by its service) -----------------------------------------

    def _apply(self, request, queryset, service, done_label: str, **kwargs) -> None:
        done, problems = 0, []
        for user in queryset:
            try:
                if service(admin=request.user, user=user, **kwargs):
                    done += 1
            except (StaffActionRefused, ValueError, ValidationError, ObjectDoesNotExist) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                problems.append(f"{user.email}: {text}")
        self.message_user(request, f"{done} user(s) {done_label}.")
        if problems:
            self.message_user(request, " · ".join(problems), messages.WARNING)

    @admin.action(description="Promote selected users to staff", permissions=["change"])
    def promote(self, request, queryset):
        self._apply(request, queryset, services.user_promote, "promoted to staff")

    @admin.action(description="Demote selected users from staff", permissions=["change"])
    def demote(self, request, queryset):
        from_env = [u.email for u in queryset if u.is_staff and getattr(u, "staff_from_env", 0)]
        self._apply(request, queryset, services.user_demote, "demoted")
        if from_env:
            self.message_user(
                request,
                f"{', '.join(from_env)}: staff rights come from ADMIN_EMAILS and return at the "
                "next sign-in unless the address is removed there.",
                messages.WARNING,
            )

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate(self, request, queryset):
        self._apply(request, queryset, services.user_deactivate, "deactivated")

    @admin.action(description="Extend the trial of selected users…", permissions=["change"])
    def extend_trial(self, request, queryset):
        if "apply" in request.POST:
            form = TrialExtendForm(request.POST)
            if form.is_valid():
                self._apply(
                    request,
                    queryset,
                    services.user_trial_extend,
                    f"given {form.cleaned_data['days']} more trial day(s)",
                    days=form.cleaned_data["days"],
                )
                return None
        else:
            form = TrialExtendForm()
        context = {
            **self.admin_site.each_context(request),
            "title": "Extend trial",
            "form": form,
            "users": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "extend_trial",
        }
        return TemplateResponse(request, "backoffice/trial_extend.html", context)

    # --- the change form: staff and active flags go through the services too ---------------

    def save_model(self, request, obj, form, change):
        if change:
            before = User.objects.filter(pk=obj.pk).values("is_staff", "is_active").get()
            obj._flag_changes = (before, obj.is_staff, obj.is_active)
            obj.is_staff, obj.is_active = before["is_staff"], before["is_active"]
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        pending = getattr(user, "_flag_changes", None)
        if not pending:
            return
        before, wants_staff, wants_active = pending
        try:
            if wants_staff and not before["is_staff"]:
                services.user_promote(admin=request.user, user=user)
            elif not wants_staff and before["is_staff"]:
                services.user_demote(admin=request.user, user=user)
            if not wants_active and before["is_active"]:
                services.user_deactivate(admin=request.user, user=user)
            elif wants_active and not before["is_active"]:
                user.is_active = True  # reactivation: recorded by the admin's own change log
                user.save(update_fields=["is_active"])
        except StaffActionRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
