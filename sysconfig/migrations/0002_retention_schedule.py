"""Retention runs daily as a django-q2 schedule."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

NAME = "sysconfig: retention purge"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    # At a quiet hour (03:30 UTC), then every day.
    now = timezone.now()
    first = now.replace(hour=3, minute=30, second=0, microsecond=0)
    if first <= now:
        first += timedelta(days=1)
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "sysconfig.tasks.purge_expired_jobs",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": first,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sysconfig", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
