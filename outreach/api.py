"""REST endpoints for lists, their entries, email templates and sends.

Same authentication, error format and throttle as the rest of the API (`core.api`);
another user's list, entry, template or send is a 404; plan limits answer 402.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from campaigns.selectors import campaign_get
from core.api import ERROR_SCHEMA as ERROR
from core.api import ApiView, Conflict, django_errors, iso_time, no_store, paging
from imageproxy.signing import proxied_image_url
from scraping.models import Platform
from scraping.selectors import job_get
from scraping.transform.values import safe_http_url
from sysconfig.throttles import PollThrottle

from . import selectors, services
from .models import CreatorList, EmailTemplate, EntryEvent, EntryStatus, ListEntry, OutreachSend

if TYPE_CHECKING:
    from .selectors import EntryWithLatestSend

MAX_SEND_IDS = 200
PAGE_PARAMS = [
    OpenApiParameter("page", int, description="1-based page number, up to 1,000,000"),
    OpenApiParameter("page_size", int, description="items per page, 1–200 (default 50)"),
]


# --- shapes ---------------------------------------------------------------------------------


class StatusCounts(serializers.Serializer):
    to_contact = serializers.IntegerField()
    contacted = serializers.IntegerField()
    replied = serializers.IntegerField()
    agreed = serializers.IntegerField()
    declined = serializers.IntegerField()


class ListOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    entryCount = serializers.IntegerField()
    counts = StatusCounts()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class ListIn(serializers.Serializer):
    name = serializers.CharField(max_length=CreatorList.NAME_MAX_LENGTH)
    description = serializers.CharField(
        max_length=CreatorList.DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class LastSend(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=OutreachSend.Status.choices)
    error = serializers.CharField(allow_blank=True)


class EntryOut(serializers.Serializer):
    id = serializers.UUIDField()
    listId = serializers.UUIDField()
    creatorId = serializers.UUIDField(allow_null=True)
    platform = serializers.ChoiceField(choices=Platform.values)
    externalId = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    username = serializers.CharField(allow_blank=True)
    profileUrl = serializers.CharField(allow_blank=True)
    avatarUrl = serializers.CharField()
    emails = serializers.ListField(child=serializers.CharField())
    followers = serializers.IntegerField(allow_null=True)
    campaign = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=EntryStatus.choices)
    notes = serializers.CharField(allow_blank=True)
    doNotContact = serializers.BooleanField()
    lastSend = LastSend(allow_null=True)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class EntryPatch(serializers.Serializer):
    status = serializers.ChoiceField(choices=EntryStatus.choices, required=False)
    notes = serializers.CharField(
        max_length=ListEntry.NOTES_MAX_LENGTH, allow_blank=True, required=False
    )
    doNotContact = serializers.BooleanField(required=False)


class EntriesAdd(serializers.Serializer):
    """One of: creatorIds; or jobId or campaignId with the results table's filter query."""

    creatorIds = serializers.ListField(
        child=serializers.UUIDField(), required=False, min_length=1, max_length=1000
    )
    jobId = serializers.UUIDField(required=False)
    campaignId = serializers.UUIDField(required=False)
    filters = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="The results table's query string, e.g. has_email=true&min_followers=10k",
    )

    def validate(self, data):
        given = [k for k in ("creatorIds", "jobId", "campaignId") if k in data]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": ["Give exactly one of creatorIds, jobId or campaignId."]}
            )
        if "filters" in data and "creatorIds" in data:
            raise serializers.ValidationError(
                {"filters": ["Filters go with jobId or campaignId, not with creatorIds."]}
            )
        return data


class AddOut(serializers.Serializer):
    added = serializers.IntegerField()
    skipped = serializers.IntegerField()
    notFound = serializers.IntegerField()


class EventOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntryEvent.Kind.values)
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)
    actor = serializers.CharField(allow_null=True, help_text="email; null for the system")
    at = serializers.DateTimeField()


class TemplateOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class TemplateIn(serializers.Serializer):
    name = serializers.CharField(max_length=EmailTemplate.NAME_MAX_LENGTH)
    subject = serializers.CharField(max_length=EmailTemplate.SUBJECT_MAX_LENGTH)
    body = serializers.CharField(max_length=EmailTemplate.BODY_MAX_LENGTH, trim_whitespace=False)


class PreviewOut(serializers.Serializer):
    to = serializers.CharField(allow_blank=True)
    subject = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    sendable = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


class SendOut(serializers.Serializer):
    id = serializers.UUIDField()
    entryId = serializers.UUIDField()
    templateId = serializers.UUIDField(allow_null=True)
    to = serializers.CharField()
    subject = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=OutreachSend.Status.choices)
    error = serializers.CharField(allow_blank=True)
    attempts = serializers.IntegerField()
    queuedAt = serializers.DateTimeField()
    sentAt = serializers.DateTimeField(allow_null=True)


class SendsIn(serializers.Serializer):
    templateId = serializers.UUIDField()
    entryIds = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=MAX_SEND_IDS
    )


class Skipped(serializers.Serializer):
    entryId = serializers.UUIDField()
    reason = serializers.CharField()


class SendsOut(serializers.Serializer):
    queued = SendOut(many=True)
    skipped = Skipped(many=True)


def list_out(creator_list: CreatorList, counts: dict[str, int]) -> dict:
    return {
        "id": str(creator_list.pk),
        "name": creator_list.name,
        "description": creator_list.description,
        "entryCount": sum(counts.values()),
        "counts": counts,
        "createdAt": iso_time(creator_list.created_at),
        "updatedAt": iso_time(creator_list.updated_at),
    }


def _counts_of(annotated: CreatorList) -> dict[str, int]:
    return {status: getattr(annotated, f"n_{status}") for status in EntryStatus.values}


def entry_out(entry: "EntryWithLatestSend", request) -> dict:
    last = None
    if getattr(entry, "last_send_id", None):
        last = {
            "id": str(entry.last_send_id),
            "status": entry.last_send_status,
            "error": entry.last_send_error,
        }
    return {
        "id": str(entry.pk),
        "listId": str(entry.list_id),
        "creatorId": str(entry.creator_id) if entry.creator_id else None,
        "platform": entry.platform,
        "externalId": entry.external_id,
        "name": entry.display_name or entry.username,
        "username": entry.username,
        "profileUrl": safe_http_url(entry.profile_url),
        "avatarUrl": request.build_absolute_uri(proxied_image_url(entry.avatar_url, entry.label)),
        "emails": list(entry.emails),
        "followers": entry.followers,
        "campaign": entry.campaign_name,
        "status": entry.status,
        "notes": entry.notes,
        "doNotContact": entry.do_not_contact,
        "lastSend": last,
        "createdAt": iso_time(entry.created_at),
        "updatedAt": iso_time(entry.updated_at),
    }


def _entry_annotated(entry: ListEntry) -> "EntryWithLatestSend":
    """The entry again with its latest send (as the list of entries shows it)."""
    return selectors.list_entries(creator_list=entry.list).get(pk=entry.pk)


def template_out(template: EmailTemplate) -> dict:
    return {
        "id": str(template.pk),
        "name": template.name,
        "subject": template.subject,
        "body": template.body,
        "createdAt": iso_time(template.created_at),
        "updatedAt": iso_time(template.updated_at),
    }


def send_out(send: OutreachSend) -> dict:
    return {
        "id": str(send.pk),
        "entryId": str(send.entry_id),
        "templateId": str(send.template_id) if send.template_id else None,
        "to": send.to,
        "subject": send.subject,
        "body": send.body,
        "status": send.status,
        "error": send.error,
        "attempts": send.attempts,
        "queuedAt": iso_time(send.queued_at),
        "sentAt": iso_time(send.sent_at),
    }


# --- lists ----------------------------------------------------------------------------------


class OutreachView(ApiView):
    throttle_classes = [PollThrottle]


