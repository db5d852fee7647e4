"""REST endpoints for campaigns: list, create, read, update, delete."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from core.api import ERROR_SCHEMA as ERROR
from core.api import ApiView, django_errors, iso_time, no_store

from . import selectors, services
from .models import Campaign

FIELD_NAMES = {"search_type": "searchType"}


class CampaignOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    searchType = serializers.CharField()
    status = serializers.CharField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class CampaignIn(serializers.Serializer):
    name = serializers.CharField(max_length=Campaign.NAME_MAX_LENGTH, trim_whitespace=True)
    description = serializers.CharField(
        max_length=Campaign.DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    searchType = serializers.ChoiceField(
        choices=Campaign.SearchType.values, required=False, default="keyword"
    )
    status = serializers.ChoiceField(choices=Campaign.Status.values, required=False)


def campaign_out(campaign: Campaign) -> dict:
    return {
        "id": str(campaign.pk),
        "name": campaign.name,
        "description": campaign.description,
        "searchType": campaign.search_type,
        "status": campaign.status,
        "createdAt": iso_time(campaign.created_at),
        "updatedAt": iso_time(campaign.updated_at),
    }


class CampaignListView(ApiView):
    @extend_schema(
        operation_id="campaigns_list",
        responses={
            200: inline_serializer("CampaignList", {"results": CampaignOut(many=True)}),
            401: ERROR,
        },
    )
    def get(self, request):
        campaigns = selectors.campaign_list(user=request.user)
        return no_store(Response({"results": [campaign_out(c) for c in campaigns]}))

    @extend_schema(
        request=CampaignIn, responses={201: CampaignOut, 400: ERROR, 401: ERROR, 402: ERROR}
    )
    def post(self, request):
        body = CampaignIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            campaign = services.campaign_create(
                owner=request.user,
                name=data["name"],
                description=data["description"],
                search_type=data["searchType"],
            )
        except ValidationError as exc:
            raise django_errors(exc, FIELD_NAMES) from None
        return Response(campaign_out(campaign), status=201)


class CampaignDetailView(ApiView):
    @extend_schema(responses={200: CampaignOut, 401: ERROR, 404: ERROR})
    def get(self, request, campaign_id):
        campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
        return no_store(Response(campaign_out(campaign)))

    @extend_schema(
        request=CampaignIn(partial=True), responses={200: CampaignOut, 400: ERROR, 404: ERROR}
    )
    def patch(self, request, campaign_id):
        campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
        body = CampaignIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        fields = {
            "name": data.get("name"),
            "description": data.get("description"),
            "search_type": data.get("searchType"),
        }
        try:
            services.campaign_update(
                campaign=campaign, **{k: v for k, v in fields.items() if k in _given(body)}
            )
            if "status" in body.initial_data:
                services.campaign_set_status(campaign=campaign, status=data["status"])
        except ValidationError as exc:
            raise django_errors(exc, FIELD_NAMES) from None
        return Response(campaign_out(campaign))

    @extend_schema(request=None, responses={204: None, 401: ERROR, 404: ERROR})
    def delete(self, request, campaign_id):
        campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
        services.campaign_delete(campaign=campaign)
        return Response(status=204)


def _given(body: CampaignIn) -> set[str]:
    """Service field names the client actually sent."""
    sent = set(body.initial_data) if hasattr(body.initial_data, "keys") else set()
    names = {"name": "name", "description": "description", "searchType": "search_type"}
    return {names[k] for k in sent if k in names}
