"""Where an email address was found, in words: one wording for the results page and the exports.

The codes are ``EmailDetail.source`` (``emails.EMAIL_SOURCES``). The results page shows the
sentence of ``email_provenance`` beside each address; the exports' "Email sources" column uses
``source_words``. Both read this table, so the page and the files always say the same thing.
"""

from __future__ import annotations

SOURCE_WORDS = {
    "bio": "written in the bio",
    "bio_link": "on a page linked from the bio",
    "channel_email": "the channel's contact email",
    "business_email": "the profile's business email",
    "external_url": "on the profile's website",
}
# An address stored without details (rows from before provenance was kept) or with a code this
# table does not know still came from the profile.
UNKNOWN_SOURCE_WORDS = "on the profile"


def source_words(source: object) -> str:
    """``"bio"`` → ``"written in the bio"``; missing or unknown → ``"on the profile"``."""
    return SOURCE_WORDS.get(str(source or ""), UNKNOWN_SOURCE_WORDS)


def email_provenance(detail: dict) -> str:
    """The results page's sentence for one address, from its ``email_details`` entry."""
    parts = [source_words(detail.get("source"))]
    if detail.get("deobfuscated"):
        parts.append("written out (like “name at domain”) and rebuilt")
    if detail.get("roleBased"):
        parts.append("a role address (info@, contact@…)")
    return "Found " + "; ".join(parts) + "."
