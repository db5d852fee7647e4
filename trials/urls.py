from django.urls import path

from . import views

urlpatterns = [
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/step-1/", views.onboarding_step1, name="onboarding_step1"),
    path("onboarding/step-2/", views.onboarding_step2, name="onboarding_step2"),
    path("onboarding/start/", views.onboarding_start, name="onboarding_start"),
    path("billing/", views.billing_page, name="billing"),
    path("billing/checkout/", views.billing_checkout, name="billing_checkout"),
    path("billing/portal/", views.billing_portal, name="billing_portal"),
    path("billing/mock/checkout/", views.billing_mock_checkout, name="billing_mock_checkout"),
    path("billing/mock/portal/", views.billing_mock_portal, name="billing_mock_portal"),
    # Stripe's endpoint; with and without the slash (no redirect: a redirect loses the POST).
    path("billing/webhook", views.stripe_webhook, name="stripe_webhook"),
    path("billing/webhook/", views.stripe_webhook),
]
