"""django-q2 entry points: thin wrappers around the services."""

from typing import Any

from . import services


def purge_expired_jobs() -> dict[str, Any]:
    """Daily: delete what is past its retention (see `services.retention_purge`)."""
    return services.retention_purge()
