from django.conf import settings
from django.db import models

from core.models import UUIDModel


class Campaign(UUIDModel):
    class SearchType(models.TextChoices):
        KEYWORD = "keyword", "Keyword"
        SIMILAR = "similar", "Similar creators"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    NAME_MAX_LENGTH = 120
    DESCRIPTION_MAX_LENGTH = 2000

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    search_type = models.CharField(
        max_length=10, choices=SearchType.choices, default=SearchType.KEYWORD
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="campaign_owner_recent")]

    def __str__(self) -> str:
        return self.name
