"""Writes for lists, entries, templates and sends.

Plan limits (lists kept, emails a day) are decided under the user's profile row lock, in the
transaction that writes, like every other limit (`trials.services.entitlements`); adding to a
list holds the list's row lock, so two concurrent adds cannot both insert the same creator.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from campaigns.models import Campaign
from core.mail import ProviderEmailMessage
from core.queue import enqueue
from scraping.models import Creator, ScrapingJob
from scraping.selectors import CreatorFilters, campaign_creators, job_creators
from trials.plans import NO_PLAN, Plan
from trials.selectors import plan_for, profile_get
from trials.services.entitlements import blocked, payment_required, plan_label
from trials.services.profiles import profile_lock

from . import selectors
from .merge import merge, one_line
from .models import CreatorList, EmailTemplate, EntryEvent, EntryStatus, ListEntry, OutreachSend

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

Kind = EntryEvent.Kind
SendStatus = OutreachSend.Status
# "Select all matching" re-runs the filter on the server; past this many it asks to narrow it.
MAX_ADD_MATCHING = 5_000
# A worker holds a send this long: past the task timeout (120 s), below the ORM broker's
# re-delivery (180 s), so a re-delivered task finds the send free again.
CLAIM_LEASE = timedelta(seconds=150)
# A send still queued after this long (its deliveries all lost) may be queued again.
STUCK_AFTER = timedelta(minutes=15)
SUBJECT_MAX_LENGTH = OutreachSend._meta.get_field("subject").max_length


class NotRetryable(Exception):
    """The send is not failed (or stuck in the queue): nothing to retry."""


# --- plan limits ----------------------------------------------------------------------------


def _locked_plan(user: "User", what: str) -> Plan | None:
    """The plan in force, read under the profile's row lock (inside the caller's transaction);
    None for staff (never limited). Without a plan in force: PaymentRequired, saying why."""
    if user.is_staff:
        return None
    profile = profile_lock(user)
    now = timezone.now()
    plan = plan_for(profile, now)
    if plan is NO_PLAN:
        raise blocked(profile, now, what=what, kept="your lists")
    return plan


def _lists_allow(user: "User") -> None:
    plan = _locked_plan(user, "create lists")
    if plan is None or plan.lists is None:
        return
    used = selectors.lists_used(user=user)
    if used >= plan.lists:
        raise payment_required(
            f"{plan_label(plan)} allows {plan.lists} list{'s' if plan.lists != 1 else ''} and "
            f"you have {used}. Upgrade your plan or delete a list to create another.",
            "list_limit",
        )


def _sends_allow(user: "User", count: int) -> None:
    """Refuse (PaymentRequired) when `count` more emails today would pass the daily cap."""
    plan = _locked_plan(user, "send emails")
    if plan is None:
        return
    cap = plan.sends_per_day
    left = max(0, cap - selectors.sends_today(user=user))
    if count <= left:
        return
    if left == 0:
        raise payment_required(
            f"You have sent {cap:,} emails today, as many as {plan_label(plan).lower()} "
            "allows a day. Sending starts again at midnight UTC, or upgrade your plan to send "
            "more.",
            "send_limit",
        )
    raise payment_required(
        f"You can send {left:,} more email{'s' if left != 1 else ''} today "
        f"({plan_label(plan).lower()} allows {cap:,} a day) and this batch has {count:,}. "
        "Send fewer, or upgrade your plan.",
        "send_limit",
    )


# --- lists ----------------------------------------------------------------------------------


@transaction.atomic
def list_create(*, owner: "User", name: str, description: str = "") -> CreatorList:
    # Checked in the same transaction as the insert: two requests cannot take the last slot.
    _lists_allow(owner)
    creator_list = CreatorList(owner=owner, name=name.strip(), description=description.strip())
    creator_list.full_clean()
    creator_list.save()
    logger.info("list created", extra={"list_id": str(creator_list.pk)})
    return creator_list


def list_update(*, creator_list: CreatorList, **fields: str) -> CreatorList:
    unknown = set(fields) - {"name", "description"}
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    for name, value in fields.items():
        setattr(creator_list, name, value.strip())
    creator_list.full_clean()
    creator_list.save(update_fields=[*fields, "updated_at"])
    return creator_list


def list_delete(*, creator_list: CreatorList) -> None:
    creator_list.delete()


# --- entries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddResult:
    added: int
    skipped: int  # already in the list (or twice in the request)
    not_found: int = 0  # ids that are not among the user's creators

    @property
    def message(self) -> str:
        parts = [f"Added {self.added} creator{'s' if self.added != 1 else ''}"]
        if self.skipped:
            parts.append(f"{self.skipped} already in the list")
        if self.not_found:
            parts.append(f"{self.not_found} not found")
        return ", ".join(parts) + "."


def _snapshot(creator: Creator) -> dict[str, Any]:
    return {
        "creator": creator,
        "display_name": creator.display_name,
        "username": creator.username,
        "profile_url": creator.profile_url,
        "emails": list(creator.emails),
        "followers": creator.followers,
        "avatar_url": creator.avatar_url,
        "campaign_name": creator.job.campaign.name,
    }


@transaction.atomic
def entries_add(
    *, creator_list: CreatorList, actor: "User", creators: Iterable[Creator]
) -> AddResult:
    """Add creators (Creator rows with `job__campaign` loaded) to the list, each identity once.
    A creator already in the list, or given twice, is skipped."""
    # The list's row lock: concurrent adds to one list wait for each other.
    CreatorList.objects.select_for_update().only("id").get(pk=creator_list.pk)
    present = set(creator_list.entries.values_list("platform", "external_id"))
    new, skipped = [], 0
    for creator in creators:
        key = (creator.platform, creator.external_id)
        if key in present:
            skipped += 1
            continue
        present.add(key)
        new.append(
            ListEntry(
                list=creator_list,
                platform=creator.platform,
                external_id=creator.external_id,
                **_snapshot(creator),
            )
        )
    ListEntry.objects.bulk_create(new)
    EntryEvent.objects.bulk_create(
        EntryEvent(entry=entry, actor=actor, kind=Kind.STATUS, new=EntryStatus.TO_CONTACT)
        for entry in new
    )
    if new:
        CreatorList.objects.filter(pk=creator_list.pk).update(updated_at=timezone.now())
    return AddResult(added=len(new), skipped=skipped)


def entries_add_by_ids(
    *, creator_list: CreatorList, actor: "User", creator_ids: Iterable[str | UUID]
) -> AddResult:
    """Add the actor's creators with these ids (from any results table); ids that are not
    theirs are counted as not found, never added."""
    wanted = {str(i) for i in creator_ids}
    creators = selectors.creators_by_ids(user=actor, creator_ids=wanted)
    result = entries_add(creator_list=creator_list, actor=actor, creators=creators)
    return AddResult(result.added, result.skipped, not_found=len(wanted) - len(creators))


def entries_add_matching(
    *,
    creator_list: CreatorList,
    actor: "User",
    source: ScrapingJob | Campaign,
    params: Mapping[str, Any],
) -> AddResult:
    """Add every creator of a search or a campaign that the results table's filter query
    (`params`: has_email, min_followers, listed, …) matches, re-running the filter here, the
    user's `listed` filter included (the table hid those creators: the button must not add
    them). `source` must already be the actor's. Raises ValidationError on a bad filter or too
    many matches."""
    filters = CreatorFilters.from_params(params)
    if isinstance(source, ScrapingJob):
        creators = job_creators(job=source, filters=filters)
    else:
        creators = campaign_creators(campaign=source, filters=filters)
    creators = selectors.creators_without_listed(creators, user=actor, listed=filters.listed)
    rows = list(creators.select_related("job__campaign")[: MAX_ADD_MATCHING + 1])
    if len(rows) > MAX_ADD_MATCHING:
        raise ValidationError(
            f"More than {MAX_ADD_MATCHING:,} creators match: narrow the filters and add them "
            "in parts."
        )
    return entries_add(creator_list=creator_list, actor=actor, creators=rows)


def _event(entry: ListEntry, actor: "User | None", kind: str, old: str, new: str) -> EntryEvent:
    return EntryEvent.objects.create(entry=entry, actor=actor, kind=kind, old=old, new=new)


@transaction.atomic
def entry_update(
    *,
    entry: ListEntry,
    actor: "User",
    status: str | None = None,
    notes: str | None = None,
    do_not_contact: bool | None = None,
) -> ListEntry:
    """Change an entry's status (any move), notes or do-not-contact flag; each change is
    recorded as an event. Giving a field its current value changes and records nothing."""
    if status is not None and status not in EntryStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(EntryStatus.values)}."})
    if notes is not None:
        notes = _lines(notes).strip()
        if len(notes) > ListEntry.NOTES_MAX_LENGTH:
            raise ValidationError(
                {"notes": f"Keep notes under {ListEntry.NOTES_MAX_LENGTH:,} characters."}
            )
    entry = ListEntry.objects.select_for_update().get(pk=entry.pk)
    changed = []
    if status is not None and status != entry.status:
        _event(entry, actor, Kind.STATUS, entry.status, status)
        entry.status = status
        changed.append("status")
    if notes is not None and notes != entry.notes:
        _event(entry, actor, Kind.NOTE, entry.notes, notes)
        entry.notes = notes
        changed.append("notes")
    if do_not_contact is not None and do_not_contact != entry.do_not_contact:
        _event(entry, actor, Kind.DO_NOT_CONTACT, _yes(entry.do_not_contact), _yes(do_not_contact))
        entry.do_not_contact = do_not_contact
        changed.append("do_not_contact")
    if changed:
        entry.save(update_fields=[*changed, "updated_at"])
    return entry


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def entry_delete(*, entry: ListEntry) -> None:
    entry.delete()


# --- templates ------------------------------------------------------------------------------


def _lines(text: str) -> str:
    """Line breaks as "\n" (browsers post textareas with CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def template_create(*, owner: "User", name: str, subject: str, body: str) -> EmailTemplate:
    template = EmailTemplate(
        owner=owner, name=name.strip(), subject=subject.strip(), body=_lines(body)
    )
    template.full_clean()
    template.save()
    return template


def template_update(*, template: EmailTemplate, **fields: str) -> EmailTemplate:
    unknown = set(fields) - {"name", "subject", "body"}
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    for name, value in fields.items():
        setattr(template, name, _lines(value) if name == "body" else value.strip())
    template.full_clean()
    template.save(update_fields=[*fields, "updated_at"])
    return template


def template_delete(*, template: EmailTemplate) -> None:
    template.delete()


# --- sends ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def sender_name(user: "User") -> str:
    """How the sender signs: the name given at onboarding, else their address."""
    profile = profile_get(user)
    name = profile.full_name.strip() if profile else ""
    return one_line(name) or user.email


def email_render(
    *, template: EmailTemplate, entry: ListEntry, sender: "User", signature: str | None = None
) -> Rendered:
    """The template merged for this entry, as it would be sent now (also the preview).
    `signature`: `sender_name(sender)` when the caller already has it (one query for a batch,
    not one per email)."""
    values = {
        "name": entry.display_name or entry.username,
        "handle": f"@{entry.username}" if entry.username else "",
        "campaign": entry.campaign_name,
        "sender_name": signature if signature is not None else sender_name(sender),
    }
    subject = one_line(merge(template.subject, values))[:SUBJECT_MAX_LENGTH]
    return Rendered(subject=subject, body=merge(template.body, values))


def unsendable_reason(entry: ListEntry) -> str:
    """Why this entry cannot be emailed ("" when it can)."""
    if entry.do_not_contact:
        return f"{entry.label} is marked do not contact."
    if not entry.email:
        return f"{entry.label} has no email address, so it cannot be emailed."
    return ""


@dataclass
class SendBatch:
    queued: list[OutreachSend] = field(default_factory=list)
    skipped: list[tuple[ListEntry, str]] = field(default_factory=list)  # (entry, reason)


@transaction.atomic
def sends_queue(
    *, sender: "User", template: EmailTemplate, entries: Sequence[ListEntry]
) -> SendBatch:
    """Queue one email per entry from the template, each rendered now and sent by a worker.
    Entries that cannot be emailed (do not contact, no address) are skipped with the reason;
    when none can, ValidationError. Over the daily cap: PaymentRequired, and nothing is
    queued."""
    if template.owner_id != sender.pk or any(e.list.owner_id != sender.pk for e in entries):
        raise ValueError("the template and the entries must be the sender's")
    if not entries:
        raise ValidationError({"entries": ["Choose who to email."]})
    batch = SendBatch()
    sendable = []
    for entry in entries:
        reason = unsendable_reason(entry)
        if reason:
            batch.skipped.append((entry, reason))
        else:
            sendable.append(entry)
    if not sendable:
        raise ValidationError({"entries": [reason for _, reason in batch.skipped]})
    _sends_allow(sender, len(sendable))
    now = timezone.now()
    signature = sender_name(sender)
    for entry in sendable:
        rendered = email_render(template=template, entry=entry, sender=sender, signature=signature)
        batch.queued.append(
            OutreachSend(
                owner=sender,
                entry=entry,
                template=template,
                to=entry.email,
                subject=rendered.subject,
                body=rendered.body,
                queued_at=now,
            )
        )
    OutreachSend.objects.bulk_create(batch.queued)
    EntryEvent.objects.bulk_create(
        EntryEvent(
            entry=send.entry, actor=sender, kind=Kind.SEND, new=f"queued to {send.to}", at=now
        )
        for send in batch.queued
    )
    for send in batch.queued:
        # ORM broker: the task row commits with the send (see core.queue).
        enqueue("outreach.tasks.deliver_send", str(send.pk))
    logger.info(
        "outreach sends queued",
        extra={"user_id": sender.pk, "template_id": str(template.pk), "count": len(batch.queued)},
    )
    return batch


def send_can_retry(send: OutreachSend, now: datetime | None = None) -> bool:
    """Failed, or still queued long after it was queued (its deliveries were lost)."""
    if send.status == SendStatus.FAILED:
        return True
    now = now or timezone.now()
    return send.status == SendStatus.QUEUED and send.queued_at < now - STUCK_AFTER


@transaction.atomic
def send_retry(*, send: OutreachSend, actor: "User") -> OutreachSend:
    """Queue the same send again (same address, subject and body). A failed send counts
    against today's cap again; a stuck one already counts. Raises NotRetryable otherwise."""
    if send.status == SendStatus.FAILED:
        _sends_allow(send.owner, 1)
    send = OutreachSend.objects.select_for_update().select_related("entry").get(pk=send.pk)
    if not send_can_retry(send):
        raise NotRetryable(
            f"This email is {send.get_status_display().lower()}: only a failed email can be "
            "sent again."
        )
    if send.entry.do_not_contact:
        raise ValidationError(f"{send.entry.label} is marked do not contact.")
    old = send.status
    now = timezone.now()
    if old == SendStatus.FAILED:
        send.status, send.error = SendStatus.QUEUED, ""
        send.queued_at, send.claimed_until = now, None
        send.save(update_fields=["status", "error", "queued_at", "claimed_until", "updated_at"])
    _event(send.entry, actor, Kind.SEND, old, f"queued again to {send.to}")
    # A stuck send may still be delivered by its first task: the claim lets only one send it.
    enqueue("outreach.tasks.deliver_send", str(send.pk))
    return send


def _from_address(user: "User") -> str:
    """The product's address, named after the sender ("Ana Ruiz via Creatorscope")."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{sender_name(user)} via {settings.PRODUCT_NAME}", address))


def send_deliver(*, send_id: str | UUID) -> OutreachSend | None:
    """Claim, send and record one queued email (the worker task). Returns the send as it
    ends, or None when it is not queued or another worker holds it."""
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    claimed = OutreachSend.objects.filter(free, pk=send_id, status=SendStatus.QUEUED).update(
        claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    send = OutreachSend.objects.select_related("entry", "owner").get(pk=send_id)
    if send.entry.do_not_contact:
        return _send_finish(send, SendStatus.FAILED, error="Not sent: marked do not contact.")
    message = ProviderEmailMessage(
        subject=send.subject,
        body=send.body,
        from_email=_from_address(send.owner),
        to=[send.to],
        # Replies go to the user, not to us.
        reply_to=[send.owner.email] if send.owner.email else [],
    )
    message.tags = ["outreach"]  # anymail: provider-side tagging; ignored elsewhere
    message.metadata = {"outreach_send_id": str(send.pk)}
    try:
        message.send()
    except Exception as exc:  # the provider boundary: any failure is recorded, retryable
        logger.warning("outreach send failed", extra={"send_id": str(send.pk), "error": str(exc)})
        return _send_finish(send, SendStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
    provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    _send_finish(
        send,
        SendStatus.SENT,
        sent_at=timezone.now(),
        provider_message_id="" if provider_id is None else str(provider_id)[:255],
    )
    # Sent means contacted: a creator still "to contact" moves on (recorded, by the system).
    moved = ListEntry.objects.filter(pk=send.entry_id, status=EntryStatus.TO_CONTACT).update(
        status=EntryStatus.CONTACTED, updated_at=timezone.now()
    )
    if moved:
        _event(send.entry, None, Kind.STATUS, EntryStatus.TO_CONTACT, EntryStatus.CONTACTED)
    logger.info("outreach send sent", extra={"send_id": str(send.pk)})
    return send


def _send_finish(send: OutreachSend, status: str, **fields: object) -> OutreachSend:
    fields.setdefault("error", "")
    OutreachSend.objects.filter(pk=send.pk, status=SendStatus.QUEUED).update(
        status=status, claimed_until=None, updated_at=timezone.now(), **fields
    )
    for name, value in {"status": status, **fields}.items():
        setattr(send, name, value)
    outcome = f"sent to {send.to}" if status == SendStatus.SENT else f"failed: {send.error}"
    _event(send.entry, None, Kind.SEND, SendStatus.QUEUED, outcome)
    return send
