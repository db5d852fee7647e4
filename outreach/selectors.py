"""Reads for lists, entries, templates and sends: every queryset is scoped to its owner.

For the results table (search and campaign pages):
- `creator_marks(user=, creators=)`: which creators of a page are in the user's lists and
  which were contacted, in one query;
- `exclude_listed(creators, user=, contacted_only=False)`: a creator queryset without the
  creators already in one of the user's lists (or only without those contacted);
- `results_table_context(user=, creators=)`: both things the partials
  `outreach/_creator_actions.html` and `outreach/_bulk_add.html` need.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from scraping.models import Creator

from .models import (
    CONTACTED_STATUSES,
    CreatorList,
    EmailTemplate,
    EntryEvent,
    EntryStatus,
    ListEntry,
    OutreachSend,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class LatestSend(TypedDict):
    """What `list_entries` annotates on each entry."""

    last_send_id: UUID | None
    last_send_status: str | None
    last_send_error: str | None
    send_count: int


class SentCounts(TypedDict):
    """What `export_rows` annotates on each entry."""

    sent_count: int
    last_sent_at: datetime | None


if TYPE_CHECKING:
    EntryWithLatestSend = WithAnnotations[ListEntry, LatestSend]
    EntryWithSentCounts = WithAnnotations[ListEntry, SentCounts]

# --- lists ------------------------------------------------------------------------------------


def list_list(*, user) -> QuerySet[CreatorList]:
    return CreatorList.objects.filter(owner=user)


def list_get(*, user, list_id) -> CreatorList:
    """The user's list, or Http404 (another user's list does not exist for them)."""
    return get_object_or_404(list_list(user=user), pk=list_id)


def lists_with_counts(*, user) -> QuerySet[CreatorList]:
    """The user's lists, newest first, each with `entry_count` and a count per status
    (`n_to_contact`, `n_contacted`, …): one query."""
    per_status = {
        f"n_{status}": Count("entries", filter=Q(entries__status=status))
        for status in EntryStatus.values
    }
    return list_list(user=user).annotate(entry_count=Count("entries"), **per_status)


def list_choices(*, user) -> list[CreatorList]:
    """The user's lists for an "add to list" control: id and name, by name."""
    return list(list_list(user=user).only("id", "name").order_by("name", "created_at"))


def status_counts(*, creator_list: CreatorList) -> dict[str, int]:
    """Entries per status, every status present (0 when empty), in pipeline order."""
    rows = dict(
        creator_list.entries.order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: rows.get(status, 0) for status in EntryStatus.values}


def lists_used(*, user) -> int:
    return list_list(user=user).count()


# --- entries ----------------------------------------------------------------------------------


def _entry_scope(*, user) -> QuerySet[ListEntry]:
    return ListEntry.objects.filter(list__owner=user)


def entry_get(*, user, entry_id, list_id=None) -> ListEntry:
    """The user's entry (of that list, when given), or Http404."""
    entries = _entry_scope(user=user).select_related("list")
    if list_id is not None:
        entries = entries.filter(list_id=list_id)
    return get_object_or_404(entries, pk=entry_id)


def list_entries(
    *, creator_list: CreatorList, status: str | None = None
) -> "QuerySet[EntryWithLatestSend]":
    """A list's entries in the order added, each with its latest send (`last_send_id`,
    `last_send_status`, `last_send_error`) and `send_count`: one query."""
    latest = OutreachSend.objects.filter(entry=OuterRef("pk")).order_by("-queued_at", "-created_at")
    entries = creator_list.entries.annotate(
        last_send_id=Subquery(latest.values("id")[:1]),
        last_send_status=Subquery(latest.values("status")[:1]),
        last_send_error=Subquery(latest.values("error")[:1]),
        send_count=Count("sends"),
    )
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("created_at", "id")


def entries_by_ids(*, creator_list: CreatorList, entry_ids: Iterable) -> list[ListEntry]:
    """Entries of this list among `entry_ids` (ids of other lists or users are left out)."""
    return list(creator_list.entries.filter(pk__in=list(entry_ids)).order_by("created_at", "id"))


def entries_for_ids(*, user, entry_ids: Iterable) -> list[ListEntry]:
    """The user's entries (of any list) among `entry_ids`, with their list."""
    return list(
        _entry_scope(user=user)
        .filter(pk__in=list(entry_ids))
        .select_related("list")
        .order_by("created_at", "id")
    )


def entry_events(*, entry: ListEntry) -> QuerySet[EntryEvent]:
    return entry.events.select_related("actor").order_by("-at", "-id")


def entry_sends(*, entry: ListEntry) -> QuerySet[OutreachSend]:
    return entry.sends.select_related("template").order_by("-queued_at", "-created_at")


