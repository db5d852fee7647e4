"""The trial email sequence: rendering, eligibility at send time, and delivery.

Delivery claims a row with one conditional UPDATE (status pending and due), which also moves
`next_attempt_at` forward by a lease: whoever updates the row owns the send, so two dispatchers
never send the same email; a worker that dies mid-send leaves the row to be claimed again when
the lease expires. Failures are retried with exponential backoff, then marked failed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.mail import ProviderEmailMultiAlternatives

from .models import ScheduledEmail, UserProfile
from .selectors import countdown_text, profile_get

logger = logging.getLogger(__name__)

Type = ScheduledEmail.Type
Status = ScheduledEmail.Status

MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)  # 1, 2, 4, 8 minutes between the five attempts
CLAIM_LEASE = timedelta(minutes=5)

# Keyed by str: email types arrive as the model field's plain strings.
SUBJECTS: dict[str, str] = {
    Type.WELCOME: "Welcome to Creatorscope",
    Type.ABANDONMENT: "Finish setting up Creatorscope to start your free trial",
    Type.TRIAL_DAY2: "Getting the most out of your Creatorscope trial",
    Type.TRIAL_DAY5: "Your Creatorscope trial ends soon",
    Type.TRIAL_EXPIRY: "Your Creatorscope trial has ended",
}


def absolute(url_name: str) -> str:
    return f"{settings.SITE_URL}{reverse(url_name)}"


def email_context(user, profile: UserProfile | None) -> dict:
    now = timezone.now()
    ends_at = profile.trial_ends_at if profile else None
    name = (profile.full_name.split()[0] if profile and profile.full_name.strip() else "") or ""
    return {
        "user": user,
        "profile": profile,
        "first_name": name,
        "greeting": f"Hi {name}," if name else "Hi,",
        "site_url": settings.SITE_URL,
        "dashboard_url": absolute("dashboard"),
        "onboarding_url": absolute("onboarding"),
        "billing_url": absolute("billing"),
        "trial_ends_at": ends_at,
        "time_left_text": countdown_text(ends_at - now) if ends_at else "",
    }


def render(*, user, email_type: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one email for this user, as it would be sent now."""
    if email_type not in SUBJECTS:
        raise ValueError(f"unknown email type {email_type!r}")
    context = {**email_context(user, profile_get(user)), "subject": SUBJECTS[email_type]}
    text = render_to_string(f"emails/{email_type}.txt", context)
    html = render_to_string(f"emails/{email_type}.html", context)
    return SUBJECTS[email_type], text, html


def ineligible_reason(email: ScheduledEmail, now) -> str:
    """Why this email must not go out now ("" when it may). Checked at send time, so a user who
    finished onboarding or subscribed since the email was scheduled does not get it."""
    user = email.user
    if not user.is_active:
        return "user is deactivated"
    if not user.email:
        return "user has no email address"
    if email.email_type == Type.WELCOME:
        return ""
    profile = UserProfile.objects.filter(user=user).first()
    onboarded = bool(profile and profile.onboarded)
    if email.email_type == Type.ABANDONMENT:
        return "onboarding already completed" if onboarded else ""
    if profile is None or profile.trial_ends_at is None:
        return "trial not started"
    if profile.subscribed:
        return "user has subscribed"
    status = profile.trial_status_at(now)
    if email.email_type in (Type.TRIAL_DAY2, Type.TRIAL_DAY5):
        return "" if status == "active" else "trial already ended"
    if email.email_type == Type.TRIAL_EXPIRY:
        return "" if status == "expired" else "trial still running"
    return f"unknown email type {email.email_type!r}"


def claim(email_id, now) -> bool:
    """Take the send of one due email; True for exactly one caller."""
    return bool(
        ScheduledEmail.objects.filter(
            pk=email_id, status=Status.PENDING, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS
        ).update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1, updated_at=now)
    )


def deliver(email_id) -> ScheduledEmail | None:
    """Claim, re-check, render and send one email. Returns the row as it ends, or None when
    someone else holds it or it is not due. Test emails (is_test, sent or scheduled by staff)
    skip the eligibility check; sequence emails are re-checked now."""
    now = timezone.now()
    if not claim(email_id, now):
        return None
    email = ScheduledEmail.objects.select_related("user").get(pk=email_id)
    reason = "" if email.is_test else ineligible_reason(email, now)
    if not reason and not email.user.email:
        reason = "user has no email address"
    if reason:
        _finish(email, status=Status.CANCELLED, error=f"not sent: {reason}")
        logger.info(
            "email cancelled",
            extra={"email_id": email.pk, "email_type": email.email_type, "reason": reason},
        )
        return email
    subject, text, html = render(user=email.user, email_type=email.email_type)
    message = ProviderEmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [email.user.email]
    )
    message.attach_alternative(html, "text/html")
    message.tags = [email.email_type]  # anymail: provider-side tagging; ignored elsewhere
    message.metadata = {"scheduled_email_id": str(email.pk)}
    try:
        message.send()
    except Exception as exc:  # the provider boundary: any failure is retried, then recorded
        _record_failure(email, exc, timezone.now())
        return email
    provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    _finish(
        email,
        status=Status.SENT,
        sent_at=timezone.now(),
        provider_message_id="" if provider_id is None else str(provider_id)[:255],
        error="",
    )
    logger.info("email sent", extra={"email_id": email.pk, "email_type": email.email_type})
    return email


def _record_failure(email: ScheduledEmail, exc: Exception, now) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        _finish(email, status=Status.FAILED, error=error)
        logger.error(
            "email failed for good",
            extra={"email_id": email.pk, "attempts": email.attempts, "error": error},
        )
        return
    retry_at = now + RETRY_BASE * (2 ** (email.attempts - 1))
    ScheduledEmail.objects.filter(pk=email.pk, status=Status.PENDING).update(
        next_attempt_at=retry_at, error=error, updated_at=now
    )
    email.next_attempt_at, email.error = retry_at, error
    logger.warning(
        "email send failed, will retry",
        extra={"email_id": email.pk, "attempts": email.attempts, "error": error},
    )


def _finish(email: ScheduledEmail, **fields) -> None:
    ScheduledEmail.objects.filter(pk=email.pk, status=Status.PENDING).update(
        **fields, updated_at=timezone.now()
    )
    for name, value in fields.items():
        setattr(email, name, value)


def give_up_exhausted(now) -> int:
    """Rows whose last claimed attempt never reported back (the worker died) and that have no
    attempts left: failed, once their lease has run out."""
    return ScheduledEmail.objects.filter(
        status=Status.PENDING, attempts__gte=MAX_ATTEMPTS, next_attempt_at__lte=now
    ).update(status=Status.FAILED, error="gave up: no attempts left", updated_at=now)
