"""Topics, names and the word → topic rule shared by every platform.

The topic data (aliases, hashtags, bio phrases, captions, native nouns) and the name lists live
in `topics.json`. A creator's topic is never stored: it is recomputed from its handle (see
`topic_for_handle`), and a search query picks handle tokens that resolve back to the query's
topic (see `topic_for_query`).
That keeps the universe stateless: a profile fetched in another process, with no search before it,
still gets the bio that matches the search that found it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .common import rng


@dataclass(frozen=True)
class Topic:
    key: str
    aliases: tuple[str, ...]  # words that resolve to this topic (query words, handle tokens)
    handle_words: tuple[str, ...]  # tokens put into generated handles (all are aliases)
    hashtags: tuple[str, ...]
    phrases: tuple[str, ...]  # English bio lines; they carry topic words for "similar" searches
    captions: tuple[str, ...]  # video captions / titles
    native: dict[str, str] = field(default_factory=dict)  # the topic noun per language
    category: str = "Digital creator"  # Instagram category_name
    commerce: str = "Entertainment"  # TikTok commerceUserInfo.category
    emoji: str = "✨"
    custom: bool = False


def _tupled(value: Any) -> Any:
    """A JSON list as a tuple (Topic is frozen); anything else as it is."""
    return tuple(value) if isinstance(value, list) else value


_DATA = json.loads(Path(__file__).with_name("topics.json").read_text(encoding="utf-8"))
TOPICS: tuple[Topic, ...] = tuple(
    Topic(**{k: _tupled(v) for k, v in t.items()}) for t in _DATA["topics"]
)
TOPIC_BY_KEY = {t.key: t for t in TOPICS}
ALIASES: dict[str, Topic] = {a: t for t in TOPICS for a in t.aliases}
# A topic's own hashtags, so searching one ("runtok", "grwm") finds that topic's creators.
HASHTAG_TOPICS: dict[str, Topic] = {h: t for t in reversed(TOPICS) for h in t.hashtags}
# Romanised first names (handles) and last names; none contains an alias or a control word.
FIRST_NAMES: tuple[str, ...] = tuple(_DATA["first_names"])
LAST_NAMES: tuple[str, ...] = tuple(_DATA["last_names"])
# Tokens that carry no topic; also never used as a query's key word.
STOPWORDS = frozenset(_DATA["stopwords"])
CONTROL_WORDS = ("unknown", "missing", "niche", "empty", "norelated")

_TOKEN_RE = re.compile(r"[a-z]+|[0-9]+")


def words(text: str) -> list[str]:
    """Lower-case ASCII word tokens; digits split off letters ("maya12" → "maya", "12")."""
    return _TOKEN_RE.findall(text.lower())


def custom_topic(word: str) -> Topic:
    """A topic for a query word that matches no built-in topic (so "skateboarding" stays itself)."""
    w = word
    return Topic(
        w,
        aliases=(w,),
        handle_words=(w,),
        hashtags=(w, f"{w}tok", f"{w}life"),
        phrases=(
            f"{w} content creator",
            f"all things {w}",
            f"daily {w} videos & tips",
            f"obsessed with {w} since forever",
        ),
        captions=(
            f"my {w} routine",
            f"{w} tips nobody tells you",
            f"trying {w} for 30 days",
            f"{w} day vlog",
            f"beginner {w} mistakes",
        ),
        native={lang: w for lang in ("ko", "ja", "ar", "de", "fr", "es")},
        custom=True,
    )


def _eligible(word: str) -> bool:
    return (
        len(word) >= 3
        and word.isalpha()
        and word not in STOPWORDS
        and word not in FIRST_NAMES
        and word not in LAST_NAMES
        and not any(c in word for c in CONTROL_WORDS)
    )


@lru_cache(maxsize=4096)
def resolve_word(word: str) -> Topic | None:
    """Exact alias, then an alias inside the word ("trailrunner" → running), else None."""
    if word in ALIASES:
        return ALIASES[word]
    for alias, topic in ALIASES.items():
        if len(alias) >= 4 and alias in word:
            return topic
    return None


@lru_cache(maxsize=4096)
def topic_for_query(query: str) -> tuple[Topic, tuple[str, ...]]:
    """The query's topic and the handle tokens its creators get.

    The first eligible query word that names a built-in topic (exact alias, or an alias inside
    it: "trailrunner" → running) wins, so "home workout" is fitness; then a word that is one of a
    topic's hashtags ("runtok"). Without one, the first
    eligible word becomes a custom topic named after it ("skateboarding"). A query with no usable
    word (emoji, Korean…) gets a built-in topic picked by hash.
    """
    eligible = [w[:14] for w in words(query) if _eligible(w)]
    for w in eligible:
        topic = resolve_word(w)
        if topic is not None:
            tokens = topic.handle_words if w in topic.handle_words else (*topic.handle_words, w)
            return topic, tokens
    # One of a topic's hashtags that names none of its aliases (a related hashtag searched as a
    # keyword: "runtok", "grwm", "personalfinance") is that topic, with its own handle words.
    for w in words(query):
        if w in HASHTAG_TOPICS:
            return HASHTAG_TOPICS[w], HASHTAG_TOPICS[w].handle_words
    if eligible:
        return custom_topic(eligible[0]), (eligible[0],)
    topic = rng("query-topic", query).choice(TOPICS)
    return topic, topic.handle_words


@lru_cache(maxsize=16384)
def topic_for_handle(handle: str) -> Topic:
    """Recover a creator's topic from its handle (the inverse of the pool's handle tokens)."""
    tokens = [t for t in words(handle) if t.isalpha()]
    for t in tokens:
        if t in ALIASES:
            return ALIASES[t]
    candidates = [t for t in tokens if _eligible(t)]
    for t in candidates:
        topic = resolve_word(t[:14])
        if topic is not None:
            return topic
    if candidates:
        return custom_topic(candidates[0][:14])
    return rng("handle-topic", handle).choice(TOPICS)
