"""Staff tool pages: email testing, test users, the overview, the image cache purge."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from backoffice.models import AdminAction
from imageproxy import cache as image_cache
from scraping.models import ApiCall
from tests.factories import make_campaign, make_job
from trials.models import ScheduledEmail, UserProfile

pytestmark = pytest.mark.django_db
EMAILS = reverse("staff:email_test")
TEST_USERS = reverse("staff:test_users")
OVERVIEW = reverse("staff:overview")


# --- email testing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email_type", "subject"),
    [
        ("welcome", "Welcome to Creatorscope"),
        ("abandonment", "Finish setting up Creatorscope to start your free trial"),
        ("trial_day2", "Getting the most out of your Creatorscope trial"),
        ("trial_day5", "Your Creatorscope trial ends soon"),
        ("trial_expiry", "Your Creatorscope trial has ended"),
    ],
)
def test_preview_renders_each_email_without_sending_or_logging(
    staff_client, make_user, email_type, subject
):
    target = make_user("target@example.com")
    response = staff_client.post(
        EMAILS, {"user": "target@example.com", "email_type": email_type, "preview": "Preview"}
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview["subject"], preview["to"], preview["type"]) == (
        subject,
        "target@example.com",
        email_type,
    )
    assert preview["text"] and preview["html"]
    assert 'sandbox=""' in response.content.decode()
    assert mail.outbox == []
    assert not AdminAction.objects.exists()
    assert not ScheduledEmail.objects.filter(user=target, is_test=True).exists()


def test_the_html_preview_stays_inside_its_sandboxed_frame(staff_client, make_user):
    make_user("target@example.com")
    response = staff_client.get(f"{EMAILS}?user=target@example.com&email_type=welcome&preview=1")
    page = response.content.decode()
    html = response.context["preview"]["html"]
    # The whole message is the frame's srcdoc, escaped; none of its markup is the page's own.
    escaped = html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;").replace("'", "&#x27;")
    assert f'srcdoc="{escaped}"' in page
    assert '<table role="presentation"' not in page


def test_preview_by_link_from_the_user_page(staff_client, make_user):
    target = make_user("target@example.com")
    response = staff_client.get(f"{EMAILS}?user={target.pk}&email_type=trial_day5&preview=1")
    assert response.context["preview"]["subject"] == "Your Creatorscope trial ends soon"
    assert response.context["selected_user"] == target


def test_send_now_sends_a_test_email_and_audits(staff_client, staff, make_user):
    target = make_user("target@example.com", plan="pro")  # not eligible for trial emails
    response = staff_client.post(
        EMAILS, {"user": "target@example.com", "email_type": "trial_day5", "send": "Send now"}
    )
    assert response.status_code == 302
    assert [m.subject for m in mail.outbox] == ["Your Creatorscope trial ends soon"]
    assert mail.outbox[0].to == ["target@example.com"]
    row = ScheduledEmail.objects.get(user=target, is_test=True)
    assert (row.email_type, row.status) == ("trial_day5", "sent")
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin, entry.target_user) == ("email_sent", staff, target)
    assert entry.details == {
        "email_type": "trial_day5",
        "to": "target@example.com",
        "is_test": True,
        "scheduled_email_id": str(row.pk),
        "status": "sent",
        "error": "",
    }
    page = staff_client.get(response["Location"])
    assert row in page.context["recent_emails"]


@pytest.mark.parametrize(
    ("delay", "seconds"),
    [("30s", 30), ("2m", 120), ("5m", 300), ("1h", 3600), ("1d", 86400), ("5d", 432000)],
)
def test_schedule_queues_a_test_email_after_the_chosen_delay(
    staff_client, staff, make_user, delay, seconds
):
    target = make_user("target@example.com")
    with time_machine.travel(timezone.now(), tick=False):
        now = timezone.now()
        staff_client.post(
            EMAILS,
            {"user": str(target.pk), "email_type": "welcome", "delay": delay, "schedule": "1"},
        )
    row = ScheduledEmail.objects.get(user=target, is_test=True)
    assert (row.status, row.scheduled_for) == ("pending", now + timedelta(seconds=seconds))
    assert mail.outbox == []
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin, entry.target_user) == ("email_scheduled", staff, target)
    assert entry.details == {
        "email_type": "welcome",
        "to": "target@example.com",
        "is_test": True,
        "delay": delay,
        "send_at": (now + timedelta(seconds=seconds)).isoformat(),
        "scheduled_email_id": str(row.pk),
    }


def test_the_email_form_refuses_unknown_users_and_types(staff_client):
    response = staff_client.post(
        EMAILS, {"user": "nobody@example.com", "email_type": "spam", "send": "1"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"user", "email_type"}
    assert not AdminAction.objects.exists()


@pytest.mark.parametrize("typed", ["99999999999999999999", "²", "-1"])
def test_the_email_form_refuses_ids_no_user_can_have(staff_client, typed):
    response = staff_client.post(EMAILS, {"user": typed, "email_type": "welcome", "send": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["user"] == ["No user with that email address or id."]


def test_the_email_page_renders_empty(staff_client):
    response = staff_client.get(EMAILS)
    assert response.status_code == 200
    assert response.context["preview"] is None


# --- test users ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "trial", "plan"),
    [
        ("fresh", "none", ""),
        ("trial_day2", "active", ""),
        ("trial_day5", "active", ""),
        ("expired", "expired", ""),
        ("subscribed", "active", "starter"),
    ],
)
def test_test_users_are_created_in_the_chosen_state_and_audited(
    staff_client, staff, state, trial, plan
):
    response = staff_client.post(TEST_USERS, {"state": state})
    assert response.status_code == 302
    entry = AdminAction.objects.get()
    user = entry.target_user
    assert (entry.action, entry.admin) == ("test_user_created", staff)
    assert entry.details == {"state": state, "email": user.email, "user_id": user.pk}
    profile = UserProfile.objects.get(user=user)
    assert (profile.trial_status, profile.plan) == (trial, plan)
    page = staff_client.get(TEST_USERS)
    assert page.context["created"] == [entry]
    assert user.email in page.content.decode()


def test_a_test_user_may_get_a_chosen_address_once(staff_client):
    staff_client.post(TEST_USERS, {"state": "trial_day2", "email": "Demo@Example.com"})
    assert get_user_model().objects.filter(email="demo@example.com").exists()
    again = staff_client.post(TEST_USERS, {"state": "fresh", "email": "demo@example.com"})
    assert again.status_code == 200
    assert "email" in again.context["form"].errors
    assert AdminAction.objects.count() == 1


# --- overview and caches ---------------------------------------------------------------------


def test_the_overview_aggregates_the_last_24_hours(staff_client, make_user):
    owner = make_user("owner@example.com")
    campaign = make_campaign(owner)
    now = timezone.now()
    done = make_job(owner, campaign, status="completed", completed_at=now)
    make_job(owner, campaign, status="error", completed_at=now)
    make_job(owner, campaign, status="completed", created_at=now - timedelta(days=3))
    stuck = make_job(owner, campaign, status="processing", locked_until=now - timedelta(minutes=10))
    for status_code, credits, error in [(200, 1, ""), (200, 1, ""), (500, 0, "boom")]:
        ApiCall.objects.create(
            job=done,
            endpoint="/v1/tiktok/search/keyword",
            status_code=status_code,
            credits_charged=credits,
            credits_remaining=990,
            duration_ms=100,
            error=error,
            at=now,
        )
    ApiCall.objects.create(
        job=done, endpoint="/v1/tiktok/profile", status_code=200, credits_charged=1, at=now
    )
    ScheduledEmail.objects.create(
        user=owner,
        email_type="welcome",
        scheduled_for=now - timedelta(hours=1),
        next_attempt_at=now - timedelta(hours=1),
        is_test=True,
    )
    response = staff_client.get(OVERVIEW)
    assert response.status_code == 200
    stats = response.context["stats"]
    by_status = {row["status"]: row["count"] for row in stats["jobs_by_status"]}
    assert by_status == {
        "pending": 0,
        "processing": 1,
        "completed": 1,
        "partial": 0,
        "error": 1,
        "timeout": 0,
        "cancelled": 0,
    }
    assert (stats["jobs_finished"], stats["jobs_failed"], stats["job_error_rate"]) == (2, 1, 50.0)
    endpoints = {row["endpoint"]: row for row in stats["endpoints"]}
    keyword = endpoints["/v1/tiktok/search/keyword"]
    assert (keyword["calls"], keyword["errors"], keyword["credits"], keyword["error_rate"]) == (
        3,
        1,
        2,
        33.3,
    )
    assert (stats["calls"], stats["call_errors"], stats["credits"]) == (4, 1, 3)
    assert stats["call_error_rate"] == 25.0
    assert stats["credits_remaining"] == 990
    assert stats["stale_jobs"] == [stuck]
    emails = {row["status"]: row["count"] for row in stats["emails"]["by_status"]}
    assert emails["pending"] >= 1
    assert stats["emails"]["overdue"] >= 1
    html = response.content.decode()
    assert "/v1/tiktok/profile" in html
    assert reverse("admin:scraping_scrapingjob_change", args=[stuck.pk]) in html


def test_the_overview_query_count_does_not_grow_with_data(staff_client, make_user, monkeypatch):
    monkeypatch.setattr("sysconfig.config.CHECK_INTERVAL", 3600)  # no stamp look mid-test
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = make_user("owner@example.com")
    campaign = make_campaign(owner)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(OVERVIEW).status_code == 200
        return len(ctx.captured_queries)

    make_job(owner, campaign, status="processing", locked_until=timezone.now())
    queries()  # warm: session, permissions, configuration snapshot
    few = queries()
    for _ in range(15):
        job = make_job(owner, campaign, status="processing", locked_until=timezone.now())
        ApiCall.objects.create(job=job, endpoint="/v1/x", status_code=200, at=timezone.now())
    assert queries() == few


def test_the_admin_index_links_the_staff_tools(staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()
    for url in (OVERVIEW, EMAILS, TEST_USERS):
        assert f'href="{url}"' in html


def test_purging_the_image_cache_forgets_images_and_audits(staff_client, staff):
    url = "https://p16-sign.tiktokcdn-us.com/a.jpeg"
    image = image_cache.CachedImage(b"jpeg-bytes", "image/jpeg", "jpeg", "original")
    with time_machine.travel(timezone.now() - timedelta(seconds=5), tick=False):
        assert image_cache.put(url, image)
    assert image_cache.get(url) == image
    purge = reverse("staff:image_cache_purge")
    assert staff_client.get(purge).status_code == 405
    response = staff_client.post(purge)
    assert response.status_code == 302
    assert image_cache.get(url) is None
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin) == ("image_cache_purged", staff)
    assert entry.details == {"cache_key_prefix": "imageproxy:v1"}
    cache.delete(image_cache.PURGE_KEY)