class ListListView(OutreachView):
    @extend_schema(
        operation_id="lists_list",
        responses={
            200: inline_serializer("CreatorListList", {"results": ListOut(many=True)}),
            401: ERROR,
        },
    )
    def get(self, request):
        lists = selectors.lists_with_counts(user=request.user)
        return no_store(Response({"results": [list_out(x, _counts_of(x)) for x in lists]}))

    @extend_schema(request=ListIn, responses={201: ListOut, 400: ERROR, 401: ERROR, 402: ERROR})
    def post(self, request):
        body = ListIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            creator_list = services.list_create(owner=request.user, **body.validated_data)
        except ValidationError as exc:
            raise django_errors(exc, {}) from None
        counts = selectors.status_counts(creator_list=creator_list)
        return Response(list_out(creator_list, counts), status=201)


class ListDetailView(OutreachView):
    @extend_schema(responses={200: ListOut, 401: ERROR, 404: ERROR})
    def get(self, request, list_id):
        creator_list = selectors.list_get(user=request.user, list_id=list_id)
        counts = selectors.status_counts(creator_list=creator_list)
        return no_store(Response(list_out(creator_list, counts)))

    @extend_schema(
        request=ListIn(partial=True), responses={200: ListOut, 400: ERROR, 401: ERROR, 404: ERROR}
    )
    def patch(self, request, list_id):
        creator_list = selectors.list_get(user=request.user, list_id=list_id)
        body = ListIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = {k: v for k, v in body.validated_data.items() if k in _sent(body)}
        try:
            services.list_update(creator_list=creator_list, **fields)
        except ValidationError as exc:
            raise django_errors(exc, {}) from None
        counts = selectors.status_counts(creator_list=creator_list)
        return Response(list_out(creator_list, counts))

    @extend_schema(request=None, responses={204: None, 401: ERROR, 404: ERROR})
    def delete(self, request, list_id):
        creator_list = selectors.list_get(user=request.user, list_id=list_id)
        services.list_delete(creator_list=creator_list)
        return Response(status=204)


def _sent(body: serializers.Serializer) -> set[str]:
    """Fields the client actually sent (a partial update changes only those)."""
    return set(body.initial_data) if hasattr(body.initial_data, "keys") else set()


# --- entries --------------------------------------------------------------------------------


