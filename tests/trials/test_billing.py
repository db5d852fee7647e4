import json
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
import stripe

from trials import billing
from trials.models import StripeEvent

from .conftest import profile_of

pytestmark = pytest.mark.django_db
# Mock events go through the task queue, which runs them once the request's writes commit:
# the page-flow tests below run in real transactions so that happens as in production.
flow = pytest.mark.django_db(transaction=True)


def event(event_type: str, obj: dict, *, created: int, event_id: str | None = None) -> str:
    return json.dumps(
        {
            "id": event_id or f"evt_{event_type}_{created}_{obj.get('status', '')}",
            "object": "event",
            "type": event_type,
            "created": created,
            "livemode": False,
            "data": {"object": obj},
        }
    )


def subscription(user, *, status: str, sub_id: str = "sub_1", plan: str = "starter") -> dict:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "metadata": {"user_id": str(user.pk), "plan": plan},
        "items": {"data": [{"price": {"id": billing.MOCK_PRICES[plan]}}]},
        "current_period_end": 1_800_000_000,
    }


def post(client, payload: str, signature: str | None = None):
    return client.post(
        "/billing/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": billing.sign(payload) if signature is None else signature},
    )


def state(user) -> tuple:
    p = profile_of(user)
    return (p.plan, p.subscription_status, p.stripe_subscription_id)


# --- Mock mode: the whole flow through the pages ---------------------------------------------


