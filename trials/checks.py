"""System checks: real Stripe keys need the webhook secret and the plan prices."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def stripe_settings(app_configs, **kwargs) -> list[Error]:
    if not settings.STRIPE_SECRET_KEY:
        return []  # mock mode
    missing = [
        name
        for name in ("STRIPE_WEBHOOK_SECRET", "STRIPE_PRICE_STARTER", "STRIPE_PRICE_PRO")
        if not getattr(settings, name, "")
    ]
    return [
        Error(
            f"STRIPE_SECRET_KEY is set but {name} is empty.",
            hint="Set it from the Stripe dashboard, or unset STRIPE_SECRET_KEY for mock billing.",
            id="trials.E001",
        )
        for name in missing
    ]
