"""Staff tool pages, mounted under /admin/tools/ (before the admin's own URLs)."""

from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("emails/", views.email_test, name="email_test"),
    path("test-users/", views.test_users, name="test_users"),
    path("image-cache/purge/", views.image_cache_purge, name="image_cache_purge"),
]
