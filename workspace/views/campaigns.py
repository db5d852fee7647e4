"""Campaign pages: the dashboard, the campaign workspace (its searches and the six "new search"
forms), and campaign edit/delete/status. Thin views over the services and selectors."""

from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import selectors, services
from campaigns.forms import CampaignForm
from campaigns.models import Campaign
from core import catalogue
from core.errors import PaymentRequired, StartThrottled
from scraping import selectors as scraping_selectors
from scraping.forms import default_kind, search_form
from scraping.outcome import finish_message
from trials import selectors as trial_selectors

from .searches import POLL_INTERVAL_MS

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from scraping.models import ScrapingJob

    class WithMessage(TypedDict):
        message: str  # set by _workspace for the template

    JobWithMessage = WithAnnotations[ScrapingJob, WithMessage]


def dashboard(request):
    campaigns = selectors.dashboard_campaigns(user=request.user)
    running = scraping_selectors.job_summaries(scraping_selectors.running_jobs(user=request.user))
    context = {"campaigns": campaigns, "running": running, "poll_interval": POLL_INTERVAL_MS}
    return render(request, "campaigns/dashboard.html", context)


@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    upgrade_path = ""
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(owner=request.user, **form.cleaned_data)
        except PaymentRequired as exc:
            form.add_error(None, exc.message)
            upgrade_path = exc.upgrade_path
        else:
            messages.success(request, f"Campaign “{campaign.name}” created.")
            return redirect("campaign_detail", campaign_id=campaign.pk)
    context = {"form": form, "is_new": True, "upgrade_path": upgrade_path}
    return render(request, "campaigns/campaign_form.html", context)


def _workspace(request, campaign: Campaign, *, bound=None, upgrade_path: str = ""):
    """The campaign workspace: its searches, and a form for each of the six searches (the
    bound one, with its errors, when a submission failed)."""
    selected = bound.kind if bound else catalogue.BY_KEY.get(request.GET.get("search", ""))
    selected = selected or default_kind(campaign.search_type)
    forms = [
        bound if bound and bound.kind == kind else search_form(kind) for kind in catalogue.SEARCHES
    ]
    jobs = cast(
        "list[JobWithMessage]",  # the loop below sets the message
        list(scraping_selectors.job_summaries(scraping_selectors.campaign_jobs(campaign=campaign))),
    )
    for job in jobs:
        job.message = finish_message(job)
    context = {
        "campaign": campaign,
        "jobs": jobs,
        "forms": forms,
        "selected": selected,
        "creators_found": selectors.campaign_creators_found(campaign=campaign),
        "allowance": trial_selectors.creators_allowance(request.user),
        "poll_interval": POLL_INTERVAL_MS,
        "upgrade_path": upgrade_path,
    }
    return render(request, "campaigns/campaign_detail.html", context)


def campaign_detail(request, campaign_id):
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    return _workspace(request, campaign)


@require_POST
def search_create(request, campaign_id):
    """Start one of the six searches; errors come back inline on its form, never as a 500."""
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    kind = catalogue.BY_KEY.get(request.POST.get("search", ""))
    if kind is None:
        messages.error(request, "Choose one of the six searches.")
        return redirect("campaign_detail", campaign_id=campaign.pk)
    form = search_form(kind, request.POST)
    upgrade_path = ""
    if form.is_valid():
        target = form.cleaned_data["target_results"]
        form.warning = trial_selectors.search_size_warning(request.user, target)
        if form.warning and not form.confirmed():
            # Said before anything starts; "Start anyway" sends the same form confirmed.
            return _workspace(request, campaign, bound=form)
        try:
            job = services.search_start(
                owner=request.user, campaign=campaign, **form.job_arguments()
            )
        except ValidationError as exc:
            form.add_job_errors(exc)
        except PaymentRequired as exc:
            # Said on the form, with the way out, rather than on a separate 402 page.
            form.add_error(None, exc.message)
            upgrade_path = exc.upgrade_path
        except StartThrottled as exc:
            form.add_error(None, exc.message)
        else:
            if job.search_type == "similar":
                # Nothing is known about the account yet: say so rather than celebrate.
                messages.info(
                    request,
                    f"Looking up {job.query_label}: similar creators appear here once the "
                    "account is found.",
                )
            else:
                messages.success(request, f"{kind.label} search started for {job.query_label}.")
            return redirect("search_detail", job_id=job.pk)
    return _workspace(request, campaign, bound=form, upgrade_path=upgrade_path)


@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id):
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        services.campaign_update(campaign=campaign, **form.cleaned_data)
        messages.success(request, "Campaign saved.")
        return redirect("campaign_detail", campaign_id=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@require_http_methods(["GET", "POST"])
def campaign_delete(request, campaign_id):
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    if request.method == "POST":
        name = campaign.name
        services.campaign_delete(campaign=campaign)
        messages.success(request, f"Campaign “{name}” deleted.")
        return redirect("dashboard")
    return render(request, "campaigns/campaign_confirm_delete.html", {"campaign": campaign})


@require_POST
def campaign_status(request, campaign_id):
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    if request.POST.get("action") == "complete":
        services.campaign_set_status(campaign=campaign, status=Campaign.Status.COMPLETED)
        messages.success(request, "Campaign marked completed. Reopen it to run new searches.")
    elif request.POST.get("action") == "reopen":
        services.campaign_reopen(campaign=campaign)
        messages.success(request, "Campaign reopened.")
    else:
        messages.error(request, "Unknown action.")
    return redirect("campaign_detail", campaign_id=campaign.pk)
