"""Limits under concurrent requests: real threads, real transactions, both databases."""

import threading

import pytest
from django.db import close_old_connections, connections, transaction

from campaigns.models import Campaign
from core.errors import PaymentRequired
from trials import emails
from trials.models import DeliveredCreator, MonthlyUsage, ScheduledEmail
from trials.services.entitlements import entitlement_check
from trials.services.lifecycle_emails import email_schedule
from trials.services.usage import creators_grant

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def run_together(fn, n: int = THREADS) -> list:
    """Run fn(i) in n threads released at once; return results (or exceptions)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            results[i] = fn(i)
        except Exception as exc:  # the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_grants_never_exceed_the_allowance(make_user):
    user = make_user()  # trial: 1,000 creators

    def grant(i):
        creators = [("tiktok", f"thread{i}-{n}") for n in range(300)]
        with transaction.atomic():
            return sum(creators_grant(user=user, creators=creators))

    results = run_together(grant)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 1000
    assert sorted(results, reverse=True)[:3] == [300, 300, 300]
    assert MonthlyUsage.objects.get(user=user).creators == 1000
    assert DeliveredCreator.objects.filter(user=user).count() == 1000


def test_concurrent_searches_delivering_the_same_creators_count_them_once(make_user):
    user = make_user()
    creators = [("tiktok", f"same-{n}") for n in range(300)]

    def grant(_):
        with transaction.atomic():
            return sum(creators_grant(user=user, creators=creators))

    results = run_together(grant)
    assert results == [300] * THREADS
    assert MonthlyUsage.objects.get(user=user).creators == 300
    assert DeliveredCreator.objects.filter(user=user).count() == 300


def test_concurrent_campaign_creation_stops_at_the_plan_limit(make_user):
    user = make_user()  # trial: 5 campaigns

    def create(i):
        with transaction.atomic():
            entitlement_check(user=user, action="campaign")
            return Campaign.objects.create(owner=user, name=f"c{i}", search_type="keyword")

    results = run_together(create, n=10)
    created = [r for r in results if isinstance(r, Campaign)]
    refused = [r for r in results if isinstance(r, PaymentRequired)]
    assert (len(created), len(refused)) == (5, 5), results
    assert Campaign.objects.filter(owner=user).count() == 5


def test_concurrent_dispatchers_send_an_email_once(make_user, mailoutbox):
    from django.utils import timezone

    user = make_user()
    row = email_schedule(user=user, email_type="welcome", send_at=timezone.now())
    results = run_together(lambda _: emails.deliver(row.pk))
    assert sum(r is not None for r in results) == 1
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (ScheduledEmail.Status.SENT, 1)
