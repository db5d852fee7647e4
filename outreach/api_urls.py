"""REST routes for lists, entries, email templates and sends (included under /api/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("lists/", api.ListListView.as_view(), name="api_lists"),
    path("lists/<uuid:list_id>/", api.ListDetailView.as_view(), name="api_list"),
    path("lists/<uuid:list_id>/entries/", api.ListEntriesView.as_view(), name="api_list_entries"),
    path("entries/<uuid:entry_id>/", api.EntryDetailView.as_view(), name="api_entry"),
    path("entries/<uuid:entry_id>/events/", api.EntryEventsView.as_view(), name="api_entry_events"),
    path("entries/<uuid:entry_id>/sends/", api.EntrySendsView.as_view(), name="api_entry_sends"),
    path(
        "entries/<uuid:entry_id>/preview/", api.EntryPreviewView.as_view(), name="api_entry_preview"
    ),
    path("email-templates/", api.TemplateListView.as_view(), name="api_email_templates"),
    path(
        "email-templates/<uuid:template_id>/",
        api.TemplateDetailView.as_view(),
        name="api_email_template",
    ),
    path("sends/", api.SendListView.as_view(), name="api_sends"),
    path("sends/<uuid:send_id>/", api.SendDetailView.as_view(), name="api_send"),
    path("sends/<uuid:send_id>/retry/", api.SendRetryView.as_view(), name="api_send_retry"),
]
