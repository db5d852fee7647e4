from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from tests.factories import make_campaign
from trials import services
from trials.errors import PaymentRequired
from trials.models import MonthlyUsage, UserProfile

pytestmark = pytest.mark.django_db

EXPIRED = (
    "Your free trial has ended. Subscribe to start new searches; your existing campaigns and "
    "results stay available."
)


def reserve(user, wanted: int) -> int:
    with transaction.atomic():
        return services.creators_reserve(user=user, wanted=wanted)


def refused(user, action: str) -> PaymentRequired:
    with pytest.raises(PaymentRequired) as caught:
        services.entitlement_check(user=user, action=action)
    return caught.value


@pytest.mark.parametrize("action", ["search", "export", "campaign"])
def test_trial_users_may_act_until_the_trial_ends(make_user, clock, action):
    user = make_user()
    clock.shift(timedelta(days=7) - timedelta(seconds=1))
    services.entitlement_check(user=user, action=action)
    clock.shift(timedelta(seconds=1))
    error = refused(user, action)
    assert error.code == "trial_expired"
    assert error.upgrade_url == "http://127.0.0.1:8000/billing/"
    assert error.upgrade_path == "/billing/"


def test_expired_message_is_plain_words(make_user, clock):
    user = make_user()
    clock.shift(timedelta(days=8))
    assert refused(user, "search").message == EXPIRED
    assert refused(user, "export").message == EXPIRED.replace("start new searches", "export")


@pytest.mark.parametrize("status", ["active", "trialing", "past_due"])
def test_a_subscription_keeps_access_after_the_trial(make_user, clock, status):
    user = make_user(plan="starter")
    UserProfile.objects.filter(user=user).update(subscription_status=status)
    clock.shift(timedelta(days=30))
    for action in ("search", "export", "campaign"):
        services.entitlement_check(user=user, action=action)


@pytest.mark.parametrize("status", ["canceled", "unpaid", "incomplete_expired"])
def test_an_ended_subscription_does_not(make_user, clock, status):
    user = make_user(plan="pro")
    UserProfile.objects.filter(user=user).update(subscription_status=status)
    clock.shift(timedelta(days=30))
    error = refused(user, "search")
    assert error.code == "subscription_inactive"
    assert error.message == (
        "Your subscription is not active. Subscribe again to start new searches; your existing "
        "campaigns and results stay available."
    )


def test_staff_are_never_blocked(make_user, clock):
    staff = make_user(is_staff=True)
    clock.shift(timedelta(days=30))
    for _ in range(6):
        make_campaign(staff)
    for action in ("search", "export", "campaign"):
        services.entitlement_check(user=staff, action=action)
    assert reserve(staff, 5000) == 5000


def test_users_who_never_onboarded_are_sent_to_onboarding(make_user):
    error = refused(make_user(onboarded=False), "search")
    assert (error.code, error.upgrade_path) == ("no_trial", "/onboarding/")
    assert error.message == "Finish onboarding to start your free trial and start new searches."


def test_campaign_limit_per_plan(make_user):
    user = make_user()
    for _ in range(5):
        make_campaign(user)
    error = refused(user, "campaign")
    assert error.code == "campaign_limit"
    assert error.message == (
        "The free trial allows 5 campaigns and you have 5. Upgrade your plan or delete a "
        "campaign to create another."
    )
    services.subscription_set_for_tests(user=user, plan="pro")
    for _ in range(30):
        make_campaign(user)
    services.entitlement_check(user=user, action="campaign")  # Pro: unlimited


def test_creators_reserve_grants_up_to_the_allowance(make_user, clock):
    user = make_user()
    assert reserve(user, 600) == 600
    assert reserve(user, 600) == 400
    assert reserve(user, 1) == 0
    assert MonthlyUsage.objects.get(user=user).creators == 1000
    error = refused(user, "search")
    assert error.code == "creator_limit"
    assert error.message == (
        "You have used all 1,000 creators the free trial allows. Upgrade your plan to keep "
        "searching."
    )
    with transaction.atomic():
        services.creators_release(user=user, count=100)
    assert reserve(user, 500) == 100


