"""The audit log of the back office."""

from django.conf import settings
from django.db import models


class AdminAction(models.Model):
    """One thing a staff member (or the system, with no admin) did. Never edited or deleted."""

    class Action(models.TextChoices):
        CONFIG_UPDATE = "config_update", "Configuration changed"
        CONFIG_RESET = "config_reset", "Configuration reset to default"
        USER_PROMOTION = "user_promotion", "User promoted to staff"
        USER_DEMOTION = "user_demotion", "User demoted from staff"
        TRIAL_EXTENDED = "trial_extended", "Trial extended"
        USER_DEACTIVATED = "user_deactivated", "User deactivated"
        EMAIL_SENT = "email_sent", "Email sent"
        EMAIL_SCHEDULED = "email_scheduled", "Email scheduled"
        TEST_USER_CREATED = "test_user_created", "Test user created"
        JOB_CANCELLED = "job_cancelled", "Job cancelled"
        JOB_RETRIED = "job_retried", "Job retried"
        JOB_STATUS_FORCED = "job_status_forced", "Job status forced"
        IMAGE_CACHE_PURGED = "image_cache_purged", "Image cache purged"
        RETENTION_PURGE = "retention_purge", "Retention purge"

    admin = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="admin_actions",
        help_text="Empty: done by the system (a schedule).",
    )
    admin_email = models.CharField(max_length=254, blank=True, help_text="Kept if the user goes.")
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="admin_actions_received",
    )
    target_email = models.CharField(max_length=254, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "admin action"
        db_table = "sysconfig_adminaction"  # created by sysconfig before the back office split
        indexes = [
            models.Index(fields=["action", "-created_at"], name="adminaction_action_recent"),
            models.Index(fields=["admin", "-created_at"], name="adminaction_admin_recent"),
            models.Index(fields=["target_user", "-created_at"], name="adminaction_target_recent"),
        ]

    def __str__(self) -> str:
        who = self.admin_email or "system"
        return f"{self.get_action_display()} by {who}"
