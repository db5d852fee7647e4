"""Template variables every page and email shares."""

from django.conf import settings


def product(request) -> dict:
    return {"PRODUCT_NAME": settings.PRODUCT_NAME}
