"""The API's search shapes: request bodies, the poll answer and creator items.

Output is built by plain functions (fast for a page of 200 creators); the Serializer classes
below describe the same shapes for the OpenAPI schema, and the schema test holds the two
together.
"""

from django.urls import reverse
from rest_framework import serializers

from core.api import iso_time
from imageproxy.signing import proxied_image_url

from .models import Creator, Platform, ScrapingJob
from .outcome import finish_message
from .transform.values import safe_http_url
from .validation import TARGET_CHOICES

# --- requests --------------------------------------------------------------------------------


class _JobCreate(serializers.Serializer):
    campaignId = serializers.UUIDField()
    targetResults = serializers.ChoiceField(choices=TARGET_CHOICES, default=100)


class KeywordJobCreate(_JobCreate):
    keywords = serializers.ListField(child=serializers.CharField(allow_blank=True), max_length=50)
    expandRelated = serializers.BooleanField(
        default=False,
        help_text="TikTok only: also search the hashtags that come up in the search's first "
        "results (several sources at once). A YouTube search refuses it.",
    )


class HashtagJobCreate(_JobCreate):
    hashtags = serializers.ListField(child=serializers.CharField(allow_blank=True), max_length=50)


class SimilarJobCreate(_JobCreate):
    username = serializers.CharField(max_length=300)


class JobCreated(serializers.Serializer):
    jobId = serializers.UUIDField()
    status = serializers.CharField()
    warning = serializers.CharField(
        allow_null=True,
        help_text="Set when the target is larger than the creators the plan has left this "
        "period: the search stops there. Null otherwise.",
    )


# --- creator items ---------------------------------------------------------------------------


class EmailDetail(serializers.Serializer):
    email = serializers.CharField()
    # The stubs see Field.source (str | None); the serializer metaclass moves declared fields
    # into _declared_fields, so this never replaces that attribute.
    source = serializers.CharField()  # type: ignore[assignment]
    deobfuscated = serializers.BooleanField()
    roleBased = serializers.BooleanField()


class CreatorInfo(serializers.Serializer):
    name = serializers.CharField()
    username = serializers.CharField()
    uniqueId = serializers.CharField()
    profileUrl = serializers.CharField()
    followers = serializers.IntegerField(allow_null=True)
    avatarUrl = serializers.CharField()
    profilePicUrl = serializers.CharField()
    bio = serializers.CharField()
    emails = serializers.ListField(child=serializers.CharField())
    emailDetails = EmailDetail(many=True)
    links = serializers.ListField(child=serializers.CharField())
    socialHandles = serializers.DictField(child=serializers.CharField())
    verified = serializers.BooleanField()
    isPrivate = serializers.BooleanField()


class VideoStatistics(serializers.Serializer):
    views = serializers.IntegerField(allow_null=True)
    likes = serializers.IntegerField(allow_null=True)
    comments = serializers.IntegerField(allow_null=True)
    shares = serializers.IntegerField(allow_null=True)


