"""Input rules shared by pages, the API and the command line (one place, one message each)."""

import re
import unicodedata
from urllib.parse import urlparse

from django.core.exceptions import ValidationError

from core.catalogue import PLATFORM_LABELS

MAX_TERMS = 10
MAX_TERM_LENGTH = 100
TARGET_CHOICES = (100, 500, 1000)
MAX_TARGET = 1000

_HANDLE_RULES = {
    "tiktok": (re.compile(r"^[A-Za-z0-9._]{2,24}$"), "2–24 letters, digits, dots or underscores"),
    "instagram": (
        re.compile(r"^[A-Za-z0-9._]{1,30}$"),
        "1–30 letters, digits, dots or underscores",
    ),
    "youtube": (
        re.compile(r"^(UC[\w-]{22}|[A-Za-z0-9._-]{3,30})$"),
        "a 3–30 character handle or a UC… channel id",
    ),
}
_PROFILE_HOSTS = {
    "tiktok": ("tiktok.com",),
    "instagram": ("instagram.com",),
    "youtube": ("youtube.com", "youtu.be"),
}


def normalize_terms(values, *, label: str = "keyword") -> list[str]:
    """1–10 terms, each 1–100 characters after trimming; a leading # dropped; duplicates dropped.

    Keywords may have spaces; a hashtag is one word of letters, digits and underscores.
    """
    if isinstance(values, str):
        values = re.split(r"[,\n]", values)
    if not isinstance(values, list | tuple):
        raise ValidationError(f"Give a list of {label}s.")
    terms: dict[str, str] = {}
    for value in values:
        if not isinstance(value, str):
            raise ValidationError(f"Each {label} must be text.")
        term = " ".join(value.strip().lstrip("#").split())
        if not term:
            continue
        if len(term) > MAX_TERM_LENGTH:
            raise ValidationError(
                f"“{term[:30]}…” is too long: a {label} has at most {MAX_TERM_LENGTH} characters."
            )
        if label == "hashtag":
            _check_hashtag(term)
        terms.setdefault(term.lower(), term)
    if not terms:
        raise ValidationError(f"Enter at least one {label}.")
    if len(terms) > MAX_TERMS:
        raise ValidationError(f"Use at most {MAX_TERMS} {label}s (you gave {len(terms)}).")
    return list(terms.values())


def _hashtag_character(character: str) -> bool:
    # Letters and digits of any script (with their combining marks, as in "café" or Hindi),
    # and underscores: what Instagram keeps in a hashtag. Emoji and punctuation end one.
    return character == "_" or unicodedata.category(character)[0] in "LMN"


def hashtag_characters(text: str) -> str:
    """What of `text` a hashtag can hold: "Trail-Running!" → "TrailRunning"."""
    return "".join(c for c in text if _hashtag_character(c))


def normalize_hashtag(value: object) -> str:
    """One hashtag typed by the user (a related hashtag of a TikTok keyword search): the rules
    of `normalize_terms` for a hashtag, lower-cased, because hashtags ignore case."""
    if not isinstance(value, str) or not value.strip().lstrip("#").strip():
        raise ValidationError("Enter a hashtag, like “trailrunning”.")
    return normalize_terms([value], label="hashtag")[0].lower()


def _check_hashtag(term: str) -> None:
    """Refuse what Instagram would not search as one hashtag, suggesting what it would."""
    suggestion = "".join(c for c in term if _hashtag_character(c))
    if not any(unicodedata.category(c)[0] in "LN" for c in suggestion):
        raise ValidationError(
            f"“{term}” is not a hashtag: use letters or digits, like “trailrunning”."
        )
    if " " in term:
        raise ValidationError(
            f"“{term}” has a space, and a hashtag is one word: write “{suggestion}”, "
            "or separate hashtags with commas."
        )
    if suggestion != term:
        raise ValidationError(
            f"“{term}” has characters a hashtag cannot have (only letters, digits and "
            f"underscores): write “{suggestion}”."
        )


def normalize_handle(value, *, platform: str) -> str:
    """`@name`, `name` or a profile URL → the bare handle (or YouTube channel id)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("Enter a handle or profile URL.")
    text = value.strip()
    if "/" in text or any(host in text.lower() for host in _PROFILE_HOSTS[platform]):
        text = _handle_from_url(text, platform)
    text = text.lstrip("@").strip()
    rule, description = _HANDLE_RULES[platform]
    if not rule.match(text):
        raise ValidationError(
            f"“{value.strip()[:60]}” is not {_a(platform)} handle ({description})."
        )
    return text


def _a(platform: str) -> str:
    """ "a valid TikTok", "a valid YouTube", "a valid Instagram": the names spelled right."""
    return f"a valid {PLATFORM_LABELS[platform]}"


def _handle_from_url(text: str, platform: str) -> str:
    url = urlparse(text if "://" in text else f"https://{text}")
    host = (url.hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in _PROFILE_HOSTS[platform]):
        raise ValidationError(f"That link is not {_a(platform)} profile URL.")
    parts = [p for p in url.path.split("/") if p]
    if platform == "youtube" and len(parts) >= 2 and parts[0] in ("channel", "c", "user"):
        return parts[1]
    if not parts:
        raise ValidationError(f"That link does not point to {_a(platform)} profile.")
    return parts[0]


def validate_target(value, *, choices: tuple[int, ...] | None = None) -> int:
    try:
        target = int(value)
    except (TypeError, ValueError):
        raise ValidationError("The target must be a whole number.") from None
    if choices is not None and target not in choices:
        raise ValidationError(
            "Choose a target of " + ", ".join(str(c) for c in choices[:-1]) + f" or {choices[-1]}."
        )
    if not 1 <= target <= MAX_TARGET:
        raise ValidationError(f"The target must be between 1 and {MAX_TARGET}.")
    return target
