import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from core.errors import PaymentRequired
from tests.factories import make_campaign
from trials import selectors
from trials.models import DeliveredCreator, MonthlyUsage, UserProfile
from trials.services.entitlements import entitlement_check
from trials.services.subscriptions import subscription_set_for_tests
from trials.services.usage import creators_grant

pytestmark = pytest.mark.django_db

EXPIRED = (
    "Your free trial has ended. Subscribe to start new searches; your existing campaigns and "
    "results stay available."
)


_ids = itertools.count(1)


def new_creators(n: int, platform: str = "tiktok") -> list[tuple[str, str]]:
    """n creators never delivered to anyone, as (platform, upstream id)."""
    return [(platform, f"ext-{next(_ids)}") for _ in range(n)]


def grants(user, creators) -> list[bool]:
    with transaction.atomic():
        return creators_grant(user=user, creators=creators)


def grant(user, creators) -> int:
    return sum(grants(user, creators))


def used(user) -> list[tuple[str, int]]:
    rows = MonthlyUsage.objects.filter(user=user).order_by("month")
    return [(row.month.isoformat(), row.creators) for row in rows]


def refused(user, action: str) -> PaymentRequired:
    with pytest.raises(PaymentRequired) as caught:
        entitlement_check(user=user, action=action)
    return caught.value


@pytest.mark.parametrize("action", ["search", "export", "campaign"])
def test_trial_users_may_act_until_the_trial_ends(make_user, clock, action):
    user = make_user()
    clock.shift(timedelta(days=7) - timedelta(seconds=1))
    entitlement_check(user=user, action=action)
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
        entitlement_check(user=user, action=action)


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
        entitlement_check(user=staff, action=action)
    assert grant(staff, new_creators(5000)) == 5000
    assert used(staff) == [("2025-04-01", 5000)]  # counted all the same


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
    subscription_set_for_tests(user=user, plan="pro")
    for _ in range(30):
        make_campaign(user)
    entitlement_check(user=user, action="campaign")  # Pro: unlimited


def test_new_creators_are_granted_up_to_the_allowance_in_order(make_user, clock):
    user = make_user()
    first = new_creators(600)
    second = new_creators(600)
    assert grant(user, first) == 600
    assert grants(user, second) == [True] * 400 + [False] * 200
    assert grant(user, new_creators(1)) == 0
    assert used(user) == [("2025-03-01", 1000)]
    error = refused(user, "search")
    assert error.code == "creator_limit"
    assert error.message == (
        "You have used all 1,000 creators the free trial allows. Upgrade your plan to keep "
        "searching."
    )


def test_a_creator_delivered_again_in_the_period_is_free(make_user, clock):
    user = make_user()
    first = new_creators(600)
    assert grant(user, first) == 600
    assert grant(user, first) == 600
    assert used(user) == [("2025-03-01", 600)]
    # The same upstream id on another platform is another creator.
    other_platform = [("youtube", external_id) for _, external_id in first[:10]]
    assert grant(user, other_platform) == 10
    assert used(user) == [("2025-03-01", 610)]


def test_at_the_limit_delivered_creators_stay_free_and_new_ones_are_refused(make_user, clock):
    user = make_user()
    delivered = new_creators(1000)
    assert grant(user, delivered) == 1000
    fresh = new_creators(2)
    mixed = [delivered[0], fresh[0], delivered[1], fresh[1], delivered[2]]
    assert grants(user, mixed) == [True, False, True, False, True]
    assert used(user) == [("2025-03-01", 1000)]


def test_one_creator_twice_in_a_batch_counts_once(make_user, clock):
    user = make_user()
    creators = new_creators(3)
    assert grants(user, [*creators, creators[0]]) == [True, True, True, True]
    assert used(user) == [("2025-03-01", 3)]


def test_each_account_counts_its_own_deliveries(make_user, clock):
    first, second = make_user(), make_user()
    creators = new_creators(5)
    assert grant(first, creators) == 5
    assert grant(second, creators) == 5
    assert (used(first), used(second)) == ([("2025-03-01", 5)], [("2025-03-01", 5)])


