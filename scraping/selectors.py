"""Reads for searches and creators; every queryset is scoped to its owner."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Creator, ScrapingJob


def job_list(*, user) -> QuerySet[ScrapingJob]:
    return ScrapingJob.objects.filter(owner=user)


def job_get(*, user, job_id) -> ScrapingJob:
    """The user's job, or Http404 (another user's job does not exist for them)."""
    return get_object_or_404(job_list(user=user).select_related("campaign"), pk=job_id)


def job_creators(*, job: ScrapingJob) -> QuerySet[Creator]:
    return job.creators.order_by("position")
