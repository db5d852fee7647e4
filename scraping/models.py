"""Searches (jobs), the creators they find, every upstream call, the profile cache and the
creators' recent-content metrics."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import UUIDModel

from .transitions import (
    RETRYABLE_STATUSES,
    TARGET_NOT_FOUND,
    TERMINAL_STATUSES,
    JobQuerySet,
    JobStatus,
)


class Platform(models.TextChoices):
    TIKTOK = "tiktok", "TikTok"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"


class SearchType(models.TextChoices):
    KEYWORD = "keyword", "Keyword"
    HASHTAG = "hashtag", "Hashtag"
    SIMILAR = "similar", "Similar"


class ScrapingJob(UUIDModel):
    """One search inside a campaign, run as a chain of bounded background steps."""

    objects = JobQuerySet.as_manager()

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scraping_jobs"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="jobs"
    )
    platform = models.CharField(max_length=10, choices=Platform.choices)
    search_type = models.CharField(max_length=10, choices=SearchType.choices)
    keywords = models.JSONField(default=list, blank=True)
    target_username = models.CharField(max_length=255, blank=True)
    target_results = models.PositiveIntegerField(default=100)
    expand_related = models.BooleanField(
        default=False,
        help_text="TikTok keyword: also search hashtags found in the search's own results.",
    )

    status = models.CharField(
        max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    processed_results = models.PositiveIntegerField(default=0)
    processed_runs = models.PositiveIntegerField(default=0, help_text="Upstream calls made.")
    search_calls = models.PositiveIntegerField(default=0, help_text="Search-page calls made.")
    api_call_budget = models.PositiveIntegerField(default=0, help_text="Search-page call cap.")
    credits_used = models.PositiveIntegerField(default=0)
    state = models.JSONField(default=dict, blank=True, help_text="Cursors, queues, seen set.")

    timeout_at = models.DateTimeField(null=True, blank=True, db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True, db_index=True)
    worker_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed steps in a row.")
    steps = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    error_code = models.CharField(
        max_length=32, blank=True, help_text="Why it ended in error, for code: target_not_found."
    )
    finish_reason = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_recent"),
            models.Index(fields=["campaign", "-created_at"], name="job_campaign_recent"),
            models.Index(fields=["status", "locked_until"], name="job_status_lease"),
            models.Index(fields=["status", "completed_at"], name="job_status_completed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.get_search_type_display()} {self.pk}"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def finishing(self) -> bool:
        """Ended (cancelled, timed out) while a step was still in flight: that step will still
        save what it already paid for, so the numbers can still change for a moment."""
        return bool(
            self.is_terminal
            and self.worker_id
            and self.locked_until
            and self.locked_until > timezone.now()
        )

    @property
    def can_retry(self) -> bool:
        return self.status in RETRYABLE_STATUSES and self.error_code != TARGET_NOT_FOUND

    @property
    def search_key(self) -> str:
        """The adapter key, e.g. `tiktok_keyword`."""
        return f"{self.platform}_{self.search_type}"

    @property
    def query_label(self) -> str:
        return ", ".join(self.keywords) if self.keywords else f"@{self.target_username}"


class Creator(UUIDModel):
    """One creator found by one job (unique per job, platform and upstream id)."""

    job = models.ForeignKey(ScrapingJob, on_delete=models.CASCADE, related_name="creators")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    position = models.PositiveIntegerField(default=0, help_text="Order in which it was found.")
    username = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    avatar_url = models.TextField(blank=True)
    followers = models.BigIntegerField(null=True, blank=True)
    bio = models.TextField(blank=True)
    emails = models.JSONField(default=list, blank=True)
    email_details = models.JSONField(default=list, blank=True)
    has_email = models.BooleanField(default=False)
    links = models.JSONField(default=list, blank=True)
    social_handles = models.JSONField(default=dict, blank=True)
    verified = models.BooleanField(default=False)
    is_private = models.BooleanField(default=False)

    content_title = models.TextField(blank=True)
    content_description = models.TextField(blank=True)
    content_url = models.URLField(max_length=1000, blank=True)
    views = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True)
    engagement = models.FloatField(
        null=True, blank=True, help_text="Top content's engagement, by the platform's definition."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    keyword = models.CharField(
        max_length=255, blank=True, help_text="Term or target that found it."
    )

    similarity_score = models.FloatField(null=True, blank=True)
    similarity_reasons = models.JSONField(default=list, blank=True)

    class Enrichment(models.TextChoices):
        OK = "ok", "Profile read"
        # The profile call failed (404 included): the creator is kept with what the search
        # itself returned, and `enrichment_error` says why.
        UNAVAILABLE = "unavailable", "Profile unavailable"

    enrichment = models.CharField(max_length=12, choices=Enrichment.choices, default=Enrichment.OK)
    enrichment_error = models.CharField(max_length=255, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "platform", "external_id"], name="creator_unique_per_job"
            )
        ]
        indexes = [
            models.Index(fields=["job", "position"], name="creator_job_position"),
            models.Index(fields=["job", "-followers"], name="creator_job_followers"),
            models.Index(fields=["job", "has_email"], name="creator_job_email"),
            models.Index(fields=["platform", "external_id"], name="creator_platform_ext"),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.platform})"

    @property
    def profile_unavailable(self) -> bool:
        return self.enrichment == self.Enrichment.UNAVAILABLE


class ApiCall(models.Model):
    """One HTTP attempt against ScrapeCreators: for debugging, cost accounting and the admin."""

    job = models.ForeignKey(
        ScrapingJob, null=True, blank=True, on_delete=models.CASCADE, related_name="api_calls"
    )
    endpoint = models.CharField(max_length=100, db_index=True)
    params = models.JSONField(default=dict)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    credits_charged = models.IntegerField(null=True, blank=True)
    credits_remaining = models.IntegerField(null=True, blank=True)
    items = models.PositiveIntegerField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    cached = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    at = models.DateTimeField(db_index=True)
    # Which step made the call and under which lease: one token per step number means no step
    # ever ran twice at once (a second token is a step repeated after a lost lease).
    step = models.PositiveIntegerField(null=True, blank=True)
    lease_token = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["job", "at"], name="apicall_job_at")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code}"


class ProfileCache(models.Model):
    """Enrichment results reused across jobs within a TTL (a hit costs no upstream call)."""

    platform = models.CharField(max_length=10, choices=Platform.choices)
    key = models.CharField(max_length=255, help_text="Lower-case handle or channel id.")
    payload = models.JSONField()
    fetched_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "key"], name="profilecache_unique")
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.key}"


class CreatorMetrics(models.Model):
    """A creator's recent posts and the metrics computed from them (`scraping.metrics`).

    Public data, so one row per creator on a platform, shared by every search and every user,
    and reused while `fetched_at` is within `metrics.cache_ttl`. `status` is the last request:
    pending while a fetch is queued or running, failed when it could not be done (the previous
    posts and metrics, if any, stay).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    platform = models.CharField(max_length=10, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    handle = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    posts = models.JSONField(default=list, blank=True, help_text="Recent posts, newest first.")
    metrics = models.JSONField(default=dict, blank=True)
    followers = models.BigIntegerField(
        null=True, blank=True, help_text="The follower count the metrics were computed with."
    )
    error = models.CharField(max_length=255, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "creator metrics"
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="creatormetrics_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"
