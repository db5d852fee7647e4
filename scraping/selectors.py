"""Reads for searches and creators; every queryset is scoped to its owner."""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OrderBy, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.numbers import abbreviated_count

from .models import Creator, CreatorMetrics, ScrapingJob
from .state import Chain, Related
from .transitions import ACTIVE_STATUSES

SORTS: dict[str, list[OrderBy | str]] = {
    "-followers": [F("followers").desc(nulls_last=True), "position"],
    "-views": [F("views").desc(nulls_last=True), "position"],
    "-engagement": [F("engagement").desc(nulls_last=True), "position"],
    "-similarity": [F("similarity_score").desc(nulls_last=True), "position"],
    "position": ["position"],
}
MAX_PAGE_SIZE = 200
MAX_FOLLOWERS_FILTER = 10**12
FOLLOWERS_ERROR = f"Use a whole number from 0 to {MAX_FOLLOWERS_FILTER:,}, like 1,200, 10k or 2.5m."
ENGAGEMENT_ERROR = "Use a percentage from 0 to 100, like 2 or 2.5%."
PERCENT = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?$")
POSTED_WITHIN_DAYS = (30, 90, 180)
POSTED_WITHIN_ERROR = "Use 30, 90 or 180 (days)."
DEFAULT_PAGE_SIZE = 50
# The query parameters that narrow a list (sort and paging only order and cut it).
FILTER_PARAMS = (
    "q",
    "has_email",
    "min_followers",
    "max_followers",
    "min_engagement",
    "min_median_views",
    "posted_within_days",
    "verified",
    "profile_unavailable",
    "listed",
)
# `listed`: hide the creators already in one of the user's lists, or only those contacted.
LISTED_CHOICES = ("hide", "hide_contacted")


# What a list of searches shows (never the cursor state, which can be large).
JOB_SUMMARY_FIELDS = (
    "id",
    "campaign_id",
    "platform",
    "search_type",
    "keywords",
    "target_username",
    "target_results",
    "status",
    "progress",
    "processed_results",
    "processed_runs",
    "credits_used",
    "error",
    "error_code",
    "finish_reason",
    "worker_id",
    "locked_until",
    "started_at",
    "completed_at",
    "created_at",
)


def job_summaries(jobs: QuerySet[ScrapingJob]) -> QuerySet[ScrapingJob]:
    return jobs.only(*JOB_SUMMARY_FIELDS).order_by("-created_at")


def job_list(*, user) -> QuerySet[ScrapingJob]:
    return ScrapingJob.objects.filter(owner=user)


def job_get(*, user, job_id) -> ScrapingJob:
    """The user's job, or Http404 (another user's job does not exist for them).

    Without its `state` (cursors and the seen set, tens of KB): only the engine reads that.
    """
    jobs = job_list(user=user).select_related("campaign").defer("state")
    return get_object_or_404(jobs, pk=job_id)


def campaign_jobs(*, campaign) -> QuerySet[ScrapingJob]:
    return campaign.jobs.order_by("-created_at")


def running_jobs(*, user) -> QuerySet[ScrapingJob]:
    return job_list(user=user).filter(status__in=ACTIVE_STATUSES).select_related("campaign")


@dataclass(frozen=True)
class JobRelated:
    """A search's related hashtags, as its state holds them."""

    related: Related  # what was counted, and whether the hashtags were chosen
    chains: list[Chain]  # the related chains, in the order they were added (removed ones too)
    found: dict[str, int]  # hashtag → creators saved that it found first


def job_related(*, job: ScrapingJob) -> JobRelated | None:
    """The related hashtags of a search that expands with them (None otherwise). Two queries:
    the state's chains and counts (not its pending queue or seen set), and the creators each
    hashtag found."""
    if not job.expand_related:
        return None
    row = ScrapingJob.objects.filter(pk=job.pk).values_list("state__chains", "state__related")
    chains_json, related_json = row.first() or (None, None)
    if related_json is None:
        return None
    chains = [Chain.from_json(c) for c in chains_json or [] if c.get("kind") == "related"]
    counts = (
        job.creators.filter(keyword__in=[f"#{c.term}" for c in chains])
        .values_list("keyword")
        .annotate(n=Count("id"))
        .order_by()
    )
    return JobRelated(
        related=Related.from_json(related_json),
        chains=chains,
        found={keyword.removeprefix("#"): n for keyword, n in counts},
    )


