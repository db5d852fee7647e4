"""Configuration in the admin: every knob listed, typed validation, audited edits and resets."""

import dataclasses

import pytest
from django.urls import reverse

from backoffice.models import AdminAction
from sysconfig import config
from sysconfig.models import SystemConfiguration
from sysconfig.registry import REGISTRY

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:sysconfig_systemconfiguration_changelist")
ADD = reverse("admin:sysconfig_systemconfiguration_add")


def test_the_list_shows_every_knob_with_value_default_and_reload_mode(staff_client):
    SystemConfiguration.objects.create(category="scraping", key="lease", value="2m")
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    knobs = {row["name"]: row for row in response.context["knobs"]}
    assert set(knobs) == set(REGISTRY)
    lease = knobs["scraping.lease"]
    assert (lease["value"], lease["default"], lease["override"].value) == ("2m", "5m", "2m")
    assert knobs["scraping.max_retries"]["override"] is None
    assert knobs["scraping.max_retries"]["value"] == "4"
    html = response.content.decode()
    assert "scraping.continuation_delay" in html
    assert f"{ADD}?name=scraping.max_retries" in html


def test_adding_an_override_validates_saves_audits_and_applies(staff_client, staff, commit_hooks):
    with commit_hooks():
        response = staff_client.post(ADD, {"name": "scraping.lease", "value": "90s"}, follow=True)
    assert response.status_code == 200
    row = SystemConfiguration.objects.get()
    assert (row.name, row.value, row.updated_by) == ("scraping.lease", "90s", staff)
    assert config.get("scraping.lease") == 90.0
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin, entry.target_user) == ("config_update", staff, None)
    assert entry.details == {
        "key": "scraping.lease",
        "before": {"value": "5m", "source": "default"},
        "after": {"value": "90s", "source": "override"},
        "hot_reloadable": True,
    }
    assert "every web and worker process uses a new value within seconds" in (
        response.content.decode()
    )


def test_values_are_stored_in_their_canonical_spelling(staff_client, commit_hooks):
    with commit_hooks():
        staff_client.post(ADD, {"name": "scraping.job_timeout", "value": "1h30m"})
        staff_client.post(ADD, {"name": "image_proxy.allowed_hosts", "value": "a.com,\nb.com"})
    assert dict(SystemConfiguration.objects.values_list("key", "value")) == {
        "job_timeout": "90m",
        "allowed_hosts": "a.com, b.com",
    }
    assert config.get("scraping.job_timeout") == 5400.0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("scraping.max_retries", "eleven", "“eleven” is not a number."),
        ("scraping.max_retries", "11", "The largest allowed value is 10."),
        ("scraping.max_retries", "2.5", "Enter a whole number."),
        ("scraping.lease", "5s", "The smallest allowed value is 10s."),
        ("scraping.lease", "soon", "is not a duration"),
        ("scraping.upstream_cache_max_age", "5d", "“5d” is not one of 1d, 3d, 7d, 14d, 30d."),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_written(staff_client, name, value, message):
    response = staff_client.post(ADD, {"name": name, "value": value})
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["value"])
    assert not SystemConfiguration.objects.exists()
    assert not AdminAction.objects.exists()


def test_a_knob_not_in_the_registry_cannot_be_added(staff_client):
    response = staff_client.post(ADD, {"name": "scraping.made_up", "value": "1"})
    assert "name" in response.context["adminform"].form.errors
    assert not SystemConfiguration.objects.exists()


def test_the_add_form_offers_only_knobs_without_an_override_prefilled_from_the_url(staff_client):
    SystemConfiguration.objects.create(category="scraping", key="lease", value="2m")
    response = staff_client.get(f"{ADD}?name=scraping.max_retries")
    form = response.context["adminform"].form
    names = [value for value, _ in form.fields["name"].choices]
    assert "scraping.lease" not in names
    assert "scraping.max_retries" in names
    assert form.initial == {"name": "scraping.max_retries", "value": "4"}