@flow
def test_mock_checkout_walks_the_flow_and_activates_the_plan(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post("/billing/checkout/", {"plan": "starter"})
    url = urlparse(response["Location"])
    assert url.path == "/billing/mock/checkout/"
    page = client.get(response["Location"]).content.decode()
    assert "Subscribe to Starter" in page and "Pay and subscribe" in page

    response = client.post(response["Location"])
    assert response["Location"] == "/billing/?checkout=success"
    profile = profile_of(user)
    assert (profile.plan, profile.subscription_status) == ("starter", "active")
    assert profile.stripe_customer_id.startswith("cus_mock_")
    assert profile.stripe_subscription_id.startswith("sub_mock_")
    events = StripeEvent.objects.order_by("received_at")
    assert [(e.event_type, e.outcome, e.user_id) for e in events] == [
        ("checkout.session.completed", "customer linked", user.pk),
        ("customer.subscription.created", "applied", user.pk),
    ]
    page = client.get("/billing/?checkout=success").content.decode()
    assert "Thank you! Your Starter plan is active." in page
    assert "Manage billing" in page
    assert "Subscribe to Pro" not in page


@flow
def test_mock_checkout_link_belongs_to_its_user(client, make_user):
    owner, other = make_user(), make_user()
    client.force_login(owner)
    link = client.post("/billing/checkout/", {"plan": "pro"})["Location"]
    client.force_login(other)
    response = client.post(link)
    assert response["Location"] == "/billing/"
    assert profile_of(other).subscription_status == "none"
    assert profile_of(owner).subscription_status == "none"


@flow
def test_mock_portal_switches_and_cancels(client, make_user, clock):
    user = make_user()
    client.force_login(user)
    client.post(client.post("/billing/checkout/", {"plan": "starter"})["Location"])
    assert client.post("/billing/portal/")["Location"] == "/billing/mock/portal/"
    assert "Switch to Pro" in client.get("/billing/mock/portal/").content.decode()

    clock.shift(timedelta(seconds=5))
    client.post("/billing/mock/portal/", {"action": "pro"})
    assert state(user)[:2] == ("pro", "active")
    clock.shift(timedelta(seconds=5))
    client.post("/billing/mock/portal/", {"action": "cancel"})
    assert state(user)[:2] == ("pro", "canceled")
    page = client.get("/billing/").content.decode()
    assert "Subscribe to Starter" in page


def test_unknown_plan_is_refused(client, make_user):
    client.force_login(make_user())
    response = client.post("/billing/checkout/", {"plan": "enterprise"}, follow=True)
    assert "Choose the Starter or Pro plan." in response.content.decode()


# --- The webhook: signatures, duplicates, ordering --------------------------------------------


def test_webhook_rejects_bad_signatures(client, make_user):
    user = make_user()
    payload = event("customer.subscription.created", subscription(user, status="active"), created=1)
    good = billing.sign(payload)
    assert post(client, payload, signature="").status_code == 400
    assert post(client, payload, signature="t=1,v1=deadbeef").status_code == 400
    assert (
        post(client, payload, signature=billing.sign(payload, secret="whsec_other")).status_code
        == 400
    )
    assert post(client, payload.replace("active", "trialing"), signature=good).status_code == 400
    stale = billing.sign(payload, timestamp=int(time.time()) - 301)
    assert post(client, payload, signature=stale).status_code == 400
    assert client.get("/billing/webhook").status_code == 405
    assert StripeEvent.objects.count() == 0
    assert state(user) == ("", "none", "")
    assert post(client, payload, signature=good).status_code == 200
    assert state(user) == ("starter", "active", "sub_1")


def test_webhook_rejects_a_signed_body_that_is_not_an_event(client):
    assert post(client, "not json").status_code == 400
    assert post(client, json.dumps({"object": "event", "id": "evt_1"})).status_code == 400


def test_webhook_uses_the_configured_secret(client, make_user, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_configured"
    user = make_user()
    payload = event("customer.subscription.created", subscription(user, status="active"), created=1)
    assert (
        post(
            client, payload, signature=billing.sign(payload, secret="whsec_configured")
        ).status_code
        == 200
    )
    assert billing.webhook_secret() == "whsec_configured"


def test_duplicate_events_apply_once(client, make_user):
    user = make_user()
    created = post(
        client,
        event(
            "customer.subscription.created",
            subscription(user, status="active"),
            created=100,
            event_id="evt_a",
        ),
    )
    assert created.json() == {"received": True, "outcome": "applied"}
    post(
        client,
        event(
            "customer.subscription.deleted",
            subscription(user, status="canceled"),
            created=200,
            event_id="evt_b",
        ),
    )
    again = post(
        client,
        event(
            "customer.subscription.created",
            subscription(user, status="active"),
            created=300,
            event_id="evt_a",
        ),
    )
    assert again.status_code == 200
    assert again.json() == {"received": True, "outcome": "duplicate"}
    assert state(user) == ("starter", "canceled", "sub_1")
    assert StripeEvent.objects.count() == 2


def test_older_events_arriving_late_are_ignored(client, make_user):
    user = make_user()
    post(
        client,
        event("customer.subscription.deleted", subscription(user, status="canceled"), created=200),
    )
    late = post(
        client,
        event("customer.subscription.updated", subscription(user, status="active"), created=100),
    )
    assert late.json()["outcome"] == "stale, ignored"
    assert state(user) == ("starter", "canceled", "sub_1")


def test_same_second_events_settle_on_the_later_stage(client, make_user):
    user = make_user()
    post(
        client,
        event("customer.subscription.updated", subscription(user, status="active"), created=100),
    )
    post(
        client,
        event(
            "customer.subscription.created", subscription(user, status="incomplete"), created=100
        ),
    )
    assert state(user) == ("starter", "active", "sub_1")


def test_subscription_before_checkout_completed(client, make_user):
    user = make_user()
    post(
        client,
        event("customer.subscription.created", subscription(user, status="active"), created=100),
    )
    checkout = {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "customer": "cus_1",
        "subscription": "sub_1",
        "client_reference_id": str(user.pk),
    }
    assert (
        post(client, event("checkout.session.completed", checkout, created=99)).json()["outcome"]
        == "customer linked"
    )
    profile = profile_of(user)
    assert (profile.subscription_status, profile.stripe_customer_id) == ("active", "cus_1")
    assert profile.subscription_period_end == datetime.fromtimestamp(1_800_000_000, tz=UTC)


def test_an_old_subscription_ending_does_not_cancel_the_new_one(client, make_user):
    user = make_user()
    post(
        client,
        event(
            "customer.subscription.created",
            subscription(user, status="active", sub_id="sub_new", plan="pro"),
            created=100,
        ),
    )
    post(
        client,
        event(
            "customer.subscription.deleted",
            subscription(user, status="canceled", sub_id="sub_old"),
            created=150,
        ),
    )
    assert state(user) == ("pro", "active", "sub_new")


def test_events_found_by_customer_id_and_unknown_customers(client, make_user):
    user = make_user()
    profile = profile_of(user)
    profile.stripe_customer_id = "cus_9"
    profile.save()
    obj = {**subscription(user, status="past_due"), "metadata": {}, "customer": "cus_9"}
    assert (
        post(client, event("customer.subscription.updated", obj, created=5)).json()["outcome"]
        == "applied"
    )
    assert state(user) == ("starter", "past_due", "sub_1")
    stranger = {**obj, "customer": "cus_unknown"}
    response = post(client, event("customer.subscription.updated", stranger, created=6))
    assert (response.status_code, response.json()["outcome"]) == (200, "no matching user")
    other = post(client, event("invoice.paid", {"id": "in_1", "object": "invoice"}, created=7))
    assert other.json()["outcome"] == "ignored"


# --- Real mode: Stripe is the boundary, faked here --------------------------------------------


class FakeStripe:
    def __init__(self, fail: bool = False):
        self.calls: list[tuple[str, dict]] = []
        self.fail = fail
        self.v1 = SimpleNamespace(
            customers=SimpleNamespace(create=self._call("customers.create", id="cus_real")),
            checkout=SimpleNamespace(
                sessions=SimpleNamespace(
                    create=self._call(
                        "checkout.sessions.create", url="https://checkout.stripe.test/c/1"
                    )
                )
            ),
            billing_portal=SimpleNamespace(
                sessions=SimpleNamespace(
                    create=self._call(
                        "billing_portal.sessions.create", url="https://billing.stripe.test/p/1"
                    )
                )
            ),
        )

    def _call(self, name: str, **result):
        def call(params=None, options=None):
            if self.fail:
                raise stripe.APIConnectionError("network down")
            self.calls.append((name, params))
            return SimpleNamespace(**result)

        return call


@pytest.fixture
def real_stripe(settings, monkeypatch):
    settings.BILLING_MODE = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_real"
    settings.STRIPE_PRICE_STARTER = "price_starter_real"
    settings.STRIPE_PRICE_PRO = "price_pro_real"
    fake = FakeStripe()
    monkeypatch.setattr(billing, "_client", lambda: fake)
    return fake


def test_real_checkout_creates_customer_and_session(client, make_user, real_stripe):
    user = make_user()
    client.force_login(user)
    response = client.post("/billing/checkout/", {"plan": "pro"})
    assert response["Location"] == "https://checkout.stripe.test/c/1"
    (_, customer), (_, session) = real_stripe.calls
    assert customer == {"email": user.email, "metadata": {"user_id": str(user.pk)}}
    assert session == {
        "mode": "subscription",
        "customer": "cus_real",
        "client_reference_id": str(user.pk),
        "line_items": [{"price": "price_pro_real", "quantity": 1}],
        "success_url": "http://127.0.0.1:8000/billing/?checkout=success",
        "cancel_url": "http://127.0.0.1:8000/billing/?checkout=cancelled",
        "metadata": {"user_id": str(user.pk), "plan": "pro"},
        "subscription_data": {"metadata": {"user_id": str(user.pk), "plan": "pro"}},
    }
    assert profile_of(user).stripe_customer_id == "cus_real"
    assert client.post("/billing/portal/")["Location"] == "https://billing.stripe.test/p/1"
    assert client.get("/billing/mock/portal/").status_code == 404


def test_real_mode_maps_prices_to_plans(client, make_user, real_stripe):
    user = make_user()
    obj = {**subscription(user, status="active"), "metadata": {"user_id": str(user.pk)}}
    obj["items"] = {
        "data": [{"price": {"id": "price_pro_real"}, "current_period_end": 1_800_000_000}]
    }
    del obj["current_period_end"]
    payload = event("customer.subscription.created", obj, created=1)
    assert (
        post(client, payload, signature=billing.sign(payload, secret="whsec_real")).status_code
        == 200
    )
    assert state(user) == ("pro", "active", "sub_1")
    assert profile_of(user).subscription_period_end == datetime.fromtimestamp(1_800_000_000, tz=UTC)


def test_stripe_outage_is_a_message_not_an_error(client, make_user, real_stripe):
    real_stripe.fail = True
    client.force_login(make_user())
    response = client.post("/billing/checkout/", {"plan": "starter"}, follow=True)
    assert (
        "We could not reach our payment provider. Try again shortly." in response.content.decode()
    )


def test_a_checkout_session_without_a_url_is_a_message_not_an_error(client, make_user, real_stripe):
    real_stripe.v1.checkout.sessions.create = real_stripe._call(
        "checkout.sessions.create", url=None
    )
    client.force_login(make_user())
    response = client.post("/billing/checkout/", {"plan": "pro"}, follow=True)
    assert response.status_code == 200
    assert (
        "We could not reach our payment provider. Try again shortly." in response.content.decode()
    )


def test_mock_checkout_is_off_with_real_keys(client, make_user, real_stripe):
    client.force_login(make_user())
    assert client.get("/billing/mock/checkout/?session=x").status_code == 404


def test_mock_checkout_link_parameters(client, make_user):
    client.force_login(make_user())
    link = client.post("/billing/checkout/", {"plan": "pro"})["Location"]
    assert list(parse_qs(urlparse(link).query)) == ["session"]


def test_real_keys_need_the_webhook_secret_and_prices(settings):
    from trials.checks import stripe_settings

    assert stripe_settings(None) == []  # mock mode
    settings.BILLING_MODE = "stripe"
    assert stripe_settings(None) == []  # no key at all: the deploy check's business
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    settings.STRIPE_PRICE_STARTER = "price_1"
    assert [e.msg for e in stripe_settings(None)] == [
        "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is empty.",
        "STRIPE_SECRET_KEY is set but STRIPE_PRICE_PRO is empty.",
    ]


def test_billing_page_waits_for_the_webhook_after_checkout(client, make_user):
    client.force_login(make_user())
    page = client.get("/billing/?checkout=success").content.decode()
    assert "Confirming your payment" in page
    assert 'content="2;url=/billing/?checkout=success&amp;n=1"' in page
    page = client.get("/billing/?checkout=success&n=20").content.decode()
    assert "Confirming your payment" not in page and "http-equiv" not in page
    assert "Checkout cancelled" in client.get("/billing/?checkout=cancelled").content.decode()
