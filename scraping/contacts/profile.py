"""The one call platform adapters make: everything contact-related in a creator profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from .emails import EmailDetail, email_from_field, extract_emails, merge_emails
from .handles import social_handles
from .links import extract_urls, normalise_links
from .url_emails import emails_in_urls


@dataclass
class ContactInfo:
    bio: str
    emails: list[EmailDetail] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    handles: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "bio": self.bio,
            "emails": [e.as_dict() for e in self.emails],
            "links": list(self.links),
            "handles": dict(self.handles),
        }


def extract_contacts(
    *,
    bio: str | None,
    link_fields: object = (),
    email_fields: dict[str, str | None] | None = None,
    external_url: str | None = None,
) -> ContactInfo:
    """Emails, links and other-platform handles of one profile.

    ``link_fields``: TikTok ``bioLink``, Instagram ``bio_links``, YouTube ``links`` ... in any
    shape ``normalise_links`` accepts. ``email_fields``: source code -> field value, e.g.
    ``{"channel_email": yt_email}`` or ``{"business_email": ig_email}``.
    Emails are merged bio, bio_link, email fields (in dict order), external_url; the first
    occurrence of an address keeps its provenance.
    """
    bio = bio or ""
    field_emails = [
        email_from_field(value, source=source) for source, value in (email_fields or {}).items()
    ]
    external = [external_url] if external_url else []
    emails = merge_emails(
        extract_emails(bio, source="bio"),
        emails_in_urls(link_fields or (), source="bio_link"),
        *field_emails,
        emails_in_urls(external, source="external_url"),
    )
    links: list[str] = []
    for url in extract_urls(bio) + normalise_links(link_fields) + normalise_links(external):
        if url not in links:
            links.append(url)
    return ContactInfo(bio=bio, emails=emails, links=links, handles=social_handles(links))
