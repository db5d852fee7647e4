"""The webhook refuses what Stripe never sends, even when it is correctly signed: 400, a warning
naming the event, and no change. Deliveries are signed exactly as Stripe signs them
(billing.sign) and posted to the real webhook URL."""

import json
import logging

import pytest

from trials import billing
from trials.models import StripeEvent

from .conftest import profile_of
from .test_billing import post, subscription

pytestmark = pytest.mark.django_db

MISSING = object()
UNTOUCHED = ("", "none", "", "", None, None)
CREATED = 1_700_000_000


def good_event(user, *, livemode: bool = False) -> dict:
    """A well-formed customer.subscription.created for `user`: applied as it is."""
    return {
        "id": "evt_bad",
        "object": "event",
        "type": "customer.subscription.created",
        "created": CREATED,
        "livemode": livemode,
        "data": {"object": subscription(user, status="active")},
    }


def with_field(body: dict, path: str, value) -> dict:
    """`body` with the dotted `path` set to `value` (MISSING removes it)."""
    *parents, last = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return body


def deliver(client, body) -> object:
    return post(client, json.dumps(body))


def profile_state(user) -> tuple:
    p = profile_of(user)
    return (
        p.plan,
        p.subscription_status,
        p.stripe_customer_id,
        p.stripe_subscription_id,
        p.subscription_period_end,
        p.subscription_event_at,
    )


def rejections(caplog) -> list[tuple[str, object, object]]:
    return [
        (r.getMessage(), getattr(r, "event_id", None), getattr(r, "event_type", None))
        for r in caplog.records
        if r.name == "trials.webhooks" and r.levelno == logging.WARNING
    ]


def test_the_well_formed_event_below_is_applied(client, make_user):
    user = make_user()
    response = deliver(client, good_event(user))
    assert (response.status_code, response.json()) == (
        200,
        {"received": True, "outcome": "applied"},
    )
    assert profile_of(user).subscription_status == "active"


POSITIVE_SECONDS = "is not a positive whole number of seconds"
STRING = "is not a string of at most 255 characters"
SHORT_STRING = "is not a string of at most 100 characters"


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("created", 10**30, "created is out of range"),
        ("created", 253_402_300_800, "created is out of range"),  # the year 10000
        ("created", -5, f"created {POSITIVE_SECONDS}"),
        ("created", 0, f"created {POSITIVE_SECONDS}"),
        ("created", "1700000000.5", f"created {POSITIVE_SECONDS}"),
        ("created", 1_700_000_000.5, f"created {POSITIVE_SECONDS}"),
        ("created", True, f"created {POSITIVE_SECONDS}"),
        ("created", MISSING, "created is missing"),
        ("livemode", "false", "livemode is not true or false"),
        ("livemode", MISSING, "livemode is not true or false"),
        ("data", "sub_1", "data is not an object"),
        ("data.object", [], "data.object is not an object"),
        ("data.object", "sub_1", "data.object is not an object"),
        ("data.object", MISSING, "data.object is not an object"),
        ("data.object.id", ["sub_1"], f"data.object.id {STRING}"),
        ("data.object.id", "sub_\x00", f"data.object.id {STRING}"),
        ("data.object.customer", 42, f"data.object.customer {STRING}"),
        ("data.object.customer", "cus_" + "x" * 252, f"data.object.customer {STRING}"),
        ("data.object.metadata", "user_id=1", "data.object.metadata is not an object"),
        ("data.object.metadata.user_id", 1, f"data.object.metadata.user_id {STRING}"),
        ("data.object.metadata.plan", ["pro"], f"data.object.metadata.plan {STRING}"),
        ("data.object.status", {"s": "active"}, f"data.object.status {STRING}"),
        ("data.object.items", [], "data.object.items is not an object"),
        ("data.object.items.data", {"0": {}}, "data.object.items.data is not a list"),
        ("data.object.items.data", ["si_1"], "data.object.items.data[0] is not an object"),
        (
            "data.object.current_period_end",
            10**30,
            "data.object.current_period_end is out of range",
        ),
        (
            "data.object.current_period_end",
            "soon",
            f"data.object.current_period_end {POSITIVE_SECONDS}",
        ),
    ],
)
def test_a_signed_event_with_a_field_stripe_never_sends_is_refused(
    client, make_user, caplog, path, value, reason
):
    user = make_user()
    response = deliver(client, with_field(good_event(user), path, value))
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid signature or payload"},
    )
    message = (
        f"stripe webhook rejected: not a Stripe event: {reason} "
        "(event evt_bad, type customer.subscription.created)"
    )
    assert rejections(caplog) == [(message, "evt_bad", "customer.subscription.created")]
    assert StripeEvent.objects.count() == 0
    assert profile_state(user) == UNTOUCHED


