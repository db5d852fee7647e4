from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Influencer platform staff"
admin.site.site_title = "Influencer staff"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/api-token/", views.api_token, name="api_token"),
    path("admin/tools/", include("sysconfig.urls")),
    path("admin/", admin.site.urls),
    path("api/proxy/", include("imageproxy.urls")),
    path("api/export/", include("exports.urls")),
    path("", include("trials.urls")),
    path("api/", include("influencer.api_urls")),
    path("", include("campaigns.urls")),
    path("", include("scraping.urls")),
]

handler404 = "influencer.views.not_found"
handler500 = "influencer.views.server_error"