def test_editing_an_override_audits_before_and_after(staff_client, staff, commit_hooks):
    row = SystemConfiguration.objects.create(category="scraping", key="max_retries", value="2")
    url = reverse("admin:sysconfig_systemconfiguration_change", args=[row.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "Reset to default" in page.content.decode()
    with commit_hooks():
        staff_client.post(url, {"value": "6"})
    row.refresh_from_db()
    assert row.value == "6"
    assert config.get("scraping.max_retries") == 6
    entry = AdminAction.objects.get()
    assert entry.action == "config_update"
    assert entry.details["before"] == {"value": "2", "source": "override"}
    assert entry.details["after"] == {"value": "6", "source": "override"}


def test_saving_the_same_value_writes_no_audit_row(staff_client):
    row = SystemConfiguration.objects.create(category="scraping", key="max_retries", value="2")
    staff_client.post(
        reverse("admin:sysconfig_systemconfiguration_change", args=[row.pk]), {"value": "2"}
    )
    assert not AdminAction.objects.exists()


def test_reset_to_default_button_deletes_the_override_and_audits(staff_client, staff, commit_hooks):
    row = SystemConfiguration.objects.create(category="scraping", key="lease", value="2m")
    assert config.get("scraping.lease") == 120.0
    url = reverse("admin:sysconfig_systemconfiguration_reset", args=[row.pk])
    assert staff_client.get(url).status_code == 405
    with commit_hooks():
        response = staff_client.post(url)
    assert response.status_code == 302
    assert not SystemConfiguration.objects.exists()
    assert config.get("scraping.lease") == 300.0
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin) == ("config_reset", staff)
    assert entry.details == {
        "key": "scraping.lease",
        "before": {"value": "2m", "source": "override"},
        "after": {"value": "5m", "source": "default"},
        "hot_reloadable": True,
    }


def test_reset_action_on_the_list(staff_client, commit_hooks):
    rows = [
        SystemConfiguration.objects.create(category="scraping", key="lease", value="2m"),
        SystemConfiguration.objects.create(category="scraping", key="max_retries", value="1"),
    ]
    with commit_hooks():
        staff_client.post(
            CHANGELIST,
            {"action": "reset_to_default", "_selected_action": [r.pk for r in rows]},
        )
    assert not SystemConfiguration.objects.exists()
    assert sorted(AdminAction.objects.values_list("action", "details__key")) == [
        ("config_reset", "scraping.lease"),
        ("config_reset", "scraping.max_retries"),
    ]


def test_overrides_cannot_be_deleted_without_an_audit(staff_client):
    row = SystemConfiguration.objects.create(category="scraping", key="lease", value="2m")
    url = reverse("admin:sysconfig_systemconfiguration_delete", args=[row.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert SystemConfiguration.objects.exists()


def test_the_admin_says_when_a_change_waits_for_a_restart(staff_client, monkeypatch, commit_hooks):
    name = "scraping.enrichment_concurrency"
    monkeypatch.setitem(REGISTRY, name, dataclasses.replace(REGISTRY[name], hot_reloadable=False))
    assert config.get(name) == 64
    with commit_hooks():
        response = staff_client.post(ADD, {"name": name, "value": "3"}, follow=True)
    assert "takes effect at the next restart" in response.content.decode()
    assert config.get(name) == 64
    row = SystemConfiguration.objects.get()
    page = staff_client.get(reverse("admin:sysconfig_systemconfiguration_change", args=[row.pk]))
    html = page.content.decode()
    assert "Not hot-reloadable" in html
    assert "64 (the saved value takes effect at the next restart)" in html
    listing = staff_client.get(CHANGELIST)
    knob = next(k for k in listing.context["knobs"] if k["name"] == name)
    assert (knob["value"], knob["running"], knob["pending_restart"]) == ("3", "64", True)
    assert AdminAction.objects.get().details["hot_reloadable"] is False


def test_the_leftover_override_of_a_removed_knob_can_be_reset(staff_client, commit_hooks):
    row = SystemConfiguration.objects.create(category="scraping", key="retired", value="1")
    listing = staff_client.get(CHANGELIST)
    assert listing.status_code == 200
    assert "unknown knob" in listing.content.decode()
    page = staff_client.get(reverse("admin:sysconfig_systemconfiguration_change", args=[row.pk]))
    assert page.status_code == 200
    with commit_hooks():
        staff_client.post(reverse("admin:sysconfig_systemconfiguration_reset", args=[row.pk]))
    assert not SystemConfiguration.objects.exists()
    assert AdminAction.objects.get().details == {
        "key": "scraping.retired",
        "before": {"value": "1", "source": "override"},
        "after": {"value": None, "source": "knob no longer exists"},
        "hot_reloadable": True,
    }
