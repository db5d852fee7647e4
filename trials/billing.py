"""Billing with Stripe, and a mock mode that walks the same flow locally.

BILLING_MODE picks the mode: `stripe` or `mock`; unset, mock only in DEBUG without a Stripe key,
so a production that forgot its keys never hands out paid plans for free (see mock_mode).

Real mode: a Checkout session for the plan's price, and the customer portal. Mock mode: a local
checkout page and portal page that produce the same webhook events Stripe would send, signed
exactly like Stripe signs them (`t=…,v1=HMAC-SHA256(secret, "t.payload")`) with a local secret
and delivered through the task queue to the one webhook code path, which verifies them with
`stripe.WebhookSignature.verify_header` like any other.
"""

import hashlib
import hmac
import json
import logging
import time
import uuid
from urllib.parse import urlencode

import stripe
from django.conf import settings
from django.core import signing
from django.urls import reverse

from core.queue import enqueue

from .emails import absolute
from .plans import PAID_PLANS
from .services.profiles import profile_for
from .services.subscriptions import billing_customer_link

logger = logging.getLogger(__name__)

STRIPE_TIMEOUT = 10  # seconds, per HTTP call to Stripe
MOCK_PRICES = {"starter": "price_mock_starter", "pro": "price_mock_pro"}
MOCK_SESSION_SALT = "trials.mock-checkout"
MOCK_SESSION_MAX_AGE = 3600
# What real billing needs; without any of them it is unavailable (never silently mock).
STRIPE_SETTINGS = (
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_PRICE_STARTER",
    "STRIPE_PRICE_PRO",
)
UNAVAILABLE = "Billing is unavailable right now. Please try again later or contact us."


class BillingError(Exception):
    """Billing could not go ahead; the message is for the user."""


def mock_mode() -> bool:
    """Mock billing only when asked for by name, or in DEBUG (development) without a Stripe key.
    Missing keys outside DEBUG mean billing is unavailable, not free."""
    if settings.BILLING_MODE:
        return settings.BILLING_MODE == "mock"
    return settings.DEBUG and not settings.STRIPE_SECRET_KEY


def stripe_missing() -> list[str]:
    """The Stripe settings real billing needs but lacks (none in mock mode)."""
    if mock_mode():
        return []
    return [name for name in STRIPE_SETTINGS if not getattr(settings, name)]


def available() -> bool:
    return not stripe_missing()


def livemode_matches(livemode: bool) -> bool:
    """Whether an event's `livemode` fits our key: live events only with a live key, test events
    only with a test key or in mock mode. A live event on a test setup (or the reverse) is
    refused, and so is everything when the key's mode is unknown."""
    if mock_mode():
        return livemode is False
    prefixes = ("sk_live_", "rk_live_") if livemode else ("sk_test_", "rk_test_")
    return settings.STRIPE_SECRET_KEY.startswith(prefixes)


def webhook_secret() -> str:
    """STRIPE_WEBHOOK_SECRET, or (mock mode) a fixed value derived from SECRET_KEY. Empty in
    real mode without one: then no delivery verifies."""
    if settings.STRIPE_WEBHOOK_SECRET:
        return settings.STRIPE_WEBHOOK_SECRET
    if not mock_mode():
        return ""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"trials.mock-stripe-webhook", hashlib.sha256
    ).hexdigest()
    return f"whsec_mock_{digest[:40]}"


def price_ids() -> dict[str, str]:
    if mock_mode():
        return dict(MOCK_PRICES)
    return {"starter": settings.STRIPE_PRICE_STARTER, "pro": settings.STRIPE_PRICE_PRO}


def plan_for_price(price_id: str | None) -> str | None:
    if not price_id:
        return None
    return next((plan for plan, known in price_ids().items() if known == price_id), None)


def _client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT),
        max_network_retries=2,
    )


def checkout_start(*, user, plan: str) -> str:
    """The URL that takes the user to pay for `plan`: Stripe Checkout, or the mock page."""
    if plan not in PAID_PLANS:
        raise BillingError("Choose the Starter or Pro plan.")
    profile = profile_for(user)
    if profile.subscribed:
        raise BillingError("You already have a subscription. Manage it from the billing portal.")
    if not available():
        logger.warning("billing unavailable", extra={"missing": stripe_missing()})
        raise BillingError(UNAVAILABLE)
    if mock_mode():
        customer_id = profile.stripe_customer_id or f"cus_mock_{uuid.uuid4().hex[:14]}"
        billing_customer_link(user=user, customer_id=customer_id)
        token = signing.dumps(
            {"u": user.pk, "plan": plan, "cs": f"cs_mock_{uuid.uuid4().hex[:24]}"},
            salt=MOCK_SESSION_SALT,
        )
        return f"{reverse('billing_mock_checkout')}?{urlencode({'session': token})}"
    price = price_ids()[plan]
    client = _client()
    metadata = {"user_id": str(user.pk), "plan": plan}
    try:
        customer_id = profile.stripe_customer_id
        if not customer_id:
            customer = client.v1.customers.create(
                params={"email": user.email, "metadata": {"user_id": str(user.pk)}},
                options={"idempotency_key": f"customer-{user.pk}"},
            )
            customer_id = customer.id
            billing_customer_link(user=user, customer_id=customer_id)
        session = client.v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": str(user.pk),
                "line_items": [{"price": price, "quantity": 1}],
                "success_url": f"{absolute('billing')}?checkout=success",
                "cancel_url": f"{absolute('billing')}?checkout=cancelled",
                "metadata": metadata,
                "subscription_data": {"metadata": metadata},
            }
        )
    except stripe.StripeError as exc:
        logger.warning("stripe checkout failed", extra={"user_id": user.pk, "error": str(exc)})
        raise BillingError("We could not reach our payment provider. Try again shortly.") from exc
    if session.url is None:  # Stripe leaves it out only for embedded or finished sessions
        logger.warning("stripe checkout session without a url", extra={"user_id": user.pk})
        raise BillingError("We could not reach our payment provider. Try again shortly.")
    return session.url


