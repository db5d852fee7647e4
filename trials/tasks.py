"""django-q2 entry points (thin)."""

import logging
import time

from django.utils import timezone

from . import billing, emails, webhooks
from .models import ScheduledEmail

logger = logging.getLogger(__name__)

BATCH = 200
TIME_BUDGET = 90.0  # seconds; under the cluster's task timeout (120 s)


def send_due_emails() -> dict[str, int]:
    """Every minute (a django-q2 schedule): send the emails that are due. Each one is claimed
    atomically, so overlapping runs or several clusters never send an email twice."""
    started = time.monotonic()
    now = timezone.now()
    counts = {"failed_exhausted": emails.give_up_exhausted(now), "processed": 0}
    due = (
        ScheduledEmail.objects.filter(
            status=ScheduledEmail.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    for email_id in list(due):
        if time.monotonic() - started > TIME_BUDGET:
            break
        try:
            if emails.deliver(email_id) is not None:
                counts["processed"] += 1
        except Exception:  # one bad email must not stop the rest; it is retried after its lease
            logger.exception("email delivery crashed", extra={"email_id": email_id})
    return counts


def mock_webhook_deliver(payload: str) -> str:
    """Mock billing: deliver one event to the webhook code path, signed now, as Stripe would."""
    return webhooks.webhook_receive(payload=payload, signature=billing.sign(payload))
