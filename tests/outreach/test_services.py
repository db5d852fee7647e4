"""Lists, entries and their history, templates, and sending through Django's email (locmem)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from core.errors import PaymentRequired
from outreach import services
from outreach.merge import merge
from outreach.models import CreatorList, EntryEvent, ListEntry, OutreachSend
from tests.factories import make_campaign, make_creator, make_job
from trials.models import UserProfile

pytestmark = pytest.mark.django_db


# --- merge fields ---------------------------------------------------------------------------


def test_merge_fills_the_four_fields_and_leaves_anything_else_as_typed():
    values = {"name": "Maya", "handle": "@maya", "campaign": "Trail", "sender_name": "Ana"}
    text = "Hi {name} {handle} {campaign} {sender_name} {unknown} {0} {name.__class__} {name"
    assert merge(text, values) == "Hi Maya @maya Trail Ana {unknown} {0} {name.__class__} {name"


def test_a_merged_value_is_not_merged_again():
    assert merge("{name}", {"name": "{sender_name}", "sender_name": "Ana"}) == "{sender_name}"


# --- lists and adding -----------------------------------------------------------------------


def test_adding_snapshots_the_creator_and_records_who_added_it(user, shortlist, maya):
    result = services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[maya.pk])
    assert (result.added, result.skipped, result.not_found) == (1, 0, 0)
    entry = ListEntry.objects.get()
    assert (entry.platform, entry.external_id, entry.creator) == ("tiktok", maya.external_id, maya)
    assert (entry.display_name, entry.username, entry.followers) == (
        "Maya Runs",
        "maya_runs",
        12_500,
    )
    assert entry.emails == ["maya@example.com", "team@maya.example"]
    assert (entry.profile_url, entry.avatar_url) == (
        "https://www.tiktok.com/@maya_runs",
        "https://cdn.example/maya.jpg",
    )
    assert (entry.campaign_name, entry.status) == ("Trail season", "to_contact")
    event = EntryEvent.objects.get()
    assert (event.actor, event.kind, event.old, event.new) == (user, "status", "", "to_contact")


def test_a_creator_already_in_the_list_is_skipped_even_from_another_search(
    user, campaign, shortlist, maya
):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[maya.pk])
    other_job = make_job(user, campaign, keywords=["trail"])
    same_creator = make_creator(other_job, platform="tiktok", external_id=maya.external_id)
    result = services.entries_add_by_ids(
        creator_list=shortlist, actor=user, creator_ids=[same_creator.pk, maya.pk]
    )
    assert (result.added, result.skipped) == (0, 2)
    assert result.message == "Added 0 creators, 2 already in the list."
    assert ListEntry.objects.count() == 1


def test_ids_of_another_users_creators_are_never_added(user, other_user, shortlist, maya):
    theirs = make_creator(make_job(other_user, make_campaign(other_user)))
    result = services.entries_add_by_ids(
        creator_list=shortlist, actor=user, creator_ids=[theirs.pk, maya.pk]
    )
    assert (result.added, result.skipped, result.not_found) == (1, 0, 1)
    assert list(ListEntry.objects.values_list("external_id", flat=True)) == [maya.external_id]


def test_add_matching_reruns_the_results_filter_on_the_server(user, job, shortlist, maya, leo):
    make_creator(job, has_email=True, followers=50)  # has an email, too few followers
    result = services.entries_add_matching(
        creator_list=shortlist,
        actor=user,
        source=job,
        params=QueryDict("has_email=true&min_followers=1k"),
    )
    assert (result.added, result.skipped) == (1, 0)
    assert list(ListEntry.objects.values_list("username", flat=True)) == ["maya_runs"]


def test_add_matching_leaves_out_what_the_tables_listed_filter_hides(
    user, job, shortlist, maya, leo
):
    """The table hid creators already in one of my lists: "Add all matching" must not add them."""
    autumn = services.list_create(owner=user, name="Autumn")
    services.entries_add(creator_list=autumn, actor=user, creators=[maya])
    result = services.entries_add_matching(
        creator_list=shortlist, actor=user, source=job, params=QueryDict("listed=hide")
    )
    assert (result.added, result.skipped) == (1, 0)
    assert list(shortlist.entries.values_list("username", flat=True)) == ["leo_trails"]


def test_add_matching_a_campaign_adds_each_creator_once(user, campaign, job, shortlist, maya):
    second = make_job(user, campaign, keywords=["trail"])
    make_creator(second, external_id=maya.external_id, username="maya_runs")
    make_creator(second, username="new_one")
    result = services.entries_add_matching(
        creator_list=shortlist, actor=user, source=campaign, params=QueryDict("")
    )
    assert (result.added, result.skipped) == (2, 0)
    assert sorted(ListEntry.objects.values_list("username", flat=True)) == ["maya_runs", "new_one"]


def test_a_bad_filter_adds_nothing(user, job, shortlist, maya):
    with pytest.raises(ValidationError) as caught:
        services.entries_add_matching(
            creator_list=shortlist, actor=user, source=job, params=QueryDict("min_followers=lots")
        )
    assert list(caught.value.message_dict) == ["min_followers"]
    assert not ListEntry.objects.exists()


def test_add_matching_refuses_more_than_its_maximum(user, job, shortlist, maya, leo, monkeypatch):
    monkeypatch.setattr(services, "MAX_ADD_MATCHING", 1)
    with pytest.raises(ValidationError) as caught:
        services.entries_add_matching(
            creator_list=shortlist, actor=user, source=job, params=QueryDict("")
        )
    assert caught.value.messages == [
        "More than 1 creators match: narrow the filters and add them in parts."
    ]
    assert not ListEntry.objects.exists()


@pytest.mark.parametrize(("plan", "allowed"), [(None, 3), ("starter", 50)])
def test_the_plan_limits_the_number_of_lists(make_user, plan, allowed):
    owner = make_user(plan=plan)
    CreatorList.objects.bulk_create(
        CreatorList(owner=owner, name=f"list {i}") for i in range(allowed)
    )
    with pytest.raises(PaymentRequired) as caught:
        services.list_create(owner=owner, name="One more")
    label = "The free trial" if plan is None else "The Starter plan"
    assert caught.value.message == (
        f"{label} allows {allowed} lists and you have {allowed}. Upgrade your plan or delete a "
        "list to create another."
    )
    assert (caught.value.code, caught.value.upgrade_path) == ("list_limit", "/billing/")
    assert CreatorList.objects.filter(owner=owner).count() == allowed


def test_pro_has_unlimited_lists(make_user):
    owner = make_user(plan="pro")
    CreatorList.objects.bulk_create(CreatorList(owner=owner, name=f"l{i}") for i in range(60))
    assert services.list_create(owner=owner, name="61st").name == "61st"


def test_an_ended_trial_creates_no_lists(user):
    past = timezone.now() - timedelta(days=1)
    UserProfile.objects.filter(user=user).update(
        trial_started_at=past - timedelta(days=7), trial_ends_at=past
    )
    with pytest.raises(PaymentRequired) as caught:
        services.list_create(owner=user, name="Late")
    assert caught.value.message == (
        "Your free trial has ended. Subscribe to create lists; your lists stay available."
    )
    assert caught.value.code == "trial_expired"


# --- the pipeline ---------------------------------------------------------------------------


@pytest.fixture
def entry(user, shortlist, maya):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[maya.pk])
    return ListEntry.objects.get()


def test_every_move_notes_and_flag_change_is_recorded(user, entry):
    for status in ("contacted", "replied", "to_contact", "declined"):
        services.entry_update(entry=entry, actor=user, status=status)
    services.entry_update(entry=entry, actor=user, notes="  Wants a call  ")
    services.entry_update(entry=entry, actor=user, do_not_contact=True)
    services.entry_update(entry=entry, actor=user, status="declined", notes="Wants a call")
    entry.refresh_from_db()
    assert (entry.status, entry.notes, entry.do_not_contact) == ("declined", "Wants a call", True)
    events = list(entry.events.values_list("kind", "old", "new"))
    assert events == [
        ("status", "", "to_contact"),
        ("status", "to_contact", "contacted"),
        ("status", "contacted", "replied"),
        ("status", "replied", "to_contact"),
        ("status", "to_contact", "declined"),
        ("note", "", "Wants a call"),
        ("do_not_contact", "no", "yes"),
    ]
    assert set(entry.events.values_list("actor", flat=True)) == {user.pk}


def test_an_unknown_status_is_refused(user, entry):
    with pytest.raises(ValidationError) as caught:
        services.entry_update(entry=entry, actor=user, status="ghosted")
    assert caught.value.message_dict == {
        "status": ["Choose one of: to_contact, contacted, replied, agreed, declined."]
    }


# --- sending --------------------------------------------------------------------------------


def test_a_send_is_rendered_sent_and_logged(user, entry, template, run_tasks):
    with run_tasks():
        batch = services.sends_queue(sender=user, template=template, entries=[entry])
    assert batch.skipped == []
    send = OutreachSend.objects.get()
    assert (send.status, send.to, send.attempts, send.error) == ("sent", "maya@example.com", 1, "")
    assert send.subject == "Hi Maya Runs, a Trail season idea"
    assert send.body == (
        "Hi Maya Runs (@maya_runs),\nI'm Test Person. Interested in Trail season? {unknown}"
    )
    assert send.sent_at is not None
    [message] = mail.outbox
    assert message.from_email == "Test Person via Creatorscope <hello@localhost>"
    assert message.reply_to == ["owner@example.com"]
    assert (message.to, message.subject, message.body) == (
        ["maya@example.com"],
        send.subject,
        send.body,
    )
    # Sent means contacted: the entry moved on, by the system.
    entry.refresh_from_db()
    assert entry.status == "contacted"
    assert list(entry.events.values_list("actor", "kind", "old", "new"))[1:] == [
        (user.pk, "send", "", "queued to maya@example.com"),
        (None, "send", "queued", "sent to maya@example.com"),
        (None, "status", "to_contact", "contacted"),
    ]


def test_entries_that_cannot_be_emailed_are_skipped_with_a_reason(
    user, shortlist, entry, leo, template, run_tasks
):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[leo.pk])
    no_email = ListEntry.objects.get(username="leo_trails")
    with run_tasks():
        batch = services.sends_queue(sender=user, template=template, entries=[entry, no_email])
    assert [s.entry for s in batch.queued] == [entry]
    assert batch.skipped == [(no_email, "Leo has no email address, so it cannot be emailed.")]
    assert len(mail.outbox) == 1


def test_do_not_contact_refuses_the_send(user, entry, template):
    services.entry_update(entry=entry, actor=user, do_not_contact=True)
    entry.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.sends_queue(sender=user, template=template, entries=[entry])
    assert caught.value.message_dict == {"entries": ["Maya Runs is marked do not contact."]}
    assert not OutreachSend.objects.exists()


def test_do_not_contact_set_after_queueing_stops_the_delivery(user, entry, template):
    services.sends_queue(sender=user, template=template, entries=[entry])  # not delivered yet
    services.entry_update(entry=entry, actor=user, do_not_contact=True)
    send = OutreachSend.objects.get()
    services.send_deliver(send_id=send.pk)
    send.refresh_from_db()
    assert (send.status, send.error) == ("failed", "Not sent: marked do not contact.")
    assert mail.outbox == []


def test_the_daily_cap_refuses_a_batch_that_would_pass_it(user, entry, template, monkeypatch):
    sent_today = [
        OutreachSend(
            owner=user, entry=entry, to="x@example.com", subject="s", body="b", status="sent"
        )
        for _ in range(19)
    ]
    OutreachSend.objects.bulk_create(sent_today)
    # 19 of the trial's 20 a day: one more is fine, two are not.
    second = ListEntry.objects.create(
        list=entry.list, platform="tiktok", external_id="x2", display_name="Sam", emails=["s@x.co"]
    )
    with pytest.raises(PaymentRequired) as caught:
        services.sends_queue(sender=user, template=template, entries=[entry, second])
    assert caught.value.message == (
        "You can send 1 more email today (the free trial allows 20 a day) and this batch has 2. "
        "Send fewer, or upgrade your plan."
    )
    assert caught.value.code == "send_limit"
    assert OutreachSend.objects.count() == 19
    services.sends_queue(sender=user, template=template, entries=[entry])
    with pytest.raises(PaymentRequired) as caught:
        services.sends_queue(sender=user, template=template, entries=[second])
    assert caught.value.message == (
        "You have sent 20 emails today, as many as the free trial allows a day. Sending starts "
        "again at midnight UTC, or upgrade your plan to send more."
    )


def test_failed_and_yesterdays_sends_do_not_count_against_today(user, entry, template):
    yesterday = timezone.now() - timedelta(days=1)
    rows = [
        OutreachSend(owner=user, entry=entry, to="x", subject="s", body="b", status="failed")
        for _ in range(20)
    ] + [
        OutreachSend(
            owner=user,
            entry=entry,
            to="x",
            subject="s",
            body="b",
            status="sent",
            queued_at=yesterday,
        )
        for _ in range(20)
    ]
    OutreachSend.objects.bulk_create(rows)
    services.sends_queue(sender=user, template=template, entries=[entry])
    assert OutreachSend.objects.filter(status="queued").count() == 1


@pytest.mark.parametrize(("plan", "cap"), [("starter", 200), ("pro", 1000)])
def test_paid_plans_have_their_daily_cap(make_user, plan, cap):
    from outreach.selectors import day_start

    owner = make_user(plan=plan)
    creator_list = services.list_create(owner=owner, name="L")
    entry = ListEntry.objects.create(list=creator_list, platform="tiktok", external_id="1")
    OutreachSend.objects.bulk_create(
        OutreachSend(owner=owner, entry=entry, to="x", subject="s", body="b", queued_at=day_start())
        for _ in range(cap)
    )
    template = services.template_create(owner=owner, name="T", subject="S", body="B")
    entry.emails = ["a@b.co"]
    entry.save()
    with pytest.raises(PaymentRequired) as caught:
        services.sends_queue(sender=owner, template=template, entries=[entry])
    assert f"You have sent {cap:,} emails today" in caught.value.message


class Refusing:
    """An email backend whose provider refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("provider down")


