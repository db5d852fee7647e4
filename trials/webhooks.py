"""The Stripe webhook: verify, check, de-duplicate, apply. One code path for real and mock events.

A delivery's signature and age are verified, then the event is read into plain, type-checked
values before anything is written. A signed body that is not shaped like a Stripe event (wrong
types, timestamps out of range, nested too deep to parse) or that comes from the other mode (a
live event on a test key, or the reverse) is refused with a 400 and a warning, and changes
nothing: a 500 would only make Stripe retry the same body for days.

The event id is recorded in the same transaction as the event's effect: a duplicate delivery
finds the id taken and does nothing, and an effect that fails rolls the id back so Stripe's
retry is applied. Ordering is handled where the state is written
(services.subscriptions.subscription_apply ignores events older than the last one applied).
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from . import billing
from .models import StripeEvent, UserProfile
from .services.subscriptions import billing_customer_link, subscription_apply

logger = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    }
)


class WebhookRejected(Exception):
    """Bad signature, stale timestamp, a body that is not a well-formed Stripe event, or an event
    from the other mode (live/test): answer 400."""


class Malformed(ValueError):
    """A signed body whose shape or types are not what Stripe sends."""


@dataclass(frozen=True)
class Event:
    """What the webhook uses of one event, every value checked. Empty strings stand for absent
    fields; the checkout and subscription fields are read only for those events."""

    id: str
    type: str
    created: datetime
    livemode: bool
    object_id: str
    customer: str  # data.object.customer, or the id of a customer object
    user_ids: tuple[str, ...]  # metadata.user_id and client_reference_id: our user's pk
    mode: str = ""
    subscription: str = ""
    status: str = ""
    plan: str = ""  # metadata.plan
    price_id: str = ""  # the first subscription item's price
    period_end: datetime | None = None


def webhook_receive(*, payload: bytes | str, signature: str) -> str:
    """Verify and apply one delivery. Returns what happened ("applied", "duplicate", …)."""
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, billing.webhook_secret(), stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        logger.warning("stripe webhook rejected", extra={"error": str(exc)})
        raise WebhookRejected(str(exc)) from exc
    body = None
    try:
        body = json.loads(payload)
        event = _read(body)
    # Malformed and bad JSON are ValueErrors; a body nested deeper than the parser's recursion
    # limit raises RecursionError.
    except (ValueError, RecursionError) as exc:
        raise _rejected(body, f"not a Stripe event: {exc}") from exc
    if not billing.livemode_matches(event.livemode):
        raise _rejected(body, f"livemode={event.livemode} does not match the Stripe key's mode")
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event.id,
                    event_type=event.type,
                    created=event.created,
                    livemode=event.livemode,
                )
        except IntegrityError:
            logger.info("stripe webhook duplicate", extra={"event_id": event.id})
            return "duplicate"
        user = _user_for(event)
        outcome = _apply(event, user)
        record.user, record.outcome = user, outcome
        record.save(update_fields=["user", "outcome"])
    logger.info(
        "stripe webhook processed",
        extra={"event_id": event.id, "event_type": event.type, "outcome": outcome},
    )
    return outcome


def _rejected(body, reason: str) -> WebhookRejected:
    """Log a signed delivery we refuse, with the id and type it claims, and return the error."""
    event_id, event_type = _label(body, "id"), _label(body, "type")
    logger.warning(
        "stripe webhook rejected: %s (event %s, type %s)",
        reason,
        event_id,
        event_type,
        extra={"event_id": event_id, "event_type": event_type, "error": reason},
    )
    return WebhookRejected(reason)


def _label(body, key: str) -> str | None:
    """An event's id or type for the log: a string (shortened), else only its JSON type."""
    value = body.get(key) if isinstance(body, dict) else None
    if value is None:
        return None
    if isinstance(value, str):
        return value[:255]
    return f"<{type(value).__name__}>"


