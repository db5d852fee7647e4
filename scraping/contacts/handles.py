"""A creator's handles on other platforms, read from the URLs of their links.

Values are what identifies the profile on that platform, without the domain:
instagram ``jane``; youtube ``@jane``, ``channel/UC...``, ``c/jane`` or ``user/jane``;
tiktok ``jane``; twitter ``jane`` (twitter.com and x.com); threads ``jane``; twitch ``jane``;
facebook ``jane``; snapchat ``jane``; linkedin ``in/jane`` or ``company/acme``.
Handles are lower-cased because these platforms treat them case-insensitively, except YouTube
channel ids, which are case-sensitive. Posts, reels, videos, search and other non-profile
paths give nothing, except that a post URL naming its author (``tiktok.com/@x/video/1``,
``twitter.com/x/status/1``) still gives the author. The first URL per platform wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from .links import normalise_url

_PREFIXES = ("www.", "m.", "mobile.", "web.")
_HOSTS = {
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "youtube.com": "youtube",
    "tiktok.com": "tiktok",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "threads.net": "threads",
    "threads.com": "threads",
    "twitch.tv": "twitch",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "snapchat.com": "snapchat",
    "linkedin.com": "linkedin",
}
# The networks as people write them, for display.
NETWORK_LABELS = {
    "instagram": "Instagram",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "twitter": "X (Twitter)",
    "threads": "Threads",
    "twitch": "Twitch",
    "facebook": "Facebook",
    "snapchat": "Snapchat",
    "linkedin": "LinkedIn",
}
_RESERVED = {
    "instagram": {
        "p", "reel", "reels", "tv", "explore", "stories", "accounts", "direct", "about", "legal",
        "developer", "web", "s", "ar", "challenge", "emails", "session", "privacy", "api",
    },
    "twitter": {
        "home", "i", "intent", "share", "search", "hashtag", "explore", "settings", "login",
        "notifications", "messages", "signup", "tos", "privacy", "compose", "about", "download",
        "jobs", "account",
    },
    "twitch": {
        "directory", "videos", "p", "settings", "subscriptions", "downloads", "jobs", "store",
        "turbo", "search", "login", "signup", "prime",
    },
    "facebook": {
        "profile.php", "pages", "groups", "events", "watch", "share", "sharer", "sharer.php",
        "photo", "photo.php", "photos", "story.php", "permalink.php", "login", "help", "reel",
        "marketplace", "gaming", "reels", "hashtag", "l.php", "dialog", "plugins", "people",
        "home.php", "policies", "privacy", "business", "ads", "settings",
    },
}  # fmt: skip
_HANDLE = {
    "instagram": re.compile(r"[A-Za-z0-9._]{1,30}"),
    "tiktok": re.compile(r"[A-Za-z0-9._]{2,24}"),
    "twitter": re.compile(r"[A-Za-z0-9_]{1,15}"),
    "threads": re.compile(r"[A-Za-z0-9._]{1,30}"),
    "twitch": re.compile(r"[A-Za-z0-9_]{3,25}"),
    "facebook": re.compile(r"[A-Za-z0-9.\-]{3,50}"),
    "snapchat": re.compile(r"[A-Za-z0-9._\-]{3,15}"),
    "youtube": re.compile(r"[A-Za-z0-9._\-]{1,100}"),
    "linkedin": re.compile(r"[A-Za-z0-9\-_%]{2,100}"),
}
_YT_CHANNEL = re.compile(r"UC[A-Za-z0-9_-]{22}")


def _platform(host: str) -> str | None:
    for prefix in _PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    return _HOSTS.get(host)


def _ok(platform: str, value: str) -> bool:
    return bool(_HANDLE[platform].fullmatch(value)) and value.strip(".") != ""


def _handle(platform: str, segments: list[str]) -> str | None:
    first = segments[0] if segments else ""
    second = segments[1] if len(segments) > 1 else ""
    if platform == "youtube":
        if first.startswith("@") and _ok(platform, first[1:]):
            return first.lower()
        if first == "channel" and _YT_CHANNEL.fullmatch(second):
            return f"channel/{second}"
        if first in ("c", "user") and _ok(platform, second):
            return f"{first}/{second.lower()}"
        return None
    if platform in ("tiktok", "threads"):
        handle = first[1:] if first.startswith("@") else None
    elif platform == "snapchat":
        handle = second if first == "add" else None
    elif platform == "linkedin":
        return f"{first}/{second.lower()}" if first in ("in", "company") and second else None
    elif platform == "instagram" and first == "_u":
        handle = second
    else:
        handle = first.removeprefix("@")
        if handle.lower() in _RESERVED.get(platform, ()):
            return None
    return handle.lower() if handle and _ok(platform, handle) else None


def social_handles(urls: Iterable[str]) -> dict[str, str]:
    """``{"instagram": "jane", "youtube": "@jane", ...}`` from profile URLs (module docstring)."""
    handles: dict[str, str] = {}
    for raw in [urls] if isinstance(urls, str) else urls:
        url = normalise_url(raw) if isinstance(raw, str) else None
        if not url:
            continue
        parts = urlsplit(url)
        platform = _platform(parts.hostname or "")
        if not platform or platform in handles:
            continue
        segments = [unquote(s) for s in parts.path.split("/") if s]
        handle = _handle(platform, segments)
        if handle:
            handles[platform] = handle
    return handles
