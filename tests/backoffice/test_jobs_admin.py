"""Searches in the admin: filters, the search page, and audited cancel/retry/force."""

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import AdminAction
from scraping.models import ApiCall
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:scraping_scrapingjob_changelist")


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def campaign(owner):
    return make_campaign(owner)


@pytest.fixture(autouse=True)
def no_steps(monkeypatch):
    """Retried searches would run inline in tests; here only the enqueue matters."""
    enqueued = []
    monkeypatch.setattr("scraping.services.enqueue", lambda *a, **k: enqueued.append(a))
    return enqueued


def _op(job, operation):
    return reverse("admin:scraping_scrapingjob_operation", args=[job.pk, operation])


def test_the_list_filters_by_status_platform_and_owner(staff_client, owner, campaign, make_user):
    other = make_user("other@example.com")
    running = make_job(owner, campaign, platform="youtube", status="processing")
    done = make_job(owner, campaign, platform="tiktok", status="completed")
    theirs = make_job(other, make_campaign(other), platform="youtube", status="processing")

    def listed(query):
        response = staff_client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert listed("status__exact=processing") == {running, theirs}
    assert listed("platform__exact=tiktok") == {done}
    assert listed(f"owner__id__exact={owner.pk}") == {running, done}
    assert listed(f"owner__id__exact={owner.pk}&platform__exact=youtube") == {running}
    assert listed("owner__id__exact=nonsense") == set()
    assert listed("owner__id__exact=99999999999999999999") == set()
    assert listed("owner__id__exact=²") == set()
    filters = staff_client.get(CHANGELIST).content.decode()
    assert "owner@example.com" in filters and "other@example.com" in filters