def export_rows(*, creator_list: CreatorList) -> "QuerySet[EntryWithSentCounts]":
    """Entries for the export, with `sent_count` and `last_sent_at`: one query."""
    sent = Q(sends__status=OutreachSend.Status.SENT)
    latest_sent = (
        OutreachSend.objects.filter(entry=OuterRef("pk"), status=OutreachSend.Status.SENT)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    return creator_list.entries.annotate(
        sent_count=Count("sends", filter=sent), last_sent_at=Subquery(latest_sent)
    ).order_by("created_at", "id")


# --- templates and sends ----------------------------------------------------------------------


def template_list(*, user) -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.filter(owner=user).order_by("name", "created_at")


def template_get(*, user, template_id) -> EmailTemplate:
    return get_object_or_404(template_list(user=user), pk=template_id)


def send_get(*, user, send_id) -> OutreachSend:
    return get_object_or_404(
        OutreachSend.objects.filter(owner=user).select_related("entry__list"), pk=send_id
    )


def day_start(now: datetime | None = None) -> datetime:
    """Midnight UTC of today: the daily send cap counts from there."""
    now = (now or timezone.now()).astimezone(UTC)
    return datetime.combine(now.date(), time.min, tzinfo=UTC)


def sends_today(*, user, now: datetime | None = None) -> int:
    """Emails queued or sent today (UTC) by this user: what the daily cap counts. A failed
    send does not count (a retry counts again when it is queued)."""
    return OutreachSend.objects.filter(
        owner=user,
        queued_at__gte=day_start(now),
        status__in=(OutreachSend.Status.QUEUED, OutreachSend.Status.SENT),
    ).count()


# --- creators of the results table ------------------------------------------------------------


@dataclass
class CreatorMark:
    """What the user's lists say about one creator: the lists it is in, and whether it was
    contacted (an entry past "to contact", or a send that went out)."""

    lists: list[CreatorList] = field(default_factory=list)
    contacted: bool = False


def _contacted(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": CONTACTED_STATUSES}) | Q(
        **{f"{prefix}sends__status": OutreachSend.Status.SENT}
    )


def creator_marks(*, user, creators: Iterable[Creator]) -> dict[tuple[str, str], CreatorMark]:
    """For a page of creators: (platform, external_id) → CreatorMark, for the creators in
    at least one of the user's lists (others are absent). One query."""
    keys = {(c.platform, c.external_id) for c in creators}
    if not keys:
        return {}
    was_sent = OutreachSend.objects.filter(entry=OuterRef("pk"), status=OutreachSend.Status.SENT)
    rows = (
        _entry_scope(user=user)
        .filter(platform__in={p for p, _ in keys}, external_id__in={e for _, e in keys})
        .annotate(was_sent=Exists(was_sent))
        .select_related("list")
        .only("platform", "external_id", "status", "list__id", "list__name")
        .order_by("list__name", "list__created_at")
    )
    marks: dict[tuple[str, str], CreatorMark] = {}
    for entry in rows:
        key = (entry.platform, entry.external_id)
        if key not in keys:
            continue
        mark = marks.setdefault(key, CreatorMark())
        mark.lists.append(entry.list)
        mark.contacted = mark.contacted or entry.status in CONTACTED_STATUSES or entry.was_sent
    return marks


def exclude_listed(
    creators: QuerySet[Creator], *, user, contacted_only: bool = False
) -> QuerySet[Creator]:
    """`creators` without those already in one of the user's lists, or, with
    `contacted_only`, without those already contacted. Keeps the queryset's order."""
    entries = _entry_scope(user=user).filter(
        platform=OuterRef("platform"), external_id=OuterRef("external_id")
    )
    if contacted_only:
        entries = entries.filter(_contacted())
    return creators.filter(~Exists(entries))


def creators_without_listed(creators: QuerySet[Creator], *, user, listed: str) -> QuerySet[Creator]:
    """The results tables' `listed` filter: "hide" leaves out creators already in one of the
    user's lists, "hide_contacted" only those already contacted; "" keeps every one."""
    if not listed:
        return creators
    return exclude_listed(creators, user=user, contacted_only=listed == "hide_contacted")


def results_table_context(*, user, creators: Iterable[Creator]) -> dict:
    """What the results-table partials need, for one page of creators: `outreach_marks`
    (see `creator_marks`; look one up with the `mark_for` filter of `outreach_tags`) and
    `outreach_lists` (the user's lists, for the add-to-list controls). Two queries."""
    return {
        "outreach_marks": creator_marks(user=user, creators=creators),
        "outreach_lists": list_choices(user=user),
    }


def creators_by_ids(*, user, creator_ids: Iterable) -> list[Creator]:
    """The user's creators among `creator_ids` (from any of their searches), with the search
    and campaign loaded; other users' ids are left out."""
    return list(
        Creator.objects.filter(job__owner=user, pk__in=list(creator_ids))
        .select_related("job__campaign")
        .defer("raw")
        .order_by("created_at", "id")
    )
