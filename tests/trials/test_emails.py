from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from trials import emails, tasks
from trials.models import ScheduledEmail
from trials.services.lifecycle_emails import (
    email_render,
    email_schedule,
    email_send_now,
    signup_emails_schedule,
)
from trials.services.onboarding import (
    onboarding_complete,
    onboarding_save_step1,
    onboarding_save_step2,
)
from trials.services.subscriptions import subscription_set_for_tests
from trials.services.trial import trial_extend

from .backends import FlakyBackend
from .conftest import T0

pytestmark = pytest.mark.django_db

Status = ScheduledEmail.Status


def rows(user):
    return {e.email_type: e for e in ScheduledEmail.objects.filter(user=user, is_test=False)}


def subjects():
    return [m.subject for m in mail.outbox]


def test_the_dispatcher_is_a_schedule_every_minute():
    schedule = Schedule.objects.get(name="trials: send due emails")
    assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        "trials.tasks.send_due_emails",
        "I",
        1,
        -1,
    )


def test_welcome_right_away_and_abandonment_after_two_hours(make_user, clock):
    user = make_user("sam@example.com", onboarded=False)
    signup_emails_schedule(user=user)

    tasks.send_due_emails()
    assert subjects() == ["Welcome to Creatorscope"]
    assert mail.outbox[0].to == ["sam@example.com"]
    assert "/onboarding/" in mail.outbox[0].body
    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://127.0.0.1:8000/onboarding/"' in html

    clock.shift(timedelta(hours=2) - timedelta(seconds=1))
    tasks.send_due_emails()
    assert len(mail.outbox) == 1
    clock.shift(timedelta(seconds=1))
    tasks.send_due_emails()
    tasks.send_due_emails()
    assert subjects() == [
        "Welcome to Creatorscope",
        "Finish setting up Creatorscope to start your free trial",
    ]
    sent = rows(user)
    assert (sent["welcome"].status, sent["welcome"].sent_at) == (Status.SENT, T0)
    assert (sent["abandonment"].status, sent["abandonment"].attempts) == (Status.SENT, 1)


def test_no_abandonment_email_once_onboarding_is_finished(make_user, clock):
    user = make_user(onboarded=False)
    signup_emails_schedule(user=user)
    onboarding_save_step1(user=user, full_name="Sam", business_name="Co")
    onboarding_save_step2(user=user, brand_description="Shoes")
    onboarding_complete(user=user)
    clock.shift(timedelta(hours=3))
    tasks.send_due_emails()
    assert subjects() == ["Welcome to Creatorscope"]
    assert rows(user)["abandonment"].status == Status.CANCELLED


def test_abandonment_is_rechecked_at_send_time(make_user, clock):
    user = make_user()  # onboarded, but an abandonment email is due anyway
    email_schedule(user=user, email_type="abandonment", send_at=timezone.now())
    tasks.send_due_emails()
    row = rows(user)["abandonment"]
    assert (row.status, row.error) == (Status.CANCELLED, "not sent: onboarding already completed")
    assert mail.outbox == []


def test_each_trial_email_is_sent_once_at_its_time(make_user, clock):
    user = make_user("ann@example.com")
    schedule = [
        (timedelta(days=2), "Getting the most out of your Creatorscope trial"),
        (timedelta(days=5), "Your Creatorscope trial ends soon"),
        (timedelta(days=7), "Your Creatorscope trial has ended"),
    ]
    sent: list[str] = []
    for at, subject in schedule:
        clock.move_to(T0 + at - timedelta(seconds=1), tick=False)
        tasks.send_due_emails()
        assert subjects() == sent
        clock.move_to(T0 + at, tick=False)
        tasks.send_due_emails()
        tasks.send_due_emails()
        sent.append(subject)
        assert subjects() == sent
    clock.shift(timedelta(days=30))
    tasks.send_due_emails()
    assert len(mail.outbox) == 3
    assert all(m.to == ["ann@example.com"] for m in mail.outbox)
    by_type = rows(user)
    assert [
        (t, by_type[t].status, by_type[t].sent_at, by_type[t].attempts) for t in sorted(by_type)
    ] == [
        ("trial_day2", Status.SENT, T0 + timedelta(days=2), 1),
        ("trial_day5", Status.SENT, T0 + timedelta(days=5), 1),
        ("trial_expiry", Status.SENT, T0 + timedelta(days=7), 1),
    ]
    assert "2 days left" in mail.outbox[1].body
    assert "http://127.0.0.1:8000/billing/" in mail.outbox[2].body