@dataclass(frozen=True)
class CreatorFilters:
    """Filters and sort of a creator list, parsed once from query parameters.

    The names are the query parameters of the pages and the API. The median views and the
    last post come from the creator's `CreatorMetrics` row (recent posts, fetched on request):
    a creator without one never matches those filters.
    """

    has_email: bool | None = None
    min_followers: int | None = None
    max_followers: int | None = None
    # Percent, as people type it: 2.5 keeps creators whose engagement is at least 2.5 %.
    min_engagement: Decimal | None = None
    min_median_views: int | None = None
    # Days: keeps creators whose last recent post is at most this old (30, 90 or 180).
    posted_within_days: int | None = None
    verified: bool | None = None
    # False hides creators whose profile could not be read; True shows only them.
    profile_unavailable: bool | None = None
    # "hide" or "hide_contacted" (LISTED_CHOICES); applied by the caller, who knows the user,
    # with outreach.selectors.creators_without_listed.
    listed: str = ""
    q: str = ""
    sort: str = "position"

    @classmethod
    def parse(cls, params, *, default_sort: str = "position"):
        """(filters, errors): the filters that could be read, and a message per parameter that
        could not (left out of the filters)."""
        errors: dict[str, list[str]] = {}

        def boolean(name):
            value = (params.get(name) or "").strip().lower()
            if value in ("", "any"):
                return None
            if value in ("1", "true", "yes", "on"):
                return True
            if value in ("0", "false", "no", "off"):
                return False
            errors[name] = ["Use true or false."]
            return None

        def count(name):
            value = (params.get(name) or "").strip()
            if not value:
                return None
            parsed = abbreviated_count(value, maximum=MAX_FOLLOWERS_FILTER)
            if parsed is None:
                errors[name] = [FOLLOWERS_ERROR]
            return parsed

        def percent(name):
            value = "".join((params.get(name) or "").split()).removesuffix("%")
            if not value:
                return None
            parsed = Decimal(value) if PERCENT.match(value) else None
            if parsed is None or parsed > 100:
                errors[name] = [ENGAGEMENT_ERROR]
                return None
            return parsed

        def days(name):
            value = (params.get(name) or "").strip()
            if not value:
                return None
            if value not in {str(d) for d in POSTED_WITHIN_DAYS}:
                errors[name] = [POSTED_WITHIN_ERROR]
                return None
            return int(value)

        sort = (params.get("sort") or default_sort).strip()
        if sort not in SORTS:
            errors["sort"] = ["Sort by one of: " + ", ".join(s for s in SORTS if s != "position")]
        listed = (params.get("listed") or "").strip()
        if listed and listed not in LISTED_CHOICES:
            errors["listed"] = ["Use hide or hide_contacted."]
            listed = ""
        minimum, maximum = count("min_followers"), count("max_followers")
        if minimum is not None and maximum is not None and minimum > maximum:
            errors["max_followers"] = ["The maximum must be at least the minimum."]
            maximum = None
        filters = cls(
            has_email=boolean("has_email"),
            min_followers=minimum,
            max_followers=maximum,
            min_engagement=percent("min_engagement"),
            min_median_views=count("min_median_views"),
            posted_within_days=days("posted_within_days"),
            verified=boolean("verified"),
            profile_unavailable=boolean("profile_unavailable"),
            listed=listed,
            q=(params.get("q") or "").strip()[:200],
            sort=sort if sort in SORTS else default_sort,
        )
        return filters, errors

    @classmethod
    def from_params(cls, params, *, default_sort: str = "position") -> "CreatorFilters":
        """Parse query parameters; raises ValidationError({param: [message]}) on bad input."""
        filters, errors = cls.parse(params, default_sort=default_sort)
        if errors:
            raise ValidationError(errors)
        return filters

    def apply(self, creators: QuerySet[Creator]) -> QuerySet[Creator]:
        if self.has_email is not None:
            creators = creators.filter(has_email=self.has_email)
        if self.verified is not None:
            creators = creators.filter(verified=self.verified)
        if self.profile_unavailable is not None:
            unavailable = Q(enrichment=Creator.Enrichment.UNAVAILABLE)
            creators = creators.filter(unavailable if self.profile_unavailable else ~unavailable)
        if self.min_followers is not None:
            creators = creators.filter(followers__gte=self.min_followers)
        if self.max_followers is not None:
            creators = creators.filter(followers__lte=self.max_followers)
        if self.min_engagement is not None:
            # Stored as a fraction. A decimal division, so 4.94 % is exactly the stored 0.0494
            # (4.94 / 100 in floats is 0.049400000000000006). Unknown never passes a minimum.
            creators = creators.filter(engagement__gte=float(self.min_engagement / 100))
        if self.min_median_views is not None or self.posted_within_days is not None:
            creators = creators.filter(Exists(self._matching_metrics()))
        if self.q:
            creators = creators.filter(
                Q(username__icontains=self.q)
                | Q(display_name__icontains=self.q)
                | Q(bio__icontains=self.q)
            )
        return creators.order_by(*SORTS[self.sort])

    def _matching_metrics(self) -> QuerySet[CreatorMetrics]:
        """The creator's metrics row (shared per platform and external id) if it passes the
        metric filters; an unknown median or last post never passes."""
        rows = CreatorMetrics.objects.filter(
            platform=OuterRef("platform"), external_id=OuterRef("external_id")
        )
        if self.min_median_views is not None:
            rows = rows.filter(metrics__median_views__gte=self.min_median_views)
        if self.posted_within_days is not None:
            since = timezone.now() - timedelta(days=self.posted_within_days)
            # Stored as an ISO string: ISO datetimes compare as text in time order (a creator's
            # own UTC offset moves the cut by hours at most, nothing at this scale of days).
            rows = rows.filter(metrics__last_posted_at__gte=since.isoformat())
        return rows


