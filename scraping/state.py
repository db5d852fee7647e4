"""The progress of a search job, typed: what `ScrapingJob.state` (a JSON object) holds.

The engine loads a `JobState` once per step (`JobState.from_json(job.state)`), the engine and
the search adapters work on its attributes, and the step's commit saves `to_json()`. Both read
and write exactly the keys and shapes the engine has always saved, so a job saved by an older
deploy resumes after a newer one. A key that is only written once something happened (a first
page, a failure) stays absent until then: its field is None. Key order is not significant
(Postgres stores JSON objects with keys in its own order).
"""

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, Literal, TypeAlias

JSONObject: TypeAlias = dict[str, Any]
"""A decoded JSON object: saved state, or an upstream answer."""

CreatorSeed: TypeAlias = dict[str, Any]
"""A creator as a search page or a related list showed it, before its profile is read:
`Creator` field values (see `scraping.transform`), queued in `JobState.pending`."""

Cursor: TypeAlias = str | int | None
"""Where a chain's next page starts, as upstream gave it (a token, a page number, a time);
None for the first page."""

ChainKind: TypeAlias = Literal["users", "following", "related"]
"""What a chain pages, where it is not simply one of the user's terms: TikTok similar's user
search results for a topic or the accounts the target follows; TikTok keyword's related
hashtags ("expand with related hashtags", `scraping.searches.related`)."""


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""A key not written yet, where None is a value of its own (`Chain.first_id`)."""


@dataclass
class Chain:
    """One paged source of a search (saved in state["chains"]): a keyword, hashtag or topic
    query, or the list of accounts a target follows."""

    term: str
    """What is paged: the keyword, hashtag or topic, or "@handle" for a following list."""
    cursor: Cursor = None
    """Where the next page starts (None: the first page)."""
    done: bool = False
    """No more pages will be fetched: the source ran dry, or failed (see `error`)."""
    pages: int = 0
    """Pages fetched so far."""
    kind: ChainKind | None = None
    """What the chain pages (`ChainKind`); None (absent) for the user's own keywords and
    hashtags."""
    first_id: str | Literal[_Unset.UNSET] | None = UNSET
    """Following lists: the external id of the first account of the last page fetched, to spot
    a page served again; None when that page was empty; UNSET (absent) before any page."""
    failures: int | None = None
    """Failed fetches in a row; None (absent) until a first fetch ended."""
    error: str | None = None
    """Why the chain ended early (e.g. "not found upstream (404)"); None (absent) unless it
    failed. A retry reopens it (`reopen`)."""
    added_by: Literal["user"] | None = None
    """Related hashtags only: "user" when the user added it on the search page; None (absent)
    when the search chose it."""
    removed: bool = False
    """Related hashtags only: the user removed it, so it is done and never chosen again; absent
    unless true."""
    sort: str | None = None
    """TikTok keywords only: the order this chain pages the keyword in ("most-liked",
    "date-posted"), beside the keyword's relevance chain; None (absent): upstream's default
    order, relevance (`scraping.searches.tiktok.orderings`)."""
    retry_at: float | None = None
    """Its next page was refused (429) once: not asked again before this time (wall clock,
    upstream's Retry-After), and then waited out like any call; None (absent) otherwise."""

    @classmethod
    def from_json(cls, data: JSONObject) -> "Chain":
        return cls(
            term=data["term"],
            cursor=data.get("cursor"),
            done=data.get("done", False),
            pages=data.get("pages", 0),
            kind=data.get("kind"),
            first_id=data.get("first_id", UNSET),
            failures=data.get("failures"),
            error=data.get("error"),
            added_by=data.get("added_by"),
            removed=bool(data.get("removed", False)),
            sort=data.get("sort"),
            retry_at=data.get("retry_at"),
        )

    def to_json(self) -> JSONObject:
        data: JSONObject = {"term": self.term}
        if self.kind is not None:
            data["kind"] = self.kind
        data |= {"cursor": self.cursor, "done": self.done, "pages": self.pages}
        if self.first_id is not UNSET:
            data["first_id"] = self.first_id
        if self.failures is not None:
            data["failures"] = self.failures
        if self.error is not None:
            data["error"] = self.error
        if self.added_by is not None:
            data["added_by"] = self.added_by
        if self.removed:
            data["removed"] = True
        if self.sort is not None:
            data["sort"] = self.sort
        if self.retry_at is not None:
            data["retry_at"] = self.retry_at
        return data

    @property
    def is_related(self) -> bool:
        """A related hashtag of a TikTok keyword search (chosen by it, or added by the user)."""
        return self.kind == "related"

    def remove(self) -> None:
        """The user removed this related hashtag: it stops, and is never chosen again."""
        self.removed, self.done = True, True

    def reopen(self) -> None:
        """A retry gives a chain that failed another chance, from where it stopped."""
        self.done, self.error, self.failures, self.retry_at = False, None, 0, None

    def restore(self) -> None:
        """The user added a removed related hashtag again: it goes on from where it stopped."""
        self.removed, self.done, self.error = False, False, None
        if self.failures:
            self.failures = 0


@dataclass
class Related:
    """TikTok keyword searches with "expand with related hashtags" on (state["related"]; absent
    when it is off): the hashtags counted in the search's own first results, until the related
    chains are chosen (`scraping.searches.related`). The chains themselves are in
    `JobState.chains`, with kind "related"."""

    limit: int = 5
    """How many related hashtags the search adds (`scraping.related_hashtags` when the job was
    created)."""
    counts: dict[str, int] = field(default_factory=dict)
    """Hashtag → creators found by the user's own terms whose item carried it (each creator
    counted once, from the item that found it)."""
    creators: int = 0
    """Creators counted so far."""
    chosen: bool = False
    """The related chains were chosen (once, when the evidence was enough); counting stops."""

    @classmethod
    def from_json(cls, data: JSONObject) -> "Related":
        return cls(
            limit=int(data.get("limit", 5)),
            counts={str(k): int(v) for k, v in (data.get("counts") or {}).items()},
            creators=int(data.get("creators", 0)),
            chosen=bool(data.get("chosen", False)),
        )

    def to_json(self) -> JSONObject:
        return {
            "limit": self.limit,
            "counts": dict(self.counts),
            "creators": self.creators,
            "chosen": self.chosen,
        }


@dataclass
class Target:
    """The account a similar search looks for peers of, read once by `prepare` (saved in
    state["target"])."""

    external_id: str = ""
    """The account's upstream id: never delivered as a result."""
    username: str = ""
    """The account's handle: never delivered as a result either."""
    followers: int | None = None
    """Its follower count (None: unknown), to rate candidates of a similar size higher."""
    topics: list[str] = field(default_factory=list)
    """Its most telling words (at most `JobState.similar_keywords`): candidates are rated by
    them, and TikTok and YouTube search them."""
    display_name: str | None = None
    """YouTube only (None, absent, elsewhere): the channel's name."""

    @classmethod
    def from_json(cls, data: JSONObject) -> "Target":
        return cls(
            external_id=data.get("external_id") or "",
            username=data.get("username") or "",
            followers=data.get("followers"),
            topics=list(data.get("topics") or []),
            display_name=data.get("display_name"),
        )

    def to_json(self) -> JSONObject:
        data: JSONObject = {"external_id": self.external_id, "username": self.username}
        if self.display_name is not None:
            data["display_name"] = self.display_name
        data |= {"followers": self.followers, "topics": list(self.topics)}
        return data


@dataclass
class Seed:
    """What a similar search's `prepare` step produces from its target account: the target
    itself, the sources to page for its peers and the creators its own profile already showed.
    The engine stores it in the job's state (`JobState.apply`)."""

    target: Target
    """The account the search starts from (state["target"])."""
    chains: list[Chain] = field(default_factory=list)
    """The sources to page (state["chains"]): its topics, and for TikTok its following list."""
    pending: list[CreatorSeed] = field(default_factory=list)
    """Creators to enrich first (state["pending"]): Instagram's related accounts."""

    @classmethod
    def from_json(cls, data: JSONObject) -> "Seed":
        """From a state (or the part of it `prepare` sets): its target, chains and pending."""
        return cls(
            target=Target.from_json(data.get("target") or {}),
            chains=[Chain.from_json(c) for c in data.get("chains") or []],
            pending=list(data.get("pending") or []),
        )

    def to_json(self) -> JSONObject:
        """The state keys `prepare` sets."""
        return {
            "target": self.target.to_json(),
            "chains": [c.to_json() for c in self.chains],
            "pending": list(self.pending),
        }


@dataclass
class JobState:
    """Where a search job stands between two steps (`ScrapingJob.state`)."""

    chains: list[Chain] = field(default_factory=list)
    """The paged sources: one per keyword or hashtag, or those `prepare` set up."""
    pending: list[CreatorSeed] = field(default_factory=list)
    """Creators found but not enriched yet, in the order they are enriched."""
    seen: list[str] = field(default_factory=list)
    """External ids of every creator admitted so far (each is delivered at most once)."""
    prepared: bool = False
    """The search is set up: true from the start for keyword and hashtag searches, once the
    target was read for similar searches."""
    similar_keywords: int | None = None
    """How many topics a similar search takes from its target (`scraping.similar_keywords`,
    set at the start of every step); None (absent) before the first step."""
    target: Target | None = None
    """Similar searches, once prepared: the target account; None (absent) otherwise."""
    seen_before_step: int | None = None
    """len(seen) at the end of the last step; None (absent) before the first step ended."""
    next_chain: int | None = None
    """Where the round-robin over live chains starts next (modulo their number); None (absent)
    until pages were first fetched."""
    new_per_page: float | None = None
    """A running estimate of new creators per page fetched, to size the next step's page
    fetches; None (absent) until pages were first fetched."""
    last_failure: str | None = None
    """The message of the last step that failed without progress; None (absent) if none did."""
    related: Related | None = None
    """TikTok keyword searches that expand with related hashtags; None (absent) otherwise."""

    @classmethod
    def from_json(cls, data: JSONObject) -> "JobState":
        target, related = data.get("target"), data.get("related")
        return cls(
            chains=[Chain.from_json(c) for c in data.get("chains") or []],
            pending=list(data.get("pending") or []),
            seen=list(data.get("seen") or []),
            prepared=bool(data.get("prepared")),
            similar_keywords=data.get("similar_keywords"),
            target=Target.from_json(target) if target is not None else None,
            seen_before_step=data.get("seen_before_step"),
            next_chain=data.get("next_chain"),
            new_per_page=data.get("new_per_page"),
            last_failure=data.get("last_failure"),
            related=Related.from_json(related) if related is not None else None,
        )

    def to_json(self) -> JSONObject:
        data: JSONObject = {
            "chains": [c.to_json() for c in self.chains],
            "pending": list(self.pending),
            "seen": list(self.seen),
            "prepared": self.prepared,
        }
        optional: JSONObject = {
            "similar_keywords": self.similar_keywords,
            "target": self.target.to_json() if self.target is not None else None,
            "seen_before_step": self.seen_before_step,
            "next_chain": self.next_chain,
            "new_per_page": self.new_per_page,
            "last_failure": self.last_failure,
            "related": self.related.to_json() if self.related is not None else None,
        }
        data |= {key: value for key, value in optional.items() if value is not None}
        return data

    def keep_related_edits(self, saved: JSONObject) -> None:
        """Keep what the user changed in the related hashtags while this step ran: `saved` is
        the job's state as the step's commit reads it under the row lock, and the step's own
        state was loaded before. The user only adds related chains and removes or re-adds them
        (`scraping.services.related_hashtag_add`/`_remove`); the step never does either, so a
        related chain missing here was added meanwhile, and a different `removed` is the
        user's."""
        if self.related is None:
            return
        mine = {c.term: c for c in self.chains if c.is_related}
        for data in saved.get("chains") or []:
            if data.get("kind") != "related":
                continue
            theirs = Chain.from_json(data)
            chain = mine.get(theirs.term)
            if chain is None:
                self.chains.append(theirs)
            elif theirs.removed and not chain.removed:
                chain.remove()
            elif chain.removed and not theirs.removed:
                chain.restore()

    def apply(self, seed: Seed) -> None:
        """Store what `prepare` produced: the target, its chains and its pending creators."""
        self.target, self.chains, self.pending = seed.target, seed.chains, seed.pending

    def require_target(self) -> Target:
        """The target of a prepared similar search (KeyError "target" when there is none)."""
        if self.target is None:
            raise KeyError("target")
        return self.target

    def require_similar_keywords(self) -> int:
        """`similar_keywords`, which the engine sets before `prepare` runs (KeyError when not)."""
        if self.similar_keywords is None:
            raise KeyError("similar_keywords")
        return self.similar_keywords
