"""The audit log moved to the back office app; its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sysconfig", "0002_retention_schedule")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AdminAction")],
            database_operations=[],
        )
    ]