@pytest.mark.django_db(transaction=True)
def test_creators_reserve_needs_the_callers_transaction(make_user):
    with pytest.raises(RuntimeError):
        services.creators_reserve(user=make_user(), wanted=1)


def test_expired_trial_grants_nothing(make_user, clock):
    user = make_user()
    clock.shift(timedelta(days=8))
    assert reserve(user, 10) == 0


def test_paid_allowance_is_per_utc_calendar_month(make_user, time_machine):
    time_machine.move_to(datetime(2025, 3, 31, 23, 0, tzinfo=UTC), tick=False)
    user = make_user(plan="starter")
    assert reserve(user, 10_000) == 10_000
    assert reserve(user, 1) == 0
    time_machine.move_to(datetime(2025, 4, 1, 0, 0, tzinfo=UTC), tick=False)
    assert reserve(user, 3) == 3
    usage = MonthlyUsage.objects.filter(user=user).order_by("month")
    assert [(u.month.isoformat(), u.creators) for u in usage] == [
        ("2025-03-01", 10_000),
        ("2025-04-01", 3),
    ]


def test_a_trial_across_a_month_end_has_one_allowance(make_user, time_machine):
    time_machine.move_to(datetime(2025, 3, 29, 12, 0, tzinfo=UTC), tick=False)
    user = make_user()
    assert reserve(user, 900) == 900
    time_machine.move_to(datetime(2025, 4, 2, 12, 0, tzinfo=UTC), tick=False)
    assert reserve(user, 900) == 100


# --- How refusals reach users: 402 with a message and the upgrade link -----------------------


@pytest.mark.urls("tests.trials.urls_402")
def test_expired_trial_refuses_api_searches_with_402(client, make_user, clock):
    user = make_user()
    client.force_login(user)
    assert client.post("/api/probe/search").status_code == 201
    clock.shift(timedelta(days=8))
    response = client.post("/api/probe/search")
    assert response.status_code == 402
    assert response.json() == {
        "message": EXPIRED,
        "errors": {},
        "upgradeUrl": "http://127.0.0.1:8000/billing/",
    }


@pytest.mark.urls("tests.trials.urls_402")
def test_expired_trial_refuses_exports_with_402(client, make_user, clock):
    user = make_user()
    client.force_login(user)
    assert client.get("/api/probe/export").status_code == 200
    assert client.get("/probe/export/").status_code == 200
    clock.shift(timedelta(days=8))
    response = client.get("/api/probe/export")
    assert response.status_code == 402
    assert response.json()["upgradeUrl"] == "http://127.0.0.1:8000/billing/"
    page = client.get("/probe/export/")
    assert page.status_code == 402
    html = page.content.decode()
    assert "Subscription needed" in html
    assert "Your free trial has ended. Subscribe to export" in html
    assert 'href="/billing/"' in html


def test_existing_results_stay_readable_after_expiry(client, make_user, clock):
    user = make_user()
    campaign = make_campaign(user, name="Runners")
    client.force_login(user)
    clock.shift(timedelta(days=8))
    assert client.get("/dashboard/").status_code == 200
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200
    assert client.get(f"/api/campaigns/{campaign.pk}/").status_code == 200


@pytest.mark.urls("tests.trials.urls_402")
def test_a_reached_limit_is_a_402_page_with_a_link(client, make_user):
    user = make_user()
    client.force_login(user)
    for _ in range(5):
        make_campaign(user)
    page = client.get("/probe/campaign/")
    assert page.status_code == 402
    html = page.content.decode()
    assert "Plan limit reached" in html
    assert "The free trial allows 5 campaigns and you have 5." in html
    assert 'href="/billing/"' in html
