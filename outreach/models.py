"""Shortlists of creators and the outreach to them: lists, their entries (one per creator
identity), each entry's history, email templates and every email sent."""

import builtins

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import UUIDModel
from scraping.models import Platform


class CreatorList(UUIDModel):
    """A user's shortlist of creators, across campaigns."""

    NAME_MAX_LENGTH = 120
    DESCRIPTION_MAX_LENGTH = 2000

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creator_lists"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="creatorlist_owner_recent")]

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    TO_CONTACT = "to_contact", "To contact"
    CONTACTED = "contacted", "Contacted"
    REPLIED = "replied", "Replied"
    AGREED = "agreed", "Agreed"
    DECLINED = "declined", "Declined"


# A creator in one of these states has been reached (so has one with a successful send).
CONTACTED_STATUSES = (
    EntryStatus.CONTACTED,
    EntryStatus.REPLIED,
    EntryStatus.AGREED,
    EntryStatus.DECLINED,
)


class ListEntry(UUIDModel):
    """One creator in one list, keyed by identity (platform and upstream id), not by the
    Creator row: the same creator found by two searches is one entry. The snapshot keeps the
    entry readable after its search is deleted (the `creator` link is then empty)."""

    NOTES_MAX_LENGTH = 5000

    list = models.ForeignKey(CreatorList, on_delete=models.CASCADE, related_name="entries")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    creator = models.ForeignKey(
        "scraping.Creator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="list_entries",
        help_text="The search result it was added from (empty once that search is deleted).",
    )
    # Snapshot, taken when the creator was added.
    display_name = models.CharField(max_length=255, blank=True)
    username = models.CharField(max_length=255, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    # (`list` is the field above in this class body, hence builtins.list.)
    emails = models.JSONField(default=builtins.list, blank=True)
    followers = models.BigIntegerField(null=True, blank=True)
    avatar_url = models.TextField(blank=True)
    campaign_name = models.CharField(max_length=120, blank=True)

    status = models.CharField(
        max_length=12, choices=EntryStatus.choices, default=EntryStatus.TO_CONTACT
    )
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
    do_not_contact = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["list", "platform", "external_id"], name="listentry_unique_creator"
            )
        ]
        indexes = [
            models.Index(fields=["list", "status"], name="listentry_list_status"),
            # "Already in a list / contacted" looks creators up by identity.
            models.Index(fields=["platform", "external_id"], name="listentry_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.platform})"

    @property
    def label(self) -> str:
        return self.display_name or (f"@{self.username}" if self.username else self.external_id)

    @property
    def email(self) -> str:
        """The address sends go to: the first one found."""
        return self.emails[0] if self.emails else ""


class EntryEvent(models.Model):
    """One change to an entry: who (empty for the system), what, when."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status"
        NOTE = "note", "Note"
        SEND = "send", "Send"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["entry", "at"], name="entryevent_entry_at")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.old} → {self.new}"


class EmailTemplate(UUIDModel):
    """A reusable email with merge fields ({name}, {handle}, {campaign}, {sender_name})."""

    NAME_MAX_LENGTH = 120
    SUBJECT_MAX_LENGTH = 200
    BODY_MAX_LENGTH = 10_000

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_templates"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(max_length=BODY_MAX_LENGTH)

    class Meta:
        ordering = ["name", "created_at"]
        indexes = [models.Index(fields=["owner", "name"], name="emailtemplate_owner_name")]

    def __str__(self) -> str:
        return self.name


class OutreachSend(UUIDModel):
    """One email to one entry, rendered when it was queued; a retry sends the same row."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    # The sender, kept on the row: the daily cap counts per owner and day.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outreach_sends"
    )
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="sends")
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="sends"
    )
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    # A worker holds the send until then (a worker that died lets the next delivery take it).
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-queued_at", "-created_at"]
        indexes = [
            models.Index(fields=["owner", "queued_at"], name="outreachsend_owner_day"),
            models.Index(fields=["entry", "status"], name="outreachsend_entry_status"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


SendStatus = OutreachSend.Status