def job_creators(*, job: ScrapingJob, filters: CreatorFilters | None = None) -> QuerySet[Creator]:
    creators = Creator.objects.filter(job=job).defer("raw")
    return (filters or CreatorFilters()).apply(creators)


def campaign_creators(*, campaign, filters: CreatorFilters | None = None) -> QuerySet[Creator]:
    """One row per creator across the campaign's searches: the first time it was found.

    The other searches that found the same creator come from `also_found_in`.
    """
    first = (
        Creator.objects.filter(
            job__campaign=campaign,
            platform=OuterRef("platform"),
            external_id=OuterRef("external_id"),
        )
        .order_by("created_at", "id")
        .values("id")[:1]
    )
    first_rows = (
        Creator.objects.filter(job__campaign=campaign)
        .annotate(first_id=Subquery(first))
        .filter(id=F("first_id"))
        .values("id")
    )
    creators = Creator.objects.filter(pk__in=first_rows).defer("raw")
    return (filters or CreatorFilters()).apply(creators)


def also_found_in(*, creators: list[Creator]) -> dict[tuple[str, str], list[ScrapingJob]]:
    """For each (platform, external_id), every job of the same campaign that found it."""
    if not creators:
        return {}
    campaign_ids = {c.job.campaign_id for c in creators}
    keys = {(c.platform, c.external_id) for c in creators}
    rows = (
        Creator.objects.filter(
            job__campaign_id__in=campaign_ids,
            platform__in={k[0] for k in keys},
            external_id__in={k[1] for k in keys},
        )
        .select_related("job")
        .only(
            "platform",
            "external_id",
            "job__id",
            "job__platform",
            "job__search_type",
            "job__keywords",
            "job__target_username",
            "job__created_at",
        )
    )
    found: dict[tuple[str, str], list[ScrapingJob]] = {}
    for row in rows:
        if (row.platform, row.external_id) in keys:
            found.setdefault((row.platform, row.external_id), []).append(row.job)
    return found


def creator_sightings(*, user, creator: Creator) -> list[Creator]:
    """Every time the user's searches found this creator (the same platform and external id),
    with the search and its campaign, oldest first: one query."""
    return list(
        Creator.objects.filter(
            job__owner=user, platform=creator.platform, external_id=creator.external_id
        )
        .select_related("job__campaign")
        .only(
            "id",
            "platform",
            "external_id",
            "created_at",
            "job__id",
            "job__platform",
            "job__search_type",
            "job__keywords",
            "job__target_username",
            "job__created_at",
            "job__campaign__id",
            "job__campaign__name",
        )
        .order_by("created_at", "id")
    )


def metrics_by_creator(*, creators: list[Creator]) -> dict[tuple[str, str], CreatorMetrics]:
    """The metrics rows of a page of creators, by (platform, external_id): one query."""
    if not creators:
        return {}
    keys = {(c.platform, c.external_id) for c in creators}
    rows = CreatorMetrics.objects.filter(
        platform__in={k[0] for k in keys}, external_id__in={k[1] for k in keys}
    ).only("platform", "external_id", "metrics")
    return {(r.platform, r.external_id): r for r in rows if (r.platform, r.external_id) in keys}
