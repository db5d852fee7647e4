"""Addresses carried by links: ``mailto:`` links, ``?email=x%40y.com`` parameters, a link field
that simply holds an address.

Not taken: the ``user@host`` credentials of an http URL and ``@handles`` in paths
(``youtube.com/@name``, ``medium.com/@name``); a path segment counts only when it is a whole
address (``/contact/info@brand.com``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from .emails import EmailDetail, check_source, extract_emails, merge_emails, normalise_address
from .links import flatten_link_values
from .obfuscation import LABEL, LOCAL_ATOM
from .roles import is_role_based

_WHOLE_ADDRESS = re.compile(rf"{LOCAL_ATOM}@{LABEL}(?:\.{LABEL})+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _from_url(url: str, source: str) -> list[EmailDetail]:
    if not _SCHEME.match(url):
        url = "https://" + url.lstrip("/")
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found: list[EmailDetail] = []
    for _, value in parse_qsl(parts.query):
        found += extract_emails(value, source=source)
    found += extract_emails(unquote(parts.fragment), source=source)
    for segment in unquote(parts.path).split("/"):
        if _WHOLE_ADDRESS.fullmatch(segment):
            address = normalise_address(segment)
            if address:
                found.append(EmailDetail(address, source, False, is_role_based(address)))
    return found


def emails_in_urls(urls: object, *, source: str) -> list[EmailDetail]:
    """Addresses in links of any shape `flatten_link_values` takes, unique, in order."""
    check_source(source)
    found: list[EmailDetail] = []
    for raw in flatten_link_values(urls):
        value = raw.strip()
        if value.lower().startswith("mailto:"):
            addresses = unquote(value[7:].split("?", 1)[0])
            found += extract_emails(re.sub(r"[,;]", " ", addresses), source=source)
        elif not _SCHEME.match(value) and "@" in value.split("/", 1)[0]:
            found += extract_emails(value, source=source)  # the field holds an address
        elif value:
            found += _from_url(value, source)
    return merge_emails(found)
