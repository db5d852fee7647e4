"""What the Staff group may do in the admin: the audited table, nothing that runs code or takes
over an account; superusers keep every right."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule, Task
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backoffice.staff import STAFF_GROUP
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# docs/OPERATIONS.md "Staff rights" documents this table.
STAFF_TABLE = {
    "auth.view_user",
    "auth.change_user",
    "campaigns.view_campaign",
    "scraping.view_scrapingjob",
    "scraping.change_scrapingjob",
    "scraping.view_creator",
    "scraping.view_apicall",
    "scraping.view_profilecache",
    "scraping.view_creatormetrics",
    "trials.view_userprofile",
    "trials.view_scheduledemail",
    "trials.view_monthlyusage",
    "trials.view_deliveredcreator",
    "trials.view_stripeevent",
    "outreach.view_creatorlist",
    "outreach.view_listentry",
    "outreach.view_emailtemplate",
    "outreach.view_outreachsend",
    "sysconfig.view_systemconfiguration",
    "sysconfig.add_systemconfiguration",
    "sysconfig.change_systemconfiguration",
    "backoffice.view_adminaction",
    "django_q.view_schedule",
    "django_q.view_success",
    "django_q.view_failure",
    "django_q.view_ormq",
}
SCHEDULE_ADD = reverse("admin:django_q_schedule_add")
NEW_PASSWORD = "Brand-new-pw-2024"


def _group_perms() -> set[str]:
    group = Group.objects.get(name=STAFF_GROUP)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def _schedule_form(**changes) -> dict:
    """The admin's add form for a django-q2 schedule that runs os.system once, now."""
    now = timezone.now()
    data = {
        "name": "pwn",
        "func": "os.system",
        "args": "'touch /tmp/pwned-by-staff'",
        "kwargs": "",
        "schedule_type": "O",
        "repeats": "-1",
        "next_run_0": now.strftime("%Y-%m-%d"),
        "next_run_1": now.strftime("%H:%M:%S"),
        "cluster": "",
        "hook": "",
        "cron": "",
        "intended_date_kwarg": "",
    }
    return {**data, **changes}


def _user_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_staff_group_has_exactly_the_documented_table(staff):
    assert _group_perms() == STAFF_TABLE
    assert staff.get_all_permissions() == STAFF_TABLE


def test_migrate_takes_away_every_right_an_older_staff_group_had(make_user):
    # What the group held before: every permission of the product's apps and of django_q.
    group = Group.objects.create(name=STAFF_GROUP)
    group.permissions.set(Permission.objects.all())
    member = make_user("ops@example.com", is_staff=True)
    member.groups.add(group)
    assert member.has_perm("django_q.add_schedule")

    call_command("migrate", verbosity=0, interactive=False)  # what every deploy runs

    assert _group_perms() == STAFF_TABLE
    member = type(member).objects.get(pk=member.pk)  # a fresh permission cache
    assert not member.has_perm("django_q.add_schedule")
    assert not member.has_perm("backoffice.delete_adminaction")
    assert member.has_perm("sysconfig.change_systemconfiguration")


def test_migrate_creates_no_staff_group_where_there_was_none(db):
    call_command("migrate", verbosity=0, interactive=False)
    assert not Group.objects.filter(name=STAFF_GROUP).exists()


def test_staff_cannot_schedule_code_to_run(staff_client):
    schedules_before = set(Schedule.objects.values_list("pk", flat=True))
    assert staff_client.get(SCHEDULE_ADD).status_code == 403
    assert staff_client.post(SCHEDULE_ADD, _schedule_form()).status_code == 403
    existing = Schedule.objects.first()  # the sweeper's and the retention purge's
    change = reverse("admin:django_q_schedule_change", args=[existing.pk])
    assert staff_client.get(change).status_code == 200  # they may look
    assert staff_client.post(change, _schedule_form(name=existing.name)).status_code == 403
    assert set(Schedule.objects.values_list("pk", flat=True)) == schedules_before
    assert not Schedule.objects.filter(func="os.system").exists()
    assert Schedule.objects.get(pk=existing.pk).func == existing.func


