"""Page routes for searches (the REST API has its own routes)."""

from django.urls import path

from . import views

urlpatterns = [
    path("searches/<uuid:job_id>/", views.job_detail, name="search_detail"),
    path("searches/<uuid:job_id>/cancel/", views.job_cancel_view, name="search_cancel"),
    path("searches/<uuid:job_id>/retry/", views.job_retry_view, name="search_retry"),
    path(
        "campaigns/<uuid:campaign_id>/creators/",
        views.campaign_creators,
        name="campaign_creators",
    ),
]
