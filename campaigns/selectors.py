"""Reads: every queryset here is already scoped to its owner."""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from scraping.models import ACTIVE_STATUSES, ScrapingJob
from scraping.selectors import job_summaries

from .models import Campaign


def campaign_list(*, user) -> QuerySet[Campaign]:
    return Campaign.objects.filter(owner=user)


def campaign_get(*, user, campaign_id) -> Campaign:
    """The user's campaign, or Http404 (another user's campaign does not exist for them)."""
    return get_object_or_404(campaign_list(user=user), pk=campaign_id)


def dashboard_campaigns(*, user) -> QuerySet[Campaign]:
    """The user's campaigns with search count, creators found, searches running, and their
    searches (`job_list`): two queries whatever the number of campaigns."""
    return (
        campaign_list(user=user)
        .annotate(
            search_count=Count("jobs"),
            creators_found=Sum("jobs__processed_results"),
            running_count=Count("jobs", filter=Q(jobs__status__in=ACTIVE_STATUSES)),
        )
        .prefetch_related(
            Prefetch("jobs", queryset=job_summaries(ScrapingJob.objects.all()), to_attr="job_list")
        )
        # Explicit: Meta.ordering does not apply to a GROUP BY query.
        .order_by("-created_at")
    )
