"""Contact extraction for creator profiles: emails with provenance, links, other handles.

Pure Python (no Django), used by every platform adapter and search. Modules, one job each:
fold (character clean-up), obfuscation (spelled-out addresses), emails (free text and
dedicated fields), roles (role-based inboxes), links (URLs), url_emails (addresses inside
links), handles (other-platform handles), provenance (each email source in words, for the
results page and the exports), profile (``extract_contacts``), tlds (domain lists).

Provenance codes (``EmailDetail.source``):
    bio             the profile's bio / description text
    bio_link        a link-in-bio field (TikTok bioLink, Instagram bio_links, YouTube links):
                    a ``mailto:`` link, an address in the URL, or a field holding an address
    channel_email   YouTube's channel email field
    business_email  Instagram's business / public email field
    external_url    the profile's external URL field

Merge order in ``extract_contacts``: bio, then bio_link, then the email fields, then
external_url. An address is reported once, with the provenance of its first occurrence, so an
address in both the bio and business_email is reported with source "bio". Within one source,
addresses keep their order of appearance.
"""

from .emails import (
    EMAIL_SOURCES,
    EmailDetail,
    email_from_field,
    extract_emails,
    merge_emails,
)
from .handles import NETWORK_LABELS, social_handles
from .links import extract_urls, normalise_links
from .profile import ContactInfo, extract_contacts
from .roles import is_role_based
from .url_emails import emails_in_urls

__all__ = [
    "EMAIL_SOURCES",
    "NETWORK_LABELS",
    "ContactInfo",
    "EmailDetail",
    "email_from_field",
    "emails_in_urls",
    "extract_contacts",
    "extract_emails",
    "extract_urls",
    "is_role_based",
    "merge_emails",
    "normalise_links",
    "social_handles",
]
