"""The migration that moves usage to "a creator counts once per account per period": the
periods still in force are recounted from the creators they saved."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from tests.factories import make_campaign, make_creator, make_job
from trials.models import DeliveredCreator, MonthlyUsage

from .conftest import T0

pytestmark = pytest.mark.django_db

migration = importlib.import_module("trials.migrations.0004_delivered_creator")


def usage(user) -> list[tuple[str, int]]:
    rows = MonthlyUsage.objects.filter(user=user).order_by("month")
    return [(row.month.isoformat(), row.creators) for row in rows]


def delivered(user) -> set[tuple[str, str, str]]:
    rows = DeliveredCreator.objects.filter(user=user)
    return {(row.month.isoformat(), row.platform, row.external_id) for row in rows}


def test_a_running_period_is_recounted_once_per_creator(make_user, clock):
    user = make_user()  # trial from T0, March 10
    campaign = make_campaign(user)
    first, again = make_job(user, campaign), make_job(user, campaign)
    for external_id in ("a", "b", "c"):
        make_creator(first, external_id=external_id)
        make_creator(again, external_id=external_id)  # the same search run twice
    make_creator(again, external_id="d")
    make_creator(again, external_id="a", platform="youtube")  # another platform's creator
    MonthlyUsage.objects.create(user=user, month=date(2025, 3, 1), creators=8)  # every row

    migration.count_each_creator_once(apps, None)

    assert usage(user) == [("2025-03-01", 5)]
    assert delivered(user) == {
        ("2025-03-01", "tiktok", "a"),
        ("2025-03-01", "tiktok", "b"),
        ("2025-03-01", "tiktok", "c"),
        ("2025-03-01", "tiktok", "d"),
        ("2025-03-01", "youtube", "a"),
    }


def test_a_trial_period_runs_to_the_trials_end_and_counters_are_never_raised(
    make_user, time_machine
):
    time_machine.move_to(T0.replace(day=28), tick=False)
    user = make_user()  # trial from March 28 to April 4: one period, March
    job = make_job(user, make_campaign(user))
    make_creator(job, external_id="march")
    make_creator(job, external_id="april", created_at=T0.replace(month=4, day=2))
    make_creator(job, external_id="after", created_at=T0.replace(month=4, day=5))
    MonthlyUsage.objects.create(user=user, month=date(2025, 3, 1), creators=2)
    MonthlyUsage.objects.create(user=user, month=date(2025, 1, 1), creators=90)  # history
    other = make_user()
    MonthlyUsage.objects.create(user=other, month=date(2025, 3, 1), creators=1)  # rows lost

    migration.count_each_creator_once(apps, None)

    assert usage(user) == [("2025-01-01", 90), ("2025-03-01", 2)]
    assert delivered(user) == {("2025-03-01", "tiktok", "march"), ("2025-03-01", "tiktok", "april")}
    assert (usage(other), delivered(other)) == ([("2025-03-01", 0)], set())
