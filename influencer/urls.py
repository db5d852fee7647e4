from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Influencer platform staff"
admin.site.site_title = "Influencer staff"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/proxy/", include("imageproxy.urls")),
    path("api/export/", include("exports.urls")),
    path("", include("campaigns.urls")),
]
