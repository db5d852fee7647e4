"""The Stripe webhook: verify, de-duplicate, apply. One code path for real and mock events.

The event id is recorded in the same transaction as the event's effect: a duplicate delivery
finds the id taken and does nothing, and an effect that fails rolls the id back so Stripe's
retry is applied. Ordering is handled where the state is written (services.subscription_apply
ignores events older than the last one applied).
"""

import json
import logging
from datetime import UTC, datetime

import stripe
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from . import billing, services
from .models import StripeEvent, UserProfile

logger = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    }
)


class WebhookRejected(Exception):
    """Bad signature, stale timestamp, or a body that is not a Stripe event: answer 400."""


def webhook_receive(*, payload: bytes | str, signature: str) -> str:
    """Verify and apply one delivery. Returns what happened ("applied", "duplicate", …)."""
    try:
        stripe.Webhook.construct_event(payload, signature, billing.webhook_secret())
    except (stripe.SignatureVerificationError, ValueError) as exc:
        logger.warning("stripe webhook rejected", extra={"error": str(exc)})
        raise WebhookRejected(str(exc)) from exc
    try:
        event = json.loads(payload)
        event_id, event_type = str(event["id"]), str(event["type"])
        created = datetime.fromtimestamp(int(event["created"]), tz=UTC)
        obj = event["data"]["object"]
        if not isinstance(obj, dict):
            raise TypeError("data.object is not an object")
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookRejected(f"not a Stripe event: {exc}") from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event_id,
                    event_type=event_type,
                    created=created,
                    livemode=bool(event.get("livemode")),
                )
        except IntegrityError:
            logger.info("stripe webhook duplicate", extra={"event_id": event_id})
            return "duplicate"
        user = _user_for(obj)
        outcome = _apply(event_type, obj, user, created)
        record.user, record.outcome = user, outcome
        record.save(update_fields=["user", "outcome"])
    logger.info(
        "stripe webhook processed",
        extra={"event_id": event_id, "event_type": event_type, "outcome": outcome},
    )
    return outcome


def _apply(event_type: str, obj: dict, user, created: datetime) -> str:
    if event_type not in SUBSCRIPTION_EVENTS and event_type != "checkout.session.completed":
        return "ignored"
    if user is None:
        logger.warning("stripe webhook for an unknown customer", extra={"event_type": event_type})
        return "no matching user"
    if event_type == "checkout.session.completed":
        if obj.get("mode") != "subscription":
            return "ignored"
        services.billing_customer_link(
            user=user,
            customer_id=str(obj.get("customer") or ""),
            subscription_id=str(obj.get("subscription") or ""),
        )
        return "customer linked"
    status = "canceled" if event_type.endswith(".deleted") else str(obj.get("status", ""))
    item = _first_item(obj)
    price_id = (item.get("price") or {}).get("id") if item else None
    plan = billing.plan_for_price(price_id) or (obj.get("metadata") or {}).get("plan")
    period_end = obj.get("current_period_end") or (item or {}).get("current_period_end")
    changed = services.subscription_apply(
        user=user,
        subscription_id=str(obj.get("id", "")),
        status=status,
        plan=plan,
        customer_id=str(obj.get("customer") or ""),
        period_end=datetime.fromtimestamp(int(period_end), tz=UTC) if period_end else None,
        event_created=created,
    )
    return "applied" if changed else "stale, ignored"


def _first_item(obj: dict) -> dict | None:
    items = (obj.get("items") or {}).get("data") or []
    return items[0] if items and isinstance(items[0], dict) else None


def _user_for(obj: dict):
    """The user an event is about: our metadata, the checkout's reference, or the customer."""
    User = get_user_model()
    for candidate in ((obj.get("metadata") or {}).get("user_id"), obj.get("client_reference_id")):
        if candidate:
            try:
                user = User.objects.filter(pk=candidate).first()
            except (TypeError, ValueError):
                user = None
            if user is not None:
                return user
    customer = obj.get("customer") if obj.get("object") != "customer" else obj.get("id")
    if customer:
        profile = (
            UserProfile.objects.select_related("user").filter(stripe_customer_id=customer).first()
        )
        if profile is not None:
            return profile.user
    return None
