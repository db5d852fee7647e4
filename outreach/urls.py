"""Page routes for lists, entries, sends and email templates (the REST API has its own)."""

from django.urls import path

from . import views

urlpatterns = [
    path("lists/", views.lists_index, name="outreach_lists"),
    path("lists/add/", views.creators_add, name="outreach_add"),
    path("lists/<uuid:list_id>/", views.list_detail, name="outreach_list"),
    path("lists/<uuid:list_id>/edit/", views.list_edit, name="outreach_list_edit"),
    path("lists/<uuid:list_id>/delete/", views.list_delete, name="outreach_list_delete"),
    path("lists/<uuid:list_id>/send/", views.list_send, name="outreach_list_send"),
    path("lists/<uuid:list_id>/export/<str:fmt>/", views.list_export, name="outreach_list_export"),
    path(
        "lists/<uuid:list_id>/entries/<uuid:entry_id>/", views.entry_detail, name="outreach_entry"
    ),
    path(
        "lists/<uuid:list_id>/entries/<uuid:entry_id>/update/",
        views.entry_update,
        name="outreach_entry_update",
    ),
    path(
        "lists/<uuid:list_id>/entries/<uuid:entry_id>/send/",
        views.entry_send,
        name="outreach_entry_send",
    ),
    path(
        "lists/<uuid:list_id>/entries/<uuid:entry_id>/delete/",
        views.entry_delete,
        name="outreach_entry_delete",
    ),
    path("sends/<uuid:send_id>/retry/", views.send_retry, name="outreach_send_retry"),
    path("email-templates/", views.templates_index, name="outreach_templates"),
    path("email-templates/new/", views.template_create, name="outreach_template_create"),
    path("email-templates/<uuid:template_id>/", views.template_edit, name="outreach_template_edit"),
    path(
        "email-templates/<uuid:template_id>/delete/",
        views.template_delete,
        name="outreach_template_delete",
    ),
]
