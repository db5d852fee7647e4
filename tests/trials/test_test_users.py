from datetime import timedelta

import pytest

from trials import selectors
from trials.models import ScheduledEmail
from trials.services.staff_tools import test_user_create
from trials.services.trial import trial_extend

from .conftest import T0, profile_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("state", "onboarded", "trial", "plan", "left"),
    [
        ("fresh", False, "none", "none", ""),
        ("trial_day2", True, "active", "trial", "5 days left"),
        ("trial_day5", True, "active", "trial", "2 days left"),
        ("expired", True, "expired", "none", "Trial ended"),
        ("subscribed", True, "active", "starter", ""),
    ],
)
def test_test_users_in_each_state(clock, state, onboarded, trial, plan, left):
    user = test_user_create(state=state)
    assert user.email.startswith(f"test-{state.replace('_', '-')}-")
    assert user.has_usable_password() is False
    assert selectors.onboarding_required(user) is (not onboarded)
    usage = selectors.plan_usage(user)
    assert (usage["trial_status"], usage["plan"], usage["time_left_text"]) == (trial, plan, left)
    assert ScheduledEmail.objects.filter(user=user).count() == 0


def test_test_user_with_a_given_email(clock):
    user = test_user_create(state="fresh", email="QA@Example.com")
    assert user.email == "qa@example.com"


def test_unknown_state_is_refused():
    with pytest.raises(ValueError):
        test_user_create(state="vip")


def test_trial_extend_adds_days_and_restarts_from_now_when_ended(make_user, clock):
    user = make_user()
    trial_extend(user=user, days=2)
    assert profile_of(user).trial_ends_at == T0 + timedelta(days=9)
    clock.shift(timedelta(days=20))
    trial_extend(user=user, days=7)
    assert profile_of(user).trial_ends_at == T0 + timedelta(days=27)
    assert selectors.trial_status(user) == "active"
    expiry = ScheduledEmail.objects.get(user=user, email_type="trial_expiry", status="pending")
    assert expiry.scheduled_for == T0 + timedelta(days=27)


def test_trial_extend_validates(make_user):
    with pytest.raises(ValueError):
        trial_extend(user=make_user(), days=0)
    with pytest.raises(ValueError):
        trial_extend(user=make_user(onboarded=False), days=3)
