"""Production: fail fast on missing secrets and Stripe keys, secure cookies, HSTS, no fake API."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    BILLING_MODE,
    SCRAPECREATORS_API_KEY,
    SECRET_KEY,
    STRIPE_PRICE_PRO,
    STRIPE_PRICE_STARTER,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    env,
)

DEBUG = False

_missing = [
    name
    for name, value in (
        ("DJANGO_SECRET_KEY", SECRET_KEY),
        ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("SCRAPECREATORS_API_KEY", SCRAPECREATORS_API_KEY),
    )
    if not value
]
if _missing:
    raise ImproperlyConfigured(f"Missing required environment variables: {', '.join(_missing)}")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters")

# Billing is real Stripe unless mock is asked for by name (a demo that takes no payments): a
# deployment that forgot its keys must not hand out paid plans through the mock checkout.
BILLING_MODE = BILLING_MODE or "stripe"
_missing_stripe = [
    name
    for name, value in (
        ("STRIPE_SECRET_KEY", STRIPE_SECRET_KEY),
        ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET),
        ("STRIPE_PRICE_STARTER", STRIPE_PRICE_STARTER),
        ("STRIPE_PRICE_PRO", STRIPE_PRICE_PRO),
    )
    if not value
]
if BILLING_MODE == "stripe" and _missing_stripe:
    raise ImproperlyConfigured(
        "Missing required environment variables for BILLING_MODE=stripe (the default): "
        f"{', '.join(_missing_stripe)}. Only a demo that takes no payments sets BILLING_MODE=mock."
    )
# `check --deploy` reports mock billing as an error (trials.E002); a demo that takes no payments
# silences it with DJANGO_SILENCED_SYSTEM_CHECKS=trials.E002.
SILENCED_SYSTEM_CHECKS = env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=[])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
IMAGE_PROXY_EXTRA_ALLOWED_HOSTS: list[str] = []
