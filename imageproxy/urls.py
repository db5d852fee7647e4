from django.urls import path

from . import views

app_name = "imageproxy"

# The original platform's path, with and without a trailing slash (no redirect).
urlpatterns = [
    path("image", views.image, name="image"),
    path("image/", views.image, name="image-slash"),
]