def test_no_trial_reminders_after_subscribing(make_user, clock):
    user = make_user()
    clock.shift(timedelta(days=1))
    subscription_set_for_tests(user=user, plan="starter")
    for day in (2, 5, 7):
        clock.move_to(T0 + timedelta(days=day), tick=False)
        tasks.send_due_emails()
    assert mail.outbox == []
    assert {t: (r.status, r.error) for t, r in rows(user).items()} == {
        "trial_day2": (Status.CANCELLED, "not sent: user has subscribed"),
        "trial_day5": (Status.CANCELLED, "not sent: user has subscribed"),
        "trial_expiry": (Status.CANCELLED, "not sent: user has subscribed"),
    }


def test_a_late_reminder_for_an_ended_trial_is_not_sent(make_user, clock):
    user = make_user()
    clock.shift(timedelta(days=8))  # the dispatcher was down all week
    tasks.send_due_emails()
    assert subjects() == ["Your Creatorscope trial has ended"]
    assert rows(user)["trial_day2"].error == "not sent: trial already ended"


def test_extending_the_trial_moves_the_expiry_email(make_user, clock):
    user = make_user()
    clock.shift(timedelta(days=6))
    trial_extend(user=user, days=3)
    clock.move_to(T0 + timedelta(days=7), tick=False)
    tasks.send_due_emails()
    assert "Your Creatorscope trial has ended" not in subjects()
    clock.move_to(T0 + timedelta(days=10), tick=False)
    tasks.send_due_emails()
    assert subjects()[-1] == "Your Creatorscope trial has ended"


def test_recipient_is_read_from_the_user_at_send_time(make_user, clock):
    user = make_user("old@example.com")
    email_schedule(user=user, email_type="welcome", send_at=T0 + timedelta(minutes=5))
    user.email = "new@example.com"
    user.save()
    clock.shift(timedelta(minutes=5))
    tasks.send_due_emails()
    assert mail.outbox[0].to == ["new@example.com"]


def test_failures_are_retried_with_backoff_then_sent(make_user, clock, settings):
    settings.EMAIL_BACKEND = "tests.trials.backends.FlakyBackend"
    FlakyBackend.failures_left = 2
    user = make_user()
    row = email_schedule(user=user, email_type="welcome", send_at=T0)

    tasks.send_due_emails()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (
        Status.PENDING,
        1,
        T0 + timedelta(minutes=1),
    )
    assert row.error == "ConnectionError: provider unreachable"
    tasks.send_due_emails()  # not due yet
    row.refresh_from_db()
    assert row.attempts == 1

    clock.shift(timedelta(minutes=1))
    tasks.send_due_emails()
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, T0 + timedelta(minutes=3))

    clock.shift(timedelta(minutes=2))
    tasks.send_due_emails()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at, row.error) == (
        Status.SENT,
        3,
        T0 + timedelta(minutes=3),
        "",
    )
    assert len(mail.outbox) == 1


def test_failures_end_as_failed_after_five_attempts(make_user, clock, settings):
    settings.EMAIL_BACKEND = "tests.trials.backends.FlakyBackend"
    FlakyBackend.failures_left = -1
    user = make_user()
    row = email_schedule(user=user, email_type="welcome", send_at=T0)
    for _ in range(10):
        tasks.send_due_emails()
        clock.shift(timedelta(minutes=10))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (Status.FAILED, 5, None)
    assert row.error == "ConnectionError: provider unreachable"
    assert mail.outbox == []


