"""Email addresses in free text and in dedicated profile fields, each with its provenance.

A candidate is accepted only when it survives, in order:
1. the pattern: a local part of ASCII letters, digits, ``_+-``, accented Latin letters, and
   dots and apostrophes between those (``o'brien@x.ie``; a typographic ``’`` is read as
   ``'``), then a dotted ASCII domain. It never starts with a quote (``'jane@x.com'``), inside
   a word (``müller@x.de`` is not cut to ``ller@x.de``; CJK text may touch it:
   ``お仕事はwork@x.jpまで`` gives ``work@x.jp``) nor right after ``@`` (``@jane@mastodon.social``
   is a fediverse handle). Other punctuation may touch it: ``inquiries...jane@x.com``,
   ``…jane@x.com``, ``email:jane@x.com``, ``→jane@x.com`` all give ``jane@x.com`` (two dots in
   a row end a sentence, they are never inside a local part). Handles have no local part at
   all: ``@nike``, ``@john.doe``, ``ig: @sara.k.official``;
2. context: not the ``user:pass@`` part or the path of a ``scheme://`` URL
   (``https://user:pass@host.com/x``, ``https://medium.com/@x``), not
   ``git@github.com:org/repo`` (scp-style ``user@host:path`` is a clone URL, not a contact,
   although ``git@github.com`` is syntactically an address). Outside such a URL a path after
   the address is ignored: ``jane@studio.com/booking`` gives ``jane@studio.com``;
3. shape: a TLD that IANA has delegated (tlds.py), so no ``v1.2@3.4``, ``pkg@1.2.3``, and no
   stylised words or glued ``platform@handle`` labels: ``l@dy.gaga``, ``c@t.lover``,
   ``tiktok@jane.doe``. The TLD is the only judge there: ``tiktok@janedoe.com`` is reported,
   because nothing in the text tells it from a real inbox. Not a file extension
   (``logo@2x.png``), not a retina suffix (``@2x``);
4. ``email_validator.validate_email(..., check_deliverability=False)``; its normalised form,
   lower-cased, is the address reported.

Spelled-out addresses (``jane [at] brand [dot] com``) are found by obfuscation.py, which asks
for more evidence, and then go through rules 3 and 4.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from .fold import Folded, fold
from .obfuscation import AFTER_ADDRESS, BEFORE_LOCAL, LABEL, LOCAL_ATOM, find_spelled
from .roles import is_role_based
from .tlds import FILE_EXTENSIONS, KNOWN_TLDS, tld_is_delegated

EMAIL_SOURCES = ("bio", "bio_link", "channel_email", "business_email", "external_url")

LITERAL = re.compile(rf"{BEFORE_LOCAL}(?P<local>{LOCAL_ATOM})@(?P<domain>{LABEL}(?:\.{LABEL})+)")
_LITERAL_END = re.compile(AFTER_ADDRESS)
_RETINA = re.compile(r"\d+(?:\.\d+)?x", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SPACE = re.compile(r"\s")
_CODE_FORGES = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"})


@dataclass(frozen=True)
class EmailDetail:
    email: str  # normalised, lower case
    source: str  # one of EMAIL_SOURCES
    deobfuscated: bool  # written in a disguised form ([at], full-width ＠, ★ for @ ...)
    role_based: bool  # a function inbox (info@, press@), see roles.py

    def as_dict(self) -> dict:
        return {
            "email": self.email,
            "source": self.source,
            "deobfuscated": self.deobfuscated,
            "roleBased": self.role_based,
        }


def check_source(source: str) -> None:
    if source not in EMAIL_SOURCES:
        raise ValueError(f"unknown email source {source!r}; expected one of {EMAIL_SOURCES}")


def normalise_address(candidate: str) -> str | None:
    """The lower-cased normalised address, or None when it is not a usable address."""
    local, _, domain = candidate.rpartition("@")
    labels = domain.lower().split(".")
    if not local or len(labels) < 2 or not tld_is_delegated(labels[-1]):
        return None
    if labels[-1] in FILE_EXTENSIONS or _RETINA.fullmatch(labels[0]):
        return None
    if local.lower() == "git" and domain.lower() in _CODE_FORGES:
        return None
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def _in_url_authority_or_path(text: str, at: int) -> bool:
    """Is the ``@`` at ``at`` inside the userinfo or path of a ``scheme://`` URL?

    Only the whitespace-delimited token around the ``@`` is considered. Addresses in the query
    string or fragment (``?email=x@y.com``) stay acceptable.
    """
    left = max((m.end() for m in _SPACE.finditer(text, 0, at)), default=0)
    schemes = list(_SCHEME.finditer(text, left, at))
    if not schemes:
        return False
    rest = text[schemes[-1].end() : at]
    return "?" not in rest and "#" not in rest


def _glued_sentence_end(domain: str) -> int:
    """Length of the domain without a sentence glued on (``brand.com.Thanks`` -> ``brand.com``)."""
    labels = domain.split(".")
    if (
        len(labels) > 2
        and re.fullmatch(r"[A-Z][a-z]+", labels[-1])
        and labels[-1].lower() not in KNOWN_TLDS
        and labels[-2].lower() in KNOWN_TLDS
    ):
        return len(domain) - len(labels[-1]) - 1
    return len(domain)


@dataclass(frozen=True)
class Hit:
    """An accepted address and where it sits in the folded text."""

    start: int
    end: int
    address: str
    spelled: bool  # found by the spelled-out pattern (obfuscation.py)


def _literal_hits(text: str) -> list[Hit]:
    hits = []
    for m in LITERAL.finditer(text):
        end = m.start("domain") + _glued_sentence_end(m.group("domain"))
        if end == m.end() and not _LITERAL_END.match(text, end):
            continue  # glued to more address characters: "a@b.com@c"
        if text.startswith(":", end) and end + 1 < len(text) and not text[end + 1].isspace():
            continue  # scp-style "git@github.com:org/repo.git"
        if _in_url_authority_or_path(text, m.start("local") + len(m.group("local"))):
            continue
        address = normalise_address(text[m.start() : end])
        if address:
            hits.append(Hit(m.start(), end, address, spelled=False))
    return hits


def find_addresses(folded: Folded) -> list[Hit]:
    """Every accepted address in folded text, in order, overlaps resolved (first start wins)."""
    # Phones turn a typed apostrophe into ’ ("d’angelo@"); the mailbox has the ASCII one.
    text = folded.text.replace("\u2019", "'")
    spelled = [Hit(*h, spelled=True) for h in find_spelled(text, normalise_address)]
    hits = sorted(_literal_hits(text) + spelled, key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def extract_emails(text: str | None, *, source: str = "bio") -> list[EmailDetail]:
    """Addresses in free text, de-duplicated, in order of appearance."""
    check_source(source)
    if not text:
        return []
    folded = fold(text)
    details: dict[str, EmailDetail] = {}
    for hit in find_addresses(folded):
        if hit.address in details:
            continue
        o_start, o_end = folded.original_span(hit.start, hit.end)
        disguised = hit.spelled or text[o_start:o_end] != folded.text[hit.start : hit.end]
        details[hit.address] = EmailDetail(
            hit.address, source, disguised, is_role_based(hit.address)
        )
    return list(details.values())


def email_from_field(value: str | None, *, source: str) -> list[EmailDetail]:
    """A dedicated email field (YouTube ``email``, Instagram ``business_email``/``public_email``).

    Usually one address; a few separated by commas, semicolons or spaces are all kept.
    """
    if isinstance(value, list | tuple):
        value = " ".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        check_source(source)
        return []
    return extract_emails(value.replace(";", " ").replace(",", " "), source=source)


def merge_emails(*groups: Iterable[EmailDetail]) -> list[EmailDetail]:
    """One entry per address; the first occurrence (and so its provenance) wins, order kept."""
    merged: dict[str, EmailDetail] = {}
    for group in groups:
        for detail in group:
            merged.setdefault(detail.email, detail)
    return list(merged.values())
