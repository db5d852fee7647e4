"""Spelled-out addresses: ``name [at] brand [dot] com``, ``name(at)firma.de``, ``x AT y DOT com``.

Separators come in three strengths:

- strong: a bracketed word or sign, ``[at]`` ``(at)`` ``{at}`` ``<at>`` ``[@]`` ``(@)`` ``[dot]``
  ``(.)``, also in other languages (``(arroba)``, ``[punto]``, ``(точка)``, ``[アット]``). Nobody
  writes these except to hide an address, so they are accepted as they are.
- weak: a bare word or a spaced sign, `` at `` `` dot `` `` arroba `` `` punto `` `` @ `` `` . ``.
  Ordinary prose contains these ("meet me at the gym. Dot your i's"), so more evidence is needed:
  a weak dot needs a known TLD at the end (see tlds.py), and a weak at needs the domain to be
  spelled out too, or a well-known mail provider, or a contact cue just before ("Email: x @
  brand.com"), or a role-based local part ("hello at brand.com"); and never a local part that
  is a pronoun or verb ("find us at brand dot com", "shop at nike.com").
- literal: ``@`` and ``.`` themselves.

A match must contain at least one non-literal separator; fully literal addresses are the
job of the plain pattern in emails.py. Spacing is any horizontal whitespace (including no-break
and ideographic spaces) but never a line break: an address split over two lines is not joined.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .roles import is_role_based
from .tlds import KNOWN_TLDS, MAIL_PROVIDERS, tld_looks_real

H = r"[^\S\n]"  # horizontal whitespace only
LATIN_EXT = "\u00c0-\u024f\u1e00-\u1eff"  # accented Latin letters: never cut a word in two
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
# Accented Latin letters are allowed in the local part (jürgen@), which validates as SMTPUTF8.
# A local part starts with a letter, digit or underscore ("-jo@x.com" in a list is "jo@x.com").
_FIRST = rf"A-Za-z0-9_{LATIN_EXT}"
_LOCAL_CHAR = rf"A-Za-z0-9_+{LATIN_EXT}-"
LOCAL_ATOM = rf"[{_FIRST}](?:[.{_LOCAL_CHAR}]*[{_LOCAL_CHAR}])?"
# A local part starts at a word boundary, and "@jane@mastodon.social" is a fediverse handle,
# not an address. The second look-behind keeps "a-b-c" from being tried at every piece.
BEFORE_LOCAL = rf"(?<![{_FIRST}@])(?<![{_FIRST}][.+-])"
# A domain is not followed by more address characters, nor by a path ("twitch.tv/x").
AFTER_DOMAIN = rf"(?![A-Za-z0-9_@{LATIN_EXT}]|/[A-Za-z0-9@])"

_AT_WORDS = r"at|arroba|arobase|ät|アット|あっと|собака|골뱅이"
_DOT_WORDS = r"dot|punto|ponto|point|punkt|точка|ドット|닷|점"
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"

AT_STRONG = rf"{H}*{_OPEN}{H}*(?:@|{_AT_WORDS}){H}*{_CLOSE}{H}*"
AT_WEAK = rf"{H}+(?:at|arroba|arobase|@){H}+"
DOT_STRONG = rf"{H}*{_OPEN}{H}*(?:\.|{_DOT_WORDS}){H}*{_CLOSE}{H}*"
DOT_WEAK = rf"{H}+(?:dot|punto|ponto|point|punkt|\.){H}+"
_SPELLED_DOT = rf"(?:{DOT_STRONG}|{DOT_WEAK})"  # literal dots are inside LOCAL_ATOM already
_DOT = rf"(?:{DOT_STRONG}|{DOT_WEAK}|\.)"

PATTERN = re.compile(
    rf"""{BEFORE_LOCAL}
    (?P<local>{LOCAL_ATOM}(?:{_SPELLED_DOT}{LOCAL_ATOM})*)
    (?P<at>{AT_STRONG}|{AT_WEAK}|@)
    (?P<domain>{LABEL}(?:{_DOT}{LABEL})+)""",
    re.IGNORECASE | re.VERBOSE,
)
_DOT_TOKEN = re.compile(
    rf"(?P<strong>{DOT_STRONG})|(?P<weak>{DOT_WEAK})|(?P<literal>\.)", re.IGNORECASE
)
_AFTER = re.compile(AFTER_DOMAIN)

# Words before " at " in prose ("find us at", "tickets at") that are not a local part.
_PROSE_LOCALS = frozenset(
    """
    i me you us we him her them it its this that here there find shop buy meet visit join order
    see look live stop now available online only out up home work reach write dm text call
    tickets merch code discount sale deals links more everything shipping stream streaming
    watch listen preorder
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# A contact cue shortly before a weakly written address.
_CUE = re.compile(
    r"e-?mail|mail|contact|kontakt|contacto|contato|correo|inquir|enquir|business|booking"
    r"|collab|biz|mgmt|📧|✉|📩|📨|💌|연락|문의|メール|連絡|почта|ईमेल|البريد",
    re.IGNORECASE,
)


