"""Only staff reach the staff pages; every admin page renders for those who may see it."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from backoffice import services
from backoffice.staff import STAFF_PERMISSIONS
from scraping.models import ApiCall, ProfileCache
from sysconfig.models import SystemConfiguration
from tests.factories import make_campaign, make_creator, make_job
from trials.services.lifecycle_emails import email_schedule

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ("/admin/login/", "/accounts/login/")
TOOL_PAGES = [
    ("GET", "staff:overview"),
    ("GET", "staff:email_test"),
    ("POST", "staff:email_test"),
    ("GET", "staff:test_users"),
    ("POST", "staff:test_users"),
    ("POST", "staff:image_cache_purge"),
]


@pytest.fixture
def world(make_user, superuser):
    """One row of everything the admin shows."""
    owner = make_user("searcher@example.com")
    campaign = make_campaign(owner)
    job = make_job(owner, campaign, status="processing")
    make_creator(job)
    ApiCall.objects.create(job=job, endpoint="/v1/tiktok/profile", at=timezone.now())
    ProfileCache.objects.create(
        platform="tiktok", key="maya", payload={}, fetched_at=timezone.now()
    )
    row = SystemConfiguration.objects.create(category="scraping", key="lease", value="2m")
    services.audit(admin=superuser, action="config_update", details={"key": "scraping.lease"})
    email_schedule(user=owner, email_type="welcome", send_at=timezone.now(), is_test=True)
    return {"job": job, "owner": owner, "config": row}


def _admin_urls(world):
    """Every admin changelist, add and change page, and our own admin URLs."""
    urls = []
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(("GET", reverse(f"{info}_changelist")))
        urls.append(("GET", reverse(f"{info}_add")))
        obj = model._default_manager.first()
        if obj is not None:
            urls.append(("GET", reverse(f"{info}_change", args=[obj.pk])))
    urls += [
        ("GET", reverse("admin:index")),
        ("POST", reverse("admin:sysconfig_systemconfiguration_reset", args=[world["config"].pk])),
        ("POST", reverse("admin:scraping_scrapingjob_operation", args=[world["job"].pk, "cancel"])),
    ]
    return urls


def _call(client, method, url):
    return client.post(url) if method == "POST" else client.get(url)


def test_anonymous_visitors_get_the_login_page_everywhere(client, world):
    pages = [(m, reverse(name)) for m, name in TOOL_PAGES] + _admin_urls(world)
    for method, url in pages:
        response = _call(client, method, url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(LOGIN_PAGES), (method, url)


def test_signed_in_users_who_are_not_staff_are_refused_everywhere(auth_client, world):
    for method, name in TOOL_PAGES:
        assert _call(auth_client, method, reverse(name)).status_code == 403, name
    for method, url in _admin_urls(world):
        response = _call(auth_client, method, url)
        # The admin's own pages send a signed-in non-staff user to its login page, which
        # says they are not authorised; nothing is shown or changed.
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/admin/login/"), (method, url)
    world["job"].refresh_from_db()
    assert world["job"].status == "processing"
    assert SystemConfiguration.objects.exists()


def test_inactive_staff_are_refused(client, make_user):
    client.force_login(make_user("gone@example.com", is_staff=True, is_active=False))
    for method, name in TOOL_PAGES:
        response = _call(client, method, reverse(name))
        assert response.status_code in (302, 403), name
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")


def test_every_admin_page_renders_for_a_superuser(super_client, world):
    for method, url in _admin_urls(world):
        if method != "GET":
            continue
        response = super_client.get(url)
        assert response.status_code in (200, 403), url
        if response.status_code == 403:  # add pages of read-only logs
            assert url.endswith("/add/"), url


def test_staff_from_the_staff_group_see_exactly_the_admin_pages_of_their_table(staff_client, world):
    for method, name in TOOL_PAGES:
        if method == "GET":
            assert staff_client.get(reverse(name)).status_code == 200, name
    refused = []
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        expected = 200 if model._meta.label_lower in STAFF_PERMISSIONS else 403
        if expected == 403:
            refused.append(model._meta.label_lower)
        assert staff_client.get(reverse(f"{info}_changelist")).status_code == expected, info
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"{info}_change", args=[obj.pk])
            assert staff_client.get(change).status_code == expected, info
    # Groups and permissions, other people's API tokens and email addresses: superusers only.
    assert sorted(refused) == ["account.emailaddress", "auth.group", "authtoken.tokenproxy"]