def portal_start(*, user) -> str:
    """The URL of the customer portal (Stripe's, or the mock one)."""
    profile = profile_for(user)
    if not profile.stripe_customer_id:
        raise BillingError("You have no billing account yet. Choose a plan first.")
    if not available():
        logger.warning("billing unavailable", extra={"missing": stripe_missing()})
        raise BillingError(UNAVAILABLE)
    if mock_mode():
        return reverse("billing_mock_portal")
    try:
        session = _client().v1.billing_portal.sessions.create(
            params={"customer": profile.stripe_customer_id, "return_url": absolute("billing")}
        )
    except stripe.StripeError as exc:
        logger.warning("stripe portal failed", extra={"user_id": user.pk, "error": str(exc)})
        raise BillingError("We could not reach our payment provider. Try again shortly.") from exc
    return session.url


# --- Mock mode -----------------------------------------------------------------------------


def mock_session(*, user, token: str) -> dict:
    """The mock checkout session behind a token: {"plan", "id"}; only its own user may use it."""
    if not mock_mode():
        raise BillingError("Mock checkout is off: billing runs on Stripe.")
    try:
        data = signing.loads(token, salt=MOCK_SESSION_SALT, max_age=MOCK_SESSION_MAX_AGE)
    except signing.BadSignature as exc:
        raise BillingError("This checkout link has expired. Choose a plan again.") from exc
    if data.get("u") != user.pk or data.get("plan") not in PAID_PLANS:
        raise BillingError("This checkout link is not yours. Choose a plan again.")
    return {"plan": data["plan"], "id": data["cs"]}


def mock_checkout_complete(*, user, token: str) -> None:
    """Pay in the mock checkout: emit checkout.session.completed and
    customer.subscription.created, as Stripe does after a successful payment."""
    session = mock_session(user=user, token=token)
    profile = profile_for(user)
    if profile.subscribed:
        raise BillingError("You already have a subscription.")
    plan, now = session["plan"], int(time.time())
    subscription = _mock_subscription(
        user, profile.stripe_customer_id, f"sub_mock_{uuid.uuid4().hex[:14]}", plan, "active", now
    )
    checkout = {
        "id": session["id"],
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "customer": profile.stripe_customer_id,
        "subscription": subscription["id"],
        "client_reference_id": str(user.pk),
        "metadata": {"user_id": str(user.pk), "plan": plan},
    }
    _emit("checkout.session.completed", checkout, now)
    _emit("customer.subscription.created", subscription, now)


def mock_subscription_change(*, user, plan: str | None = None, cancel: bool = False) -> None:
    """The mock portal: switch plan (customer.subscription.updated) or cancel now
    (customer.subscription.deleted)."""
    if not mock_mode():
        raise BillingError("The mock portal is off: billing runs on Stripe.")
    profile = profile_for(user)
    if not (profile.subscribed and profile.stripe_subscription_id):
        raise BillingError("You have no active subscription.")
    now = int(time.time())
    if cancel:
        subscription = _mock_subscription(
            user,
            profile.stripe_customer_id,
            profile.stripe_subscription_id,
            profile.plan,
            "canceled",
            now,
        )
        _emit("customer.subscription.deleted", subscription, now)
        return
    if plan not in PAID_PLANS:
        raise BillingError("Choose the Starter or Pro plan.")
    subscription = _mock_subscription(
        user, profile.stripe_customer_id, profile.stripe_subscription_id, plan, "active", now
    )
    _emit("customer.subscription.updated", subscription, now)


def _mock_subscription(user, customer_id, subscription_id, plan, status, now) -> dict:
    period_end = now + 30 * 86_400
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer_id,
        "status": status,
        "cancel_at_period_end": False,
        "current_period_end": period_end,
        "metadata": {"user_id": str(user.pk), "plan": plan},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_mock_{uuid.uuid4().hex[:14]}",
                    "object": "subscription_item",
                    "price": {"id": MOCK_PRICES[plan], "object": "price"},
                    "current_period_end": period_end,
                }
            ],
        },
        "livemode": False,
    }


def _emit(event_type: str, obj: dict, created: int) -> None:
    event = {
        "id": f"evt_mock_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": stripe.api_version,
        "created": created,
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": obj},
    }
    # Delivered by a worker, like Stripe delivers: asynchronously, signed at delivery time.
    enqueue("trials.tasks.mock_webhook_deliver", json.dumps(event, separators=(",", ":")))


def sign(payload: str, *, timestamp: int | None = None, secret: str | None = None) -> str:
    """A Stripe-Signature header for `payload` (what Stripe computes, with our secret)."""
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret or webhook_secret(), timestamp=timestamp
    )
