"""Topic keywords from a target creator, and how similar a candidate is to it.

Deterministic and explainable: every score comes with the reasons that made it.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[^\W\d_][\w'-]{2,}", re.UNICODE)
# Words that say nothing about a creator's topic.
STOPWORDS = frozenset(
    """
    the and for with you your our are was were this that from have has had not but all any
    can her his him she they them their there here what when where who why how new more
    most much just like love life daily official account page channel videos video content
    creator follow subscribe link bio email mail contact business inquiries collab collabs
    booking dm me my mine www http https com net org tiktok instagram youtube insta shorts
    reels based
    """.split()  # noqa: SIM905
)


def tokens(*texts: str) -> list[str]:
    words = []
    for text in texts:
        for word in _WORD.findall((text or "").lower()):
            word = word.strip("'-")
            if len(word) >= 3 and word not in STOPWORDS and "@" not in word:
                words.append(word)
    return words


def topic_keywords(*, texts: list[str], hashtags: Sequence[str] = (), limit: int = 4) -> list[str]:
    """The target's most telling words: hashtags and tags first, then frequent bio words."""
    ranked: Counter[str] = Counter()
    for tag in hashtags:
        for word in tokens(tag.replace("_", " ")) or [tag.lower()]:
            ranked[word] += 3
    for word in tokens(*texts):
        ranked[word] += 1
    return [word for word, _ in sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]


def score(
    *,
    target_topics: list[str],
    target_followers: int | None,
    candidate_texts: list[str],
    candidate_followers: int | None,
    found_by: Sequence[str] = (),
    related: bool = False,
) -> tuple[float, list[str]]:
    """A 0–100 similarity with the reasons, e.g. (72.5, ["shares topics: running, marathon"])."""
    reasons: list[str] = []
    candidate_words = set(tokens(*candidate_texts))
    shared = [
        t for t in target_topics if t in candidate_words or any(t in w for w in candidate_words)
    ]
    topic_part = len(shared) / len(target_topics) if target_topics else 0.0
    if shared:
        reasons.append("shares topics: " + ", ".join(shared))

    audience_part = 0.0
    if target_followers and candidate_followers:
        distance = abs(math.log10(candidate_followers + 1) - math.log10(target_followers + 1))
        audience_part = max(0.0, 1.0 - distance / 2)  # two orders of magnitude apart → 0
        if audience_part >= 0.5:
            sizes = f"{_short(candidate_followers)} vs {_short(target_followers)}"
            reasons.append(f"similar audience size ({sizes})")

    signal_part = 0.0
    if related:
        signal_part = 1.0
        reasons.append("listed as a related profile")
    elif found_by:
        signal_part = min(1.0, len(set(found_by)) / 2)
        reasons.append("found by: " + ", ".join(dict.fromkeys(found_by)))

    value = 100 * (0.55 * topic_part + 0.25 * audience_part + 0.20 * signal_part)
    return round(value, 1), reasons


def _short(n: int) -> str:
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)
