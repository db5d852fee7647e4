from datetime import timedelta

import pytest

from tests.factories import make_campaign
from trials import selectors
from trials.services.onboarding import (
    onboarding_complete,
    onboarding_save_step1,
    onboarding_save_step2,
)
from trials.services.usage import creators_grant

from .conftest import T0

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(days=7), "7 days left"),
        (timedelta(days=7) - timedelta(seconds=5), "7 days left"),
        (timedelta(days=5, hours=3), "5 days 3 hours left"),
        (timedelta(days=5, hours=2, minutes=1), "5 days 3 hours left"),
        (timedelta(days=1, hours=1), "1 day 1 hour left"),
        (timedelta(days=1), "1 day left"),
        (timedelta(hours=23, minutes=59, seconds=30), "1 day left"),
        (timedelta(hours=3, minutes=12), "3 hours 12 minutes left"),
        (timedelta(hours=3, minutes=11, seconds=1), "3 hours 12 minutes left"),
        (timedelta(hours=2), "2 hours left"),
        (timedelta(hours=1, minutes=1), "1 hour 1 minute left"),
        (timedelta(minutes=1), "1 minute left"),
        (timedelta(seconds=1), "1 minute left"),
        (timedelta(0), "Trial ended"),
        (timedelta(hours=-5), "Trial ended"),
    ],
)
def test_countdown_text(left, text):
    assert selectors.countdown_text(left) == text


def test_trial_status_comes_from_the_dates_and_the_clock(make_user, clock):
    user = make_user(onboarded=False)
    assert selectors.trial_status(user) == "none"
    onboarding_save_step1(user=user, full_name="Ann", business_name="Co")
    onboarding_save_step2(user=user, brand_description="Shoes")
    onboarding_complete(user=user)
    assert selectors.trial_status(user) == "active"
    clock.shift(timedelta(days=7) - timedelta(microseconds=1))
    assert selectors.trial_status(user) == "active"
    clock.shift(timedelta(microseconds=1))
    assert selectors.trial_status(user) == "expired"


def test_banner_counts_down_on_every_page(client, make_user, clock):
    user = make_user()
    client.force_login(user)
    clock.shift(timedelta(days=1, hours=21))
    page = client.get("/dashboard/").content.decode()
    assert "Free trial:" in page
    assert "5 days 3 hours left" in page
    assert 'data-ends-at="2025-03-17T09:00:00+00:00"' in page

    clock.shift(timedelta(days=5, hours=2, minutes=48))
    assert "12 minutes left" in client.get("/billing/").content.decode()

    clock.shift(timedelta(minutes=12))
    page = client.get("/dashboard/").content.decode()
    assert "Your free trial has ended." in page
    assert "12 minutes left" not in page


def test_no_banner_for_subscribers_and_staff(client, make_user, clock):
    client.force_login(make_user(plan="starter"))
    assert 'data-testid="trial-banner"' not in client.get("/dashboard/").content.decode()
    client.force_login(make_user(is_staff=True))
    assert 'data-testid="trial-banner"' not in client.get("/dashboard/").content.decode()


def test_plan_usage_during_the_trial(make_user, clock):
    user = make_user()
    make_campaign(user)
    make_campaign(user)
    from django.db import transaction

    with transaction.atomic():
        creators_grant(user=user, creators=[("tiktok", f"c{n}") for n in range(120)])
    clock.shift(timedelta(days=2))
    usage = selectors.plan_usage(user)
    assert {k: usage[k] for k in selectors.PLAN_USAGE_KEYS} == {
        "plan": "trial",
        "campaigns_used": 2,
        "campaigns_limit": 5,
        "creators_used": 120,
        "creators_limit": 1000,
        "trial_ends_at": T0 + timedelta(days=7),
        "time_left_text": "5 days left",
    }


def test_plan_usage_when_subscribed_and_when_expired(make_user, clock):
    pro = make_user(plan="pro")
    usage = selectors.plan_usage(pro)
    assert (usage["plan"], usage["campaigns_limit"], usage["creators_limit"]) == (
        "pro",
        None,
        50_000,
    )
    assert usage["time_left_text"] == ""  # paying users see no countdown
    lapsed = make_user()
    clock.shift(timedelta(days=8))
    usage = selectors.plan_usage(lapsed)
    assert (usage["plan"], usage["campaigns_limit"], usage["creators_limit"]) == ("none", 0, 0)
    assert (usage["trial_status"], usage["time_left_text"]) == ("expired", "Trial ended")


def test_billing_page_shows_plan_usage_and_profile(client, make_user, clock):
    user = make_user()
    make_campaign(user)
    client.force_login(user)
    page = client.get("/billing/").content.decode()
    assert "Free trial" in page
    assert "Campaigns: 1 of 5" in page
    assert "Creators used in your trial: 0 of 1,000" in page
    assert "A creator counts once per trial, however many searches or campaigns find it." in page
    assert "Subscribe to Starter" in page and "Subscribe to Pro" in page
    assert "Trail running shoes." in page
    assert "mock mode" in page


def test_banner_after_a_subscription_ends_and_while_a_payment_is_late(client, make_user, clock):
    from trials.models import UserProfile

    user = make_user(plan="starter")
    client.force_login(user)
    UserProfile.objects.filter(user=user).update(subscription_status="past_due")
    assert "Your last payment failed." in client.get("/dashboard/").content.decode()
    UserProfile.objects.filter(user=user).update(subscription_status="canceled")
    clock.shift(timedelta(days=8))
    assert "Your subscription has ended." in client.get("/dashboard/").content.decode()