def test_a_claimed_email_is_not_sent_again_until_its_lease_ends(make_user, clock):
    user = make_user()
    row = email_schedule(user=user, email_type="welcome", send_at=T0)
    assert emails.claim(row.pk, timezone.now()) is True  # a worker took it, then died
    assert emails.claim(row.pk, timezone.now()) is False
    tasks.send_due_emails()
    assert mail.outbox == []
    clock.shift(emails.CLAIM_LEASE)
    tasks.send_due_emails()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_a_row_whose_last_attempt_never_reported_back_is_failed(make_user, clock):
    user = make_user()
    row = email_schedule(user=user, email_type="welcome", send_at=T0)
    ScheduledEmail.objects.filter(pk=row.pk).update(attempts=emails.MAX_ATTEMPTS)
    tasks.send_due_emails()
    row.refresh_from_db()
    assert (row.status, row.error) == (Status.FAILED, "gave up: no attempts left")


def test_provider_message_id_is_recorded(make_user, clock, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    user = make_user()
    row = email_send_now(user=user, email_type="welcome", is_test=False)
    assert (row.status, row.provider_message_id) == (Status.SENT, "0")
    assert mail.outbox[0].anymail_test_params["tags"] == ["welcome"]


def test_test_sends_skip_eligibility_and_stay_apart(make_user, clock):
    user = make_user()  # trial running: the expiry email is not due and not eligible
    row = email_send_now(user=user, email_type="trial_expiry")
    assert (row.status, row.is_test, row.sent_at) == (Status.SENT, True, T0)
    assert subjects() == ["Your Creatorscope trial has ended"]
    assert rows(user)["trial_expiry"].status == Status.PENDING  # the real one is untouched
    row = email_send_now(user=user, email_type="trial_expiry", is_test=False)
    assert (row.status, row.error) == (Status.CANCELLED, "not sent: trial still running")


def test_scheduling_twice_moves_the_pending_row(make_user):
    user = make_user()
    first = email_schedule(user=user, email_type="welcome", send_at=T0)
    second = email_schedule(user=user, email_type="welcome", send_at=T0 + timedelta(hours=1))
    assert first.pk == second.pk
    assert second.scheduled_for == T0 + timedelta(hours=1)
    assert ScheduledEmail.objects.filter(user=user, email_type="welcome").count() == 1


def test_deactivated_users_get_nothing(make_user, clock):
    user = make_user(is_active=False)
    email_schedule(user=user, email_type="welcome", send_at=T0)
    tasks.send_due_emails()
    assert mail.outbox == []
    assert rows(user)["welcome"].error == "not sent: user is deactivated"


@pytest.mark.parametrize("email_type", ScheduledEmail.Type.values)
def test_every_email_renders_as_text_and_html(make_user, clock, email_type):
    user = make_user()
    clock.shift(timedelta(days=5))
    subject, text, html = email_render(user=user, email_type=email_type)
    assert subject == emails.SUBJECTS[email_type]
    assert text.startswith("Hi Test,")
    assert "<" not in text and "&#" not in text and "{{" not in text
    assert html.startswith("<!DOCTYPE html>")
    assert "Hi Test," in html and "http://127.0.0.1:8000/" in html and "{{" not in html


def test_unknown_email_type_is_refused(make_user):
    with pytest.raises(ValueError):
        email_schedule(user=make_user(), email_type="newsletter", send_at=T0)


def test_scheduled_test_emails_skip_eligibility_too(make_user, clock):
    user = make_user(plan="pro")  # subscribed: sequence reminders would be cancelled
    row = email_schedule(
        user=user, email_type="trial_day5", send_at=T0 + timedelta(minutes=5), is_test=True
    )
    clock.shift(timedelta(minutes=5))
    tasks.send_due_emails()
    row.refresh_from_db()
    assert (row.status, row.is_test) == (Status.SENT, True)
    assert rows(user)["trial_day5"].status == Status.PENDING  # the sequence row is apart