def test_a_superuser_can_add_a_schedule(super_client):
    assert super_client.get(SCHEDULE_ADD).status_code == 200
    response = super_client.post(SCHEDULE_ADD, _schedule_form(name="floor", func="math.floor"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Schedule.objects.filter(name="floor", func="math.floor").count() == 1


def _failed_task() -> Task:
    now = timezone.now()
    return Task.objects.create(
        id="f" * 32,
        name="failed-floor",
        func="math.floor",
        args=(1.5,),
        kwargs={},
        started=now,
        stopped=now,
        success=False,
        result="boom",
    )


def test_staff_cannot_resubmit_tasks(staff_client):
    task = _failed_task()
    changelist = reverse("admin:django_q_failure_changelist")
    page = staff_client.get(changelist)
    assert page.status_code == 200
    assert page.context["action_form"] is None  # no action offered: not resubmit, not delete
    staff_client.post(changelist, {"action": "resubmit", "_selected_action": [task.pk]})
    assert list(Task.objects.values_list("pk", "success")) == [(task.pk, False)]


def test_a_superuser_can_resubmit_a_failed_task(super_client):
    task = _failed_task()
    changelist = reverse("admin:django_q_failure_changelist")
    super_client.post(changelist, {"action": "resubmit", "_selected_action": [task.pk]})
    # The test settings run tasks inline: the failure is gone, the new run succeeded.
    assert not Task.objects.filter(pk=task.pk).exists()
    assert list(Task.objects.values_list("func", "success", "result")) == [("math.floor", True, 1)]


def test_staff_cannot_set_anyones_password(staff_client, staff, make_user):
    member = make_user("member@example.com")
    for user in (member, staff):
        url = reverse("admin:auth_user_password_change", args=[user.pk])
        assert staff_client.get(url).status_code == 403
        form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        assert staff_client.post(url, form).status_code == 403
        user.refresh_from_db()
        assert user.check_password(PASSWORD)
    page = staff_client.get(reverse("admin:auth_user_change", args=[member.pk])).content.decode()
    assert "../password/" not in page


def test_staff_cannot_change_a_users_email_or_username(staff_client, make_user):
    member = make_user("member@example.com")
    url = reverse("admin:auth_user_change", args=[member.pk])
    form = _user_form(member, email="attacker@evil.example", username="attacker", first_name="M")
    assert staff_client.post(url, form).status_code == 302
    member.refresh_from_db()
    assert (member.email, member.username) == ("member@example.com", "user-member@example.com")
    assert member.first_name == "M"  # the rest of the form still saves


def test_staff_cannot_grant_themselves_rights(staff_client, staff):
    add_schedule = Permission.objects.get(codename="add_schedule")
    everyone = Group.objects.create(name="Everything")
    url = reverse("admin:auth_user_change", args=[staff.pk])
    form = _user_form(
        staff, is_superuser="on", user_permissions=[add_schedule.pk], groups=[everyone.pk]
    )
    staff_client.post(url, form)
    staff = type(staff).objects.get(pk=staff.pk)
    assert staff.is_superuser is False
    assert list(staff.user_permissions.all()) == []
    assert list(staff.groups.values_list("name", flat=True)) == [STAFF_GROUP]
    assert not staff.has_perm("django_q.add_schedule")


def test_a_superuser_can_change_email_username_and_password(super_client, make_user):
    member = make_user("member@example.com")
    key = Token.objects.create(user=member).key
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/campaigns/").status_code == 200

    url = reverse("admin:auth_user_change", args=[member.pk])
    assert "../password/" in super_client.get(url).content.decode()
    form = _user_form(member, email="new@example.com", username="renamed")
    assert super_client.post(url, form).status_code == 302
    password = reverse("admin:auth_user_password_change", args=[member.pk])
    response = super_client.post(
        password,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    member.refresh_from_db()
    assert (member.email, member.username) == ("new@example.com", "renamed")
    assert member.check_password(NEW_PASSWORD)
    # A password set in the admin ends the user's API tokens too.
    assert not Token.objects.filter(user=member).exists()
    assert api.get("/api/campaigns/").status_code == 401
