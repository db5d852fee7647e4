"""The project's URLs plus probes that call the entitlement check the way searches and exports
do once integrated (a DRF view, a plain API view, a page)."""

from django.http import HttpResponse, JsonResponse
from django.urls import path
from rest_framework.response import Response

from core.api import ApiView
from influencer.urls import urlpatterns as project_urls
from trials.services.entitlements import entitlement_check


class SearchProbe(ApiView):
    def post(self, request):
        entitlement_check(user=request.user, action="search")
        return Response({"ok": True}, status=201)


def export_probe(request):
    entitlement_check(user=request.user, action="export")
    return JsonResponse({"ok": True})


def export_page_probe(request):
    entitlement_check(user=request.user, action="export")
    return HttpResponse("csv")


def campaign_page_probe(request):
    entitlement_check(user=request.user, action="campaign")
    return HttpResponse("created")


urlpatterns = [
    path("probe/campaign/", campaign_page_probe),
    path("api/probe/search", SearchProbe.as_view()),
    path("api/probe/export", export_probe),
    path("probe/export/", export_page_probe),
    *project_urls,
]
