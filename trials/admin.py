"""Read-mostly admin: staff look at profiles, the email schedule, usage and Stripe events.
Changes go through the services (staff tools add the audited actions)."""

from django.contrib import admin

from .models import DeliveredCreator, MonthlyUsage, ScheduledEmail, StripeEvent, UserProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserProfile)
class UserProfileAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "onboarding_step",
        "trial_state",
        "trial_ends_at",
        "plan",
        "subscription_status",
    ]
    list_filter = ["onboarding_step", "plan", "subscription_status"]
    search_fields = ["user__email", "full_name", "business_name", "stripe_customer_id"]
    list_select_related = ["user"]

    @admin.display(description="Trial")
    def trial_state(self, obj: UserProfile) -> str:
        return obj.trial_status


@admin.register(ScheduledEmail)
class ScheduledEmailAdmin(ReadOnlyAdmin):
    list_display = [
        "email_type",
        "user",
        "scheduled_for",
        "status",
        "attempts",
        "sent_at",
        "is_test",
    ]
    list_filter = ["status", "email_type", "is_test"]
    search_fields = ["user__email", "provider_message_id"]
    list_select_related = ["user"]
    date_hierarchy = "scheduled_for"


@admin.register(MonthlyUsage)
class MonthlyUsageAdmin(ReadOnlyAdmin):
    list_display = ["user", "month", "creators"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(DeliveredCreator)
class DeliveredCreatorAdmin(ReadOnlyAdmin):
    """What a user's usage counts: each creator once per usage period."""

    list_display = ["user", "month", "platform", "external_id"]
    list_filter = ["month", "platform"]
    search_fields = ["user__email", "external_id"]
    list_select_related = ["user"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_type", "event_id", "created", "user", "outcome", "received_at"]
    list_filter = ["event_type", "livemode"]
    search_fields = ["event_id", "user__email"]
    list_select_related = ["user"]
