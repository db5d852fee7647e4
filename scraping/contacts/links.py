"""Web links in bios and in the platforms' link fields, as clean absolute URLs.

Link fields come in several shapes: TikTok ``bioLink`` ``{"link": ..., "risk": 0}``, Instagram
``bio_links`` ``[{"title", "url", "lynx_url", "link_type"}]`` and ``external_url`` (a string,
sometimes wrapped in Instagram's ``l.instagram.com/?u=`` redirect), YouTube ``links`` (strings).
``normalise_links`` accepts any nesting of strings, dicts and lists of those.

Bare domains in prose (``linktr.ee/jane``) are only taken with a known TLD (tlds.py) written in
one case, so ``Mr.Beast`` or ``it.Me`` are not links; email domains and ``@handle.co`` mentions
are skipped (a link never starts right after ``@``, nor inside a spelled-out address).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import parse_qs, urlsplit, urlunsplit

from .emails import find_addresses
from .fold import fold
from .obfuscation import LABEL
from .tlds import COUNTRY_TLDS, KNOWN_TLDS, tld_looks_real

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL = re.compile(
    rf"""(?<![A-Za-z0-9@.\-_/])(?:
      (?P<scheme>https?://{_URL_CHARS}+)
    | (?P<www>www\.{LABEL}(?:\.{LABEL})+(?:[/?#]{_URL_CHARS}*)?)
    | (?P<bare>{LABEL}(?:\.{LABEL})+(?:/{_URL_CHARS}*)?)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_OTHER_SCHEME = re.compile(r"(?:mailto|tel|sms|javascript|data|whatsapp|skype):", re.IGNORECASE)
_PAIRS = {")": "(", "]": "[", "}": "{"}
# Redirect wrappers whose target is in a query parameter.
_REDIRECTS = {
    "l.instagram.com": "u",
    "l.facebook.com": "u",
    "lm.facebook.com": "u",
    "www.youtube.com": "q",
    "youtube.com": "q",
}
# TLDs seen on bare links without a path ("janedoe.com", "jane.tv"), unlike word-like new
# gTLDs that make "cook.eat.love" or "beauty.fashion.travel" look like hosts.
BARE_LINK_TLDS = COUNTRY_TLDS | frozenset(
    {"com", "net", "org", "edu", "gov", "info", "biz", "app", "dev", "xyz", "shop", "store"}
    | {"site", "online", "link", "bio", "page", "blog", "live", "website"}
)
# Keys tried in order on a link dict; lynx_url is Instagram's tracking wrapper of url.
LINK_KEYS = ("url", "link", "href", "external_url", "lynx_url")


def _strip_trailing(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets after a URL."""
    while url:
        last = url[-1]
        unbalanced = last in _PAIRS and url.count(_PAIRS[last]) < url.count(last)
        if last not in ".,;:!?'\"*" and not unbalanced:
            break
        url = url[:-1]
    return url


def _valid_host(host: str) -> bool:
    labels = host.split(".")
    return (
        len(labels) >= 2
        and all(re.fullmatch(LABEL, label) for label in labels)
        and tld_looks_real(labels[-1])
    )


def normalise_url(raw: str) -> str | None:
    """``linktr.ee/x.`` -> ``https://linktr.ee/x``; None for anything that is not a web URL.

    Scheme and host are lower-cased (paths are case-sensitive and kept), credentials dropped,
    a bare ``/`` path removed, and Instagram/Facebook/YouTube redirect wrappers unwrapped.
    """
    url = _strip_trailing(raw.strip().strip("<>\"'"))
    if not url or any(c.isspace() for c in url):
        return None
    if url.startswith("//"):
        url = "https:" + url
    elif not _HAS_SCHEME.match(url):
        if _OTHER_SCHEME.match(url) or "@" in url.split("/", 1)[0]:
            return None  # mailto:, tel: ... or an email address: not a web link
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or not _valid_host(host):
        return None
    param = _REDIRECTS.get(host)
    if param and (param == "u" or parts.path == "/redirect"):
        target = parse_qs(parts.query).get(param)
        if target:
            return normalise_url(target[0])
    netloc = host if port is None else f"{host}:{port}"
    path = "" if parts.path == "/" and not parts.query and not parts.fragment else parts.path
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


def _bare_is_link(text: str, m: re.Match) -> bool:
    bare = m.group("bare")
    host = bare.split("/", 1)[0]
    tld = host.rsplit(".", 1)[-1]
    if text.startswith("@", m.end()) or not (tld.islower() or tld.isupper()):
        return False  # an email's local part ("jane.doe@"), or prose ("it.Me")
    # Without a path, word-like TLDs are prose ("cook.eat.love"); with one, any known TLD.
    return tld.lower() in (KNOWN_TLDS if "/" in bare else BARE_LINK_TLDS)


def extract_urls(text: str | None) -> list[str]:
    """http(s) URLs, ``www.`` hosts and bare domains in text; normalised, unique, in order."""
    if not text:
        return []
    folded = fold(text)
    emails = [(h.start, h.end) for h in find_addresses(folded)]
    urls: list[str] = []
    for m in _URL.finditer(folded.text):
        if m.group("bare") and not _bare_is_link(folded.text, m):
            continue
        if not m.group("scheme") and any(s < m.end() and m.start() < e for s, e in emails):
            continue  # the domain of an address, e.g. "jane [at] gmail.com"
        url = normalise_url(m.group(0))
        if url and url not in urls:
            urls.append(url)
    return urls


def flatten_link_values(values: object) -> Iterator[str]:
    """Every raw string in a link field: strings, dicts (LINK_KEYS, first present), lists."""
    if values is None:
        return
    if isinstance(values, str):
        yield values
    elif isinstance(values, dict):
        for key in LINK_KEYS:
            if values.get(key):
                yield from flatten_link_values(values[key])
                return
    elif isinstance(values, Iterable):
        for value in values:
            yield from flatten_link_values(value)


def normalise_links(values: object) -> list[str]:
    """Clean, unique web URLs from link fields of any shape (see module docstring)."""
    urls: list[str] = []
    for raw in flatten_link_values(values):
        raw = raw.strip()
        found: Sequence[str | None] = (
            [normalise_url(raw)] if raw and not re.search(r"\s", raw) else []
        )
        if not found or found == [None]:
            found = extract_urls(raw)
        urls.extend(u for u in found if u and u not in urls)
    return urls
