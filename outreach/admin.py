from django.contrib import admin

from .models import CreatorList, EmailTemplate, ListEntry, OutreachSend


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists, templates and emails belong to their owners: staff look (to help with a failed
    send, say), they never edit or delete them unrecorded."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreatorList)
class CreatorListAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name", "owner__email"]


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "list", "status", "do_not_contact", "created_at"]
    list_filter = ["status", "platform", "do_not_contact"]
    search_fields = ["username", "display_name", "list__owner__email"]
    list_select_related = ["list"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "subject", "updated_at"]
    search_fields = ["name", "owner__email"]


@admin.register(OutreachSend)
class OutreachSendAdmin(ReadOnlyAdmin):
    list_display = ["to", "owner", "status", "attempts", "queued_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "owner__email"]
