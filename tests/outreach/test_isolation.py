"""Owner isolation: another user's list, entry, template or send does not exist for a user —
404 on every page and API URL, and nothing changes or goes out."""

import pytest
from django.core import mail

from outreach import services
from outreach.models import CreatorList, EmailTemplate, EntryEvent, ListEntry, OutreachSend
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(user, shortlist, maya, template, run_tasks):
    """The owner's list, entry, template and a failed send (so retry would be allowed)."""
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[maya.pk])
    entry = ListEntry.objects.get()
    services.sends_queue(sender=user, template=template, entries=[entry])
    send = OutreachSend.objects.get()
    OutreachSend.objects.filter(pk=send.pk).update(status="failed", error="provider down")
    return {"list": shortlist, "entry": entry, "template": template, "send": send}


@pytest.fixture
def theirs(other_user):
    """The stranger's own list, entry and template, to aim at the owner's objects from."""
    creator_list = services.list_create(owner=other_user, name="Mine")
    creator = make_creator(
        make_job(other_user, make_campaign(other_user)), emails=["x@y.co"], has_email=True
    )
    services.entries_add_by_ids(
        creator_list=creator_list, actor=other_user, creator_ids=[creator.pk]
    )
    template = EmailTemplate.objects.create(owner=other_user, name="T", subject="S", body="B")
    return {
        "list": creator_list,
        "entry": ListEntry.objects.get(list=creator_list),
        "template": template,
    }


def _state():
    """Everything a request could have changed."""
    return (
        list(CreatorList.objects.order_by("pk").values_list("pk", "name", "description")),
        list(
            ListEntry.objects.order_by("pk").values_list("pk", "status", "notes", "do_not_contact")
        ),
        list(EmailTemplate.objects.order_by("pk").values_list("pk", "name", "subject", "body")),
        list(OutreachSend.objects.order_by("pk").values_list("pk", "status", "attempts")),
        EntryEvent.objects.count(),
    )


