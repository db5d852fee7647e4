"""Page routes of the workspace (the REST API has its own routes, in influencer/api_urls.py)."""

from django.urls import path

from scraping.metrics import views as metrics_views

from .views import campaigns, searches

urlpatterns = [
    path("dashboard/", campaigns.dashboard, name="dashboard"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<uuid:campaign_id>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<uuid:campaign_id>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<uuid:campaign_id>/delete/", campaigns.campaign_delete, name="campaign_delete"),
    path("campaigns/<uuid:campaign_id>/status/", campaigns.campaign_status, name="campaign_status"),
    path("campaigns/<uuid:campaign_id>/searches/", campaigns.search_create, name="search_create"),
    path("searches/<uuid:job_id>/", searches.job_detail, name="search_detail"),
    path("searches/<uuid:job_id>/cancel/", searches.job_cancel_view, name="search_cancel"),
    path("searches/<uuid:job_id>/retry/", searches.job_retry_view, name="search_retry"),
    path(
        "searches/<uuid:job_id>/related-hashtags/",
        searches.job_related_view,
        name="search_related_hashtags",
    ),
    path(
        "searches/<uuid:job_id>/deep-enrichment/",
        metrics_views.deep_enrichment,
        name="search_deep_enrichment",
    ),
    path("creators/<uuid:creator_id>/", searches.creator_detail, name="creator_detail"),
    path(
        "creators/<uuid:creator_id>/fetch-posts/",
        searches.creator_metrics_refresh_view,
        name="creator_metrics_refresh",
    ),
    path(
        "campaigns/<uuid:campaign_id>/creators/",
        searches.campaign_creators,
        name="campaign_creators",
    ),
]
