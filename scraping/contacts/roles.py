"""Role-based addresses: an inbox for a function (info@, press@) rather than a person.

Users weigh these differently from a creator's personal address, so every email carries the flag.
The rule: take the local part, drop a plus tag (``hello+brands`` -> ``hello``), split it on
``.``, ``_`` and ``-``; the address is role-based when the first piece (trailing digits
ignored) is a role word and every other piece is a role word, a qualifier (``team``, ``dept``),
a two-letter country code or digits. So ``press.office@``, ``info.de@``, ``booking-eu@`` and
``support2@`` are role-based; ``hello.jane@`` and ``jane.press@`` are not.
"""

from __future__ import annotations

import re

ROLE_LOCAL_PARTS = frozenset(
    """
    info information contact contacts contactus support hello hi hey team admin administrator
    sales press media pr marketing partnerships partnership partners partner collab collabs
    collaborations collaboration business biz booking bookings book management mgmt office
    enquiries enquiry inquiries inquiry help helpdesk service services customerservice care
    noreply no-reply donotreply do-not-reply mail email webmaster postmaster hostmaster abuse
    jobs careers hr recruiting billing accounts accounting finance legal privacy security
    feedback newsletter news events studio shop store orders order sponsorship sponsorships
    sponsor sponsors ads advertising brands brand talent agency general welcome reception
    editorial editor official work hola kontakt contacto contato bonjour anfragen presse infos
    ventas reklama
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_QUALIFIERS = frozenset({"team", "dept", "desk", "global", "intl"})
_SPLIT = re.compile(r"[._-]")


def is_role_based(email: str) -> bool:
    """True for function inboxes such as ``info@``, ``press.office@`` or ``hello+brands@``.

    Accepts a whole address or just a local part.
    """
    local = email.rpartition("@")[0] if "@" in email else email
    base = local.lower().split("+", 1)[0]
    if not base:
        return False
    if base in ROLE_LOCAL_PARTS:  # also catches "no-reply" before it is split
        return True
    first, *rest = _SPLIT.split(base)
    if first.rstrip("0123456789") not in ROLE_LOCAL_PARTS:  # support2@, info1@
        return False
    return all(
        p in ROLE_LOCAL_PARTS or p in _QUALIFIERS or p.isdigit() or (len(p) == 2 and p.isalpha())
        for p in rest
    )
