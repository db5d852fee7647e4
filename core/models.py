"""Shared model bases."""

import uuid

from django.db import models


class UUIDModel(models.Model):
    """A row with a non-enumerable UUID key (it appears in URLs and the API) and timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True
