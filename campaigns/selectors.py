"""Reads: every queryset here is already scoped to its owner."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.shortcuts import get_object_or_404

from scraping.models import Creator, ScrapingJob
from scraping.selectors import job_summaries
from scraping.transitions import ACTIVE_STATUSES

from .models import Campaign


def campaign_list(*, user) -> QuerySet[Campaign]:
    return Campaign.objects.filter(owner=user)


def campaign_get(*, user, campaign_id) -> Campaign:
    """The user's campaign, or Http404 (another user's campaign does not exist for them)."""
    return get_object_or_404(campaign_list(user=user), pk=campaign_id)


def _creators_found(campaign) -> QuerySet:
    """Creators found in a campaign (a Campaign or an OuterRef), as pages say it: distinct
    creators, one per platform and upstream id across its searches, the rows its creators page
    lists (a creator found by two searches is one). A search's own page counts its own."""
    # The platform is one of three fixed words without ":", so the pair maps to one string.
    creator = Concat("platform", Value(":"), "external_id")
    return (
        Creator.objects.filter(job__campaign=campaign)
        .order_by()
        .values("job__campaign")
        .annotate(n=Count(creator, distinct=True))
        .values_list("n", flat=True)
    )


def campaign_creators_found(*, campaign: Campaign) -> int:
    """Distinct creators found in the campaign (see `_creators_found`)."""
    return next(iter(_creators_found(campaign)), 0)


def dashboard_campaigns(*, user) -> QuerySet[Campaign]:
    """The user's campaigns with search count, distinct creators found, searches running, and
    their searches (`job_list`): two queries whatever the number of campaigns."""
    jobs = ScrapingJob.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign")
    searches = jobs.annotate(n=Count("pk")).values("n")
    running = jobs.filter(status__in=ACTIVE_STATUSES).annotate(n=Count("pk")).values("n")
    return (
        campaign_list(user=user)
        .annotate(
            search_count=Coalesce(Subquery(searches, output_field=IntegerField()), 0),
            creators_found=Coalesce(
                Subquery(_creators_found(OuterRef("pk")), output_field=IntegerField()), 0
            ),
            running_count=Coalesce(Subquery(running, output_field=IntegerField()), 0),
        )
        .prefetch_related(
            Prefetch("jobs", queryset=job_summaries(ScrapingJob.objects.all()), to_attr="job_list")
        )
        .order_by("-created_at")
    )