@pytest.mark.parametrize(
    ("path", "value", "reason", "event_id", "event_type"),
    [
        ("id", MISSING, "id is missing", None, "customer.subscription.created"),
        ("id", "", "id is empty", "", "customer.subscription.created"),
        ("id", 12345, f"id {STRING}", "<int>", "customer.subscription.created"),
        ("type", MISSING, "type is missing", "evt_bad", None),
        ("type", ["invoice.paid"], f"type {SHORT_STRING}", "evt_bad", "<list>"),
    ],
)
def test_a_signed_event_without_a_usable_id_or_type_is_refused(
    client, make_user, caplog, path, value, reason, event_id, event_type
):
    user = make_user()
    response = deliver(client, with_field(good_event(user), path, value))
    assert response.status_code == 400
    message = (
        f"stripe webhook rejected: not a Stripe event: {reason} "
        f"(event {event_id}, type {event_type})"
    )
    assert rejections(caplog) == [(message, event_id, event_type)]
    assert StripeEvent.objects.count() == 0
    assert profile_state(user) == UNTOUCHED


def test_ignored_event_types_are_still_checked_where_we_read_them(client, make_user, caplog):
    # Every event is matched to a user by metadata and customer, so those are checked too.
    user = make_user()
    body = good_event(user)
    body["type"] = "invoice.paid"
    body["data"]["object"] = {"id": "in_1", "object": "invoice", "customer": 7}
    assert deliver(client, body).status_code == 400
    assert rejections(caplog)[0][0] == (
        "stripe webhook rejected: not a Stripe event: data.object.customer is not a string of "
        "at most 255 characters (event evt_bad, type invoice.paid)"
    )
    assert StripeEvent.objects.count() == 0


def test_a_signed_body_that_is_not_an_object_is_refused(client, caplog):
    assert deliver(client, ["evt_1"]).status_code == 400
    assert rejections(caplog) == [
        (
            "stripe webhook rejected: not a Stripe event: the body is not a JSON object "
            "(event None, type None)",
            None,
            None,
        )
    ]


def test_a_signed_body_nested_too_deep_to_parse_is_refused(client, make_user, caplog):
    user = make_user()
    payload = (
        '{"id": "evt_deep", "type": "customer.subscription.created", "data": '
        + "[" * 1000
        + "]" * 1000
        + "}"
    )
    response = post(client, payload)
    assert response.status_code == 400
    assert rejections(caplog) == [
        (
            "stripe webhook rejected: not a Stripe event: maximum recursion depth exceeded "
            "while decoding a JSON array from a unicode string (event None, type None)",
            None,
            None,
        )
    ]
    assert StripeEvent.objects.count() == 0
    assert profile_state(user) == UNTOUCHED


def test_a_user_id_that_is_not_ours_falls_back_to_the_customer(client, make_user):
    # Not malformed (metadata is the sender's to fill), but never a database error either.
    user = make_user()
    profile = profile_of(user)
    profile.stripe_customer_id = "cus_1"
    profile.save()
    for user_id in ("99999999999999999999999", "-1", "1e3", "٣"):
        body = good_event(user)
        body["id"] = f"evt_{user_id}"
        body["data"]["object"]["metadata"]["user_id"] = user_id
        response = deliver(client, body)
        assert (response.status_code, response.json()["outcome"]) == (200, "applied"), user_id
        assert StripeEvent.objects.get(event_id=f"evt_{user_id}").user == user


# --- livemode must match the key's mode --------------------------------------------------------


