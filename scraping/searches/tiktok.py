"""TikTok keyword search and TikTok similar search."""

import math

from scraping.models import ScrapingJob
from scraping.similarity import score, topic_keywords
from scraping.state import Chain, CreatorSeed, JobState, JSONObject, Related, Seed, Target
from scraping.transform import tiktok
from sysconfig import config

from . import related
from .base import CreatorFields, PageResult, Params, Search, StepContext
from .targets import TargetNotFound, fetch_target, not_found_message


def _has_more(body: JSONObject, items: list[JSONObject]) -> bool:
    # has_more is 1/0 on the real API; when it is absent, continue while pages have items.
    if "has_more" in body:
        return body["has_more"] in (1, True, "1", "true") and bool(items)
    return bool(items)


class TikTokProfiles(Search):
    platform = "tiktok"
    profile_endpoint = "/v1/tiktok/profile"
    profile_parser = tiktok.profile


# The keyword endpoint's other orders (`sort_by`), in the order a search adds them.
EXTRA_ORDERS = ("most-liked", "date-posted")


def orderings(target: int, keywords: int) -> int:
    """How many orders each keyword may be paged in (1-3): one per
    `scraping.creators_per_ordering` creators the search wants per keyword. A keyword's cursor
    chain is sequential (each page needs the cursor of the one before, 3-4 s each), so one chain
    caps a big search's speed once upstream takes many profile calls at once; the same keyword
    sorted by most liked or by date is another chain, run beside it, over mostly other creators
    first (the repeats between orders are skipped like any repeat, and cost their pages: so
    orders are opened only when enrichment is waiting for creators, see `widen`)."""
    per_order = int(config.get("scraping.creators_per_ordering"))
    if per_order <= 0 or keywords <= 0:
        return 1
    return max(1, min(1 + len(EXTRA_ORDERS), math.ceil(target / keywords / per_order)))


class TikTokKeyword(TikTokProfiles):
    search_type = "keyword"
    page_endpoint = "/v1/tiktok/search/keyword"

    def initial_state(self, job: ScrapingJob) -> JobState:
        state = super().initial_state(job)
        if job.expand_related:
            state.related = Related(limit=int(config.get("scraping.related_hashtags")))
        return state

    def fetch_page(self, ctx: StepContext, chain: Chain) -> PageResult:
        # A related hashtag is searched like a keyword; its creators say "#tag" found them.
        keyword = f"#{chain.term}" if chain.is_related else chain.term
        params: Params = {"query": chain.term, "cursor": chain.cursor}
        if chain.sort:
            params["sort_by"] = chain.sort
        body = ctx.get(
            self.page_endpoint,
            params,
            count_items=lambda b: len(b.get("search_item_list") or []),
        )
        items = body.get("search_item_list") or []
        seeds = [s for s in (tiktok.video_seed(i, keyword=keyword) for i in items) if s]
        return PageResult(seeds, body.get("cursor"), not _has_more(body, items))

    def learn(self, state: JobState, seeds: list[CreatorSeed], *, pages_left: int) -> None:
        related.learn(state, seeds, pages_left=pages_left)

    def widen(self, state: JobState, job: ScrapingJob) -> None:
        """Page every keyword in its next order too, up to what the search's size allows
        (`orderings`). At most one order a step: each new chain's first page comes a step
        later. Where upstream takes few calls at once, enrichment never waits for pages and a
        search stays in relevance order, with no page spent on repeats between orders."""
        own = [c for c in state.chains if c.kind is None]
        if all(c.done for c in own):
            return  # the keywords ran dry: their other orders hold the same creators
        opened = {c.sort for c in own}
        allowed = EXTRA_ORDERS[: orderings(job.target_results, len(job.keywords)) - 1]
        following = [sort for sort in allowed if sort not in opened]
        if following:
            state.chains += [Chain(term=term, sort=following[0]) for term in job.keywords]


class TikTokSimilar(TikTokProfiles):
    search_type = "similar"
    page_endpoint = "/v1/tiktok/search/users"
    following_endpoint = "/v1/tiktok/user/following"
    needs_prepare = True

    def prepare(self, ctx: StepContext, job: ScrapingJob) -> Seed:
        missing = not_found_message(f"The TikTok account @{job.target_username}")
        body = fetch_target(
            ctx, self.profile_endpoint, {"handle": job.target_username}, missing=missing
        )
        target = tiktok.profile(body)
        if target is None:
            raise TargetNotFound(missing)
        topics = topic_keywords(
            texts=[target["bio"], target["display_name"], target["category"]],
            limit=ctx.state.require_similar_keywords(),
        )
        chains = [Chain(term=t, kind="users") for t in topics]
        # The accounts a creator follows are peers more often than not.
        chains.append(Chain(term=f"@{target['username']}", kind="following"))
        return Seed(
            target=Target(
                external_id=target["external_id"],
                username=target["username"],
                followers=target["followers"],
                topics=topics,
            ),
            chains=chains,
        )

    def fetch_page(self, ctx: StepContext, chain: Chain) -> PageResult:
        if chain.kind == "following":
            body = ctx.get(
                self.following_endpoint,
                {"handle": chain.term.lstrip("@"), "min_time": chain.cursor},
                count_items=lambda b: len(b.get("followings") or []),
            )
            users = body.get("followings") or []
            seeds = [
                s for s in (tiktok.user_seed(u, keyword="followed by target") for u in users) if s
            ]
            # The real list sometimes says has_more on an empty page, or answers a later page
            # with the same page again: both are its end.
            first: str | None = seeds[0]["external_id"] if seeds else None
            repeated = (chain.cursor is not None and body.get("min_time") == chain.cursor) or (
                first is not None and first == chain.first_id
            )
            chain.first_id = first
            done = not seeds or repeated or body.get("has_more") in (0, False, None)
            return PageResult([] if repeated else seeds, body.get("min_time"), done)
        body = ctx.get(
            self.page_endpoint,
            {"query": chain.term, "cursor": chain.cursor},
            count_items=lambda b: len(b.get("users") or []),
        )
        users = body.get("users") or []
        seeds = [s for s in (tiktok.user_seed(u, keyword=chain.term) for u in users) if s]
        advanced = body.get("cursor") not in (None, chain.cursor)
        return PageResult(seeds, body.get("cursor"), not users or not advanced)

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
                fields["username"],
            ],
            candidate_followers=fields.get("followers"),
            found_by=[seed.get("keyword", "")] if seed.get("keyword") else [],
        )
        return fields