class ListEntriesView(OutreachView):
    @extend_schema(
        operation_id="list_entries_list",
        parameters=[
            *PAGE_PARAMS,
            OpenApiParameter("status", str, enum=EntryStatus.values, description="one column"),
        ],
        responses={
            200: inline_serializer(
                "EntryPage",
                {"count": serializers.IntegerField(), "results": EntryOut(many=True)},
            ),
            400: ERROR,
            401: ERROR,
            404: ERROR,
        },
    )
    def get(self, request, list_id):
        creator_list = selectors.list_get(user=request.user, list_id=list_id)
        status = request.query_params.get("status") or None
        if status is not None and status not in EntryStatus.values:
            raise exceptions.ValidationError(
                {"status": [f"Use one of: {', '.join(EntryStatus.values)}."]}
            )
        size, number = paging(request)
        entries = selectors.list_entries(creator_list=creator_list, status=status)
        page = list(entries[(number - 1) * size : number * size])
        results = [entry_out(entry, request) for entry in page]
        return no_store(Response({"count": entries.count(), "results": results}))

    @extend_schema(
        request=EntriesAdd,
        responses={200: AddOut, 400: ERROR, 401: ERROR, 402: ERROR, 404: ERROR},
        description="Add creators by id (from any of your results), or every creator of one "
        "of your searches (jobId) or campaigns (campaignId) that the filter query matches. A "
        "creator already in the list is skipped; ids that are not yours count as notFound.",
    )
    def post(self, request, list_id):
        creator_list = selectors.list_get(user=request.user, list_id=list_id)
        body = EntriesAdd(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "creatorIds" in data:
            result = services.entries_add_by_ids(
                creator_list=creator_list, actor=request.user, creator_ids=data["creatorIds"]
            )
        else:
            if "jobId" in data:
                source = job_get(user=request.user, job_id=data["jobId"])
            else:
                source = campaign_get(user=request.user, campaign_id=data["campaignId"])
            try:
                result = services.entries_add_matching(
                    creator_list=creator_list,
                    actor=request.user,
                    source=source,
                    params=QueryDict(data.get("filters", "")),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):  # a filter parameter the table would refuse
                    problems = [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
                    raise exceptions.ValidationError({"filters": problems}) from None
                raise django_errors(exc, {}) from None
        out = {"added": result.added, "skipped": result.skipped, "notFound": result.not_found}
        return Response(out)


class EntryDetailView(OutreachView):
    @extend_schema(responses={200: EntryOut, 401: ERROR, 404: ERROR})
    def get(self, request, entry_id):
        entry = selectors.entry_get(user=request.user, entry_id=entry_id)
        return no_store(Response(entry_out(_entry_annotated(entry), request)))

    @extend_schema(
        request=EntryPatch, responses={200: EntryOut, 400: ERROR, 401: ERROR, 404: ERROR}
    )
    def patch(self, request, entry_id):
        entry = selectors.entry_get(user=request.user, entry_id=entry_id)
        body = EntryPatch(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            entry = services.entry_update(
                entry=entry,
                actor=request.user,
                status=data.get("status"),
                notes=data.get("notes"),
                do_not_contact=data.get("doNotContact"),
            )
        except ValidationError as exc:
            raise django_errors(exc, {"do_not_contact": "doNotContact"}) from None
        return Response(entry_out(_entry_annotated(entry), request))

    @extend_schema(request=None, responses={204: None, 401: ERROR, 404: ERROR})
    def delete(self, request, entry_id):
        entry = selectors.entry_get(user=request.user, entry_id=entry_id)
        services.entry_delete(entry=entry)
        return Response(status=204)


class EntryEventsView(OutreachView):
    @extend_schema(
        operation_id="entry_events_list",
        responses={
            200: inline_serializer("EntryEventList", {"results": EventOut(many=True)}),
            401: ERROR,
            404: ERROR,
        },
    )
    def get(self, request, entry_id):
        entry = selectors.entry_get(user=request.user, entry_id=entry_id)
        events = [
            {
                "kind": e.kind,
                "old": e.old,
                "new": e.new,
                "actor": e.actor.email if e.actor else None,
                "at": iso_time(e.at),
            }
            for e in selectors.entry_events(entry=entry)
        ]
        return no_store(Response({"results": events}))


class EntrySendsView(OutreachView):
    @extend_schema(
        operation_id="entry_sends_list",
        responses={
            200: inline_serializer("EntrySendList", {"results": SendOut(many=True)}),
            401: ERROR,
            404: ERROR,
        },
    )
    def get(self, request, entry_id):
        entry = selectors.entry_get(user=request.user, entry_id=entry_id)
        sends = [send_out(s) for s in selectors.entry_sends(entry=entry)]
        return no_store(Response({"results": sends}))


class EntryPreviewView(OutreachView):
    @extend_schema(
        parameters=[OpenApiParameter("templateId", str, required=True)],
        responses={200: PreviewOut, 400: ERROR, 401: ERROR, 404: ERROR},
        description="The template merged for this entry, as it would be sent now.",
    )
    def get(self, request, entry_id):
        entry = selectors.entry_get(user=request.user, entry_id=entry_id)
        field = serializers.UUIDField()
        try:
            template_id = field.to_internal_value(request.query_params.get("templateId", ""))
        except serializers.ValidationError:
            raise exceptions.ValidationError(
                {"templateId": ["Give the id of one of your templates."]}
            ) from None
        template = selectors.template_get(user=request.user, template_id=template_id)
        rendered = services.email_render(template=template, entry=entry, sender=request.user)
        reason = services.unsendable_reason(entry)
        out = {
            "to": entry.email,
            "subject": rendered.subject,
            "body": rendered.body,
            "sendable": not reason,
            "reason": reason,
        }
        return no_store(Response(out))


# --- templates ------------------------------------------------------------------------------


class TemplateListView(OutreachView):
    @extend_schema(
        operation_id="email_templates_list",
        responses={
            200: inline_serializer("EmailTemplateList", {"results": TemplateOut(many=True)}),
            401: ERROR,
        },
    )
    def get(self, request):
        templates = selectors.template_list(user=request.user)
        return no_store(Response({"results": [template_out(t) for t in templates]}))

    @extend_schema(request=TemplateIn, responses={201: TemplateOut, 400: ERROR, 401: ERROR})
    def post(self, request):
        body = TemplateIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            template = services.template_create(owner=request.user, **body.validated_data)
        except ValidationError as exc:
            raise django_errors(exc, {}) from None
        return Response(template_out(template), status=201)


class TemplateDetailView(OutreachView):
    @extend_schema(responses={200: TemplateOut, 401: ERROR, 404: ERROR})
    def get(self, request, template_id):
        template = selectors.template_get(user=request.user, template_id=template_id)
        return no_store(Response(template_out(template)))

    @extend_schema(
        request=TemplateIn(partial=True),
        responses={200: TemplateOut, 400: ERROR, 401: ERROR, 404: ERROR},
    )
    def patch(self, request, template_id):
        template = selectors.template_get(user=request.user, template_id=template_id)
        body = TemplateIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = {k: v for k, v in body.validated_data.items() if k in _sent(body)}
        try:
            services.template_update(template=template, **fields)
        except ValidationError as exc:
            raise django_errors(exc, {}) from None
        return Response(template_out(template))

    @extend_schema(request=None, responses={204: None, 401: ERROR, 404: ERROR})
    def delete(self, request, template_id):
        template = selectors.template_get(user=request.user, template_id=template_id)
        services.template_delete(template=template)
        return Response(status=204)


# --- sends ----------------------------------------------------------------------------------


class SendListView(OutreachView):
    @extend_schema(
        request=SendsIn,
        responses={202: SendsOut, 400: ERROR, 401: ERROR, 402: ERROR, 404: ERROR},
        description="Queue one email per entry from the template. Entries marked do not "
        "contact or without an email are skipped with the reason (400 when none can be "
        "emailed); over the daily cap, 402 and nothing is queued.",
    )
    def post(self, request):
        body = SendsIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        template = selectors.template_get(user=request.user, template_id=data["templateId"])
        wanted = {str(i) for i in data["entryIds"]}
        entries = selectors.entries_for_ids(user=request.user, entry_ids=wanted)
        if len(entries) != len(wanted):
            # Another user's entry does not exist for this one.
            raise exceptions.NotFound("Not found.")
        try:
            batch = services.sends_queue(sender=request.user, template=template, entries=entries)
        except ValidationError as exc:
            raise django_errors(exc, {"entries": "entryIds"}) from None
        sends = OutreachSend.objects.filter(pk__in=[s.pk for s in batch.queued]).order_by(
            "created_at", "id"
        )
        out = {
            "queued": [send_out(s) for s in sends],
            "skipped": [{"entryId": str(e.pk), "reason": reason} for e, reason in batch.skipped],
        }
        return Response(out, status=202)


class SendDetailView(OutreachView):
    @extend_schema(responses={200: SendOut, 401: ERROR, 404: ERROR})
    def get(self, request, send_id):
        send = selectors.send_get(user=request.user, send_id=send_id)
        return no_store(Response(send_out(send)))


class SendRetryView(OutreachView):
    @extend_schema(
        request=None,
        responses={202: SendOut, 400: ERROR, 401: ERROR, 402: ERROR, 404: ERROR, 409: ERROR},
        description="Queue a failed send again (same address, subject and body).",
    )
    def post(self, request, send_id):
        send = selectors.send_get(user=request.user, send_id=send_id)
        try:
            send = services.send_retry(send=send, actor=request.user)
        except services.NotRetryable as exc:
            raise Conflict(str(exc)) from None
        except ValidationError as exc:
            raise django_errors(exc, {}) from None
        send.refresh_from_db()
        return Response(send_out(send), status=202)