def test_a_grant_rolled_back_with_its_step_costs_nothing(make_user, clock):
    user = make_user()
    creators = new_creators(40)

    class StepCrashed(Exception):
        pass

    with pytest.raises(StepCrashed), transaction.atomic():
        assert creators_grant(user=user, creators=creators) == [True] * 40
        raise StepCrashed  # before the step's commit
    assert DeliveredCreator.objects.filter(user=user).count() == 0
    assert grant(user, creators) == 40  # the repeated step
    assert used(user) == [("2025-03-01", 40)]
    assert DeliveredCreator.objects.filter(user=user).count() == 40


@pytest.mark.django_db(transaction=True)
def test_creators_grant_needs_the_callers_transaction(make_user):
    with pytest.raises(RuntimeError):
        creators_grant(user=make_user(), creators=new_creators(1))


def test_expired_trial_grants_nothing(make_user, clock):
    user = make_user()
    clock.shift(timedelta(days=8))
    assert grant(user, new_creators(10)) == 0


def test_paid_allowance_is_per_utc_calendar_month(make_user, time_machine):
    time_machine.move_to(datetime(2025, 3, 31, 23, 0, tzinfo=UTC), tick=False)
    user = make_user(plan="starter")
    march = new_creators(10_000)
    assert grant(user, march) == 10_000
    assert grant(user, new_creators(1)) == 0
    time_machine.move_to(datetime(2025, 4, 1, 0, 0, tzinfo=UTC), tick=False)
    assert grant(user, march[:3]) == 3  # a new month counts them again
    assert used(user) == [("2025-03-01", 10_000), ("2025-04-01", 3)]


def test_a_trial_across_a_month_end_has_one_allowance(make_user, time_machine):
    time_machine.move_to(datetime(2025, 3, 29, 12, 0, tzinfo=UTC), tick=False)
    user = make_user()
    march = new_creators(900)
    assert grant(user, march) == 900
    time_machine.move_to(datetime(2025, 4, 2, 12, 0, tzinfo=UTC), tick=False)
    assert grant(user, march) == 900  # still the trial's period: delivered already
    assert grant(user, new_creators(900)) == 100
    assert used(user) == [("2025-03-01", 1000)]


# --- What is left, said before a search starts ------------------------------------------------


def test_the_allowance_left_in_words(make_user, clock):
    trial = make_user()
    grant(trial, new_creators(588))
    assert selectors.creators_allowance(trial) == selectors.Allowance(left=412, on_trial=True)
    assert selectors.creators_allowance(trial).text == "412 creators left in your trial"
    starter = make_user(plan="starter")
    grant(starter, new_creators(9_999))
    assert selectors.creators_allowance(starter).text == "1 creator left in your plan this month"
    assert selectors.creators_allowance(make_user(is_staff=True)) is None
    lapsed = make_user()
    clock.shift(timedelta(days=8))
    assert selectors.creators_allowance(lapsed) is None  # refused with its own message


def test_a_search_larger_than_what_is_left_is_warned_about(make_user, clock):
    trial = make_user()
    grant(trial, new_creators(588))
    assert selectors.search_size_warning(trial, 1000) == (
        "This search can find up to 1,000 creators but your trial has 412 left; it will stop "
        "at 412 new creators. Start anyway?"
    )
    assert selectors.search_size_warning(trial, 100) == ""
    starter = make_user(plan="starter")
    grant(starter, new_creators(9_588))
    assert selectors.search_size_warning(starter, 500) == (
        "This search can find up to 500 creators but your plan has 412 left this month; it "
        "will stop at 412 new creators. Start anyway?"
    )
    staff = make_user(is_staff=True)
    grant(staff, new_creators(5000))
    assert selectors.search_size_warning(staff, 1000) == ""
    grant(trial, new_creators(412))
    assert selectors.search_size_warning(trial, 1000) == ""  # nothing left: refused instead


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
