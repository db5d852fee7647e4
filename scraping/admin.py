from django.contrib import admin

from .models import ApiCall, Creator, ProfileCache, ScrapingJob


class ApiCallInline(admin.TabularInline):
    model = ApiCall
    extra = 0
    can_delete = False
    fields = [
        "at",
        "endpoint",
        "params",
        "status_code",
        "duration_ms",
        "credits_charged",
        "items",
        "attempt",
        "error",
    ]
    readonly_fields = fields
    ordering = ["-at"]
    max_num = 0
    show_change_link = False


@admin.register(ScrapingJob)
class ScrapingJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "owner",
        "platform",
        "search_type",
        "status",
        "progress",
        "processed_results",
        "target_results",
        "processed_runs",
        "credits_used",
        "created_at",
    ]
    list_filter = ["status", "platform", "search_type"]
    search_fields = ["id", "owner__email", "campaign__name", "target_username"]
    raw_id_fields = ["owner", "campaign"]
    readonly_fields = [f.name for f in ScrapingJob._meta.concrete_fields]
    inlines = [ApiCallInline]

    def has_add_permission(self, request):
        return False


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = ["username", "platform", "followers", "has_email", "job", "created_at"]
    list_filter = ["platform", "has_email", "verified"]
    search_fields = ["username", "display_name", "external_id"]
    raw_id_fields = ["job"]

    def has_add_permission(self, request):
        return False


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "endpoint",
        "status_code",
        "duration_ms",
        "credits_charged",
        "items",
        "job",
    ]
    list_filter = ["endpoint", "status_code"]
    raw_id_fields = ["job"]
    readonly_fields = [f.name for f in ApiCall._meta.concrete_fields]

    def has_add_permission(self, request):
        return False


@admin.register(ProfileCache)
class ProfileCacheAdmin(admin.ModelAdmin):
    list_display = ["platform", "key", "fetched_at"]
    list_filter = ["platform"]
    search_fields = ["key"]
