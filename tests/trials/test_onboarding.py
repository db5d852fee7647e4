from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from trials import selectors
from trials.models import ScheduledEmail
from trials.services.onboarding import (
    onboarding_complete,
    onboarding_save_step1,
    onboarding_save_step2,
)

from ..conftest import PASSWORD
from .conftest import T0, profile_of

pytestmark = pytest.mark.django_db


def onboard(client):
    client.post("/onboarding/step-1/", {"full_name": "Maya Lind", "business_name": "Trailhead"})
    client.post("/onboarding/step-2/", {"brand_description": "Trail running shoes."})
    return client.post("/onboarding/start/")


def test_onboarding_pages_walk_the_steps_and_start_the_trial(client, make_user, clock):
    user = make_user(onboarded=False)
    client.force_login(user)

    assert client.get("/dashboard/")["Location"] == "/onboarding/"
    assert client.get("/onboarding/")["Location"] == "/onboarding/step-1/"
    response = client.post("/onboarding/step-1/", {"full_name": " ", "business_name": ""})
    assert response.status_code == 200
    assert "Tell us your name." in response.content.decode()
    assert "Tell us the name of your business or agency." in response.content.decode()

    response = client.post(
        "/onboarding/step-1/", {"full_name": " Maya Lind ", "business_name": "Trailhead"}
    )
    assert response["Location"] == "/onboarding/step-2/"
    assert client.get("/onboarding/")["Location"] == "/onboarding/step-2/"
    response = client.post("/onboarding/step-2/", {"brand_description": "Trail running shoes."})
    assert response["Location"] == "/onboarding/start/"
    page = client.get("/onboarding/start/").content.decode()
    assert "Start my 7-day trial" in page
    assert profile_of(user).trial_started_at is None  # not before the last step

    response = client.post("/onboarding/start/")
    assert response["Location"] == "/dashboard/"
    profile = profile_of(user)
    assert (profile.full_name, profile.business_name) == ("Maya Lind", "Trailhead")
    assert profile.brand_description == "Trail running shoes."
    assert (profile.onboarding_step, profile.onboarding_completed_at) == ("completed", T0)
    assert (profile.trial_started_at, profile.trial_ends_at) == (T0, T0 + timedelta(days=7))
    assert selectors.trial_status(user) == "active"
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Your 7-day free trial has started." in dashboard.content.decode()
    assert client.get("/onboarding/")["Location"] == "/dashboard/"


def test_repeating_onboarding_never_restarts_or_extends_the_trial(client, make_user, clock):
    user = make_user(onboarded=False)
    client.force_login(user)
    onboard(client)
    clock.shift(timedelta(days=3))

    # Again through the pages and the services, days later.
    assert onboard(client)["Location"] == "/dashboard/"
    onboarding_save_step1(user=user, full_name="Maya L", business_name="Trailhead Co")
    onboarding_save_step2(user=user, brand_description="Shoes.")
    onboarding_complete(user=user)

    profile = profile_of(user)
    assert (profile.trial_started_at, profile.trial_ends_at) == (T0, T0 + timedelta(days=7))
    assert profile.onboarding_step == "completed"  # editing the profile does not regress it
    assert profile.full_name == "Maya L"
    pending = ScheduledEmail.objects.filter(user=user, status="pending")
    assert sorted(pending.values_list("email_type", "scheduled_for")) == [
        ("trial_day2", T0 + timedelta(days=2)),
        ("trial_day5", T0 + timedelta(days=5)),
        ("trial_expiry", T0 + timedelta(days=7)),
    ]


def test_an_expired_trial_stays_expired_after_onboarding_again(make_user, clock):
    user = make_user()
    clock.shift(timedelta(days=10))
    onboarding_complete(user=user)
    assert profile_of(user).trial_ends_at == T0 + timedelta(days=7)
    assert selectors.trial_status(user) == "expired"


def test_completing_needs_both_steps(make_user):
    from django.core.exceptions import ValidationError

    user = make_user(onboarded=False)
    with pytest.raises(ValidationError):
        onboarding_complete(user=user)
    with pytest.raises(ValidationError):
        onboarding_save_step2(user=user, brand_description="Shoes")
    assert selectors.trial_status(user) == "none"


def test_step_two_and_start_need_the_steps_before(client, make_user):
    client.force_login(make_user(onboarded=False))
    assert client.get("/onboarding/step-2/")["Location"] == "/onboarding/step-1/"
    assert client.get("/onboarding/start/")["Location"] == "/onboarding/"


def test_sign_in_goes_to_onboarding_until_it_is_finished(client, make_user):
    make_user("new@example.com", onboarded=False)
    response = client.post("/accounts/login/", {"login": "new@example.com", "password": PASSWORD})
    assert response["Location"] == "/onboarding/"
    onboard(client)
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": "new@example.com", "password": PASSWORD})
    assert response["Location"] == "/dashboard/"


def test_sign_up_goes_to_onboarding_and_schedules_welcome_and_abandonment(client, clock):
    response = client.post(
        "/accounts/signup/",
        {"email": "fresh@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == "/onboarding/"
    user = get_user_model().objects.get(email="fresh@example.com")
    rows = ScheduledEmail.objects.filter(user=user).order_by("scheduled_for")
    assert [(e.email_type, e.scheduled_for, e.status) for e in rows] == [
        ("welcome", T0, "pending"),
        ("abandonment", T0 + timedelta(hours=2), "pending"),
    ]


@pytest.mark.parametrize(
    "path", ["/dashboard/", "/campaigns/new/", "/billing/", "/account/api-token/"]
)
def test_app_pages_send_unfinished_users_to_onboarding(client, make_user, path):
    client.force_login(make_user(onboarded=False))
    assert client.get(path)["Location"] == "/onboarding/"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/healthz", 200),
        ("/accounts/password/change/", 200),
        ("/onboarding/step-1/", 200),
        ("/api/campaigns/", 200),  # the API answers normally
    ],
)
def test_exempt_paths_answer_unfinished_users(client, make_user, path, status):
    client.force_login(make_user(onboarded=False))
    assert client.get(path).status_code == status


def test_staff_skip_onboarding(client, make_user):
    client.force_login(make_user(onboarded=False, is_staff=True))
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_webhook_is_public_and_not_gated(client):
    assert (
        client.post("/billing/webhook", data=b"{}", content_type="application/json").status_code
        == 400
    )
