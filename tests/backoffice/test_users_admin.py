"""Users in the admin: usage columns without N+1, staff from ADMIN_EMAILS, audited actions."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from backoffice.models import AdminAction
from backoffice.staff import STAFF_GROUP
from tests.factories import make_campaign, make_job
from trials.models import UserProfile
from trials.services.staff_tools import test_user_create

pytestmark = pytest.mark.django_db
User = get_user_model()
CHANGELIST = reverse("admin:auth_user_changelist")


def _row(response, user):
    return next(obj for obj in response.context["cl"].result_list if obj.pk == user.pk)


def test_the_list_shows_trial_plan_and_usage(staff_client, make_user):
    trial = test_user_create(state="trial_day2", email="trial@example.com")
    subscribed = test_user_create(state="subscribed", email="paying@example.com")
    expired = test_user_create(state="expired", email="late@example.com")
    fresh = make_user("fresh@example.com", onboarded=False)
    campaign = make_campaign(trial)
    make_campaign(trial, name="Second")
    make_job(trial, campaign, processed_results=40)
    make_job(trial, campaign, processed_results=15)
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    model_admin = response.context["cl"].model_admin
    row = _row(response, trial)
    assert (row.campaigns_count, row.searches_count, row.creators_found) == (2, 2, 55)
    assert model_admin.trial_display(row) == "active"
    assert model_admin.plan_display(row) == "Free trial"
    assert model_admin.trial_display(_row(response, expired)) == "expired"
    assert model_admin.plan_display(_row(response, subscribed)) == "Starter"
    assert model_admin.trial_display(_row(response, fresh)) == "none"
    empty = _row(response, fresh)
    assert (empty.campaigns_count, empty.searches_count, empty.creators_found) == (0, 0, 0)
    html = response.content.decode()
    assert f"?owner__id__exact={trial.pk}" in html
    assert "Creators saved (every search)" in html  # rows, not the plan's count


def test_the_list_costs_the_same_queries_for_5_or_25_users(staff_client, make_user, monkeypatch):
    monkeypatch.setattr("sysconfig.config.CHECK_INTERVAL", 3600)  # no stamp look mid-test

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(CHANGELIST).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        user = test_user_create(state="trial_day5", email=f"a{i}@example.com")
        make_job(user, make_campaign(user))
    count_queries()  # warm: session, permissions, configuration snapshot
    few = count_queries()
    for i in range(20):
        user = test_user_create(state="subscribed", email=f"b{i}@example.com")
        make_job(user, make_campaign(user))
    assert count_queries() == few


def test_staff_rights_from_admin_emails_are_shown(staff_client, make_user):
    boss = make_user("Boss@Example.com", is_staff=True)  # listed in ADMIN_EMAILS (test settings)
    granted = make_user("granted@example.com", is_staff=True)
    unverified = make_user("boss2@example.com", verified=False, is_staff=True)
    response = staff_client.get(CHANGELIST)
    model_admin = response.context["cl"].model_admin
    assert "from ADMIN_EMAILS" in model_admin.staff_badge(_row(response, boss))
    assert model_admin.staff_badge(_row(response, granted)) == "staff"
    assert model_admin.staff_badge(_row(response, unverified)) == "staff"
    assert "from ADMIN_EMAILS" in response.content.decode()
    page = staff_client.get(reverse("admin:auth_user_change", args=[boss.pk]))
    assert "From the environment: a verified address of this user is in ADMIN_EMAILS" in (
        page.content.decode()
    )


def _act(client, action, users, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [u.pk for u in users], **extra},
        follow=True,
    )


def test_promote_and_demote_are_audited(staff_client, staff, make_user):
    member = make_user("member@example.com")
    _act(staff_client, "promote", [member])
    member.refresh_from_db()
    assert member.is_staff
    assert member.groups.filter(name=STAFF_GROUP).exists()
    _act(staff_client, "demote", [member])
    member.refresh_from_db()
    assert not member.is_staff
    assert not member.groups.filter(name=STAFF_GROUP).exists()
    rows = list(
        AdminAction.objects.order_by("id").values_list("action", "admin", "target_user", "details")
    )
    assert rows == [
        (
            "user_promotion",
            staff.pk,
            member.pk,
            {"before": {"is_staff": False}, "after": {"is_staff": True}},
        ),
        (
            "user_demotion",
            staff.pk,
            member.pk,
            {
                "before": {"is_staff": True},
                "after": {"is_staff": False},
                "from_admin_emails": False,
            },
        ),
    ]


def test_demoting_an_admin_emails_user_warns_that_it_will_not_stick(staff_client, make_user):
    boss = make_user("boss@example.com", is_staff=True)
    response = _act(staff_client, "demote", [boss])
    assert "return at the next sign-in" in response.content.decode()
    assert AdminAction.objects.get().details["from_admin_emails"] is True


def test_staff_cannot_demote_or_deactivate_themselves_or_a_superuser(
    staff_client, staff, superuser
):
    response = _act(staff_client, "demote", [staff, superuser])
    assert "You cannot demote yourself." in response.content.decode()
    assert "Only a superuser can demote a superuser." in response.content.decode()
    _act(staff_client, "deactivate", [staff, superuser])
    staff.refresh_from_db()
    superuser.refresh_from_db()
    assert staff.is_staff and staff.is_active and superuser.is_staff and superuser.is_active
    assert not AdminAction.objects.exists()


def test_deactivate_is_audited(staff_client, staff, make_user):
    member = make_user("member@example.com")
    _act(staff_client, "deactivate", [member])
    member.refresh_from_db()
    assert not member.is_active
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin, entry.target_user) == ("user_deactivated", staff, member)
    assert entry.details == {"before": {"is_active": True}, "after": {"is_active": False}}


def test_extend_trial_asks_for_days_then_extends_and_audits(staff_client, staff):
    user = test_user_create(state="trial_day5", email="t@example.com")
    ends_before = UserProfile.objects.get(user=user).trial_ends_at
    form = _act(staff_client, "extend_trial", [user])
    assert form.status_code == 200
    assert form.context["form"].initial == {} and form.context["form"]["days"].value() == 7
    assert "t@example.com" in form.content.decode()
    assert not AdminAction.objects.exists()

    _act(staff_client, "extend_trial", [user], apply="1", days="10")
    ends_after = UserProfile.objects.get(user=user).trial_ends_at
    assert ends_after - ends_before == timedelta(days=10)
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin, entry.target_user) == ("trial_extended", staff, user)
    assert entry.details["days"] == 10
    assert entry.details["before"]["trial_ends_at"] == ends_before.isoformat()
    assert entry.details["after"]["trial_ends_at"] == ends_after.isoformat()
    assert entry.details["before"]["trial_status"] == "active"


def test_extending_an_expired_trial_starts_from_now(staff_client):
    user = test_user_create(state="expired", email="old@example.com")
    _act(staff_client, "extend_trial", [user], apply="1", days="7")
    profile = UserProfile.objects.get(user=user)
    assert profile.trial_ends_at > timezone.now() + timedelta(days=6, hours=23)
    entry = AdminAction.objects.get()
    assert (entry.details["before"]["trial_status"], entry.details["after"]["trial_status"]) == (
        "expired",
        "active",
    )


def test_extending_a_user_without_a_trial_is_reported_not_crashed(staff_client, make_user):
    user = make_user("never@example.com", onboarded=False)
    response = _act(staff_client, "extend_trial", [user], apply="1", days="7")
    assert response.status_code == 200
    assert "never@example.com" in response.content.decode()
    assert not AdminAction.objects.exists()


def test_bad_day_counts_are_refused(staff_client):
    user = test_user_create(state="trial_day2", email="t@example.com")
    response = _act(staff_client, "extend_trial", [user], apply="1", days="0")
    assert "days" in response.context["form"].errors
    assert not AdminAction.objects.exists()


def _change_form_data(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_staff_and_active_flags_changed_in_the_form_are_audited(staff_client, staff, make_user):
    member = make_user("member@example.com")
    url = reverse("admin:auth_user_change", args=[member.pk])
    response = staff_client.post(url, _change_form_data(member, is_staff="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.is_staff and member.groups.filter(name=STAFF_GROUP).exists()
    staff_client.post(url, _change_form_data(member, is_active=""))
    member.refresh_from_db()
    assert not member.is_active
    actions = list(AdminAction.objects.order_by("id").values_list("action", "target_user"))
    assert actions == [("user_promotion", member.pk), ("user_deactivated", member.pk)]


def test_staff_cannot_grant_superuser_or_touch_a_superuser(staff_client, superuser, make_user):
    member = make_user("member@example.com")
    url = reverse("admin:auth_user_change", args=[member.pk])
    staff_client.post(url, _change_form_data(member, is_superuser="on"))
    member.refresh_from_db()
    assert not member.is_superuser
    page = staff_client.get(reverse("admin:auth_user_change", args=[superuser.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    password = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert (
        staff_client.post(password, {"password1": "x" * 20, "password2": "x" * 20}).status_code
        == 403
    )


def test_a_superuser_can_grant_superuser(super_client, make_user):
    member = make_user("member@example.com")
    url = reverse("admin:auth_user_change", args=[member.pk])
    super_client.post(url, _change_form_data(member, is_superuser="on"))
    member.refresh_from_db()
    assert member.is_superuser


def test_the_user_page_shows_usage_and_tools(staff_client):
    user = test_user_create(state="trial_day2", email="t@example.com")
    make_job(user, make_campaign(user), processed_results=12)
    page = staff_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "campaigns_used" in html and "Free trial" in html
    assert f"{reverse('staff:email_test')}?user={user.pk}" in html
