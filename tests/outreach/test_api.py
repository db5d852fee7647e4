"""The REST API for lists, entries, templates and sends: shapes, errors, plan limits."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from outreach import services
from outreach.models import CreatorList, EmailTemplate, ListEntry, OutreachSend
from tests.factories import make_creator

pytestmark = pytest.mark.django_db


def _is_iso(value: str) -> bool:
    return isinstance(value, str) and value.endswith("Z") and "T" in value


# --- lists ----------------------------------------------------------------------------------


def test_create_read_update_delete_a_list(api, user):
    response = api.post("/api/lists/", {"name": "  Spring ", "description": "TT"}, format="json")
    assert response.status_code == 201
    body = response.json()
    list_id = body["id"]
    assert {k: v for k, v in body.items() if k not in ("id", "createdAt", "updatedAt")} == {
        "name": "Spring",
        "description": "TT",
        "entryCount": 0,
        "counts": {"to_contact": 0, "contacted": 0, "replied": 0, "agreed": 0, "declined": 0},
    }
    assert _is_iso(body["createdAt"]) and _is_iso(body["updatedAt"])
    assert [x["name"] for x in api.get("/api/lists/").json()["results"]] == ["Spring"]
    response = api.patch(f"/api/lists/{list_id}/", {"name": "Final"}, format="json")
    assert (response.status_code, response.json()["name"], response.json()["description"]) == (
        200,
        "Final",
        "TT",
    )
    assert api.delete(f"/api/lists/{list_id}/").status_code == 204
    assert not CreatorList.objects.exists()


def test_a_list_needs_a_name(api):
    response = api.post("/api/lists/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid input.",
        "errors": {"name": ["This field may not be blank."]},
    }


def test_the_list_limit_is_a_402_with_the_upgrade_url(api, user):
    for i in range(3):
        services.list_create(owner=user, name=f"L{i}")
    response = api.post("/api/lists/", {"name": "Fourth"}, format="json")
    assert response.status_code == 402
    assert response.json() == {
        "message": "The free trial allows 3 lists and you have 3. Upgrade your plan or delete a "
        "list to create another.",
        "errors": {},
        "upgradeUrl": "http://127.0.0.1:8000/billing/",
    }


def test_anonymous_calls_are_401(client):
    response = APIClient().get("/api/lists/")
    assert response.status_code == 401
    assert response.json()["message"] == "Authentication credentials were not provided."


# --- entries --------------------------------------------------------------------------------


def test_add_by_ids_then_read_the_entries(api, user, shortlist, maya, leo):
    url = f"/api/lists/{shortlist.pk}/entries/"
    missing = "00000000-0000-0000-0000-000000000000"
    response = api.post(url, {"creatorIds": [str(maya.pk), str(leo.pk), missing]}, format="json")
    assert (response.status_code, response.json()) == (
        200,
        {"added": 2, "skipped": 0, "notFound": 1},
    )
    response = api.post(url, {"creatorIds": [str(maya.pk)]}, format="json")
    assert response.json() == {"added": 0, "skipped": 1, "notFound": 0}

    body = api.get(url).json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["avatarUrl"].startswith("http://testserver/api/proxy/image?s=")
    assert {
        k: v for k, v in first.items() if k not in ("id", "avatarUrl", "createdAt", "updatedAt")
    } == {
        "listId": str(shortlist.pk),
        "creatorId": str(maya.pk),
        "platform": "tiktok",
        "externalId": maya.external_id,
        "name": "Maya Runs",
        "username": "maya_runs",
        "profileUrl": "https://www.tiktok.com/@maya_runs",
        "emails": ["maya@example.com", "team@maya.example"],
        "followers": 12500,
        "campaign": "Trail season",
        "status": "to_contact",
        "notes": "",
        "doNotContact": False,
        "lastSend": None,
    }
    assert (
        api.get(url, {"page_size": 1, "page": 2}).json()["results"][0]["username"] == "leo_trails"
    )


def test_add_every_creator_a_filter_matches(api, user, campaign, job, shortlist, maya, leo):
    url = f"/api/lists/{shortlist.pk}/entries/"
    response = api.post(
        url, {"jobId": str(job.pk), "filters": "has_email=true&min_followers=10k"}, format="json"
    )
    assert response.json() == {"added": 1, "skipped": 0, "notFound": 0}
    response = api.post(url, {"campaignId": str(campaign.pk)}, format="json")
    assert response.json() == {"added": 1, "skipped": 1, "notFound": 0}
    assert ListEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"non_field_errors": ["Give exactly one of creatorIds, jobId or campaignId."]}),
        (
            {"creatorIds": ["00000000-0000-0000-0000-000000000000"], "filters": "q=x"},
            {"filters": ["Filters go with jobId or campaignId, not with creatorIds."]},
        ),
        ({"creatorIds": ["nope"]}, {"creatorIds": ["0: Must be a valid UUID."]}),
    ],
)
def test_a_bad_add_is_400(api, shortlist, body, errors):
    response = api.post(f"/api/lists/{shortlist.pk}/entries/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid input.", "errors": errors}


def test_a_bad_filter_is_400_and_adds_nothing(api, job, shortlist, maya):
    response = api.post(
        f"/api/lists/{shortlist.pk}/entries/",
        {"jobId": str(job.pk), "filters": "min_followers=lots"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "filters": [
            "min_followers: Use a whole number from 0 to 1,000,000,000,000, like 1,200, 10k or 2.5m."
        ]
    }
    assert not ListEntry.objects.exists()


@pytest.fixture
def entry(user, shortlist, maya):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[maya.pk])
    return ListEntry.objects.get()


def test_patch_status_notes_and_do_not_contact_then_read_the_history(api, user, entry):
    url = f"/api/entries/{entry.pk}/"
    response = api.patch(url, {"status": "replied", "notes": "Call me"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["notes"]) == ("replied", "Call me")
    response = api.patch(url, {"doNotContact": True}, format="json")
    assert response.json()["doNotContact"] is True
    events = api.get(f"{url}events/").json()["results"]
    assert [(e["kind"], e["old"], e["new"], e["actor"]) for e in events] == [
        ("do_not_contact", "no", "yes", "owner@example.com"),
        ("note", "", "Call me", "owner@example.com"),
        ("status", "to_contact", "replied", "owner@example.com"),
        ("status", "", "to_contact", "owner@example.com"),
    ]
    assert all(_is_iso(e["at"]) for e in events)
    assert (
        api.get(f"/api/lists/{entry.list_id}/entries/", {"status": "replied"}).json()["count"] == 1
    )
    assert (
        api.get(f"/api/lists/{entry.list_id}/entries/", {"status": "agreed"}).json()["count"] == 0
    )


def test_an_unknown_status_is_400(api, entry):
    response = api.patch(f"/api/entries/{entry.pk}/", {"status": "ghosted"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"status": ['"ghosted" is not a valid choice.']}


def test_delete_an_entry(api, entry):
    assert api.delete(f"/api/entries/{entry.pk}/").status_code == 204
    assert not ListEntry.objects.exists()


# --- templates and preview ------------------------------------------------------------------


def test_templates_crud_and_preview(api, user, entry):
    response = api.post(
        "/api/email-templates/",
        {"name": "Hello", "subject": "Hi {name}", "body": "  {name} / {sender_name}\n"},
        format="json",
    )
    assert response.status_code == 201
    template_id = response.json()["id"]
    assert response.json()["body"] == "  {name} / {sender_name}\n"
    assert [t["name"] for t in api.get("/api/email-templates/").json()["results"]] == ["Hello"]
    response = api.get(f"/api/entries/{entry.pk}/preview/", {"templateId": template_id})
    assert response.json() == {
        "to": "maya@example.com",
        "subject": "Hi Maya Runs",
        "body": "  Maya Runs / Test Person\n",
        "sendable": True,
        "reason": "",
    }
    response = api.patch(f"/api/email-templates/{template_id}/", {"subject": "Yo"}, format="json")
    assert (response.json()["subject"], response.json()["name"]) == ("Yo", "Hello")
    assert api.delete(f"/api/email-templates/{template_id}/").status_code == 204
    assert not EmailTemplate.objects.exists()


def test_preview_needs_a_template_id(api, entry):
    response = api.get(f"/api/entries/{entry.pk}/preview/", {"templateId": "nope"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"templateId": ["Give the id of one of your templates."]}


# --- sends ----------------------------------------------------------------------------------


def test_send_to_entries_then_read_the_log(api, user, shortlist, entry, leo, template, run_tasks):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[leo.pk])
    no_email = ListEntry.objects.get(username="leo_trails")
    with run_tasks():
        response = api.post(
            "/api/sends/",
            {"templateId": str(template.pk), "entryIds": [str(entry.pk), str(no_email.pk)]},
            format="json",
        )
    assert response.status_code == 202
    body = response.json()
    assert body["skipped"] == [
        {
            "entryId": str(no_email.pk),
            "reason": "Leo has no email address, so it cannot be emailed.",
        }
    ]
    [queued] = body["queued"]
    assert (queued["entryId"], queued["to"], queued["subject"]) == (
        str(entry.pk),
        "maya@example.com",
        "Hi Maya Runs, a Trail season idea",
    )
    assert len(mail.outbox) == 1
    log = api.get(f"/api/entries/{entry.pk}/sends/").json()["results"]
    assert [(s["id"], s["status"], s["attempts"], s["error"]) for s in log] == [
        (queued["id"], "sent", 1, "")
    ]
    assert _is_iso(log[0]["sentAt"])
    assert api.get(f"/api/sends/{queued['id']}/").json()["status"] == "sent"
    assert api.get(f"/api/entries/{entry.pk}/").json()["lastSend"] == {
        "id": queued["id"],
        "status": "sent",
        "error": "",
    }


def test_a_do_not_contact_entry_alone_is_400(api, user, entry, template):
    services.entry_update(entry=entry, actor=user, do_not_contact=True)
    response = api.post(
        "/api/sends/", {"templateId": str(template.pk), "entryIds": [str(entry.pk)]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid input.",
        "errors": {"entryIds": ["Maya Runs is marked do not contact."]},
    }
    assert not OutreachSend.objects.exists()


def test_the_daily_cap_is_a_402(api, user, entry, template):
    OutreachSend.objects.bulk_create(
        OutreachSend(owner=user, entry=entry, to="x", subject="s", body="b", status="sent")
        for _ in range(20)
    )
    response = api.post(
        "/api/sends/", {"templateId": str(template.pk), "entryIds": [str(entry.pk)]}, format="json"
    )
    assert response.status_code == 402
    assert response.json() == {
        "message": "You have sent 20 emails today, as many as the free trial allows a day. "
        "Sending starts again at midnight UTC, or upgrade your plan to send more.",
        "errors": {},
        "upgradeUrl": "http://127.0.0.1:8000/billing/",
    }


def test_retry_a_failed_send_and_409_for_a_sent_one(
    api, user, entry, template, run_tasks, settings
):
    settings.EMAIL_BACKEND = "tests.outreach.test_services.Refusing"
    with run_tasks():
        services.sends_queue(sender=user, template=template, entries=[entry])
    send = OutreachSend.objects.get()
    assert api.get(f"/api/sends/{send.pk}/").json()["status"] == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with run_tasks():
        response = api.post(f"/api/sends/{send.pk}/retry/")
    assert response.status_code == 202
    assert (response.json()["id"], response.json()["status"]) == (str(send.pk), "queued")
    assert api.get(f"/api/sends/{send.pk}/").json()["status"] == "sent"  # the worker ran
    response = api.post(f"/api/sends/{send.pk}/retry/")
    assert response.status_code == 409
    assert response.json() == {
        "message": "This email is sent: only a failed email can be sent again.",
        "errors": {},
    }


def test_every_route_is_in_the_schema(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {
        p
        for p in paths
        if p.startswith(("/api/lists", "/api/entries", "/api/email-templates", "/api/sends"))
    } == {
        "/api/lists/",
        "/api/lists/{list_id}/",
        "/api/lists/{list_id}/entries/",
        "/api/entries/{entry_id}/",
        "/api/entries/{entry_id}/events/",
        "/api/entries/{entry_id}/sends/",
        "/api/entries/{entry_id}/preview/",
        "/api/email-templates/",
        "/api/email-templates/{template_id}/",
        "/api/sends/",
        "/api/sends/{send_id}/",
        "/api/sends/{send_id}/retry/",
    }


def test_creators_from_another_search_of_mine_can_be_added(api, user, campaign, shortlist):
    from tests.factories import make_job

    other = make_creator(make_job(user, campaign, platform="youtube"), platform="youtube")
    response = api.post(
        f"/api/lists/{shortlist.pk}/entries/", {"creatorIds": [str(other.pk)]}, format="json"
    )
    assert response.json()["added"] == 1
    assert ListEntry.objects.get().platform == "youtube"
