"""TikTok keyword search and TikTok similar search."""

from scraping.similarity import score, topic_keywords
from scraping.transform import tiktok

from .base import PageResult, Search, StepContext
from .targets import TargetNotFound, fetch_target


def _has_more(body: dict, items: list) -> bool:
    # has_more is 1/0 on the real API; when it is absent, continue while pages have items.
    if "has_more" in body:
        return body["has_more"] in (1, True, "1", "true") and bool(items)
    return bool(items)


class TikTokProfiles(Search):
    platform = "tiktok"
    profile_endpoint = "/v1/tiktok/profile"
    profile_parser = tiktok.profile


class TikTokKeyword(TikTokProfiles):
    search_type = "keyword"
    page_endpoint = "/v1/tiktok/search/keyword"

    def fetch_page(self, ctx: StepContext, chain: dict) -> PageResult:
        body = ctx.get(
            self.page_endpoint,
            {"query": chain["term"], "cursor": chain["cursor"]},
            count_items=lambda b: len(b.get("search_item_list") or []),
        )
        items = body.get("search_item_list") or []
        seeds = [s for s in (tiktok.video_seed(i, keyword=chain["term"]) for i in items) if s]
        return PageResult(seeds, body.get("cursor"), not _has_more(body, items))


class TikTokSimilar(TikTokProfiles):
    search_type = "similar"
    page_endpoint = "/v1/tiktok/search/users"
    following_endpoint = "/v1/tiktok/user/following"
    needs_prepare = True

    def prepare(self, ctx: StepContext, job) -> None:
        body = fetch_target(ctx, self.profile_endpoint, {"handle": job.target_username})
        target = tiktok.profile(body)
        if target is None:
            raise TargetNotFound(f"TikTok account @{job.target_username} was not found.")
        topics = topic_keywords(
            texts=[target["bio"], target["display_name"], target["category"]],
            limit=ctx.state["similar_keywords"],
        )
        ctx.state["target"] = {
            "external_id": target["external_id"],
            "username": target["username"],
            "followers": target["followers"],
            "topics": topics,
        }
        chains = [
            {"term": t, "kind": "users", "cursor": None, "done": False, "pages": 0} for t in topics
        ]
        # The accounts a creator follows are peers more often than not.
        chains.append(
            {
                "term": f"@{target['username']}",
                "kind": "following",
                "cursor": None,
                "done": False,
                "pages": 0,
            }
        )
        ctx.state["chains"] = chains

    def fetch_page(self, ctx: StepContext, chain: dict) -> PageResult:
        if chain.get("kind") == "following":
            body = ctx.get(
                self.following_endpoint,
                {"handle": chain["term"].lstrip("@"), "min_time": chain["cursor"]},
                count_items=lambda b: len(b.get("followings") or []),
            )
            users = body.get("followings") or []
            seeds = [
                s for s in (tiktok.user_seed(u, keyword="followed by target") for u in users) if s
            ]
            done = not users or body.get("has_more") in (0, False, None)
            return PageResult(seeds, body.get("min_time"), done)
        body = ctx.get(
            self.page_endpoint,
            {"query": chain["term"], "cursor": chain["cursor"]},
            count_items=lambda b: len(b.get("users") or []),
        )
        users = body.get("users") or []
        seeds = [s for s in (tiktok.user_seed(u, keyword=chain["term"]) for u in users) if s]
        advanced = body.get("cursor") not in (None, chain["cursor"])
        return PageResult(seeds, body.get("cursor"), not users or not advanced)

    def build(self, state: dict, seed: dict, profile: dict | None) -> dict:
        fields = super().build(state, seed, profile)
        target = state["target"]
        fields["similarity_score"], fields["similarity_reasons"] = score(
            target_topics=target["topics"],
            target_followers=target["followers"],
            candidate_texts=[
                fields.get("bio", ""),
                fields.get("display_name", ""),
                fields["username"],
            ],
            candidate_followers=fields.get("followers"),
            found_by=[seed.get("keyword", "")] if seed.get("keyword") else [],
        )
        return fields
