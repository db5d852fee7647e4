from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<uuid:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<uuid:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<uuid:campaign_id>/delete/", views.campaign_delete, name="campaign_delete"),
    path("campaigns/<uuid:campaign_id>/status/", views.campaign_status, name="campaign_status"),
    path("campaigns/<uuid:campaign_id>/searches/", views.search_create, name="search_create"),
]
