"""The API's search shapes: request bodies, the poll answer and creator items.

Output is built by plain functions (fast for a page of 200 creators); the Serializer classes
below describe the same shapes for the OpenAPI schema, and the schema test holds the two
together.
"""

from django.urls import reverse
from rest_framework import serializers

from imageproxy.signing import proxied_image_url

from .models import Creator, Platform, ScrapingJob
from .validation import TARGET_CHOICES

# --- requests --------------------------------------------------------------------------------


class _JobCreate(serializers.Serializer):
    campaignId = serializers.UUIDField()
    targetResults = serializers.ChoiceField(choices=TARGET_CHOICES, default=100)


class KeywordJobCreate(_JobCreate):
    keywords = serializers.ListField(child=serializers.CharField(allow_blank=True), max_length=50)


class HashtagJobCreate(_JobCreate):
    hashtags = serializers.ListField(child=serializers.CharField(allow_blank=True), max_length=50)


class SimilarJobCreate(_JobCreate):
    username = serializers.CharField(max_length=300)


class JobCreated(serializers.Serializer):
    jobId = serializers.UUIDField()
    status = serializers.CharField()


# --- creator items ---------------------------------------------------------------------------


class EmailDetail(serializers.Serializer):
    email = serializers.CharField()
    source = serializers.CharField()
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
    enrichment = serializers.CharField()
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
    targetUsername = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    processedResults = serializers.IntegerField()
    targetResults = serializers.IntegerField()
    processedRuns = serializers.IntegerField()
    creditsUsed = serializers.IntegerField()
    error = serializers.CharField()
    message = serializers.CharField()
    createdAt = serializers.DateTimeField()
    startedAt = serializers.DateTimeField(allow_null=True)
    completedAt = serializers.DateTimeField(allow_null=True)
    creators = CreatorItem(many=True)
    next = serializers.CharField(allow_null=True)


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def creator_item(creator: Creator, request) -> dict:
    avatar = request.build_absolute_uri(
        proxied_image_url(creator.avatar_url, creator.display_name or creator.username)
    )
    has_content = bool(creator.content_url or creator.content_description or creator.content_title)
    video = None
    if has_content:
        video = {
            "title": creator.content_title,
            "description": creator.content_description,
            "url": creator.content_url,
            "publishedAt": _iso(creator.published_at),
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
            "profileUrl": creator.profile_url,
            "followers": creator.followers,
            "avatarUrl": avatar,
            "profilePicUrl": avatar,
            "bio": creator.bio,
            "emails": creator.emails,
            "emailDetails": creator.email_details,
            "links": creator.links,
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
        "foundAt": _iso(creator.created_at),
    }


def job_status(job: ScrapingJob, *, creators: list[Creator], next_url: str | None, request) -> dict:
    return {
        "jobId": str(job.pk),
        "campaignId": str(job.campaign_id),
        "platform": Platform(job.platform).label,
        "searchType": job.search_type,
        "keywords": job.keywords,
        "targetUsername": job.target_username,
        "status": job.status,
        "progress": job.progress,
        "processedResults": job.processed_results,
        "targetResults": job.target_results,
        "processedRuns": job.processed_runs,
        "creditsUsed": job.credits_used,
        "error": job.error,
        "message": job.finish_reason if job.is_terminal else "",
        "createdAt": _iso(job.created_at),
        "startedAt": _iso(job.started_at),
        "completedAt": _iso(job.completed_at),
        "creators": [creator_item(c, request) for c in creators],
        "next": next_url,
    }


def creators_url(job: ScrapingJob, request, page: int) -> str:
    return request.build_absolute_uri(reverse("api_job_creators", args=[job.pk]) + f"?page={page}")
