"""Create the "coordination" cache table (rate-limiter leases, the configuration stamp)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # Creates every missing database cache table; the existing one is left alone.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("influencer", "0001_cache_table")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
