"""Every REST route under /api/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from campaigns import api as campaigns_api
from scraping import api as scraping_api

from .api import ApiView


class SchemaView(ApiView, SpectacularAPIView):
    permission_classes = []  # the schema is public; it documents, it reveals no data


class DocsView(ApiView, SpectacularSwaggerView):
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
        scraping_api.CampaignCreatorsView.as_view(),
        name="api_campaign_creators",
    ),
    # The original platform's paths, answering with and without a trailing slash.
    re_path(
        r"^scraping/(?P<kind>[a-z-]+)/?$",
        scraping_api.SearchView.as_view(),
        name="api_search",
    ),
    path("jobs/", scraping_api.JobListView.as_view(), name="api_jobs"),
    path("jobs/<uuid:job_id>/", scraping_api.JobDetailView.as_view(), name="api_job"),
    path(
        "jobs/<uuid:job_id>/creators/",
        scraping_api.JobCreatorsView.as_view(),
        name="api_job_creators",
    ),
    path(
        "jobs/<uuid:job_id>/cancel/",
        scraping_api.JobActionView.as_view(action="cancel"),
        name="api_job_cancel",
    ),
    path(
        "jobs/<uuid:job_id>/retry/",
        scraping_api.JobActionView.as_view(action="retry"),
        name="api_job_retry",
    ),
]
