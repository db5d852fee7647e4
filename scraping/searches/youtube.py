"""YouTube keyword search and YouTube similar search."""

import re

from scraping.models import ScrapingJob
from scraping.similarity import score, topic_keywords
from scraping.state import Chain, CreatorSeed, JobState, JSONObject, Seed, Target
from scraping.transform import youtube

from .base import CreatorFields, PageResult, Params, Search, StepContext
from .targets import TargetNotFound, fetch_target, not_found_message

CHANNEL_ID = re.compile(r"^UC[\w-]{22}$")


class YouTubeChannels(Search):
    platform = "youtube"
    page_endpoint = "/v1/youtube/search"
    profile_endpoint = "/v1/youtube/channel"

    profile_param = "channelId"
    profile_field = "external_id"
    profile_parser = youtube.channel

    def profile_key(self, seed: CreatorSeed) -> str:
        channel_id: str = seed["external_id"]  # channel ids are case-sensitive
        return channel_id

    def fetch_page(self, ctx: StepContext, chain: Chain) -> PageResult:
        body = ctx.get(
            self.page_endpoint,
            {"query": chain.term, "continuationToken": chain.cursor},
            count_items=lambda b: len(youtube.search_videos(b)),
        )
        videos = youtube.search_videos(body)
        seeds = [s for s in (youtube.video_seed(v, keyword=chain.term) for v in videos) if s]
        token = body.get("continuationToken") or None
        return PageResult(seeds, token, not token or not videos)


class YouTubeKeyword(YouTubeChannels):
    search_type = "keyword"


class YouTubeSimilar(YouTubeChannels):
    search_type = "similar"
    needs_prepare = True

    def prepare(self, ctx: StepContext, job: ScrapingJob) -> Seed:
        target_ref: str = job.target_username
        params: Params = (
            {"channelId": target_ref} if CHANNEL_ID.match(target_ref) else {"handle": target_ref}
        )
        missing = not_found_message(f"The YouTube channel {target_ref}")
        target = youtube.channel(fetch_target(ctx, self.profile_endpoint, params, missing=missing))
        if target is None:
            raise TargetNotFound(missing)
        topics = topic_keywords(
            texts=[target["display_name"], target["bio"]],
            hashtags=target["tags"],
            limit=ctx.state.require_similar_keywords(),
        )
        return Seed(
            target=Target(
                external_id=target["external_id"],
                username=target["username"],
                display_name=target["display_name"],
                followers=target["followers"],
                topics=topics,
            ),
            chains=[Chain(term=t) for t in topics],
        )

    def build(
        self, state: JobState, seed: CreatorSeed, profile: JSONObject | None
    ) -> CreatorFields:
        fields = super().build(state, seed, profile)
        target = state.require_target()
        fields["similarity_score"], fields["similarity_reasons"] = score(
            target_topics=target.topics,
            target_followers=target.followers,
            candidate_texts=[
                fields.get("bio", ""),
                fields.get("display_name", ""),
                " ".join((profile or {}).get("tags") or []),
                fields.get("content_title", ""),
            ],
            candidate_followers=fields.get("followers"),
            found_by=[seed.get("keyword", "")] if seed.get("keyword") else [],
        )
        return fields
