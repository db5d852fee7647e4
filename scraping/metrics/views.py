"""Deep enrichment from the search's page: the credit cost first, then a confirmed start."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core import catalogue
from core.errors import PaymentRequired, StartThrottled
from scraping import selectors as search_selectors

from . import selectors, services


@require_http_methods(["GET", "POST"])
def deep_enrichment(request, job_id):
    job = search_selectors.job_get(user=request.user, job_id=job_id)
    if request.method == "POST":
        try:
            confirmed = int(request.POST.get("max_credits", ""))
        except ValueError:
            confirmed = 0  # no confirmed cost: any cost is above it, so the page asks again
        try:
            estimate = services.deep_enrichment_start(
                user=request.user, job=job, max_credits=confirmed
            )
        except (services.SearchStillRunning, services.CostChanged) as exc:
            messages.warning(request, str(exc))
            return redirect("search_deep_enrichment", job_id=job.pk)
        except (PaymentRequired, StartThrottled) as exc:
            messages.error(request, exc.message)
            return redirect("search_deep_enrichment", job_id=job.pk)
        fetching = len(estimate.to_fetch)
        messages.success(
            request,
            f"Fetching recent posts of {fetching} creator{'s' if fetching != 1 else ''}; "
            "their metrics appear in the table and each creator's details as they arrive."
            if fetching
            else "Every creator of this search already has fresh metrics.",
        )
        return redirect("search_detail", job_id=job.pk)
    context = {
        "job": job,
        "campaign": job.campaign,
        "kind": catalogue.BY_KEY.get(job.search_key),
        "estimate": selectors.deep_enrichment_estimate(job=job),
    }
    return render(request, "scraping/deep_enrichment.html", context)