def _pieces(text: str, offset: int) -> tuple[list[str], list[str], list[int]]:
    """Split on dot separators: (pieces, separator kinds, end offset of each piece)."""
    pieces, kinds, ends, pos = [], [], [], 0
    for m in _DOT_TOKEN.finditer(text):
        pieces.append(text[pos : m.start()])
        ends.append(offset + m.start())
        kinds.append(m.lastgroup or "literal")
        pos = m.end()
    pieces.append(text[pos:])
    ends.append(offset + len(text))
    return pieces, kinds, ends


def _at_kind(at: str) -> str:
    if at == "@":
        return "literal"
    return "strong" if re.search(_OPEN, at) else "weak"


def _readings(text: str, m: re.Match) -> list[tuple[int, str]]:
    """(end, address) readings of one match, longest domain first, obeying the rules above."""
    at = _at_kind(m.group("at"))
    local_parts, local_kinds, _ = _pieces(m.group("local"), m.start("local"))
    labels, dot_kinds, ends = _pieces(m.group("domain"), m.start("domain"))
    local = ".".join(local_parts)
    if at == "weak" and local.lower() in _PROSE_LOCALS:
        return []
    line_before = text[max(0, m.start() - 40) : m.start()].rsplit("\n", 1)[-1]
    cue = bool(_CUE.search(line_before))
    readings = []
    for n in range(len(labels), 1, -1):
        used = dot_kinds[: n - 1]
        tld = labels[n - 1].lower()
        if not tld_looks_real(tld) or ("weak" in used and tld not in KNOWN_TLDS):
            continue
        if not _AFTER.match(text, ends[n - 1]):
            continue
        domain = ".".join(labels[:n]).lower()
        spelled_domain = any(k != "literal" for k in used)
        if at == "literal" and not spelled_domain and set(local_kinds) <= {"literal"}:
            continue  # nothing spelled out: a plain address, emails.py handles it
        if at == "weak" and not (
            spelled_domain or cue or domain in MAIL_PROVIDERS or is_role_based(local)
        ):
            continue
        readings.append((ends[n - 1], f"{local}@{domain}"))
    return readings


def find_spelled(text: str, normalise: Callable[[str], str | None]) -> list[tuple[int, int, str]]:
    """``(start, end, address)`` of each spelled-out address, ``normalise`` deciding validity.

    When no reading of a match is valid, the search resumes one character later, so a false
    start ("me at jane dot doe at gmail dot com") does not hide the real address after it.
    """
    hits, pos = [], 0
    while (m := PATTERN.search(text, pos)) is not None:
        for end, candidate in _readings(text, m):
            address = normalise(candidate)
            if address:
                hits.append((m.start(), end, address))
                pos = end
                break
        else:
            pos = m.start() + 1
    return hits
