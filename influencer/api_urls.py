"""Every REST route under /api/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from campaigns import api as campaigns_api
from core.api import ApiView
from scraping.metrics import api as metrics_api
from workspace import api as searches_api


class SchemaView(ApiView, SpectacularAPIView):
    permission_classes = []  # the schema is public; it documents, it reveals no data


class DocsView(ApiView, SpectacularSwaggerSplitView):
    """Swagger UI; its start-up script is served from ?script= (no inline script: CSP)."""

    permission_classes = []


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api_schema"),
    path("docs/", DocsView.as_view(url_name="api_schema"), name="api_docs"),
    path("campaigns/", campaigns_api.CampaignListView.as_view(), name="api_campaigns"),
    path(
        "campaigns/<uuid:campaign_id>/",
        campaigns_api.CampaignDetailView.as_view(),
        name="api_campaign",
    ),
    path(
        "campaigns/<uuid:campaign_id>/creators/",
        searches_api.CampaignCreatorsView.as_view(),
        name="api_campaign_creators",
    ),
    # The original platform's paths, answering with and without a trailing slash.
    re_path(
        r"^scraping/(?P<kind>[a-z-]+)/?$",
        searches_api.SearchView.as_view(),
        name="api_search",
    ),
    path("jobs/", searches_api.JobListView.as_view(), name="api_jobs"),
    path("jobs/<uuid:job_id>/", searches_api.JobDetailView.as_view(), name="api_job"),
    path(
        "jobs/<uuid:job_id>/creators/",
        searches_api.JobCreatorsView.as_view(),
        name="api_job_creators",
    ),
    path(
        "jobs/<uuid:job_id>/cancel/",
        searches_api.JobActionView.as_view(action="cancel"),
        name="api_job_cancel",
    ),
    path(
        "jobs/<uuid:job_id>/retry/",
        searches_api.JobActionView.as_view(action="retry"),
        name="api_job_retry",
    ),
    path(
        "jobs/<uuid:job_id>/deep-enrichment/",
        metrics_api.DeepEnrichmentView.as_view(),
        name="api_job_deep_enrichment",
    ),
    path(
        "creators/<uuid:creator_id>/metrics/",
        metrics_api.CreatorMetricsView.as_view(),
        name="api_creator_metrics",
    ),
    path("", include("outreach.api_urls")),
]
