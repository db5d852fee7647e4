"""The audit log, taken over from sysconfig: the same table, now owned by this app."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("sysconfig", "0003_adminaction_to_backoffice"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='AdminAction',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('admin_email', models.CharField(blank=True, help_text='Kept if the user goes.', max_length=254)),
                    ('action', models.CharField(choices=[('config_update', 'Configuration changed'), ('config_reset', 'Configuration reset to default'), ('user_promotion', 'User promoted to staff'), ('user_demotion', 'User demoted from staff'), ('trial_extended', 'Trial extended'), ('user_deactivated', 'User deactivated'), ('email_sent', 'Email sent'), ('email_scheduled', 'Email scheduled'), ('test_user_created', 'Test user created'), ('job_cancelled', 'Job cancelled'), ('job_retried', 'Job retried'), ('job_status_forced', 'Job status forced'), ('image_cache_purged', 'Image cache purged'), ('retention_purge', 'Retention purge')], db_index=True, max_length=32)),
                    ('target_email', models.CharField(blank=True, max_length=254)),
                    ('details', models.JSONField(blank=True, default=dict)),
                    ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                    ('admin', models.ForeignKey(blank=True, help_text='Empty: done by the system (a schedule).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='admin_actions', to=settings.AUTH_USER_MODEL)),
                    ('target_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='admin_actions_received', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'admin action',
                    'db_table': 'sysconfig_adminaction',
                    'ordering': ['-created_at', '-id'],
                    'indexes': [models.Index(fields=['action', '-created_at'], name='adminaction_action_recent'), models.Index(fields=['admin', '-created_at'], name='adminaction_admin_recent'), models.Index(fields=['target_user', '-created_at'], name='adminaction_target_recent')],
                },
            ),
            ],
            database_operations=[],
        )
    ]
