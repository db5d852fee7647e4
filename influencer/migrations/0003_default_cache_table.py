"""Create the "default" cache table (allauth's failed-login counters; never culled while live)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # Creates every missing database cache table; the existing ones are left alone.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("influencer", "0002_coordination_cache_table")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
