from django.contrib import admin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Read-only: campaigns belong to their owners; staff look, they don't edit unrecorded."""

    list_display = ["name", "owner", "search_type", "status", "created_at"]
    list_filter = ["status", "search_type"]
    search_fields = ["name", "owner__email"]
    readonly_fields = [f.name for f in Campaign._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
