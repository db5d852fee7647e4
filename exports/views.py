"""`GET /api/export/csv?jobId=<uuid>` or `?campaignId=<uuid>`: a search's or a campaign's export.

`&format=xlsx` (or the same query on `/api/export/xlsx`) gives an Excel workbook instead of CSV.
A DRF view so that pages (session) and scripts (``Authorization: Token <key>``) both use it.
Errors are JSON in the project's format ``{"message": …, "errors": {field: […]}}``:
400 for missing, repeated, malformed or conflicting parameters or an unknown format; 401 without
credentials; 404 for an id that is not the user's (whether it exists or not). Success is the
file, streamed.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from campaigns.selectors import campaign_get
from core.errors import PaymentRequired
from scraping.selectors import job_get
from trials.services.entitlements import entitlement_check

from .csv_file import CONTENT_TYPE as CSV_TYPE
from .http import FORMATS, campaign_export_response, job_export_response
from .xlsx_file import CONTENT_TYPE as XLSX_TYPE

PARAMS = ("jobId", "campaignId")


class _JsonErrors(BaseContentNegotiation):
    """Errors are JSON whatever the client's Accept header says (success is a file that does
    not go through a renderer), so an ``Accept: text/csv`` client never gets a 406. This also
    keeps DRF from reading ``?format=`` as a renderer choice: it is the file format here."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _error_handler(exc, context):
    """DRF's handler, reshaped to ``{"message": …}``; a 404 never says what was looked up."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_404_NOT_FOUND:
        response.data = {"message": "Not found."}
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {"message": str(detail or response.status_text)}
    response["Cache-Control"] = "no-store"
    return response


class _BadParams(Exception):
    def __init__(self, message: str, errors: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.body = {"message": message, "errors": errors}


def _parse(params) -> tuple[str, uuid.UUID]:
    """``("job" | "campaign", id)`` from the query string, or a 400 with field errors."""
    given = {name: [v for v in params.getlist(name) if v.strip()] for name in PARAMS}
    present = [name for name in PARAMS if given[name]]
    if not present:
        message = "Give a jobId or a campaignId."
        raise _BadParams(message, {key: [message] for key in PARAMS})
    if len(present) == 2:
        message = "Give a jobId or a campaignId, not both."
        raise _BadParams(message, {key: [message] for key in PARAMS})
    name = present[0]
    if len(given[name]) > 1:
        raise _BadParams(f"Give one {name}.", {name: [f"Give one {name}."]})
    try:
        value = uuid.UUID(given[name][0].strip())
    except ValueError:
        raise _BadParams(f"{name} is not a valid id.", {name: ["Not a valid id."]}) from None
    return ("job" if name == "jobId" else "campaign"), value


def _parse_format(params, default: str) -> str:
    """``csv`` or ``xlsx``: the ``format`` parameter, else the route's own format."""
    given = [v.strip().lower() for v in params.getlist("format") if v.strip()]
    if not given:
        return default
    if len(given) > 1:
        raise _BadParams("Give one format.", {"format": ["Give one format."]})
    if given[0] not in FORMATS:
        message = "format must be csv or xlsx."
        raise _BadParams(message, {"format": ["Choose csv or xlsx."]})
    return given[0]


_PARAMETERS = [
    OpenApiParameter("jobId", OpenApiTypes.UUID, description="one search"),
    OpenApiParameter("campaignId", OpenApiTypes.UUID, description="a whole campaign"),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=list(FORMATS),
        description="csv or xlsx (default: the route's own format)",
    ),
]
_RESPONSES = {
    (200, CSV_TYPE.split(";")[0]): OpenApiResponse(OpenApiTypes.STR, description="the CSV file"),
    (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="the Excel workbook"),
    400: OpenApiResponse(description="missing, malformed or conflicting parameters"),
    401: OpenApiResponse(description="no credentials"),
    402: OpenApiResponse(description="trial ended without a subscription"),
    404: OpenApiResponse(description="not one of your searches or campaigns"),
}
_DESCRIPTION = (
    "Give exactly one of jobId or campaignId. Every export has the same columns. CSV is UTF-8 "
    "with a BOM, streamed; XLSX has typed numbers and dates. Cells are neutralised against "
    "formula injection in both."
)


class ExportView(APIView):
    # Token first: an anonymous request gets 401 with `WWW-Authenticate: Token` (with session
    # first, DRF would answer 403).
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _JsonErrors
    default_format = "csv"

    def get_exception_handler(self):
        return _error_handler

    @extend_schema(
        operation_id="export_csv",
        summary="Download a search's or a campaign's creators as CSV (or XLSX)",
        description=_DESCRIPTION,
        parameters=_PARAMETERS,
        responses=_RESPONSES,
    )
    def get(self, request):
        try:
            kind, object_id = _parse(request.query_params)
            file_format = _parse_format(request.query_params, self.default_format)
        except _BadParams as exc:
            return Response(exc.body, status=400, headers={"Cache-Control": "no-store"})
        if kind == "job":
            target = job_get(user=request.user, job_id=object_id)
        else:
            target = campaign_get(user=request.user, campaign_id=object_id)
        try:
            entitlement_check(user=request.user, action="export")
        except PaymentRequired as exc:
            body = {"message": exc.message, "errors": {}, "upgradeUrl": exc.upgrade_url}
            return Response(body, status=402, headers={"Cache-Control": "no-store"})
        if kind == "job":
            return job_export_response(target, file_format)
        return campaign_export_response(target, file_format)


@extend_schema_view(
    get=extend_schema(
        operation_id="export_xlsx",
        summary="Download a search's or a campaign's creators as an Excel workbook",
        description=_DESCRIPTION,
        parameters=_PARAMETERS,
        responses=_RESPONSES,
    )
)
class ExportXlsxView(ExportView):
    default_format = "xlsx"


@extend_schema_view(get=extend_schema(exclude=True))
class _ExportSlashView(ExportView):
    """The same endpoint at `/api/export/csv/`, left out of the schema (one operation)."""


@extend_schema_view(get=extend_schema(exclude=True))
class _ExportXlsxSlashView(ExportXlsxView):
    """`/api/export/xlsx/`, left out of the schema."""


# DRF authenticates by itself (session or token): LoginRequiredMiddleware must not redirect.
export_csv = login_not_required(ExportView.as_view())
export_csv_slash = login_not_required(_ExportSlashView.as_view())
export_xlsx = login_not_required(ExportXlsxView.as_view())
export_xlsx_slash = login_not_required(_ExportXlsxSlashView.as_view())
