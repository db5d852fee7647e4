"""REST endpoints for searches: create and poll (the original platform's paths), jobs, creators."""

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from campaigns.selectors import campaign_get
from influencer.api import (
    ERROR_SCHEMA as ERROR,
)
from influencer.api import (
    ApiView,
    Conflict,
    PollThrottle,
    SearchCreateThrottle,
    django_errors,
    no_store,
)
from influencer.numbers import whole_number

from . import selectors, services
from . import serializers as shapes
from .models import SearchType

MAX_PAGE_NUMBER = 1_000_000

# The original platform's search paths: /api/scraping/<kind>.
SEARCH_KINDS = {
    "tiktok": ("tiktok", "keyword", shapes.KeywordJobCreate),
    "tiktok-similar": ("tiktok", "similar", shapes.SimilarJobCreate),
    "instagram": ("instagram", "similar", shapes.SimilarJobCreate),
    "instagram-hashtag": ("instagram", "hashtag", shapes.HashtagJobCreate),
    "youtube": ("youtube", "keyword", shapes.KeywordJobCreate),
    "youtube-similar": ("youtube", "similar", shapes.SimilarJobCreate),
}
KIND_PARAM = OpenApiParameter(
    "kind", str, OpenApiParameter.PATH, enum=sorted(SEARCH_KINDS), description="which search"
)
# Service field names → the API's field names.
FIELD_NAMES = {
    "target_results": "targetResults",
    "target_username": "username",
    "campaign": "campaignId",
}
PAGE_SIZE_PARAMS = [
    OpenApiParameter("page", int, description="1-based page number, up to 1,000,000"),
    OpenApiParameter("page_size", int, description="items per page, 1–200 (default 50)"),
]
FILTER_PARAMS = [
    OpenApiParameter("has_email", bool),
    OpenApiParameter("min_followers", int, description="0 to 1,000,000,000,000"),
    OpenApiParameter("max_followers", int, description="0 to 1,000,000,000,000"),
    OpenApiParameter("verified", bool),
    OpenApiParameter("q", str, description="text in name, handle or bio"),
    OpenApiParameter(
        "sort", str, enum=["-followers", "-views", "-engagement", "-similarity", "position"]
    ),
]


def _page_size(request) -> int:
    raw = request.query_params.get("page_size") or str(selectors.DEFAULT_PAGE_SIZE)
    size = whole_number(raw, maximum=selectors.MAX_PAGE_SIZE)
    if not size:
        raise exceptions.ValidationError(
            {"page_size": [f"Use a whole number from 1 to {selectors.MAX_PAGE_SIZE}."]}
        )
    return size


def _page_number(request) -> int:
    number = whole_number(request.query_params.get("page") or "1", maximum=MAX_PAGE_NUMBER)
    if not number:
        raise exceptions.ValidationError(
            {"page": [f"Use a page number from 1 to {MAX_PAGE_NUMBER:,}."]}
        )
    return number


def _filters(request, job=None) -> selectors.CreatorFilters:
    default_sort = "-similarity" if job is not None and job.search_type == "similar" else "position"
    try:
        return selectors.CreatorFilters.from_params(request.query_params, default_sort=default_sort)
    except ValidationError as exc:
        raise django_errors(exc, {}) from None


def _page(creators, request, base_path: str) -> dict:
    size, number = _page_size(request), _page_number(request)
    paginator = Paginator(creators, size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = None
    results = list(page.object_list.select_related("job")) if page else []
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
        selectors.job_creators(job=job, filters=_filters(request, job))[
            : selectors.DEFAULT_PAGE_SIZE
        ]
    )
    more = job.processed_results > len(creators)
    next_url = shapes.creators_url(job, request, 2) if more else None
    data = shapes.job_status(job, creators=creators, next_url=next_url, request=request)
    return no_store(Response(data))


class SearchView(ApiView):
    """POST starts a search of this kind; GET ?jobId= polls any of the user's searches."""

    def get_throttles(self):
        throttle = SearchCreateThrottle if self.request.method == "POST" else PollThrottle
        return [throttle()]

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
        try:
            job = services.job_create(
                owner=request.user,
                campaign=campaign,
                platform=platform,
                search_type=search_type,
                keywords=terms,
                target_username=data.get("username"),
                target_results=data["targetResults"],
            )
        except ValidationError as exc:
            terms_field = "hashtags" if search_type == SearchType.HASHTAG else "keywords"
            raise django_errors(exc, {**FIELD_NAMES, "keywords": terms_field}) from None
        return no_store(Response({"jobId": str(job.pk), "status": job.status}, status=201))


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
        size = _page_size(request)
        number = _page_number(request)
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
        creators = selectors.job_creators(job=job, filters=_filters(request, job))
        return no_store(Response(_page(creators, request, request.path)))


class CampaignCreatorsView(ApiView):
    throttle_classes = [PollThrottle]

    @extend_schema(
        parameters=PAGE_SIZE_PARAMS + FILTER_PARAMS,
        responses={200: shapes.CreatorPage, 400: ERROR, 401: ERROR, 404: ERROR},
    )
    def get(self, request, campaign_id):
        campaign = campaign_get(user=request.user, campaign_id=campaign_id)
        creators = selectors.campaign_creators(campaign=campaign, filters=_filters(request))
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
