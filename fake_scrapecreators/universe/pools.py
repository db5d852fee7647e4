"""Finite, ordered creator pools: per search query, and per topic "community" (peers)."""

from __future__ import annotations

from functools import lru_cache

from .common import make_handle, normalize_query, pool_size, rng
from .topics import CONTROL_WORDS, FIRST_NAMES, LAST_NAMES, Topic, topic_for_handle, topic_for_query

# Handle syntax per platform: (max length, separators).
HANDLE_RULES = {
    "tiktok": (24, "._"),
    "instagram": (30, "._"),
    "youtube": (21, "_-"),
}

COMMUNITY_SIZE = 1500  # peers per topic: related-of-related reaches far past 80 (and 1,000)
COMMUNITY_NICHE = 45


def _generate(
    platform: str,
    seed: tuple[object, ...],
    tokens: tuple[str, ...],
    n: int,
    topic: Topic,
    extra: str = "",
) -> tuple[str, ...]:
    max_len, seps = HANDLE_RULES[platform]
    r = rng(platform, *seed)
    seen: set[str] = set()
    out: list[str] = []
    attempts = 0
    while len(out) < n:
        attempts += 1
        token = r.choice(tokens)
        if extra:
            token = f"{extra}{r.choice(seps)}{token}"
        h = make_handle(
            r, r.choice(FIRST_NAMES), r.choice(LAST_NAMES), token, max_len=max_len, sep_chars=seps
        )
        if attempts > 200 * (n + 10):  # never expected: every token resolves to its topic
            raise RuntimeError(f"cannot build {n} handles for topic {topic.key!r}")
        if h in seen or any(w in h for w in CONTROL_WORDS if w != extra):
            continue
        # The handle must resolve to the pool's topic, or profiles would contradict searches.
        if topic_for_handle(h).key != topic.key:
            continue
        seen.add(h)
        out.append(h)
    return tuple(out)


@lru_cache(maxsize=512)
def search_pool(platform: str, source: str, query: str) -> tuple[str, ...]:
    """The ordered distinct creators one search (`source`: keyword/users/hashtag) can yield."""
    q = normalize_query(query)
    n = pool_size(q)
    topic, tokens = topic_for_query(q)
    return _generate(platform, ("pool", source, q), tokens, n, topic)


@lru_cache(maxsize=512)
def community(platform: str, handle: str) -> tuple[str, ...]:
    """Peers of a creator: everyone sharing its topic (and its "niche" marker, if any).

    A handle containing "niche" belongs to a closed community of 45 whose members all carry the
    marker too, so related-of-related search runs dry there; others see 1,500 peers.
    """
    topic = topic_for_handle(handle)
    niche = "niche" in handle.lower()
    n = COMMUNITY_NICHE if niche else COMMUNITY_SIZE
    return _generate(
        platform,
        ("community", topic.key, niche),
        topic.handle_words,
        n,
        topic,
        extra="niche" if niche else "",
    )
