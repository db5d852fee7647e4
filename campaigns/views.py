"""Campaign pages: thin views over campaigns.services and campaigns.selectors."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import CampaignForm
from .models import Campaign


def dashboard(request):
    campaigns = selectors.campaign_list(user=request.user)
    return render(request, "campaigns/dashboard.html", {"campaigns": campaigns})


@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = services.campaign_create(owner=request.user, **form.cleaned_data)
        messages.success(request, f"Campaign “{campaign.name}” created.")
        return redirect("campaign_detail", campaign_id=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "is_new": True})


def campaign_detail(request, campaign_id):
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    return render(request, "campaigns/campaign_detail.html", {"campaign": campaign})


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
