"""What every search adapter provides to the job engine.

A search discovers creator *seeds* from paged sources ("chains": one cursor chain per keyword,
hashtag or similar-search query), then enriches each new seed with one profile call. The engine
(`scraping.engine`) owns claiming, concurrency, saving and finishing; an adapter only knows its
endpoints and shapes.
"""

from dataclasses import dataclass, field
from typing import Any

from scraping.client import ScrapeCreatorsClient
from scraping.contacts import extract_contacts
from scraping.transform.values import engagement


@dataclass
class PageResult:
    seeds: list[dict[str, Any]]
    cursor: Any
    done: bool


@dataclass
class StepContext:
    """What an adapter may use during one step: the client and the call hooks."""

    client: ScrapeCreatorsClient
    on_record: Any
    state: dict[str, Any] = field(default_factory=dict)

    def get(self, endpoint: str, params: dict, count_items=None) -> dict:
        return self.client.get(
            endpoint, params, on_record=self.on_record, count_items=count_items
        ).body


class Search:
    platform: str = ""
    search_type: str = ""
    page_endpoint: str = ""
    profile_endpoint: str = ""

    # --- setting up -------------------------------------------------------------------------
    def initial_state(self, job) -> dict[str, Any]:
        """Chains for keyword searches; similar searches add theirs in `prepare`."""
        return {
            "chains": [
                {"term": term, "cursor": None, "done": False, "pages": 0} for term in job.keywords
            ],
            "pending": [],
            "seen": [],
            "prepared": not self.needs_prepare,
        }

    needs_prepare = False

    def prepare(self, ctx: StepContext, job) -> None:
        """Similar searches: read the target once and set up chains/pending in ctx.state."""

    # --- discovering ------------------------------------------------------------------------
    def fetch_page(self, ctx: StepContext, chain: dict) -> PageResult:
        raise NotImplementedError

    # --- enriching --------------------------------------------------------------------------
    # The enrichment call: `profile_endpoint?{profile_param}={seed[profile_field]}`.
    profile_param = "handle"
    profile_field = "username"
    profile_parser: Any = None  # body → profile fields (a transform function)

    def profile_key(self, seed: dict) -> str:
        return seed[self.profile_field].lower()

    def fetch_profile(self, ctx: StepContext, seed: dict) -> dict:
        """The raw profile body (raises NotFound for an unknown creator)."""
        return ctx.get(self.profile_endpoint, {self.profile_param: seed[self.profile_field]})

    def parse_profile(self, body: dict) -> dict | None:
        return type(self).profile_parser(body)

    def expand(self, ctx_state: dict, seed: dict, body: dict) -> list[dict]:
        """New seeds discovered from an enriched profile (Instagram related-of-related)."""
        return []

    def excluded(self, state: dict, seed: dict) -> bool:
        """Seeds never to deliver (the target of a similar search)."""
        target = state.get("target") or {}
        return bool(target) and (
            seed.get("external_id") == target.get("external_id")
            or seed.get("username", "").lower() == (target.get("username") or "").lower()
        )

    # --- building the row -------------------------------------------------------------------
    def build(self, state: dict, seed: dict, profile: dict | None) -> dict[str, Any]:
        return creator_fields(seed, profile)


_PROFILE_WINS = ("username", "display_name", "profile_url", "avatar_url", "followers")


def creator_fields(seed: dict, profile: dict | None) -> dict[str, Any]:
    """Merge a search seed with its enriched profile into `Creator` fields, contacts included."""
    fields = {k: v for k, v in seed.items() if not k.startswith("_")}
    profile = profile or {}
    for key in _PROFILE_WINS:
        if profile.get(key) not in (None, ""):
            fields[key] = profile[key]
    for key in ("verified", "is_private"):
        if key in profile:
            fields[key] = bool(profile[key]) or bool(seed.get(key))
    if profile.get("bio"):
        fields["bio"] = profile["bio"]
    email_fields = {
        source: profile[source]
        for source in ("channel_email", "business_email")
        if profile.get(source)
    }
    contacts = extract_contacts(
        bio=fields.get("bio") or "",
        link_fields=profile.get("link_fields") or (),
        email_fields=email_fields,
        external_url=profile.get("external_url") or None,
    )
    fields["emails"] = [d.email for d in contacts.emails]
    fields["email_details"] = [d.as_dict() for d in contacts.emails]
    fields["has_email"] = bool(contacts.emails)
    fields["links"] = list(contacts.links)
    fields["social_handles"] = dict(contacts.handles)
    fields["engagement"] = engagement(
        fields.get("likes"), fields.get("comments"), fields.get("shares"), fields.get("views")
    )
    return fields
