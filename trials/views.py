"""Onboarding and billing pages, and the Stripe webhook: thin views over the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import billing, selectors, webhooks
from .forms import OnboardingStep1Form, OnboardingStep2Form, PlanForm
from .plans import PAID_PLANS, TRIAL
from .services.onboarding import (
    Step,
    onboarding_complete,
    onboarding_save_step1,
    onboarding_save_step2,
)
from .services.profiles import profile_for


def onboarding(request):
    profile = profile_for(request.user)
    if profile.onboarded:
        return redirect("dashboard")
    if profile.onboarding_step == Step.STEP2:
        return redirect("onboarding_step2" if not profile.brand_description else "onboarding_start")
    return redirect("onboarding_step1")


@require_http_methods(["GET", "POST"])
def onboarding_step1(request):
    profile = profile_for(request.user)
    form = OnboardingStep1Form(
        request.POST or None,
        initial={"full_name": profile.full_name, "business_name": profile.business_name},
    )
    if request.method == "POST" and form.is_valid():
        onboarding_save_step1(user=request.user, **form.cleaned_data)
        return redirect("onboarding_step2")
    return render(request, "trials/onboarding_step1.html", {"form": form, "step": 1})


@require_http_methods(["GET", "POST"])
def onboarding_step2(request):
    profile = profile_for(request.user)
    if profile.onboarding_step == Step.STEP1:
        return redirect("onboarding_step1")
    form = OnboardingStep2Form(
        request.POST or None, initial={"brand_description": profile.brand_description}
    )
    if request.method == "POST" and form.is_valid():
        onboarding_save_step2(user=request.user, **form.cleaned_data)
        if profile.onboarded:
            messages.success(request, "Profile saved.")
            return redirect("billing")
        return redirect("onboarding_start")
    return render(request, "trials/onboarding_step2.html", {"form": form, "step": 2})


@require_http_methods(["GET", "POST"])
def onboarding_start(request):
    profile = profile_for(request.user)
    if request.method == "POST":
        try:
            onboarding_complete(user=request.user)
        except ValidationError:
            return redirect("onboarding")
        if not profile.onboarded:
            messages.success(request, "Your 7-day free trial has started. Happy searching!")
        return redirect("dashboard")
    if profile.onboarded:
        return redirect("dashboard")
    if not profile.brand_description:
        return redirect("onboarding")
    return render(
        request, "trials/onboarding_start.html", {"profile": profile, "step": 3, "trial": TRIAL}
    )


def billing_page(request):
    usage = selectors.plan_usage(request.user)
    checkout = request.GET.get("checkout", "")
    waiting = checkout == "success" and not usage["subscribed"]
    try:
        refresh_count = int(request.GET.get("n", "0"))
    except ValueError:
        refresh_count = 0
    context = {
        "usage": usage,
        "profile": profile_for(request.user),
        "plans": list(PAID_PLANS.values()),
        "trial": TRIAL,
        "mock_mode": billing.mock_mode(),
        "billing_available": billing.available(),
        "checkout": checkout,
        "waiting": waiting and refresh_count < 20,
        "next_refresh": refresh_count + 1,
    }
    return render(request, "trials/billing.html", context)


@require_POST
def billing_checkout(request):
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the Starter or Pro plan.")
        return redirect("billing")
    try:
        url = billing.checkout_start(user=request.user, plan=form.cleaned_data["plan"])
    except billing.BillingError as exc:
        messages.error(request, str(exc))
        return redirect("billing")
    return HttpResponseRedirect(url)


@require_POST
def billing_portal(request):
    try:
        url = billing.portal_start(user=request.user)
    except billing.BillingError as exc:
        messages.error(request, str(exc))
        return redirect("billing")
    return HttpResponseRedirect(url)


@require_http_methods(["GET", "POST"])
def billing_mock_checkout(request):
    # Outside mock mode these pages do not exist: they would hand out plans without payment.
    if not billing.mock_mode():
        raise Http404("Mock checkout is off.")
    token = request.GET.get("session", "")
    try:
        session = billing.mock_session(user=request.user, token=token)
        if request.method == "POST":
            billing.mock_checkout_complete(user=request.user, token=token)
            return HttpResponseRedirect(f"{reverse('billing')}?checkout=success")
    except billing.BillingError as exc:
        messages.error(request, str(exc))
        return redirect("billing")
    plan = PAID_PLANS[session["plan"]]
    return render(request, "trials/mock_checkout.html", {"plan": plan, "session": session})


@require_http_methods(["GET", "POST"])
def billing_mock_portal(request):
    if not billing.mock_mode():
        raise Http404("The mock portal is off.")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "cancel":
                billing.mock_subscription_change(user=request.user, cancel=True)
                messages.success(request, "Your subscription is cancelled.")
            else:
                billing.mock_subscription_change(user=request.user, plan=action)
                messages.success(request, f"You are now on the {PAID_PLANS[action].name} plan.")
        except billing.BillingError as exc:
            messages.error(request, str(exc))
        return redirect("billing")
    usage = selectors.plan_usage(request.user)
    return render(
        request, "trials/mock_portal.html", {"usage": usage, "plans": list(PAID_PLANS.values())}
    )


@csrf_exempt
@login_not_required
@require_POST
def stripe_webhook(request):
    try:
        outcome = webhooks.webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except webhooks.WebhookRejected:
        return JsonResponse({"error": "invalid signature or payload"}, status=400)
    return JsonResponse({"received": True, "outcome": outcome})