def test_a_failed_send_is_kept_and_retried_as_the_same_send(
    user, entry, template, run_tasks, settings
):
    settings.EMAIL_BACKEND = "tests.outreach.test_services.Refusing"
    with run_tasks():
        services.sends_queue(sender=user, template=template, entries=[entry])
    send = OutreachSend.objects.get()
    assert (send.status, send.error) == ("failed", "ConnectionRefusedError: provider down")
    entry.refresh_from_db()
    assert entry.status == "to_contact"  # not contacted: nothing went out

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with run_tasks():
        services.send_retry(send=send, actor=user)
    send.refresh_from_db()
    assert (send.status, send.error, send.attempts) == ("sent", "", 2)
    assert OutreachSend.objects.count() == 1
    [message] = mail.outbox
    assert (message.subject, message.body) == (send.subject, send.body)


def test_only_a_failed_or_stuck_send_can_be_retried(user, entry, template, run_tasks):
    with run_tasks():
        services.sends_queue(sender=user, template=template, entries=[entry])
    send = OutreachSend.objects.get()
    with pytest.raises(services.NotRetryable) as caught:
        services.send_retry(send=send, actor=user)
    assert str(caught.value) == "This email is sent: only a failed email can be sent again."
    assert len(mail.outbox) == 1


def test_a_send_stuck_in_the_queue_can_be_queued_again_and_goes_out_once(
    user, entry, template, run_tasks
):
    services.sends_queue(sender=user, template=template, entries=[entry])  # its task is lost
    OutreachSend.objects.update(queued_at=timezone.now() - timedelta(minutes=16))
    send = OutreachSend.objects.get()
    with run_tasks():
        services.send_retry(send=send, actor=user)
    services.send_deliver(send_id=send.pk)  # the lost task turns up after all
    send.refresh_from_db()
    assert (send.status, send.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1


def test_a_claimed_send_is_not_sent_twice(user, entry, template):
    services.sends_queue(sender=user, template=template, entries=[entry])
    send = OutreachSend.objects.get()
    OutreachSend.objects.update(claimed_until=timezone.now() + timedelta(seconds=60))
    assert services.send_deliver(send_id=send.pk) is None
    assert mail.outbox == []


def test_a_subject_stays_on_one_line(user, entry, template):
    template.subject = "Hello\r\n{name}\nBcc: evil@example.com"
    rendered = services.email_render(template=template, entry=entry, sender=user)
    assert rendered.subject == "Hello Maya Runs Bcc: evil@example.com"