PAGES = [
    ("get", "/lists/{list}/"),
    ("get", "/lists/{list}/edit/"),
    ("post", "/lists/{list}/edit/"),
    ("get", "/lists/{list}/delete/"),
    ("post", "/lists/{list}/delete/"),
    ("post", "/lists/{list}/send/"),
    ("get", "/lists/{list}/export/csv/"),
    ("get", "/lists/{list}/export/xlsx/"),
    ("get", "/lists/{list}/entries/{entry}/"),
    ("post", "/lists/{list}/entries/{entry}/update/"),
    ("post", "/lists/{list}/entries/{entry}/send/"),
    ("post", "/lists/{list}/entries/{entry}/delete/"),
    ("post", "/sends/{send}/retry/"),
    ("get", "/email-templates/{template}/"),
    ("post", "/email-templates/{template}/"),
    ("get", "/email-templates/{template}/delete/"),
    ("post", "/email-templates/{template}/delete/"),
    # The stranger's own list in the path does not open the owner's entry either.
    ("get", "/lists/{their_list}/entries/{entry}/"),
    ("post", "/lists/{their_list}/entries/{entry}/update/"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_every_page_url_is_404_for_another_user(client, other_user, owned, theirs, method, path):
    ids = {k: v.pk for k, v in owned.items()} | {"their_list": theirs["list"].pk}
    before = _state()
    client.force_login(other_user)
    data = {
        "name": "hijack",
        "subject": "x",
        "body": "x",
        "status": "declined",
        "notes": "hijack",
        "do_not_contact": "true",
        "template": owned["template"].pk,
        "entry": [owned["entry"].pk],
        "action": "send",
    }
    response = getattr(client, method)(path.format(**ids), data)
    assert response.status_code == 404
    assert _state() == before
    assert mail.outbox == []


def test_adding_to_another_users_list_or_from_their_search_is_404(
    client, other_user, user, owned, theirs, job, campaign, maya
):
    client.force_login(other_user)
    before = _state()
    into_theirs = {"list": owned["list"].pk, "creator": theirs["entry"].creator_id}
    assert client.post("/lists/add/", into_theirs).status_code == 404
    for source in (f"job:{job.pk}", f"campaign:{campaign.pk}"):
        data = {"list": theirs["list"].pk, "source": source, "add": "all"}
        assert client.post("/lists/add/", data).status_code == 404
    # The owner's creator ids are simply not found: never added to the stranger's list.
    client.post("/lists/add/", {"list": theirs["list"].pk, "creator": maya.pk})
    assert _state() == before


def test_another_users_template_cannot_be_sent_from_my_board(client, other_user, owned, theirs):
    client.force_login(other_user)
    response = client.post(
        f"/lists/{theirs['list'].pk}/send/",
        {"template": owned["template"].pk, "entry": [theirs["entry"].pk], "action": "send"},
    )
    assert response.status_code == 400
    assert "Choose a template." in response.content.decode()
    assert not OutreachSend.objects.filter(owner=other_user).exists()


def test_another_users_template_cannot_be_previewed_on_my_entry(client, other_user, owned, theirs):
    client.force_login(other_user)
    entry = theirs["entry"]
    page = client.get(
        f"/lists/{entry.list_id}/entries/{entry.pk}/", {"template": owned["template"].pk}
    ).content.decode()
    assert owned["template"].subject not in page
    assert 'data-field="preview-subject"' not in page


API = [
    ("get", "/api/lists/{list}/"),
    ("patch", "/api/lists/{list}/"),
    ("delete", "/api/lists/{list}/"),
    ("get", "/api/lists/{list}/entries/"),
    ("post", "/api/lists/{list}/entries/"),
    ("get", "/api/entries/{entry}/"),
    ("patch", "/api/entries/{entry}/"),
    ("delete", "/api/entries/{entry}/"),
    ("get", "/api/entries/{entry}/events/"),
    ("get", "/api/entries/{entry}/sends/"),
    ("get", "/api/entries/{entry}/preview/?templateId={their_template}"),
    ("get", "/api/entries/{their_entry}/preview/?templateId={template}"),
    ("get", "/api/email-templates/{template}/"),
    ("patch", "/api/email-templates/{template}/"),
    ("delete", "/api/email-templates/{template}/"),
    ("get", "/api/sends/{send}/"),
    ("post", "/api/sends/{send}/retry/"),
]


@pytest.mark.parametrize(("method", "path"), API)
def test_every_api_url_is_404_for_another_user(stranger_api, owned, theirs, maya, method, path):
    ids = {k: v.pk for k, v in owned.items()} | {
        "their_template": theirs["template"].pk,
        "their_entry": theirs["entry"].pk,
    }
    before = _state()
    body = {"name": "hijack", "status": "declined", "notes": "x", "creatorIds": [str(maya.pk)]}
    url = path.format(**ids)
    if method == "get":  # the query string is the request
        response = stranger_api.get(url)
    else:
        response = getattr(stranger_api, method)(url, body, format="json")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "errors": {}}
    assert _state() == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    "body",
    [
        lambda o, t: {"templateId": str(o["template"].pk), "entryIds": [str(t["entry"].pk)]},
        lambda o, t: {"templateId": str(t["template"].pk), "entryIds": [str(o["entry"].pk)]},
        lambda o, t: {
            "templateId": str(t["template"].pk),
            "entryIds": [str(t["entry"].pk), str(o["entry"].pk)],
        },
    ],
    ids=["their-template", "their-entry", "mixed-entries"],
)
def test_sends_with_another_users_template_or_entry_are_404(stranger_api, owned, theirs, body):
    before = _state()
    response = stranger_api.post("/api/sends/", body(owned, theirs), format="json")
    assert response.status_code == 404
    assert _state() == before
    assert mail.outbox == []


@pytest.mark.parametrize("field", ["jobId", "campaignId"])
def test_adding_from_another_users_search_is_404(stranger_api, theirs, job, campaign, field):
    source = {"jobId": job.pk, "campaignId": campaign.pk}[field]
    response = stranger_api.post(
        f"/api/lists/{theirs['list'].pk}/entries/", {field: str(source)}, format="json"
    )
    assert response.status_code == 404
    assert ListEntry.objects.filter(list=theirs["list"]).count() == 1


def test_lists_and_templates_lists_show_only_mine(stranger_api, owned, theirs):
    assert [x["name"] for x in stranger_api.get("/api/lists/").json()["results"]] == ["Mine"]
    templates = stranger_api.get("/api/email-templates/").json()["results"]
    assert [t["name"] for t in templates] == ["T"]


def test_pages_list_only_mine(client, other_user, owned, theirs):
    client.force_login(other_user)
    lists_page = client.get("/lists/").content.decode()
    assert f'href="/lists/{owned["list"].pk}/"' not in lists_page
    assert f'<a href="/lists/{theirs["list"].pk}/">Mine</a>' in lists_page
    assert "First hello" not in client.get("/email-templates/").content.decode()
