"""Staff-set overrides of the knob registry, and the audit log of every staff action."""

from django.conf import settings
from django.db import models


class SystemConfiguration(models.Model):
    """One knob's override. No row means the knob has its registry default.

    `value` is the text as staff wrote it (`90s`, `true`, `a.com, b.com`), validated against the
    knob's type and bounds when saved and parsed again when loaded. Type, description, bounds and
    hot-reloadability come from the registry in code, never from the row.
    """

    category = models.CharField(max_length=50)
    key = models.CharField(max_length=100)
    value = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "key"]
        verbose_name = "configuration override"
        verbose_name_plural = "system configuration"
        constraints = [
            models.UniqueConstraint(fields=["category", "key"], name="sysconfig_unique_key")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.category}.{self.key}"
