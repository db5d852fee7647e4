"""REST endpoints for searches: create and poll (the original platform's paths), jobs, creators."""

from typing import cast

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from campaigns.selectors import campaign_get
from campaigns.services import search_start
from core import catalogue
from core.api import (
    ERROR_SCHEMA as ERROR,
)
from core.api import (
    ApiView,
    Conflict,
    django_errors,
    no_store,
    paging,
)
from outreach.selectors import creators_without_listed
from scraping import selectors, services
from scraping import serializers as shapes
from scraping.models import Creator, SearchType
from sysconfig.throttles import PollThrottle
from trials.selectors import search_size_warning

# The original platform's search paths: /api/scraping/<kind>.
REQUEST_SHAPES = {
    "keyword": shapes.KeywordJobCreate,
    "hashtag": shapes.HashtagJobCreate,
    "similar": shapes.SimilarJobCreate,
}
SEARCH_KINDS = {
    spec.api_path: (spec.platform, spec.search_type, REQUEST_SHAPES[spec.search_type])
    for spec in catalogue.SEARCHES
}
KIND_PARAM = OpenApiParameter(
    "kind", str, OpenApiParameter.PATH, enum=sorted(SEARCH_KINDS), description="which search"
)
# Service field names → the API's field names.
FIELD_NAMES = {
    "target_results": "targetResults",
    "target_username": "username",
    "campaign": "campaignId",
    "expand_related": "expandRelated",
}
PAGE_SIZE_PARAMS = [
    OpenApiParameter("page", int, description="1-based page number, up to 1,000,000"),
    OpenApiParameter("page_size", int, description="items per page, 1–200 (default 50)"),
]
FILTER_PARAMS = [
    OpenApiParameter("has_email", bool),
    OpenApiParameter(
        "min_followers", int, description="0 to 1,000,000,000,000 (1,200, 10k and 2.5m read too)"
    ),
    OpenApiParameter(
        "max_followers", int, description="0 to 1,000,000,000,000 (1,200, 10k and 2.5m read too)"
    ),
    OpenApiParameter(
        "min_engagement",
        float,
        description="percent, 0 to 100 with up to two decimals (2.5 or 2.5%): creators whose "
        "top content's engagement is at least this; unknown engagement never matches",
    ),
    OpenApiParameter(
        "min_median_views",
        int,
        description="median views of the creator's fetched recent posts, at least this "
        "(10k and 2.5m read too); creators without fetched posts never match",
    ),
    OpenApiParameter(
        "posted_within_days",
        int,
        enum=[30, 90, 180],
        description="the creator's last fetched post is at most this many days old; creators "
        "without fetched posts never match",
    ),
    OpenApiParameter("verified", bool),
    OpenApiParameter(
        "profile_unavailable",
        bool,
        description="false hides creators whose profile could not be read; true shows only them",
    ),
    OpenApiParameter(
        "listed",
        str,
        enum=["hide", "hide_contacted"],
        description="hide creators already in one of your lists, or only those contacted",
    ),
    OpenApiParameter("q", str, description="text in name, handle or bio"),
    OpenApiParameter(
        "sort", str, enum=["-followers", "-views", "-engagement", "-similarity", "position"]
    ),
]


def _filters(request, job=None) -> selectors.CreatorFilters:
    default_sort = "-similarity" if job is not None and job.search_type == "similar" else "position"
    try:
        return selectors.CreatorFilters.from_params(request.query_params, default_sort=default_sort)
    except ValidationError as exc:
        raise django_errors(exc, {}) from None


def _creators(select, request, **scope):
    """`select(filters=…, **scope)` filtered by the query parameters, the user's `listed`
    filter (creators already in their lists or contacted) included."""
    filters = _filters(request, scope.get("job"))
    creators = select(filters=filters, **scope)
    return creators_without_listed(creators, user=request.user, listed=filters.listed)


