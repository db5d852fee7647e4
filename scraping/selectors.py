"""Reads for searches and creators; every queryset is scoped to its owner."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from influencer.numbers import whole_number

from .models import ACTIVE_STATUSES, Creator, ScrapingJob

SORTS = {
    "-followers": [F("followers").desc(nulls_last=True), "position"],
    "-views": [F("views").desc(nulls_last=True), "position"],
    "-engagement": [F("engagement").desc(nulls_last=True), "position"],
    "-similarity": [F("similarity_score").desc(nulls_last=True), "position"],
    "position": ["position"],
}
MAX_PAGE_SIZE = 200
MAX_FOLLOWERS_FILTER = 10**12
DEFAULT_PAGE_SIZE = 50


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
    "finish_reason",
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
class CreatorFilters:
    """Filters and sort of a creator list, parsed once from query parameters."""

    has_email: bool | None = None
    min_followers: int | None = None
    max_followers: int | None = None
    verified: bool | None = None
    q: str = ""
    sort: str = "position"

    @classmethod
    def from_params(cls, params, *, default_sort: str = "position") -> "CreatorFilters":
        """Parse query parameters; raises ValidationError({param: [message]}) on bad input."""
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

        def number(name):
            value = (params.get(name) or "").strip().replace(",", "").replace("_", "")
            if not value:
                return None
            parsed = whole_number(value, maximum=MAX_FOLLOWERS_FILTER)
            if parsed is None:
                errors[name] = [f"Use a whole number from 0 to {MAX_FOLLOWERS_FILTER:,}."]
            return parsed

        sort = (params.get("sort") or default_sort).strip()
        if sort not in SORTS:
            errors["sort"] = ["Sort by one of: " + ", ".join(s for s in SORTS if s != "position")]
        filters = cls(
            has_email=boolean("has_email"),
            min_followers=number("min_followers"),
            max_followers=number("max_followers"),
            verified=boolean("verified"),
            q=(params.get("q") or "").strip()[:200],
            sort=sort if sort in SORTS else default_sort,
        )
        if (
            filters.min_followers is not None
            and filters.max_followers is not None
            and filters.min_followers > filters.max_followers
        ):
            errors["max_followers"] = ["The maximum must be at least the minimum."]
        if errors:
            raise ValidationError(errors)
        return filters

    def apply(self, creators: QuerySet[Creator]) -> QuerySet[Creator]:
        if self.has_email is not None:
            creators = creators.filter(has_email=self.has_email)
        if self.verified is not None:
            creators = creators.filter(verified=self.verified)
        if self.min_followers is not None:
            creators = creators.filter(followers__gte=self.min_followers)
        if self.max_followers is not None:
            creators = creators.filter(followers__lte=self.max_followers)
        if self.q:
            creators = creators.filter(
                Q(username__icontains=self.q)
                | Q(display_name__icontains=self.q)
                | Q(bio__icontains=self.q)
            )
        return creators.order_by(*SORTS[self.sort])


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
