"""What every REST endpoint shares: authentication, one error format, throttles, paging."""

import logging

from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView, exception_handler

from sysconfig import config
from trials.errors import PaymentRequired

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


class PaymentRequiredError(exceptions.APIException):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_detail = "Your plan does not allow this."
    default_code = "payment_required"

    def __init__(self, detail: str, upgrade_url: str):
        super().__init__(detail)
        self.upgrade_url = upgrade_url


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
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
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


class ConfigRateThrottle(UserRateThrottle):
    """A per-user throttle whose rate (requests per minute) is a sysconfig knob."""

    knob = ""

    def get_rate(self) -> str:
        return f"{int(config.get(self.knob))}/min"


class SearchCreateThrottle(ConfigRateThrottle):
    scope = "search_create"
    knob = "api.throttle_search_per_minute"


class PollThrottle(ConfigRateThrottle):
    """Polls are frequent cheap reads: their history lives in the "throttle" cache (Redis, or
    process memory), never in the database cache, so a poll does not write to the database."""

    scope = "poll"
    knob = "api.throttle_poll_per_minute"
    cache = caches["throttle"]


def no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response