def _read(body) -> Event:
    """The event's values, each checked against what Stripe sends; Malformed otherwise."""
    if not isinstance(body, dict):
        raise Malformed("the body is not a JSON object")
    event_id = _text(body.get("id"), "id", required=True)
    event_type = _text(body.get("type"), "type", required=True, max_length=100)
    created = _timestamp(body.get("created"), "created", required=True)
    livemode = body.get("livemode")
    if not isinstance(livemode, bool):
        raise Malformed("livemode is not true or false")
    obj = _mapping(body.get("data"), "data").get("object")
    if not isinstance(obj, dict):
        raise Malformed("data.object is not an object")
    metadata = _mapping(obj.get("metadata"), "data.object.metadata")
    object_id = _text(obj.get("id"), "data.object.id")
    if _text(obj.get("object"), "data.object.object") == "customer":
        customer = object_id
    else:
        customer = _text(obj.get("customer"), "data.object.customer")
    event: dict[str, Any] = {  # Event's keyword arguments
        "id": event_id,
        "type": event_type,
        "created": created,
        "livemode": livemode,
        "object_id": object_id,
        "customer": customer,
        "user_ids": (
            _text(metadata.get("user_id"), "data.object.metadata.user_id"),
            _text(obj.get("client_reference_id"), "data.object.client_reference_id"),
        ),
    }
    if event_type == "checkout.session.completed":
        event["mode"] = _text(obj.get("mode"), "data.object.mode")
        event["subscription"] = _text(obj.get("subscription"), "data.object.subscription")
    elif event_type in SUBSCRIPTION_EVENTS:
        items = _mapping(obj.get("items"), "data.object.items").get("data")
        if items is None:
            items = []
        if not isinstance(items, list):
            raise Malformed("data.object.items.data is not a list")
        item = _mapping(items[0] if items else None, "data.object.items.data[0]")
        price = _mapping(item.get("price"), "data.object.items.data[0].price")
        event["status"] = _text(obj.get("status"), "data.object.status")
        event["plan"] = _text(metadata.get("plan"), "data.object.metadata.plan")
        event["price_id"] = _text(price.get("id"), "data.object.items.data[0].price.id")
        # Newer API versions carry the period on the item, older ones on the subscription.
        event["period_end"] = _timestamp(
            obj.get("current_period_end"), "data.object.current_period_end"
        ) or _timestamp(
            item.get("current_period_end"), "data.object.items.data[0].current_period_end"
        )
    return Event(**event)


def _text(value, name: str, *, required: bool = False, max_length: int = 255) -> str:
    """A string field, "" when absent or null. No longer than our columns, and no NUL character
    (Postgres refuses it)."""
    if value is None:
        if required:
            raise Malformed(f"{name} is missing")
        return ""
    if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
        raise Malformed(f"{name} is not a string of at most {max_length} characters")
    if required and not value:
        raise Malformed(f"{name} is empty")
    return value


def _mapping(value, name: str) -> dict:
    """An object field, {} when absent or null."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"{name} is not an object")
    return value


def _timestamp(value, name: str, *, required: bool = False) -> datetime | None:
    """Unix seconds as a datetime. Stripe sends positive whole numbers; a float, a string, a
    bool (an int to Python) or a value beyond datetime's range is refused."""
    if value is None:
        if required:
            raise Malformed(f"{name} is missing")
        return None
    if type(value) is not int or value <= 0:
        raise Malformed(f"{name} is not a positive whole number of seconds")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise Malformed(f"{name} is out of range") from exc


def _apply(event: Event, user) -> str:
    if event.type not in SUBSCRIPTION_EVENTS and event.type != "checkout.session.completed":
        return "ignored"
    if user is None:
        logger.warning("stripe webhook for an unknown customer", extra={"event_type": event.type})
        return "no matching user"
    if event.type == "checkout.session.completed":
        if event.mode != "subscription":
            return "ignored"
        billing_customer_link(
            user=user, customer_id=event.customer, subscription_id=event.subscription
        )
        return "customer linked"
    status = "canceled" if event.type.endswith(".deleted") else event.status
    changed = subscription_apply(
        user=user,
        subscription_id=event.object_id,
        status=status,
        plan=billing.plan_for_price(event.price_id) or event.plan,
        customer_id=event.customer,
        period_end=event.period_end,
        event_created=event.created,
    )
    return "applied" if changed else "stale, ignored"


def _user_for(event: Event):
    """The user an event is about: our metadata, the checkout's reference, or the customer."""
    User = get_user_model()
    for candidate in event.user_ids:
        # Our ids are positive integers that fit auth.User's 32-bit column; anything else is
        # not one of ours (and must not reach the database as a lookup that fails).
        if candidate.isascii() and candidate.isdigit() and 0 < int(candidate) < 2**31:
            user = User.objects.filter(pk=int(candidate)).first()
            if user is not None:
                return user
    if event.customer:
        profile = (
            UserProfile.objects.select_related("user")
            .filter(stripe_customer_id=event.customer)
            .first()
        )
        if profile is not None:
            return profile.user
    return None
