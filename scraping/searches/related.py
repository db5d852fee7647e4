"""Related hashtags of a TikTok keyword search ("expand with related hashtags").

A keyword is one cursor chain of pages, a few seconds each, so a one-keyword search waits on one
page at a time. With the option on (`ScrapingJob.expand_related`, `JobState.related`), the
search counts the hashtags that the creators found by the user's own keywords carry on the item
that found them (`text_extra`, `cha_list` and the #words of `desc`: the seed's `hashtags`),
once per creator, normalised by `tag_of`. Once every keyword has had its first page and at least
`MIN_CREATORS` creators were counted (or every keyword has ended), it adds the `Related.limit`
most frequent ones (the knob `scraping.related_hashtags`; never more than the page budget has
pages left, nor more than `MAX_RELATED` related hashtags in all) as chains of kind "related".
They are searched like keywords (the same endpoint, the hashtag as the query), and the engine's
"just enough chains" then pages several chains at once.

Never chosen: the search's own terms written as a hashtag ("Running Shoes" → runningshoes),
hashtags already searched or removed by the user, and `STOP_TAGS`. Ties are ordered
alphabetically, so the same results always give the same hashtags.
"""

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Final

from scraping.state import Chain, CreatorSeed, JobState, Related
from scraping.validation import MAX_TERMS, hashtag_characters

MIN_CREATORS: Final = 8
"""Creators counted before the related hashtags are chosen (about one first page)."""
MAX_RELATED: Final = MAX_TERMS
"""Related hashtags a search holds at most (chosen and added by the user, removed ones not
counted)."""

STOP_TAGS: Final = frozenset(
    {
        # "For you" feed tags, put on any video to reach the feed: they say nothing of its topic.
        "fyp",
        "fypシ",
        "fypage",
        "fy",
        "foryou",
        "foryoupage",
        "foryourpage",
        "parati",
        "pourtoi",
        "fürdich",
        # Reach and platform tags.
        "viral",
        "viralvideo",
        "goviral",
        "trending",
        "explore",
        "explorepage",
        "tiktok",
        "tiktokviral",
        "xyzbca",
        "capcut",
        "duet",
        "stitch",
    }
)
"""Tags found on every kind of video, never chosen as a related hashtag."""


def tag_of(text: str) -> str:
    """A hashtag as counted and searched: "#Trail_Running!" → "trail_running"; "" when nothing of
    a hashtag is left. A search term becomes one the same way ("running shoes" → runningshoes)."""
    tag = hashtag_characters(text.strip().lstrip("#")).lower()
    # Marks alone (an emoji's variation selector) are no hashtag: it needs a letter or digit.
    return tag if any(unicodedata.category(c)[0] in "LN" for c in tag) else ""


def count(related: Related, hashtag_lists: Iterable[Iterable[object]]) -> None:
    """Count one creator per list: each of its distinct hashtags once."""
    for tags in hashtag_lists:
        related.creators += 1
        for tag in sorted({tag_of(t) for t in tags if isinstance(t, str)} - {""}):
            related.counts[tag] = related.counts.get(tag, 0) + 1


def rank(
    counts: Mapping[str, int], *, exclude: Iterable[str] = (), limit: int | None = None
) -> list[tuple[str, int]]:
    """(hashtag, count), the most frequent first and ties in alphabetical order, without the
    stop list and `exclude` (terms or hashtags, normalised by `tag_of`); at most `limit`."""
    left_out = STOP_TAGS | {tag_of(term) for term in exclude}
    ranked = sorted(
        ((tag, n) for tag, n in counts.items() if tag and n > 0 and tag not in left_out),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked if limit is None else ranked[: max(0, limit)]


def learn(state: JobState, seeds: list[CreatorSeed], *, pages_left: int) -> list[Chain]:
    """Count the hashtags of the new creators that the user's own terms found (`seeds`, just
    admitted) and, once the evidence is enough, add the related chains to the state. Returns the
    chains added (none before the choice, none after it)."""
    related = state.related
    if related is None or related.chosen:
        return []
    own = [c for c in state.chains if c.kind is None]  # every order of the user's terms
    terms = {c.term for c in own}
    count(related, (seed.get("hashtags") or [] for seed in seeds if seed.get("keyword") in terms))
    if not all(c.pages or c.done for c in own if c.sort is None):
        return []  # a keyword's first page is still to come
    if related.creators < MIN_CREATORS and not all(c.done for c in own):
        return []
    related.chosen = True
    searched = [c for c in state.chains if c.is_related]
    room = min(related.limit, pages_left, MAX_RELATED - sum(not c.removed for c in searched))
    exclude = [*terms, *(c.term for c in searched)]
    added = [
        Chain(term=tag, kind="related")
        for tag, _ in rank(related.counts, exclude=exclude, limit=room)
    ]
    state.chains.extend(added)
    return added
