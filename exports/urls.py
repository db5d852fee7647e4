from django.urls import path

from . import views

app_name = "exports"

# The original platform's path, with and without a trailing slash (no redirect); the XLSX
# route is the same view with `format=xlsx` as its default.
urlpatterns = [
    path("csv", views.export_csv, name="csv"),
    path("csv/", views.export_csv_slash, name="csv-slash"),
    path("xlsx", views.export_xlsx, name="xlsx"),
    path("xlsx/", views.export_xlsx_slash, name="xlsx-slash"),
]
