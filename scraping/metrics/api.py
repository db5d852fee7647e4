"""REST endpoints for creator metrics and deep enrichment (routed in influencer/api_urls.py).

GET  /api/creators/<id>/metrics/         the creator's recent-content metrics (any state)
POST /api/creators/<id>/metrics/         refresh: 200 when fresh (free), 202 while pending
GET  /api/jobs/<id>/deep-enrichment/     what enriching the whole search would cost
POST /api/jobs/<id>/deep-enrichment/     start it: 202 with what was queued
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from core.api import ERROR_SCHEMA as ERROR
from core.api import ApiView, Conflict, no_store
from scraping import selectors as search_selectors
from sysconfig.throttles import PollThrottle

from . import selectors, services
from . import serializers as shapes


class CreatorMetricsView(ApiView):
    """A creator's recent-content metrics. GET reads them in any state; POST asks for them:
    200 at once when they are fresh (free), 202 while a fetch is pending (poll the GET)."""

    throttle_classes = [PollThrottle]

    @extend_schema(
        operation_id="creator_metrics_get",
        responses={200: shapes.CreatorMetricsOut, 401: ERROR, 404: ERROR},
    )
    def get(self, request, creator_id):
        creator = selectors.creator_get(user=request.user, creator_id=creator_id)
        row = selectors.metrics_get(creator=creator)
        return no_store(Response(shapes.creator_metrics_out(creator, row, timezone.now())))

    @extend_schema(
        operation_id="creator_metrics_refresh",
        request=None,
        responses={
            200: shapes.CreatorMetricsOut,
            202: shapes.CreatorMetricsOut,
            401: ERROR,
            402: ERROR,
            404: ERROR,
            429: ERROR,
        },
    )
    def post(self, request, creator_id):
        creator = selectors.creator_get(user=request.user, creator_id=creator_id)
        refresh = services.creator_metrics_refresh(user=request.user, creator=creator)
        now = timezone.now()
        pending = refresh.started or selectors.is_pending(refresh.row, now)
        body = shapes.creator_metrics_out(creator, refresh.row, now)
        return no_store(Response(body, status=202 if pending else 200))


class DeepEnrichmentView(ApiView):
    """Metrics for every creator of a finished search. GET estimates the credits (one call
    per creator not fresh in the cache); POST starts the fetches (202), optionally refusing a
    cost above `maxCredits` (409)."""

    throttle_classes = [PollThrottle]

    @extend_schema(
        operation_id="deep_enrichment_estimate",
        responses={200: shapes.DeepEnrichmentEstimate, 401: ERROR, 404: ERROR},
    )
    def get(self, request, job_id):
        job = search_selectors.job_get(user=request.user, job_id=job_id)
        estimate = selectors.deep_enrichment_estimate(job=job)
        return no_store(Response(shapes.estimate_out(job, estimate)))

    @extend_schema(
        operation_id="deep_enrichment_start",
        request=shapes.DeepEnrichmentStart,
        responses={
            200: shapes.DeepEnrichmentEstimate,
            202: shapes.DeepEnrichmentEstimate,
            400: ERROR,
            401: ERROR,
            402: ERROR,
            404: ERROR,
            409: ERROR,
            429: ERROR,
        },
    )
    def post(self, request, job_id):
        job = search_selectors.job_get(user=request.user, job_id=job_id)
        body = shapes.DeepEnrichmentStart(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            estimate = services.deep_enrichment_start(
                user=request.user, job=job, max_credits=body.validated_data.get("maxCredits")
            )
        except (services.SearchStillRunning, services.CostChanged) as exc:
            raise Conflict(str(exc)) from None
        queued = len(estimate.to_fetch)
        out = shapes.estimate_out(job, estimate, queued=queued)
        return no_store(Response(out, status=202 if queued else 200))