def _page(creators, request, base_path: str) -> dict:
    size, number = paging(request)
    paginator = Paginator(creators, size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = None
    # A page of a queryset is a queryset; the stubs type it as any sliceable sequence.
    results = (
        list(cast("QuerySet[Creator]", page.object_list).select_related("job")) if page else []
    )
    link = lambda n: request.build_absolute_uri(f"{base_path}?{_query(request, n)}")  # noqa: E731
    return {
        "count": paginator.count,
        "page": number,
        "pageSize": size,
        "next": link(number + 1) if page and page.has_next() else None,
        "previous": link(number - 1) if page and page.has_previous() else None,
        "results": [shapes.creator_item(c, request) for c in results],
    }


def _query(request, page: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(page)
    return params.urlencode()


def _poll_response(job, request) -> Response:
    creators = list(
        _creators(selectors.job_creators, request, job=job)[: selectors.DEFAULT_PAGE_SIZE]
    )
    more = job.processed_results > len(creators)
    next_url = shapes.creators_url(job, request, 2) if more else None
    data = shapes.job_status(job, creators=creators, next_url=next_url, request=request)
    return no_store(Response(data))


class SearchView(ApiView):
    """POST starts a search of this kind; GET ?jobId= polls any of the user's searches."""

    # Starting a search is limited by the start throttle of the service (every path shares
    # it); the request throttle only bounds the request rate, as for every other endpoint.
    throttle_classes = [PollThrottle]

    @extend_schema(
        parameters=[KIND_PARAM, OpenApiParameter("jobId", str, required=True)],
        responses={200: shapes.JobStatus, 400: ERROR, 401: ERROR, 404: ERROR},
    )
    def get(self, request, kind: str):
        _kind(kind)
        job_id = request.query_params.get("jobId", "")
        try:
            job = selectors.job_get(user=request.user, job_id=job_id)
        except ValidationError:  # not a UUID
            raise exceptions.ValidationError(
                {"jobId": ["Give the id of one of your searches."]}
            ) from None
        return _poll_response(job, request)

    @extend_schema(
        parameters=[KIND_PARAM],
        request=shapes.KeywordJobCreate,
        responses={201: shapes.JobCreated, 400: ERROR, 401: ERROR, 402: ERROR, 404: ERROR},
    )
    def post(self, request, kind: str):
        platform, search_type, body_shape = _kind(kind)
        body = body_shape(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        campaign = campaign_get(user=request.user, campaign_id=data["campaignId"])
        terms = data.get("keywords", data.get("hashtags"))
        # Before the start: what is left now, not after the first step spent it.
        warning = search_size_warning(request.user, data["targetResults"]) or None
        try:
            job = search_start(
                owner=request.user,
                campaign=campaign,
                platform=platform,
                search_type=search_type,
                keywords=terms,
                target_username=data.get("username"),
                target_results=data["targetResults"],
                expand_related=data.get("expandRelated", False),
            )
        except ValidationError as exc:
            terms_field = "hashtags" if search_type == SearchType.HASHTAG else "keywords"
            raise django_errors(exc, {**FIELD_NAMES, "keywords": terms_field}) from None
        created = {"jobId": str(job.pk), "status": job.status, "warning": warning}
        return no_store(Response(created, status=201))


def _kind(kind: str):
    if kind not in SEARCH_KINDS:
        raise exceptions.NotFound(
            "Unknown search. Use one of: " + ", ".join(sorted(SEARCH_KINDS)) + "."
        )
    return SEARCH_KINDS[kind]


class JobListView(ApiView):
    throttle_classes = [PollThrottle]

    @extend_schema(
        operation_id="jobs_list",
        parameters=PAGE_SIZE_PARAMS,
        responses={
            200: inline_serializer(
                "JobList",
                {
                    "count": serializers.IntegerField(),
                    "results": shapes.JobStatus(many=True),
                },
            ),
            400: ERROR,
            401: ERROR,
        },
    )
    def get(self, request):
        size, number = paging(request)
        jobs = selectors.job_list(user=request.user).order_by("-created_at")
        page = list(jobs[(number - 1) * size : number * size])
        results = [shapes.job_status(j, creators=[], next_url=None, request=request) for j in page]
        return no_store(Response({"count": jobs.count(), "results": results}))


class JobDetailView(ApiView):
    throttle_classes = [PollThrottle]

    @extend_schema(
        parameters=FILTER_PARAMS,
        responses={200: shapes.JobStatus, 400: ERROR, 401: ERROR, 404: ERROR},
    )
    def get(self, request, job_id):
        return _poll_response(selectors.job_get(user=request.user, job_id=job_id), request)


class JobCreatorsView(ApiView):
    throttle_classes = [PollThrottle]

    @extend_schema(
        parameters=PAGE_SIZE_PARAMS + FILTER_PARAMS,
        responses={200: shapes.CreatorPage, 400: ERROR, 401: ERROR, 404: ERROR},
    )
    def get(self, request, job_id):
        job = selectors.job_get(user=request.user, job_id=job_id)
        creators = _creators(selectors.job_creators, request, job=job)
        return no_store(Response(_page(creators, request, request.path)))


class CampaignCreatorsView(ApiView):
    throttle_classes = [PollThrottle]

    @extend_schema(
        parameters=PAGE_SIZE_PARAMS + FILTER_PARAMS,
        responses={200: shapes.CreatorPage, 400: ERROR, 401: ERROR, 404: ERROR},
    )
    def get(self, request, campaign_id):
        campaign = campaign_get(user=request.user, campaign_id=campaign_id)
        creators = _creators(selectors.campaign_creators, request, campaign=campaign)
        return no_store(Response(_page(creators, request, request.path)))


class JobActionView(ApiView):
    action = ""

    @extend_schema(
        request=None, responses={200: shapes.JobStatus, 401: ERROR, 404: ERROR, 409: ERROR}
    )
    def post(self, request, job_id):
        job = selectors.job_get(user=request.user, job_id=job_id)
        act = services.job_cancel if self.action == "cancel" else services.job_retry
        try:
            job = act(job=job)
        except services.InvalidTransition as exc:
            raise Conflict(str(exc)) from None
        return _poll_response(job, request)
