"""Outreach pages: my lists, a list's board (statuses, notes, sends, exports), one entry with
its history, email templates, and the "add to list" endpoint that the results-table partials
post to. Thin views over `outreach.services` and `outreach.selectors`."""

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.selectors import campaign_get, campaign_list
from core.errors import PaymentRequired
from core.redirects import local_url
from imageproxy.signing import proxied_image_url
from scraping.selectors import job_get, job_list
from trials.plans import NO_PLAN
from trials.selectors import plan_for, profile_get
from trials.services.entitlements import entitlement_check

from . import exports, selectors, services
from .forms import AddCreatorsForm, CreatorListForm, EmailTemplateForm, EntryUpdateForm, SendForm
from .models import CreatorList, EntryStatus, ListEntry

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from .selectors import LatestSend

    class OnBoard(LatestSend):
        """What the board's template reads on an entry besides its fields: its latest send
        (from `list_entries`) and what `_board` sets."""

        avatar: str
        chosen: bool
        retryable: bool

    BoardEntry = WithAnnotations[ListEntry, OnBoard]

# Previews shown at once on the board (the first of the chosen entries).
MAX_PREVIEWS = 5
# Searches offered in "Add creators from a search" (the most recent).
MAX_SOURCES = 200


def _next(request, default: str) -> str:
    return local_url(request, request.POST.get("next") or request.GET.get("next") or "", default)


def _payment_message(request, exc: PaymentRequired) -> None:
    messages.error(
        request, format_html('{} <a href="{}">See plans</a>', exc.message, exc.upgrade_path)
    )


def _list_url(creator_list: CreatorList) -> str:
    return reverse("outreach_list", args=[creator_list.pk])


def _entry_url(entry: ListEntry) -> str:
    return reverse("outreach_entry", args=[entry.list_id, entry.pk])


# --- lists ----------------------------------------------------------------------------------


def _limits(user) -> dict:
    """What the plan allows, for the pages' "2 of 3 lists" and "5 of 20 emails today"."""
    plan = None if user.is_staff else plan_for(profile_get(user))
    return {
        "lists_allowed": None if plan is None else plan.lists,
        "sends_allowed": None if plan is None else plan.sends_per_day,
        "no_plan": plan is NO_PLAN,
    }


@require_http_methods(["GET", "POST"])
def lists_index(request):
    form = CreatorListForm(request.POST or None)
    upgrade_path = ""
    if request.method == "POST" and form.is_valid():
        try:
            creator_list = services.list_create(owner=request.user, **form.cleaned_data)
        except PaymentRequired as exc:
            form.add_error(None, exc.message)
            upgrade_path = exc.upgrade_path
        else:
            messages.success(request, f"List “{creator_list.name}” created.")
            return redirect(_list_url(creator_list))
    lists = list(selectors.lists_with_counts(user=request.user))
    for creator_list in lists:
        creator_list.counts = [
            (value, label, getattr(creator_list, f"n_{value}"))
            for value, label in EntryStatus.choices
        ]
    context = {
        "form": form,
        "lists": lists,
        "upgrade_path": upgrade_path,
        **_limits(request.user),
    }
    return render(request, "outreach/lists.html", context)


