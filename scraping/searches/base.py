"""What every search adapter provides to the job engine.

A search discovers creator *seeds* from paged sources ("chains": one cursor chain per keyword,
hashtag or similar-search query), then enriches each new seed with one profile call. The engine
(`scraping.engine`) owns claiming, concurrency, saving and finishing; an adapter only knows its
endpoints and shapes.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

from scraping.client import CallRecord, CallStopped, RateLimited, ScrapeCreatorsClient
from scraping.contacts import extract_contacts
from scraping.metrics.engagement import engagement
from scraping.models import ScrapingJob
from scraping.state import Chain, CreatorSeed, Cursor, JobState, JSONObject, Seed

Params: TypeAlias = dict[str, str | int | None]
"""Query parameters of an upstream call (None and "" are left out)."""

CreatorFields: TypeAlias = dict[str, Any]
"""`Creator` field values of one creator, ready to save."""


@dataclass
class PageResult:
    seeds: list[CreatorSeed]
    cursor: Cursor
    done: bool


class StepCancelled(Exception):
    """The job was cancelled while its step ran: no further upstream call is started."""


@dataclass
class StepContext:
    """What an adapter may use during one step: the client, the call hooks, and the stop flag
    that a cancel sets (checked before every call, every retry and while a call waits for a
    limiter slot: a request in flight finishes and is kept)."""

    client: ScrapeCreatorsClient
    on_record: Callable[[CallRecord], None] | None
    state: JobState = field(default_factory=JobState)
    stop: threading.Event = field(default_factory=threading.Event)
    wait_if_refused: bool | Callable[[RateLimited], bool] = True
    """False: a 429 is raised at once (`RateLimited`) instead of waited out in the call; a
    callable decides at each 429. The engine gives each call of a step its own copy
    (`dataclasses.replace`) saying which."""

    def get(
        self,
        endpoint: str,
        params: Params,
        count_items: Callable[[JSONObject], int | None] | None = None,
    ) -> JSONObject:
        if self.stop.is_set():
            raise StepCancelled
        try:
            return self.client.get(
                endpoint,
                params,
                on_record=self.on_record,
                count_items=count_items,
                stop=self.stop,
                wait_if_refused=self.wait_if_refused,
            ).body
        except CallStopped:
            raise StepCancelled from None  # cancelled while it waited: no (further) request


class Search:
    platform: str = ""
    search_type: str = ""
    page_endpoint: str = ""
    profile_endpoint: str = ""

    # --- setting up -------------------------------------------------------------------------
    def initial_state(self, job: ScrapingJob) -> JobState:
        """Chains for keyword searches; similar searches add theirs in `prepare`."""
        return JobState(
            chains=[Chain(term=term) for term in job.keywords], prepared=not self.needs_prepare
        )

    needs_prepare: bool = False

    def prepare(self, ctx: StepContext, job: ScrapingJob) -> Seed | None:
        """Similar searches: read the target once and return what it sets up (the target, the
        chains to page, the creators to enrich first), which the engine stores in the state.
        None: nothing to set up."""
        return None

    # --- discovering ------------------------------------------------------------------------
    def fetch_page(self, ctx: StepContext, chain: Chain) -> PageResult:
        raise NotImplementedError

    def learn(self, state: JobState, seeds: list[CreatorSeed], *, pages_left: int) -> None:
        """The new creators the step's pages found (admitted, in order), after the chains were
        updated: a search may add chains from them (TikTok keyword: related hashtags).
        `pages_left`: search pages the budget still allows."""

    def widen(self, state: JobState, job: ScrapingJob) -> None:
        """The step's profile calls ran short of creators to enrich: a search that can page
        more sources at once adds them (TikTok keyword: another order of each keyword)."""

    # --- enriching --------------------------------------------------------------------------
    # The enrichment call: `profile_endpoint?{profile_param}={seed[profile_field]}`.
    profile_param: str = "handle"
    profile_field: str = "username"
    # body → profile fields (a transform function)
    profile_parser: ClassVar[Callable[[JSONObject], JSONObject | None] | None] = None

    def profile_key(self, seed: CreatorSeed) -> str:
        key: str = seed[self.profile_field]
        return key.lower()

    def fetch_profile(self, ctx: StepContext, seed: CreatorSeed) -> JSONObject:
        """The raw profile body (raises NotFound for an unknown creator)."""
        return ctx.get(self.profile_endpoint, {self.profile_param: seed[self.profile_field]})

    def parse_profile(self, body: JSONObject) -> JSONObject | None:
        parser = type(self).profile_parser
        if parser is None:
            raise NotImplementedError(f"{type(self).__name__} has no profile_parser")
        return parser(body)

    def expand(self, state: JobState, seed: CreatorSeed, body: JSONObject) -> list[CreatorSeed]:
        """New seeds discovered from an enriched profile (Instagram related-of-related)."""
        return []

    def excluded(self, state: JobState, seed: CreatorSeed) -> bool:
        """Seeds never to deliver (the target of a similar search)."""
        target = state.target
        return target is not None and bool(
            seed.get("external_id") == target.external_id
            or seed.get("username", "").lower() == target.username.lower()
        )

    # --- building the row -------------------------------------------------------------------
    def build(
        self, state: JobState, seed: CreatorSeed, profile: JSONObject | None
    ) -> CreatorFields:
        return creator_fields(seed, profile, platform=self.platform)


_PROFILE_WINS = ("username", "display_name", "profile_url", "avatar_url", "followers")


def creator_fields(
    seed: CreatorSeed, profile: JSONObject | None, *, platform: str
) -> CreatorFields:
    """Merge a search seed with its enriched profile into `Creator` fields, contacts included;
    the top content's engagement follows the platform's definition (`scraping.metrics`)."""
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
        platform,
        likes=fields.get("likes"),
        comments=fields.get("comments"),
        shares=fields.get("shares"),
        views=fields.get("views"),
        followers=fields.get("followers"),
    )
    return fields
