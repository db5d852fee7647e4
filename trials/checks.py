"""System checks: real Stripe keys need the webhook secret and the plan prices, and a deployment
(`check --deploy`) never runs mock billing, or real billing without a key, unnoticed."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from . import billing


@register()
def stripe_settings(app_configs, **kwargs) -> list[Error]:
    # A half-configured Stripe account is a mistake anywhere; no key at all is covered below.
    if billing.mock_mode() or not settings.STRIPE_SECRET_KEY:
        return []
    return [
        Error(
            f"STRIPE_SECRET_KEY is set but {name} is empty.",
            hint="Set it from the Stripe dashboard.",
            id="trials.E001",
        )
        for name in billing.stripe_missing()
    ]


@register(Tags.security, deploy=True)
def billing_is_real(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []  # development: mock billing is the point
    if billing.mock_mode():
        # An error even when BILLING_MODE=mock was set on purpose: a mock checkout grants paid
        # plans for free, so it must never be a silent production state.
        return [
            Error(
                "Billing runs in mock mode: anyone can take a paid plan without paying.",
                hint=(
                    "Set BILLING_MODE=stripe and the STRIPE_* keys. A demo that takes no payments "
                    "can silence this with SILENCED_SYSTEM_CHECKS = ['trials.E002'] "
                    "(DJANGO_SILENCED_SYSTEM_CHECKS=trials.E002 in production)."
                ),
                id="trials.E002",
            )
        ]
    if not settings.STRIPE_SECRET_KEY:
        return [
            Error(
                "BILLING_MODE is stripe but STRIPE_SECRET_KEY is empty: billing is unavailable.",
                hint="Set the STRIPE_* keys from the Stripe dashboard.",
                id="trials.E003",
            )
        ]
    return []