@pytest.fixture
def stripe_keys(settings):
    """Real billing with every setting present; the secret key's mode is the test's to set."""
    settings.BILLING_MODE = "stripe"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_real"
    settings.STRIPE_PRICE_STARTER = "price_starter_real"
    settings.STRIPE_PRICE_PRO = "price_pro_real"
    return settings


@pytest.mark.parametrize(
    ("mode", "key", "livemode", "matches"),
    [
        ("mock", "", False, True),
        ("mock", "", True, False),
        ("mock", "sk_live_1", True, False),
        ("stripe", "sk_test_1", False, True),
        ("stripe", "sk_test_1", True, False),
        ("stripe", "rk_test_1", False, True),
        ("stripe", "sk_live_1", True, True),
        ("stripe", "sk_live_1", False, False),
        ("stripe", "rk_live_1", True, True),
        ("stripe", "", False, False),
        ("stripe", "", True, False),
        ("stripe", "pk_live_1", True, False),
    ],
)
def test_livemode_matches_only_the_keys_own_mode(settings, mode, key, livemode, matches):
    settings.BILLING_MODE, settings.STRIPE_SECRET_KEY = mode, key
    assert billing.livemode_matches(livemode) is matches


def test_a_live_event_is_refused_in_mock_mode(client, make_user, caplog):
    user = make_user()
    response = deliver(client, good_event(user, livemode=True))
    assert response.status_code == 400
    assert rejections(caplog) == [
        (
            "stripe webhook rejected: livemode=True does not match the Stripe key's mode "
            "(event evt_bad, type customer.subscription.created)",
            "evt_bad",
            "customer.subscription.created",
        )
    ]
    assert StripeEvent.objects.count() == 0
    assert profile_state(user) == UNTOUCHED


def test_a_live_event_is_refused_with_a_test_key(client, make_user, caplog, stripe_keys):
    stripe_keys.STRIPE_SECRET_KEY = "sk_test_123"
    user = make_user()
    assert deliver(client, good_event(user, livemode=True)).status_code == 400
    assert [m for m, *_ in rejections(caplog)] == [
        "stripe webhook rejected: livemode=True does not match the Stripe key's mode "
        "(event evt_bad, type customer.subscription.created)"
    ]
    assert StripeEvent.objects.count() == 0
    assert profile_state(user) == UNTOUCHED


def test_a_test_event_is_refused_with_a_live_key(client, make_user, caplog, stripe_keys):
    stripe_keys.STRIPE_SECRET_KEY = "sk_live_123"
    user = make_user()
    assert deliver(client, good_event(user, livemode=False)).status_code == 400
    assert [m for m, *_ in rejections(caplog)] == [
        "stripe webhook rejected: livemode=False does not match the Stripe key's mode "
        "(event evt_bad, type customer.subscription.created)"
    ]
    assert StripeEvent.objects.count() == 0
    assert profile_state(user) == UNTOUCHED


def test_a_live_event_is_applied_with_a_live_key(client, make_user, stripe_keys):
    stripe_keys.STRIPE_SECRET_KEY = "sk_live_123"
    user = make_user()
    response = deliver(client, good_event(user, livemode=True))
    assert (response.status_code, response.json()["outcome"]) == (200, "applied")
    assert StripeEvent.objects.get().livemode is True


def test_real_billing_without_a_webhook_secret_verifies_nothing(
    client, make_user, caplog, settings
):
    # The mock secret (derived from SECRET_KEY) must not stand in for a missing real one.
    mock_secret = billing.webhook_secret()
    settings.BILLING_MODE, settings.STRIPE_SECRET_KEY = "stripe", "sk_test_123"
    user = make_user()
    payload = json.dumps(good_event(user))
    response = post(client, payload, signature=billing.sign(payload, secret=mock_secret))
    assert response.status_code == 400
    (record,) = [r for r in caplog.records if r.name == "trials.webhooks"]
    assert (record.levelname, record.getMessage()) == ("WARNING", "stripe webhook rejected")
    assert record.error == "No webhook secret value was provided. It should start with `whsec_`"
    assert StripeEvent.objects.count() == 0
    assert profile_state(user) == UNTOUCHED
