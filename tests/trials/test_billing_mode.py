"""BILLING_MODE: mock billing only when asked for (or in DEBUG), never because keys are missing.
Missing keys outside DEBUG make billing unavailable, and `check --deploy` fails on mock billing."""

import pytest
from django.core import signing
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from trials import billing
from trials.checks import billing_is_real

from .conftest import profile_of

pytestmark = pytest.mark.django_db

STRIPE_KEYS = {
    "STRIPE_SECRET_KEY": "sk_live_1",
    "STRIPE_WEBHOOK_SECRET": "whsec_1",
    "STRIPE_PRICE_STARTER": "price_starter",
    "STRIPE_PRICE_PRO": "price_pro",
}
NO_STRIPE_KEYS = dict.fromkeys(STRIPE_KEYS, "")
UNAVAILABLE = "Billing is unavailable right now. Please try again later or contact us."


@pytest.fixture
def production_like(settings):
    """What production without Stripe keys looked like: DEBUG off, no BILLING_MODE, no keys."""
    settings.DEBUG = False
    settings.BILLING_MODE = ""
    for name, value in NO_STRIPE_KEYS.items():
        setattr(settings, name, value)
    return settings


@pytest.mark.parametrize(
    ("mode", "debug", "key", "mock"),
    [
        ("", False, "", False),  # production that forgot its keys: not free, unavailable
        ("", False, "sk_live_1", False),
        ("", True, "", True),  # development
        ("", True, "sk_test_1", False),
        ("mock", False, "", True),  # asked for by name (a demo)
        ("mock", False, "sk_live_1", True),
        ("stripe", True, "", False),
        ("stripe", False, "sk_live_1", False),
    ],
)
def test_mock_billing_only_in_debug_or_by_name(settings, mode, debug, key, mock):
    settings.BILLING_MODE, settings.DEBUG, settings.STRIPE_SECRET_KEY = mode, debug, key
    assert billing.mock_mode() is mock


def test_without_keys_outside_debug_nobody_gets_a_plan_for_free(client, make_user, production_like):
    user = make_user()
    client.force_login(user)
    page = client.get("/billing/").content.decode()
    assert UNAVAILABLE in page
    assert "Subscribe to Pro" not in page and "mock mode" not in page
    response = client.post("/billing/checkout/", {"plan": "pro"}, follow=True)
    assert response.redirect_chain == [("/billing/", 302)]
    assert [str(m) for m in response.context["messages"]] == [UNAVAILABLE]
    # A mock checkout link obtained any other way leads nowhere either.
    token = signing.dumps(
        {"u": user.pk, "plan": "pro", "cs": "cs_mock_1"}, salt=billing.MOCK_SESSION_SALT
    )
    assert client.get(f"/billing/mock/checkout/?session={token}").status_code == 404
    assert client.post(f"/billing/mock/checkout/?session={token}").status_code == 404
    assert client.post("/billing/mock/portal/", {"action": "pro"}).status_code == 404
    profile = profile_of(user)
    assert (profile.plan, profile.subscription_status, profile.stripe_customer_id) == (
        "",
        "none",
        "",
    )


@pytest.mark.parametrize("missing", list(STRIPE_KEYS))
def test_real_billing_missing_any_setting_is_unavailable(client, make_user, settings, missing):
    settings.BILLING_MODE = "stripe"
    for name, value in {**STRIPE_KEYS, missing: ""}.items():
        setattr(settings, name, value)
    user = make_user()
    profile = profile_of(user)
    profile.stripe_customer_id = "cus_1"
    profile.subscription_status = "canceled"
    profile.save()
    client.force_login(user)
    assert billing.stripe_missing() == [missing]
    assert UNAVAILABLE in client.get("/billing/").content.decode()
    for url, data in (("/billing/checkout/", {"plan": "starter"}), ("/billing/portal/", {})):
        response = client.post(url, data, follow=True)
        assert response.redirect_chain == [("/billing/", 302)]
        assert [str(m) for m in response.context["messages"]] == [UNAVAILABLE]


def test_the_billing_page_names_mock_mode_and_hides_nothing_in_it(client, make_user):
    client.force_login(make_user())
    page = client.get("/billing/").content.decode()
    assert "Billing runs in <strong>mock mode</strong>" in page
    assert UNAVAILABLE not in page and "Subscribe to Pro" in page


# --- check --deploy ----------------------------------------------------------------------------


def test_deploy_check_fails_on_mock_billing_outside_debug_even_when_asked_for(settings):
    settings.DEBUG, settings.BILLING_MODE = False, "mock"
    with pytest.raises(SystemCheckError) as failure:
        call_command("check", "--deploy")
    assert (
        "?: (trials.E002) Billing runs in mock mode: anyone can take a paid plan without paying."
        in str(failure.value)
    )


def test_deploy_check_fails_on_real_billing_without_a_key(production_like):
    with pytest.raises(SystemCheckError) as failure:
        call_command("check", "--deploy")
    assert (
        "?: (trials.E003) BILLING_MODE is stripe but STRIPE_SECRET_KEY is empty: billing is "
        "unavailable." in str(failure.value)
    )


def test_deploy_check_of_billing_passes_with_keys_and_in_development(settings):
    settings.DEBUG, settings.BILLING_MODE = False, "stripe"
    for name, value in STRIPE_KEYS.items():
        setattr(settings, name, value)
    assert billing_is_real(None) == []
    settings.DEBUG, settings.BILLING_MODE = True, "mock"
    assert billing_is_real(None) == []


def test_mock_billing_can_be_silenced_for_a_demo(settings):
    settings.DEBUG, settings.BILLING_MODE = False, "mock"
    settings.SILENCED_SYSTEM_CHECKS = ["trials.E002"]
    (error,) = billing_is_real(None)
    assert error.is_silenced()
