"""The pages: my lists, a list's board (moves, notes, sends, preview, exports), a creator's
entry page, email templates, and the results-table partials posting to "add to list"."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from outreach import selectors, services
from outreach.models import CreatorList, EmailTemplate, ListEntry, OutreachSend
from tests.factories import make_creator
from trials.models import UserProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(user, shortlist, maya):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[maya.pk])
    return ListEntry.objects.get(username="maya_runs")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- lists ----------------------------------------------------------------------------------


def test_create_a_list_and_open_its_board(auth_client, user):
    response = auth_client.post("/lists/", {"name": "  Spring shortlist ", "description": "TT"})
    creator_list = CreatorList.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/lists/{creator_list.pk}/"
    assert (creator_list.owner, creator_list.name, creator_list.description) == (
        user,
        "Spring shortlist",
        "TT",
    )


def test_my_lists_show_their_counts_and_not_other_peoples(auth_client, user, other_user, entry):
    services.list_create(owner=other_user, name="Not mine")
    services.entry_update(entry=entry, actor=user, status="agreed")
    page = auth_client.get("/lists/").content.decode()
    assert "Shortlist" in page and "Not mine" not in page
    assert "<strong>1</strong> creator</span>" in page
    assert '<li class="pill status-agreed">Agreed <strong>1</strong></li>' in page
    assert '<li class="pill status-to_contact">To contact <strong>0</strong></li>' in page
    assert "1 of 3 lists your plan allows." in page


def test_the_list_limit_is_an_inline_message_with_a_link(auth_client, user):
    for i in range(3):
        services.list_create(owner=user, name=f"L{i}")
    response = auth_client.post("/lists/", {"name": "Fourth"})
    assert response.status_code == 200
    assert (
        "The free trial allows 3 lists and you have 3. Upgrade your plan or delete a list to "
        'create another. <a href="/billing/">See plans</a>'
    ) in response.content.decode()
    assert CreatorList.objects.count() == 3


def test_edit_and_delete_a_list(auth_client, shortlist, entry):
    response = auth_client.post(
        f"/lists/{shortlist.pk}/edit/", {"name": "Final", "description": ""}
    )
    assert response.status_code == 302
    shortlist.refresh_from_db()
    assert shortlist.name == "Final"
    assert auth_client.get(f"/lists/{shortlist.pk}/delete/").status_code == 200
    assert auth_client.post(f"/lists/{shortlist.pk}/delete/")["Location"] == "/lists/"
    assert not CreatorList.objects.exists() and not ListEntry.objects.exists()


# --- the board ------------------------------------------------------------------------------


def _column(page: str, status: str) -> str:
    match = re.search(rf'data-status="{status}">(.*?)</section>', page, re.S)
    return match.group(1)


def test_the_board_groups_entries_by_status_with_counts(auth_client, user, shortlist, entry, leo):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[leo.pk])
    services.entry_update(entry=entry, actor=user, status="replied", notes="Call Tuesday")
    page = auth_client.get(f"/lists/{shortlist.pk}/").content.decode()
    assert '<span class="count" data-field="count-replied">1</span>' in page
    assert '<span class="count" data-field="count-to_contact">1</span>' in page
    assert '<span class="count" data-field="count-agreed">0</span>' in page
    assert 'data-entry="maya_runs"' in _column(page, "replied")
    assert "Call Tuesday" in _column(page, "replied")
    assert 'data-entry="leo_trails"' in _column(page, "to_contact")
    assert "No email" in _column(page, "to_contact")
    assert '<p class="muted" data-field="total">2 creators</p>' in page


def test_moving_a_card_is_a_small_post_that_comes_back_to_the_card(auth_client, user, entry):
    url = f"/lists/{entry.list_id}/entries/{entry.pk}/update/"
    response = auth_client.post(url, {"status": "contacted"}, follow=True)
    assert response.redirect_chain == [(f"/lists/{entry.list_id}/#entry-{entry.pk}", 302)]
    assert _messages(response) == ["Maya Runs moved to Contacted."]
    entry.refresh_from_db()
    assert (entry.status, entry.notes) == ("contacted", "")  # the move left the notes alone
    auth_client.post(url, {"notes": "Prefers email"})
    auth_client.post(url, {"do_not_contact": "true"})
    entry.refresh_from_db()
    assert (entry.status, entry.notes, entry.do_not_contact) == ("contacted", "Prefers email", True)
    assert list(entry.events.values_list("kind", "new"))[1:] == [
        ("status", "contacted"),
        ("note", "Prefers email"),
        ("do_not_contact", "yes"),
    ]


def test_an_unknown_status_is_a_message_not_a_change(auth_client, entry):
    url = f"/lists/{entry.list_id}/entries/{entry.pk}/update/"
    response = auth_client.post(url, {"status": "ghosted"}, follow=True)
    assert _messages(response) == [
        "Select a valid choice. ghosted is not one of the available choices."
    ]
    entry.refresh_from_db()
    assert entry.status == "to_contact"


def test_preview_then_send_from_the_board(auth_client, shortlist, entry, template, run_tasks):
    url = f"/lists/{shortlist.pk}/send/"
    data = {"template": template.pk, "entry": [entry.pk], "action": "preview"}
    preview = auth_client.post(url, data)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert '<strong data-field="preview-subject">Hi Maya Runs, a Trail season idea</strong>' in page
    assert f'id="pick-{entry.pk}" checked' in page
    assert mail.outbox == []

    with run_tasks():  # the queue runs once the request's transaction commits
        response = auth_client.post(url, {**data, "action": "send"})
    assert response["Location"] == f"/lists/{shortlist.pk}/"
    assert [m.to for m in mail.outbox] == [["maya@example.com"]]
    response = auth_client.get(response["Location"])
    assert _messages(response) == [
        "1 email queued with “First hello”: each is logged on its creator's card."
    ]
    page = response.content.decode()
    assert '<span class="badge send-sent" data-field="send-status">Email sent</span>' in page
    assert 'data-entry="maya_runs"' in _column(page, "contacted")


def test_sending_without_choosing_anyone_says_so(auth_client, shortlist, entry, template):
    response = auth_client.post(f"/lists/{shortlist.pk}/send/", {"template": template.pk})
    assert response.status_code == 400
    assert "Choose who to email." in response.content.decode()


def test_sending_to_a_creator_without_email_says_so(auth_client, user, shortlist, leo, template):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[leo.pk])
    entry = ListEntry.objects.get()
    response = auth_client.post(
        f"/lists/{shortlist.pk}/send/",
        {"template": template.pk, "entry": [entry.pk], "action": "send"},
    )
    assert response.status_code == 400
    assert "Leo has no email address, so it cannot be emailed." in response.content.decode()


def test_the_daily_cap_is_a_message_on_the_board(auth_client, user, shortlist, entry, template):
    OutreachSend.objects.bulk_create(
        OutreachSend(owner=user, entry=entry, to="x", subject="s", body="b", status="sent")
        for _ in range(20)
    )
    response = auth_client.post(
        f"/lists/{shortlist.pk}/send/",
        {"template": template.pk, "entry": [entry.pk], "action": "send"},
    )
    assert response.status_code == 402
    page = response.content.decode()
    assert "You have sent 20 emails today, as many as the free trial allows a day." in page
    assert '<a href="/billing/">See plans</a>' in page
    assert "Today (UTC): 20 of the 20 emails your plan allows a day." in page


def test_a_failed_send_shows_on_the_board_and_retries(
    auth_client, user, shortlist, entry, template, run_tasks, settings
):
    settings.EMAIL_BACKEND = "tests.outreach.test_services.Refusing"
    with run_tasks():
        services.sends_queue(sender=user, template=template, entries=[entry])
    send = OutreachSend.objects.get()
    page = auth_client.get(f"/lists/{shortlist.pk}/").content.decode()
    assert '<span class="badge send-failed" data-field="send-status">Send failed</span>' in page
    assert "ConnectionRefusedError: provider down" in page
    assert f'action="/sends/{send.pk}/retry/"' in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with run_tasks():
        response = auth_client.post(f"/sends/{send.pk}/retry/", {"next": f"/lists/{shortlist.pk}/"})
    assert response["Location"] == f"/lists/{shortlist.pk}/"
    assert _messages(auth_client.get(response["Location"])) == [
        "Email to maya@example.com queued again."
    ]
    send.refresh_from_db()
    assert send.status == "sent"
    assert len(mail.outbox) == 1


# --- an entry's page ------------------------------------------------------------------------


def test_the_entry_page_previews_sends_and_shows_the_history(
    auth_client, user, entry, template, run_tasks
):
    url = f"/lists/{entry.list_id}/entries/{entry.pk}/"
    page = auth_client.get(url, {"template": template.pk}).content.decode()
    assert '<strong data-field="preview-subject">Hi Maya Runs, a Trail season idea</strong>' in page
    assert "I&#x27;m Test Person. Interested in Trail season? {unknown}" in page
    with run_tasks():
        response = auth_client.post(f"{url}send/", {"template": template.pk})
    response = auth_client.get(response["Location"])
    assert _messages(response) == ["Email to maya@example.com queued with “First hello”."]
    page = response.content.decode()
    assert '<span class="badge send-sent" data-field="send-status">Sent</span>' in page
    history = re.search(r'<ol class="history" reversed>(.*?)</ol>', page, re.S).group(1)
    lines = [" ".join(re.sub(r"<[^>]+>", "", li).split()) for li in history.split("<li>")[1:]]
    assert [line.split(" · ", 1)[1] for line in lines] == [
        "Creatorscope · moved from To contact to Contacted",
        "Creatorscope · email sent to maya@example.com",
        "owner@example.com · email queued to maya@example.com",
        "owner@example.com · added to the list",
    ]


def test_the_entry_page_says_why_it_cannot_be_emailed(auth_client, user, entry, template):
    services.entry_update(entry=entry, actor=user, do_not_contact=True)
    page = auth_client.get(f"/lists/{entry.list_id}/entries/{entry.pk}/").content.decode()
    assert "Maya Runs is marked do not contact." in page
    assert "Send this email" not in page


def test_remove_an_entry(auth_client, entry):
    response = auth_client.post(f"/lists/{entry.list_id}/entries/{entry.pk}/delete/")
    assert response["Location"] == f"/lists/{entry.list_id}/"
    assert not ListEntry.objects.exists()


# --- export ---------------------------------------------------------------------------------


@pytest.fixture
def exported(user, shortlist, entry, leo):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[leo.pk])
    services.entry_update(entry=entry, actor=user, status="agreed", notes="=HYPERLINK(1) deal")
    OutreachSend.objects.create(
        owner=user,
        entry=entry,
        to="maya@example.com",
        subject="s",
        body="b",
        status="sent",
        sent_at=timezone.now(),
    )
    return shortlist


def test_export_csv_has_statuses_notes_and_is_injection_safe(auth_client, exported):
    response = auth_client.get(f"/lists/{exported.pk}/export/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="shortlist-\d{8}-\d{6}\.csv"', response["Content-Disposition"]
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    today = timezone.now().date().isoformat()
    assert rows == [
        [
            "Platform",
            "Name",
            "Username",
            "Profile URL",
            "Emails",
            "Followers",
            "Campaign",
            "Status",
            "Do Not Contact",
            "Notes",
            "Emails Sent",
            "Last Sent",
            "Added",
        ],
        [
            "TikTok",
            "Maya Runs",
            "maya_runs",
            "https://www.tiktok.com/@maya_runs",
            "maya@example.com, team@maya.example",
            "12500",
            "Trail season",
            "Agreed",
            "No",
            "'=HYPERLINK(1) deal",
            "1",
            today,
            today,
        ],
        [
            "TikTok",
            "Leo",
            "leo_trails",
            "",
            "",
            "900",
            "Trail season",
            "To contact",
            "No",
            "",
            "0",
            "",
            today,
        ],
    ]


def test_export_xlsx_has_the_same_values_typed(auth_client, exported):
    response = auth_client.get(f"/lists/{exported.pk}/export/xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Platform", "Name", "Username"]
    maya = rows[1]
    assert maya[5] == 12500 and maya[7] == "Agreed" and maya[8] == "No"
    assert maya[9] == "'=HYPERLINK(1) deal"
    assert (maya[10], maya[11].date()) == (1, timezone.now().date())
    assert rows[2][3] is None and rows[2][11] is None  # unknown stays empty, never 0 or ""


def test_an_unknown_export_format_is_404(auth_client, shortlist):
    assert auth_client.get(f"/lists/{shortlist.pk}/export/pdf/").status_code == 404


def test_an_ended_trial_cannot_export_a_list(auth_client, user, shortlist):
    past = timezone.now() - timedelta(days=1)
    UserProfile.objects.filter(user=user).update(
        trial_started_at=past - timedelta(days=7), trial_ends_at=past
    )
    response = auth_client.get(f"/lists/{shortlist.pk}/export/csv/")
    assert response.status_code == 402
    assert "Your free trial has ended. Subscribe to export" in response.content.decode()


# --- the results-table partials -------------------------------------------------------------


def _render(name: str, user, path: str, **context) -> str:
    request = RequestFactory().get(path)
    request.user = user
    return render_to_string(name, context, request=request)


def test_creator_actions_show_the_badge_and_post_one_creator(auth_client, user, job, maya, leo):
    listed = services.list_create(owner=user, name="Shortlist")
    services.entries_add_by_ids(creator_list=listed, actor=user, creator_ids=[maya.pk])
    services.entry_update(entry=ListEntry.objects.get(), actor=user, status="contacted")
    context = selectors.results_table_context(user=user, creators=[maya, leo])
    path = f"/searches/{job.pk}/?has_email=true"
    html = _render(
        "outreach/_creator_actions.html",
        user,
        path,
        creator=maya,
        mark=context["outreach_marks"].get((maya.platform, maya.external_id)),
        outreach_lists=context["outreach_lists"],
    )
    assert (
        '<span class="badge outreach-contacted" title="Already contacted, in “Shortlist”">Contacted</span>'
        in html
    )
    html = _render(
        "outreach/_creator_actions.html",
        user,
        path,
        creator=leo,
        mark=None,
        outreach_lists=context["outreach_lists"],
    )
    assert "badge" not in html
    assert f'<input type="hidden" name="creator" value="{leo.pk}">' in html
    assert f'<input type="hidden" name="next" value="{path}">' in html
    assert f'<option value="{listed.pk}">Shortlist</option>' in html

    # What the form posts.
    response = auth_client.post(
        "/lists/add/",
        {"creator": leo.pk, "add": "selected", "list": listed.pk, "next": path},
        follow=True,
    )
    assert response.redirect_chain[0] == (path, 302)
    assert ListEntry.objects.filter(list=listed).count() == 2


def test_mark_for_finds_a_creators_mark_in_the_page_context(user, maya, shortlist):
    from django.template import Context, Template

    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[maya.pk])
    marks = selectors.creator_marks(user=user, creators=[maya])
    html = Template(
        "{% load outreach_tags %}{% with m=marks|mark_for:c %}{{ m.lists.0.name }}{% endwith %}"
    ).render(Context({"marks": marks, "c": maya}))
    assert html == "Shortlist"


def test_without_lists_the_control_adds_to_a_new_list(auth_client, user, maya):
    html = _render(
        "outreach/_creator_actions.html", user, "/x/", creator=maya, mark=None, outreach_lists=[]
    )
    assert '<input type="hidden" name="new_list" value="Shortlist">' in html
    auth_client.post(
        "/lists/add/", {"creator": maya.pk, "add": "selected", "new_list": "Shortlist"}
    )
    assert list(CreatorList.objects.values_list("name", flat=True)) == ["Shortlist"]
    assert ListEntry.objects.get().creator == maya


def test_bulk_add_all_matching_reruns_the_tables_filter(auth_client, user, job, maya, leo):
    shortlist = services.list_create(owner=user, name="Shortlist")
    path = f"/searches/{job.pk}/?has_email=true&sort=-followers"
    html = _render(
        "outreach/_bulk_add.html",
        user,
        path,
        scope="job",
        job=job,
        outreach_lists=selectors.list_choices(user=user),
        match_count=1,
    )
    assert f'<input type="hidden" name="source" value="job:{job.pk}">' in html
    assert '<input type="hidden" name="filters" value="has_email=true&amp;sort=-followers">' in html
    assert (
        '<button type="submit" name="add" value="all" class="button secondary">Add all 1 matching</button>'
        in html
    )
    box = render_to_string("outreach/_select_creator.html", {"creator": leo})
    assert f'value="{leo.pk}" form="outreach-bulk"' in box

    # "All" ignores ticked boxes and the client's idea of who matches: the filter decides.
    response = auth_client.post(
        "/lists/add/",
        {
            "list": shortlist.pk,
            "source": f"job:{job.pk}",
            "filters": "has_email=true&sort=-followers",
            "creator": [leo.pk],
            "add": "all",
            "next": path,
        },
        follow=True,
    )
    assert list(ListEntry.objects.values_list("username", flat=True)) == ["maya_runs"]
    [message] = _messages(response)
    assert message.startswith("Added 1 creator to “Shortlist”.")

    response = auth_client.post(
        "/lists/add/",
        {"list": shortlist.pk, "source": f"job:{job.pk}", "creator": [leo.pk], "add": "selected"},
    )
    assert sorted(ListEntry.objects.values_list("username", flat=True)) == [
        "leo_trails",
        "maya_runs",
    ]


def test_bulk_add_selected_with_nothing_ticked_says_so(auth_client, user, job, shortlist):
    response = auth_client.post(
        "/lists/add/",
        {"list": shortlist.pk, "source": f"job:{job.pk}", "add": "selected", "next": "/lists/"},
        follow=True,
    )
    assert _messages(response) == ["Tick the creators to add first."]
    assert not ListEntry.objects.exists()


def test_the_boards_add_form_sends_filter_fields(auth_client, user, campaign, job, maya, leo):
    shortlist = services.list_create(owner=user, name="Shortlist")
    make_creator(job, username="quiet", has_email=True, emails=["q@x.co"], followers=10)
    auth_client.post(
        "/lists/add/",
        {
            "list": shortlist.pk,
            "source": f"campaign:{campaign.pk}",
            "has_email": "true",
            "min_followers": "1k",
        },
    )
    assert list(ListEntry.objects.values_list("username", flat=True)) == ["maya_runs"]
    page = auth_client.get(f"/lists/{shortlist.pk}/").content.decode()
    assert f'<option value="campaign:{campaign.pk}">Every search of “Trail season”</option>' in page
    assert f'<option value="job:{job.pk}">TikTok keyword: running</option>' in page


def test_a_new_list_over_the_limit_adds_nothing(auth_client, user, maya):
    for i in range(3):
        services.list_create(owner=user, name=f"L{i}")
    response = auth_client.post(
        "/lists/add/", {"creator": maya.pk, "new_list": "Fourth", "next": "/lists/"}, follow=True
    )
    assert _messages(response) == [
        "The free trial allows 3 lists and you have 3. Upgrade your plan or delete a list to "
        'create another. <a href="/billing/">See plans</a>'
    ]
    assert not ListEntry.objects.exists()


def test_next_must_stay_on_this_site(auth_client, shortlist, maya):
    response = auth_client.post(
        "/lists/add/", {"creator": maya.pk, "list": shortlist.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/lists/"


# --- templates ------------------------------------------------------------------------------


def test_create_edit_and_delete_a_template(auth_client, user):
    response = auth_client.post(
        "/email-templates/new/",
        {"name": "Hello", "subject": "Hi {name}", "body": "Dear {name},\r\n\r\n{sender_name}"},
    )
    assert response["Location"] == "/email-templates/"
    template = EmailTemplate.objects.get()
    assert (template.owner, template.subject, template.body) == (
        user,
        "Hi {name}",
        "Dear {name},\n\n{sender_name}",
    )
    page = auth_client.get("/email-templates/").content.decode()
    assert "Hi {name}" in page
    auth_client.post(
        f"/email-templates/{template.pk}/", {"name": "Hello 2", "subject": "S", "body": "B"}
    )
    template.refresh_from_db()
    assert (template.name, template.subject, template.body) == ("Hello 2", "S", "B")
    auth_client.post(f"/email-templates/{template.pk}/delete/")
    assert not EmailTemplate.objects.exists()


def test_a_template_needs_a_name_subject_and_body(auth_client):
    response = auth_client.post("/email-templates/new/", {"name": "", "subject": "", "body": ""})
    page = response.content.decode()
    for error in ("Give the template a name.", "Write a subject.", "Write the email."):
        assert error in page
    assert not EmailTemplate.objects.exists()


def test_the_nav_links_lists_and_templates(auth_client):
    page = auth_client.get("/lists/").content.decode()
    assert '<a href="/lists/">Lists</a>' in page
    assert '<a href="/email-templates/">Email templates</a>' in page


@pytest.mark.parametrize(
    "hostile", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:x", "data:text/html,x"]
)
def test_an_entry_never_links_a_stored_script_url(auth_client, api, entry, hostile):
    """An entry snapshots the creator's profile link: a hostile one is shown neither as a link
    on the entry page nor in the API."""
    ListEntry.objects.filter(pk=entry.pk).update(profile_url=hostile)
    page = auth_client.get(f"/lists/{entry.list_id}/entries/{entry.pk}/").content.decode()
    assert "Open profile" not in page
    assert "script:" not in page.lower() and "data:text" not in page
    body = api.get(f"/api/entries/{entry.pk}/").json()
    assert body["profileUrl"] == ""