def test_the_search_page_shows_calls_creators_error_and_queue_links(staff_client, owner, campaign):
    job = make_job(
        owner, campaign, status="error", error="ScrapeCreators rejected the API key (401)."
    )
    for i in range(60):
        ApiCall.objects.create(
            job=job,
            endpoint="/v1/tiktok/search/keyword",
            status_code=200,
            at=timezone.now(),
            params={"query": f"page-{i}"},
            step=i // 10 + 1,
            lease_token="9f2c1a77" if i < 59 else "",
        )
    make_creator(job, username="maya_runs", followers=12000, emails=["maya@example.com"])
    response = staff_client.get(reverse("admin:scraping_scrapingjob_change", args=[job.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ScrapeCreators rejected the API key (401)." in html
    assert "60 calls; the latest 50 below." in html
    assert "<th>step</th>" in html
    assert "<td>6</td>" in html and "<td>6 · 9f2c1a</td>" in html  # the last call has no token
    assert f"{reverse('admin:scraping_apicall_changelist')}?job__id__exact={job.pk}" in html
    assert "maya_runs" in html and "12,000" in html and "maya@example.com" in html
    assert f"{reverse('admin:scraping_creator_changelist')}?job__id__exact={job.pk}" in html
    for name in ("ormq", "success", "failure", "schedule"):
        assert reverse(f"admin:django_q_{name}_changelist") in html
    assert "Retry search" in html and "Cancel search" not in html
    assert 'name="_save"' not in html  # nothing to edit by hand
    calls = staff_client.get(
        f"{reverse('admin:scraping_apicall_changelist')}?job__id__exact={job.pk}"
    )
    assert calls.status_code == 200 and calls.context["cl"].result_count == 60


def test_the_page_of_a_running_search_offers_cancel_and_force(staff_client, owner, campaign):
    job = make_job(owner, campaign, status="processing")
    html = staff_client.get(reverse("admin:scraping_scrapingjob_change", args=[job.pk])).content
    assert b"Cancel search" in html and b"Force to error" in html and b"Retry search" not in html


def test_cancel_button_cancels_and_audits(staff_client, staff, owner, campaign):
    job = make_job(owner, campaign, status="processing")
    response = staff_client.post(_op(job, "cancel"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin, entry.target_user) == ("job_cancelled", staff, owner)
    assert entry.details == {
        "job_id": str(job.pk),
        "search": "tiktok_keyword",
        "before": {"status": "processing"},
        "after": {"status": "cancelled"},
    }


def test_retry_button_retries_and_audits(staff_client, staff, owner, campaign, no_steps):
    job = make_job(owner, campaign, status="timeout", completed_at=timezone.now())
    staff_client.post(_op(job, "retry"))
    job.refresh_from_db()
    assert job.status == "pending"
    assert no_steps == [("scraping.tasks.run_job_step", str(job.pk))]
    entry = AdminAction.objects.get()
    assert (entry.action, entry.target_user) == ("job_retried", owner)
    assert entry.details["before"] == {"status": "timeout"}
    assert entry.details["after"] == {"status": "pending"}


@pytest.mark.parametrize(
    ("operation", "status"), [("force-error", "error"), ("force-completed", "completed")]
)
def test_force_ends_a_stuck_search_drops_its_lease_and_audits(
    staff_client, staff, owner, campaign, operation, status
):
    job = make_job(
        owner,
        campaign,
        status="processing",
        progress=40,
        worker_id="w-1",
        locked_until=timezone.now(),
    )
    staff_client.post(_op(job, operation), {"reason": "worker host died"})
    job.refresh_from_db()
    assert (job.status, job.worker_id, job.locked_until) == (status, "", None)
    assert job.finish_reason == "worker host died"
    assert job.completed_at is not None
    assert job.error == ("worker host died" if status == "error" else "")
    assert job.progress == (100 if status == "completed" else 40)
    entry = AdminAction.objects.get()
    assert (entry.action, entry.admin, entry.target_user) == ("job_status_forced", staff, owner)
    assert entry.details == {
        "job_id": str(job.pk),
        "search": "tiktok_keyword",
        "before": {"status": "processing"},
        "after": {"status": status},
        "reason": "worker host died",
        "progress": {"before": 40, "after": job.progress},
    }


def test_actions_in_a_state_that_does_not_allow_them_are_refused(staff_client, owner, campaign):
    done = make_job(owner, campaign, status="completed")
    running = make_job(owner, campaign, status="processing")
    for job, operation in [(done, "cancel"), (done, "force-error"), (running, "retry")]:
        response = staff_client.post(_op(job, operation), follow=True)
        assert response.status_code == 200
        assert "cannot be" in response.content.decode() or "not stuck" in response.content.decode()
    done.refresh_from_db()
    running.refresh_from_db()
    assert (done.status, running.status) == ("completed", "processing")
    assert not AdminAction.objects.exists()
    assert staff_client.get(_op(done, "cancel")).status_code == 405
    assert staff_client.post(_op(done, "explode")).status_code == 403


def test_list_actions_apply_to_each_selected_search(staff_client, owner, campaign):
    running = [make_job(owner, campaign, status="pending") for _ in range(2)]
    finished = make_job(owner, campaign, status="completed")
    response = staff_client.post(
        CHANGELIST,
        {"action": "cancel_jobs", "_selected_action": [j.pk for j in [*running, finished]]},
        follow=True,
    )
    html = response.content.decode()
    assert "2 search(es) cancelled." in html
    assert "A completed search cannot be cancelled." in html
    assert list(AdminAction.objects.values_list("action", flat=True)) == ["job_cancelled"] * 2

    staff_client.post(
        CHANGELIST, {"action": "retry_jobs", "_selected_action": [j.pk for j in running]}
    )
    staff_client.post(CHANGELIST, {"action": "force_error", "_selected_action": [running[0].pk]})
    staff_client.post(
        CHANGELIST, {"action": "force_completed", "_selected_action": [running[1].pk]}
    )
    statuses = {
        j.pk: j.status for j in type(finished).objects.filter(pk__in=[j.pk for j in running])
    }
    assert statuses == {running[0].pk: "error", running[1].pk: "completed"}
    assert sorted(AdminAction.objects.values_list("action", flat=True)) == sorted(
        ["job_cancelled"] * 2 + ["job_retried"] * 2 + ["job_status_forced"] * 2
    )


def test_searches_creators_and_calls_cannot_be_added_edited_or_deleted(
    staff_client, owner, campaign
):
    job = make_job(owner, campaign)
    creator = make_creator(job)
    call = ApiCall.objects.create(job=job, endpoint="/v1/x", at=timezone.now())
    assert (
        staff_client.post(
            reverse("admin:scraping_scrapingjob_delete", args=[job.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        staff_client.post(
            reverse("admin:scraping_creator_change", args=[creator.pk]), {"username": "x"}
        ).status_code
        == 403
    )
    assert (
        staff_client.post(
            reverse("admin:scraping_apicall_delete", args=[call.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        staff_client.get(reverse("admin:scraping_creator_change", args=[creator.pk])).status_code
        == 200
    )


def test_the_list_searches_by_id_owner_and_campaign(staff_client, owner, campaign):
    job = make_job(owner, campaign, status="completed")
    for query in (str(job.pk)[:8], "owner@example", campaign.name):
        response = staff_client.get(CHANGELIST, {"q": query})
        assert response.status_code == 200, query
        assert list(response.context["cl"].result_list) == [job], query
