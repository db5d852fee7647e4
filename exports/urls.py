from django.urls import path

from . import views

app_name = "exports"

# The original platform's path, with and without a trailing slash (no redirect).
urlpatterns = [
    path("csv", views.export_csv, name="csv"),
    path("csv/", views.export_csv_slash, name="csv-slash"),
]
