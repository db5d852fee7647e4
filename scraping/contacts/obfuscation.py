"""Spelled-out addresses: ``name [at] brand [dot] com``, ``name(at)firma.de``, ``x AT y DOT com``.

Separators come in three strengths:

- strong: a bracketed word or sign, ``[at]`` ``(at)`` ``{at}`` ``<at>`` ``[@]`` ``(@)`` ``[dot]``
  ``(.)``, also in other languages (``(arroba)``, ``[punto]``, ``(точка)``, ``[アット]``). Nobody
  writes these except to hide an address, so they are accepted as they are.
- weak: a bare word or a spaced sign, `` at `` `` dot `` `` arroba `` `` punto `` `` @ `` `` . ``.
  Ordinary prose contains these ("meet me at the gym. Dot your i's", "we are at a dot com
  startup", "Founder at Acme dot com"), so more evidence is needed:

  1. a weak dot needs a known TLD at the end (see tlds.py);
  2. a weak at needs one of: a bracketed or spaced-sign dot in the domain
     ("sofia @ sofiaart . com"), a well-known mail provider ("ben at gmail dot com"), a contact
     cue just before it, or on the line above when the address starts a line ("Email: jane at
     acme dot com"), a role-based local part ("hello at brand.com"), or the at shouted in
     capitals ("tom AT techtom DOT io"). A domain spelled with the bare word "dot" is no
     evidence by itself: "jane at acme dot com" with nothing else reads as prose ("shoutout to
     jane at acme dot com") and is skipped;
  3. a weak at never follows an everyday word: a pronoun, article, verb or job title ("find us
     at brand dot com", "shop at nike.com", "we are at", "Founder at Acme dot com"), not even
     after a contact cue.
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
# A dot or an apostrophe (o'brien@) only between other local characters, never two in a row:
# in "inquiries...jane@x.com" the dots end a sentence and the local part is "jane".
LOCAL_ATOM = rf"[{_FIRST}][{_LOCAL_CHAR}]*(?:[.'][{_LOCAL_CHAR}]+)*"
# A local part starts at a word boundary, and "@jane@mastodon.social" is a fediverse handle,
# not an address. The second look-behind keeps "a-b-c" and "o'brien" from being tried at
# every piece.
BEFORE_LOCAL = rf"(?<![{_FIRST}@])(?<![{_FIRST}][.'+-])"
# An address is not followed by more address characters ("a@b.com@c").
AFTER_ADDRESS = rf"(?![A-Za-z0-9_@{LATIN_EXT}])"
# A spelled-out domain is not followed by a path either: "(at) twitch.tv/x" is a link.
AFTER_DOMAIN = rf"{AFTER_ADDRESS}(?!/[A-Za-z0-9@])"

_AT_WORDS = r"at|arroba|arobase|ät|アット|あっと|собака|골뱅이"
_DOT_WORDS = r"dot|punto|ponto|point|punkt|точка|ドット|닷|점"
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"

AT_STRONG = rf"{H}*{_OPEN}{H}*(?:@|{_AT_WORDS}){H}*{_CLOSE}{H}*"
AT_WEAK = rf"{H}+(?:at|arroba|arobase|@){H}+"
DOT_STRONG = rf"{H}*{_OPEN}{H}*(?:\.|{_DOT_WORDS}){H}*{_CLOSE}{H}*"
DOT_WORD = rf"{H}+(?:dot|punto|ponto|point|punkt){H}+"
DOT_SIGN = rf"{H}+\.{H}+"
DOT_WEAK = rf"(?:{DOT_WORD}|{DOT_SIGN})"
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
    rf"(?P<strong>{DOT_STRONG})|(?P<word>{DOT_WORD})|(?P<sign>{DOT_SIGN})|(?P<literal>\.)",
    re.IGNORECASE,
)
_AFTER = re.compile(AFTER_DOMAIN)

# Words before " at " in prose that are not a local part: "find us at", "tickets at", "we are
# at", "Founder at Acme dot com", "it's at".
_PROSE_LOCALS = frozenset(
    """
    i me you us we him her them it its this that here there find shop buy meet visit join order
    see look live stop now available online only out up home work reach write dm text call
    tickets merch code discount sale deals links more everything shipping stream streaming
    watch listen preorder
    a an the am is are was were be been being i'm you're we're they're he's she's it's that's
    gym school based working works worked studying studied currently formerly previously
    founder cofounder co-founder ceo cto coo cfo owner director manager intern student
    engineer designer developer ambassador athlete
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# A contact cue shortly before a weakly written address.
_CUE = re.compile(
    r"e-?mail|mail|contact|kontakt|contacto|contato|correo|inquir|enquir|business|booking"
    r"|collab|colabora|kooperation|anfrage|biz|mgmt|\bpr\b|brand deal"
    r"|📧|✉|📩|📨|💌|연락|문의|협업|비즈니스|メール|連絡|依頼|仕事|почта|ईमेल|البريد|تعاون|إعلان",
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


def _label_before(text: str, start: int) -> str:
    """Up to 40 characters before ``start`` on its line, or the line above if ``start`` opens one.

    Where a contact cue labels an address: "Contact: x" or, on YouTube, "Contact:" then a line
    with the address.
    """
    lines = text[:start].split("\n")
    if not lines[-1].strip() and len(lines) > 1:
        return lines[-2][-40:]
    return lines[-1][-40:]


def _readings(text: str, m: re.Match) -> list[tuple[int, str]]:
    """(end, address) readings of one match, longest domain first, obeying the rules above."""
    at = _at_kind(m.group("at"))
    local_parts, local_kinds, _ = _pieces(m.group("local"), m.start("local"))
    labels, dot_kinds, ends = _pieces(m.group("domain"), m.start("domain"))
    local = ".".join(local_parts)
    if at == "weak" and local.lower() in _PROSE_LOCALS:
        return []
    cue = bool(_CUE.search(_label_before(text, m.start())))
    # "tom AT techtom DOT io": nobody shouts a preposition in a lower-case sentence.
    shouted = m.group("at").strip().isupper() and any(ch.islower() for ch in local)
    readings = []
    for n in range(len(labels), 1, -1):
        used = set(dot_kinds[: n - 1])
        tld = labels[n - 1].lower()
        if not tld_looks_real(tld) or (used & {"word", "sign"} and tld not in KNOWN_TLDS):
            continue
        if not _AFTER.match(text, ends[n - 1]):
            continue
        domain = ".".join(labels[:n]).lower()
        if at == "literal" and used <= {"literal"} and set(local_kinds) <= {"literal"}:
            continue  # nothing spelled out: a plain address, emails.py handles it
        # A domain spelled with the bare word "dot" is no evidence: "a dot com" is prose.
        if at == "weak" and not (
            used & {"strong", "sign"}
            or cue
            or shouted
            or domain in MAIL_PROVIDERS
            or is_role_based(local)
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
