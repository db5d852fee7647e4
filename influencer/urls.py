from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = f"{settings.PRODUCT_NAME} staff"
admin.site.site_title = f"{settings.PRODUCT_NAME} staff"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/api-token/", views.api_token, name="api_token"),
    path("admin/tools/", include("backoffice.urls")),
    # Before the admin's own routes: staff sign in and change passwords through allauth.
    path("admin/login/", views.admin_login),
    path("admin/password_change/", views.admin_password_change),
    path("admin/", admin.site.urls),
    path("api/proxy/", include("imageproxy.urls")),
    path("api/export/", include("exports.urls")),
    path("", include("trials.urls")),
    path("api/", include("influencer.api_urls")),
    path("", include("workspace.urls")),
    path("", include("outreach.urls")),
]

handler404 = "influencer.views.not_found"
handler500 = "influencer.views.server_error"
