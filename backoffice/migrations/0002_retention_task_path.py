"""The daily retention schedule calls the task at its new path."""

from django.db import migrations

OLD, NEW = "sysconfig.tasks.purge_expired_jobs", "backoffice.tasks.purge_expired_jobs"


def forwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=OLD).update(func=NEW)


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=NEW).update(func=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("sysconfig", "0002_retention_schedule"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
