"""What every REST endpoint shares: authentication, one error format, paging.

The throttles whose rates are knobs live in sysconfig.throttles."""

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from core.errors import PaymentRequired, StartThrottled
from core.numbers import whole_number

# Every paged list of the API: ?page= (1-based) and ?page_size=.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE_NUMBER = 1_000_000


def paging(request) -> tuple[int, int]:
    """(page size, page number) from the query, or a 400 naming the parameter that is wrong."""
    size = whole_number(
        request.query_params.get("page_size") or str(DEFAULT_PAGE_SIZE), maximum=MAX_PAGE_SIZE
    )
    if not size:
        raise exceptions.ValidationError(
            {"page_size": [f"Use a whole number from 1 to {MAX_PAGE_SIZE}."]}
        )
    number = whole_number(request.query_params.get("page") or "1", maximum=MAX_PAGE_NUMBER)
    if not number:
        raise exceptions.ValidationError(
            {"page": [f"Use a page number from 1 to {MAX_PAGE_NUMBER:,}."]}
        )
    return size, number


def iso_time(value: datetime | str | None) -> str | None:
    """A time as the API writes it: ISO 8601 in UTC with "Z" (None stays None; an ISO string,
    as JSON fields keep times, is read first)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


logger = logging.getLogger(__name__)


class ApiView(APIView):
    """A DRF view the LoginRequiredMiddleware leaves alone: DRF authenticates it (401/403)."""

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        view.login_required = False
        return view


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource's state does not allow this."
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413, not Django's HTML 400 page."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "request_too_large"


class PaymentRequiredError(exceptions.APIException):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_detail = "Your plan does not allow this."
    default_code = "payment_required"

    def __init__(self, detail: str, upgrade_url: str):
        super().__init__(detail)
        self.upgrade_url = upgrade_url


class StartThrottledError(exceptions.Throttled):
    """Too many searches started: a 429 with Retry-After that says so in words."""

    def __init__(self, message: str, wait: int):
        super().__init__(wait=wait)
        self.message = message


def django_errors(
    error: DjangoValidationError, field_names: dict[str, str]
) -> exceptions.ValidationError:
    """A service's ValidationError, with its fields renamed to the API's names."""
    if hasattr(error, "error_dict"):
        errors = {field_names.get(k, k): v for k, v in error.message_dict.items()}
    else:
        errors = {"non_field_errors": error.messages}
    return exceptions.ValidationError(errors)


def error_response(exc, context):
    """One error format for every failure: {"message": ..., "errors": {field: [...]}}."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = django_errors(exc, {})
    elif isinstance(exc, PaymentRequired):
        exc = PaymentRequiredError(exc.message, exc.upgrade_url)
    elif isinstance(exc, StartThrottled):
        exc = StartThrottledError(exc.message, wait=exc.wait_seconds)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # e.g. more form fields than Django accepts
        logger.warning("suspicious API request: %s", exc)
        exc = exceptions.ParseError("Malformed request.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    body: dict = {"message": _message(exc), "errors": {}}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body["errors"] = {k: [str(m) for m in _as_list(v)] for k, v in detail.items()}
    if isinstance(exc, PaymentRequiredError):
        body["upgradeUrl"] = exc.upgrade_url
    response.data = body
    return response


def _message(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "Invalid input."
    if isinstance(exc, StartThrottledError):
        return exc.message
    if isinstance(exc, exceptions.Throttled):
        # DRF sets Throttled.wait in __init__; djangorestframework-stubs leave the attribute out.
        wait = int(exc.wait or 1)  # type: ignore[attr-defined]
        return f"Too many requests. Try again in {wait} second{'s' if wait != 1 else ''}."
    detail = exc.detail
    if isinstance(detail, dict | list):
        return "Request failed."
    return str(detail)


def _as_list(value):
    if isinstance(value, dict):
        return [f"{k}: {' '.join(str(m) for m in _as_list(v))}" for k, v in value.items()]
    return value if isinstance(value, list) else [value]


ERROR_SCHEMA = inline_serializer(
    "Error",
    {
        "message": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)


def no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response
