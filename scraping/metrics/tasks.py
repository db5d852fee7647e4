"""django-q2 entry points: thin wrappers around the metrics services."""

from . import services


def fetch_creator_metrics(job_id: str, creator_ids: list[str]) -> None:
    """One batch: a single creator's refresh, or up to `metrics.batch_size` of a search."""
    services.creator_metrics_fetch(job_id=job_id, creator_ids=creator_ids)