def _sources(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """Campaigns and their searches, for "Add creators from a search": (campaign name,
    [(value, label)]), newest first."""
    jobs = job_list(user=user).only(
        "id", "campaign_id", "platform", "search_type", "keywords", "target_username"
    )[:MAX_SOURCES]
    by_campaign: dict = {}
    for job in jobs:
        label = f"{job.get_platform_display()} {job.get_search_type_display().lower()}: "
        by_campaign.setdefault(job.campaign_id, []).append(
            (f"job:{job.pk}", label + job.query_label[:60])
        )
    groups = []
    for campaign in campaign_list(user=user).only("id", "name"):
        if campaign.pk in by_campaign:
            options = [(f"campaign:{campaign.pk}", f"Every search of “{campaign.name}”")]
            groups.append((campaign.name, options + by_campaign[campaign.pk]))
    return groups


def _board(
    request,
    creator_list: CreatorList,
    *,
    send_form=None,
    previews=None,
    upgrade_path: str = "",
    status: int = 200,
):
    # The loop below sets the attributes OnBoard adds to what list_entries annotates.
    entries = cast("list[BoardEntry]", list(selectors.list_entries(creator_list=creator_list)))
    chosen = set(send_form.data.getlist("entry")) if send_form is not None else set()
    columns: dict[str, list[BoardEntry]] = {value: [] for value in EntryStatus.values}
    for entry in entries:
        entry.avatar = proxied_image_url(entry.avatar_url, entry.label, width=72)  # 36 px, 2x
        entry.chosen = str(entry.pk) in chosen
        entry.retryable = entry.last_send_status == "failed"
        columns[entry.status].append(entry)
    templates = selectors.template_list(user=request.user)
    context = {
        "list": creator_list,
        "columns": [(value, label, columns[value]) for value, label in EntryStatus.choices],
        "total": len(entries),
        "statuses": EntryStatus.choices,
        "templates": templates,
        "send_form": send_form or SendForm(templates=templates),
        "previews": previews or [],
        "sources": _sources(request.user),
        "sends_today": selectors.sends_today(user=request.user),
        "upgrade_path": upgrade_path,
        **_limits(request.user),
    }
    return render(request, "outreach/list_detail.html", context, status=status)


@require_GET
def list_detail(request, list_id):
    creator_list = selectors.list_get(user=request.user, list_id=list_id)
    return _board(request, creator_list)


@require_http_methods(["GET", "POST"])
def list_edit(request, list_id):
    creator_list = selectors.list_get(user=request.user, list_id=list_id)
    form = CreatorListForm(request.POST or None, instance=creator_list)
    if request.method == "POST" and form.is_valid():
        services.list_update(creator_list=creator_list, **form.cleaned_data)
        messages.success(request, "List saved.")
        return redirect(_list_url(creator_list))
    return render(request, "outreach/list_form.html", {"form": form, "list": creator_list})


@require_http_methods(["GET", "POST"])
def list_delete(request, list_id):
    creator_list = selectors.list_get(user=request.user, list_id=list_id)
    if request.method == "POST":
        name = creator_list.name
        services.list_delete(creator_list=creator_list)
        messages.success(request, f"List “{name}” deleted.")
        return redirect("outreach_lists")
    return render(request, "outreach/list_confirm_delete.html", {"list": creator_list})


@require_GET
def list_export(request, list_id, fmt):
    creator_list = selectors.list_get(user=request.user, list_id=list_id)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown export format.")
    # An ended trial exports nothing, like every other export (PaymentRequired → 402 page).
    entitlement_check(user=request.user, action="export")
    if fmt == "csv":
        response = HttpResponse(exports.csv_bytes(creator_list), content_type=exports.CSV_TYPE)
    else:
        response = HttpResponse(exports.xlsx_bytes(creator_list), content_type=exports.XLSX_TYPE)
    name = exports.filename(creator_list, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- adding creators (the results-table partials and the board's form post here) ------------


@require_POST
def creators_add(request):
    form = AddCreatorsForm(request.POST)
    back = _next(request, reverse("outreach_lists"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    if data["list"]:
        creator_list = selectors.list_get(user=request.user, list_id=data["list"])
    else:
        try:
            creator_list = services.list_create(owner=request.user, name=data["new_list"])
        except PaymentRequired as exc:
            _payment_message(request, exc)
            return redirect(back)
    if data["add"] == "selected":
        result = services.entries_add_by_ids(
            creator_list=creator_list, actor=request.user, creator_ids=data["creator"]
        )
    else:
        kind, ident = data["source"]
        if kind == "job":
            source = job_get(user=request.user, job_id=ident)
        else:
            source = campaign_get(user=request.user, campaign_id=ident)
        # The results table sends its filter query as one field; the board's form sends the
        # filter fields themselves. Either way the filter runs here again.
        params = QueryDict(data["filters"]) if data["filters"] else request.POST
        try:
            result = services.entries_add_matching(
                creator_list=creator_list, actor=request.user, source=source, params=params
            )
        except ValidationError as exc:
            messages.error(request, "Nothing was added: " + " ".join(exc.messages))
            return redirect(back)
    messages.success(
        request,
        format_html(
            '{} <a href="{}">Open “{}”</a>',
            result.message.removesuffix(".") + f" to “{creator_list.name}”.",
            _list_url(creator_list),
            creator_list.name,
        ),
    )
    return redirect(back)


# --- entries --------------------------------------------------------------------------------


@require_GET
def entry_detail(request, list_id, entry_id):
    entry = selectors.entry_get(user=request.user, entry_id=entry_id, list_id=list_id)
    templates = selectors.template_list(user=request.user)
    template = None
    if request.GET.get("template"):
        try:
            template = templates.filter(pk=request.GET["template"]).first()
        except ValidationError:  # not a UUID
            template = None
    sends = list(selectors.entry_sends(entry=entry))
    for send in sends:
        send.retryable = services.send_can_retry(send)
    context = {
        "list": entry.list,
        "entry": entry,
        "avatar": proxied_image_url(entry.avatar_url, entry.label, width=72),  # 36 px, 2x
        "statuses": EntryStatus.choices,
        "templates": templates,
        "template": template,
        "preview": services.email_render(template=template, entry=entry, sender=request.user)
        if template
        else None,
        "unsendable": services.unsendable_reason(entry),
        "sends": sends,
        "events": selectors.entry_events(entry=entry),
    }
    return render(request, "outreach/entry_detail.html", context)


@require_POST
def entry_update(request, list_id, entry_id):
    entry = selectors.entry_get(user=request.user, entry_id=entry_id, list_id=list_id)
    back = _next(request, f"{_list_url(entry.list)}#entry-{entry.pk}")
    form = EntryUpdateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    data = form.cleaned_data
    # Only the fields this small form sent: a move leaves the notes alone, and so on.
    changes = {
        "status": data["status"] or None,
        "notes": data["notes"] if "notes" in request.POST else None,
        "do_not_contact": {"true": True, "false": False}.get(data["do_not_contact"]),
    }
    entry = services.entry_update(entry=entry, actor=request.user, **changes)
    if changes["status"]:
        messages.success(request, f"{entry.label} moved to {entry.get_status_display()}.")
    elif changes["notes"] is not None:
        messages.success(request, f"Notes on {entry.label} saved.")
    elif changes["do_not_contact"] is not None:
        state = "marked do not contact" if entry.do_not_contact else "may be contacted again"
        messages.success(request, f"{entry.label} {state}.")
    return redirect(back)


@require_POST
def entry_delete(request, list_id, entry_id):
    entry = selectors.entry_get(user=request.user, entry_id=entry_id, list_id=list_id)
    creator_list = entry.list
    services.entry_delete(entry=entry)
    messages.success(request, f"{entry.label} removed from “{creator_list.name}”.")
    return redirect(_list_url(creator_list))


# --- sending --------------------------------------------------------------------------------


@require_POST
def list_send(request, list_id):
    """The board's send form: Preview (the page again, with the emails as they would go out)
    or Send (queue them)."""
    creator_list = selectors.list_get(user=request.user, list_id=list_id)
    form = SendForm(request.POST, templates=selectors.template_list(user=request.user))
    if not form.is_valid():
        return _board(request, creator_list, send_form=form, status=400)
    template = form.cleaned_data["template"]
    entries = selectors.entries_by_ids(
        creator_list=creator_list, entry_ids=form.cleaned_data["entry"]
    )
    if form.cleaned_data["action"] == "preview":
        signature = services.sender_name(request.user)
        previews = [
            (
                entry,
                services.email_render(
                    template=template, entry=entry, sender=request.user, signature=signature
                ),
                services.unsendable_reason(entry),
            )
            for entry in entries[:MAX_PREVIEWS]
        ]
        return _board(request, creator_list, send_form=form, previews=previews)
    try:
        batch = services.sends_queue(sender=request.user, template=template, entries=entries)
    except ValidationError as exc:
        form.add_error(None, " ".join(exc.messages))
        return _board(request, creator_list, send_form=form, status=400)
    except PaymentRequired as exc:
        form.add_error(None, exc.message)
        return _board(
            request, creator_list, send_form=form, upgrade_path=exc.upgrade_path, status=402
        )
    count = len(batch.queued)
    messages.success(
        request,
        f"{count} email{'s' if count != 1 else ''} queued with “{template.name}”: each is "
        "logged on its creator's card.",
    )
    for _, reason in batch.skipped:
        messages.warning(request, f"Not sent: {reason}")
    return redirect(_list_url(creator_list))


@require_POST
def entry_send(request, list_id, entry_id):
    """Send one template to one entry, from the entry's page."""
    entry = selectors.entry_get(user=request.user, entry_id=entry_id, list_id=list_id)
    form = SendForm(
        {"template": request.POST.get("template"), "entry": [str(entry.pk)]},
        templates=selectors.template_list(user=request.user),
    )
    back = _entry_url(entry)
    if not form.is_valid():
        messages.error(request, "Choose a template.")
        return redirect(back)
    template = form.cleaned_data["template"]
    try:
        services.sends_queue(sender=request.user, template=template, entries=[entry])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PaymentRequired as exc:
        _payment_message(request, exc)
    else:
        messages.success(request, f"Email to {entry.email} queued with “{template.name}”.")
    return redirect(back)


@require_POST
def send_retry(request, send_id):
    send = selectors.send_get(user=request.user, send_id=send_id)
    back = _next(request, _entry_url(send.entry))
    try:
        services.send_retry(send=send, actor=request.user)
    except services.NotRetryable as exc:
        messages.warning(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PaymentRequired as exc:
        _payment_message(request, exc)
    else:
        messages.success(request, f"Email to {send.to} queued again.")
    return redirect(back)


# --- templates ------------------------------------------------------------------------------


@require_GET
def templates_index(request):
    context = {"templates": selectors.template_list(user=request.user)}
    return render(request, "outreach/templates.html", context)


@require_http_methods(["GET", "POST"])
def template_create(request):
    form = EmailTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        template = services.template_create(owner=request.user, **form.cleaned_data)
        messages.success(request, f"Template “{template.name}” saved.")
        return redirect("outreach_templates")
    return render(request, "outreach/template_form.html", {"form": form, "is_new": True})


@require_http_methods(["GET", "POST"])
def template_edit(request, template_id):
    template = selectors.template_get(user=request.user, template_id=template_id)
    form = EmailTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        services.template_update(template=template, **form.cleaned_data)
        messages.success(request, f"Template “{template.name}” saved.")
        return redirect("outreach_templates")
    return render(request, "outreach/template_form.html", {"form": form, "template": template})


@require_http_methods(["GET", "POST"])
def template_delete(request, template_id):
    template = selectors.template_get(user=request.user, template_id=template_id)
    if request.method == "POST":
        name = template.name
        services.template_delete(template=template)
        messages.success(request, f"Template “{name}” deleted.")
        return redirect("outreach_templates")
    return render(request, "outreach/template_confirm_delete.html", {"template": template})
