"""Instagram hashtag search and Instagram similar search."""

from scraping.models import ScrapingJob
from scraping.similarity import score, topic_keywords
from scraping.state import Chain, CreatorSeed, JobState, JSONObject, Seed, Target
from scraping.transform import instagram

from .base import CreatorFields, PageResult, Search, StepContext
from .targets import TargetNotFound, fetch_target, not_found_message

LAST_PAGE = 11  # the hashtag search answers 400 for cursor/page 12 and beyond


class InstagramProfiles(Search):
    platform = "instagram"
    profile_endpoint = "/v1/instagram/profile"
    profile_parser = instagram.profile


class InstagramHashtag(InstagramProfiles):
    search_type = "hashtag"
    page_endpoint = "/v1/instagram/search/hashtag"

    def fetch_page(self, ctx: StepContext, chain: Chain) -> PageResult:
        body = ctx.get(
            self.page_endpoint,
            {"hashtag": chain.term, "cursor": chain.cursor},
            count_items=lambda b: len(b.get("posts") or []),
        )
        posts = body.get("posts") or []
        seeds = [s for s in (instagram.post_seed(p, keyword=chain.term) for p in posts) if s]
        cursor = body.get("cursor")
        try:
            next_page = int(cursor) if cursor is not None else None
        except (TypeError, ValueError):
            next_page = None
        done = not posts or next_page is None or next_page > LAST_PAGE
        return PageResult(seeds, str(cursor) if cursor is not None else None, done)


class InstagramSimilar(InstagramProfiles):
    search_type = "similar"
    needs_prepare = True

    def prepare(self, ctx: StepContext, job: ScrapingJob) -> Seed:
        missing = not_found_message(f"The Instagram account @{job.target_username}")
        body = fetch_target(
            ctx, self.profile_endpoint, {"handle": job.target_username}, missing=missing
        )
        target = instagram.profile(body)
        if target is None:
            raise TargetNotFound(missing)
        top = target.get("top_post") or {}
        return Seed(
            target=Target(
                external_id=target["external_id"],
                username=target["username"],
                followers=target["followers"],
                topics=topic_keywords(
                    texts=[target["bio"], target["category"], target["display_name"]],
                    hashtags=top.get("hashtags") or [],
                    limit=ctx.state.require_similar_keywords(),
                ),
            ),
            # Related profiles are the source; related-of-related (added by `expand`) go past 80.
            chains=[],
            pending=instagram.related_seeds(body, keyword=f"related to @{target['username']}"),
        )

    def expand(self, state: JobState, seed: CreatorSeed, body: JSONObject) -> list[CreatorSeed]:
        return instagram.related_seeds(body, keyword=f"related to @{seed['username']}")

    def build(
        self, state: JobState, seed: CreatorSeed, profile: JSONObject | None
    ) -> CreatorFields:
        # Related profiles carry no post: the profile's top post is the top content, merged
        # before the fields are built so its engagement is computed with the followers.
        top = (profile or {}).get("top_post")
        fields = super().build(state, {**seed, **top} if top else seed, profile)
        target = state.require_target()
        fields["similarity_score"], fields["similarity_reasons"] = score(
            target_topics=target.topics,
            target_followers=target.followers,
            candidate_texts=[
                fields.get("bio", ""),
                fields.get("display_name", ""),
                (profile or {}).get("category", ""),
            ],
            candidate_followers=fields.get("followers"),
            related=True,
        )
        return fields