class Video(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField()
    publishedAt = serializers.DateTimeField(allow_null=True)
    durationSeconds = serializers.IntegerField(allow_null=True)
    publishedTime = serializers.DateTimeField(allow_null=True, required=False)
    lengthSeconds = serializers.IntegerField(allow_null=True, required=False)
    statistics = VideoStatistics()


class Similarity(serializers.Serializer):
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class CreatorItem(serializers.Serializer):
    id = serializers.UUIDField()
    creator = CreatorInfo()
    video = Video(allow_null=True)
    hashtags = serializers.ListField(child=serializers.CharField())
    platform = serializers.CharField()
    similarity = Similarity(allow_null=True)
    keyword = serializers.CharField()
    enrichment = serializers.CharField(
        help_text="ok, or unavailable: the profile could not be read"
    )
    profileUnavailable = serializers.BooleanField(
        help_text="Kept with what the search itself returned; the reason says why."
    )
    profileUnavailableReason = serializers.CharField()
    foundAt = serializers.DateTimeField()


class CreatorPage(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pageSize = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CreatorItem(many=True)


class JobStatus(serializers.Serializer):
    jobId = serializers.UUIDField()
    campaignId = serializers.UUIDField()
    platform = serializers.CharField()
    searchType = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField())
    expandRelated = serializers.BooleanField(
        help_text="A TikTok keyword search that also searches related hashtags."
    )
    targetUsername = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    processedResults = serializers.IntegerField()
    targetResults = serializers.IntegerField()
    processedRuns = serializers.IntegerField()
    creditsUsed = serializers.IntegerField()
    error = serializers.CharField()
    message = serializers.CharField(help_text="What happened, in words; empty while running.")
    finishing = serializers.BooleanField(
        help_text="Ended while a step was in flight: numbers may still grow for a moment."
    )
    canRetry = serializers.BooleanField()
    createdAt = serializers.DateTimeField()
    startedAt = serializers.DateTimeField(allow_null=True)
    completedAt = serializers.DateTimeField(allow_null=True)
    creators = CreatorItem(many=True)
    next = serializers.CharField(allow_null=True)


def creator_item(creator: Creator, request) -> dict:
    # Upstream URLs are checked again on the way out (safe_http_url): rows stored before the
    # transforms refused javascript: and friends must not hand them to a script's links.
    avatar = request.build_absolute_uri(
        proxied_image_url(creator.avatar_url, creator.display_name or creator.username)
    )
    has_content = bool(creator.content_url or creator.content_description or creator.content_title)
    video = None
    if has_content:
        video = {
            "title": creator.content_title,
            "description": creator.content_description,
            "url": safe_http_url(creator.content_url),
            "publishedAt": iso_time(creator.published_at),
            "durationSeconds": creator.duration_seconds,
            "statistics": {
                "views": creator.views,
                "likes": creator.likes,
                "comments": creator.comments,
                "shares": creator.shares,
            },
        }
        if creator.platform == Platform.YOUTUBE:
            video["publishedTime"] = video["publishedAt"]
            video["lengthSeconds"] = creator.duration_seconds
    similarity = None
    if creator.similarity_score is not None:
        similarity = {"score": creator.similarity_score, "reasons": creator.similarity_reasons}
    return {
        "id": str(creator.pk),
        "creator": {
            "name": creator.display_name or creator.username,
            "username": creator.username,
            "uniqueId": creator.username,
            "profileUrl": safe_http_url(creator.profile_url),
            "followers": creator.followers,
            "avatarUrl": avatar,
            "profilePicUrl": avatar,
            "bio": creator.bio,
            "emails": creator.emails,
            "emailDetails": creator.email_details,
            "links": [url for url in map(safe_http_url, creator.links) if url],
            "socialHandles": creator.social_handles,
            "verified": creator.verified,
            "isPrivate": creator.is_private,
        },
        "video": video,
        "hashtags": creator.hashtags,
        "platform": Platform(creator.platform).label,
        "similarity": similarity,
        "keyword": creator.keyword,
        "enrichment": creator.enrichment,
        "profileUnavailable": creator.profile_unavailable,
        "profileUnavailableReason": creator.enrichment_error if creator.profile_unavailable else "",
        "foundAt": iso_time(creator.created_at),
    }


def job_status(job: ScrapingJob, *, creators: list[Creator], next_url: str | None, request) -> dict:
    return {
        "jobId": str(job.pk),
        "campaignId": str(job.campaign_id),
        "platform": Platform(job.platform).label,
        "searchType": job.search_type,
        "keywords": job.keywords,
        "expandRelated": job.expand_related,
        "targetUsername": job.target_username,
        "status": job.status,
        "progress": job.progress,
        "processedResults": job.processed_results,
        "targetResults": job.target_results,
        "processedRuns": job.processed_runs,
        "creditsUsed": job.credits_used,
        "error": job.error,
        "message": finish_message(job),
        "finishing": job.finishing,
        "canRetry": job.can_retry,
        "createdAt": iso_time(job.created_at),
        "startedAt": iso_time(job.started_at),
        "completedAt": iso_time(job.completed_at),
        "creators": [creator_item(c, request) for c in creators],
        "next": next_url,
    }


def creators_url(job: ScrapingJob, request, page: int) -> str:
    return request.build_absolute_uri(reverse("api_job_creators", args=[job.pk]) + f"?page={page}")
