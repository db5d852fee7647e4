"""A search's status and every change of it: the one module that writes ScrapingJob.status.

    pending ──claim──► processing ──step ends──► pending (more to do: continue_later)
                                  └─conclude──► completed | partial | error
    pending, processing ──cancel──► cancelled   ──time_out──► timeout   ──force──► error | completed
    error, timeout, partial, cancelled ──reopen (retry)──► pending   (never when the target
                                                                       was not found)
    abandoned (processing past its lease, or pending untouched for a lease) ──resume──► pending

Transitions between rows are JobQuerySet methods, each one conditional UPDATE that names the
statuses a job may leave, so concurrent writers (a worker, the sweeper, a user's Cancel, staff)
never both win; each returns how many rows moved. The engine's verdict on a step is set on the
row it holds locked (`conclude`, `continue_later`) and saved with the rest of the step.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce

if TYPE_CHECKING:  # the model module imports this one
    from .models import ScrapingJob


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    PARTIAL = "partial", "Partial"
    ERROR = "error", "Error"
    TIMEOUT = "timeout", "Timed out"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.PROCESSING)
TERMINAL_STATUSES = (
    JobStatus.COMPLETED,
    JobStatus.PARTIAL,
    JobStatus.ERROR,
    JobStatus.TIMEOUT,
    JobStatus.CANCELLED,
)
RETRYABLE_STATUSES = (JobStatus.ERROR, JobStatus.TIMEOUT, JobStatus.PARTIAL, JobStatus.CANCELLED)
# Staff may end a stuck search with one of these.
FORCEABLE_STATUSES = (JobStatus.ERROR, JobStatus.COMPLETED)
# A similar search whose target does not exist ends with this code: a retry cannot help.
TARGET_NOT_FOUND = "target_not_found"


class JobQuerySet(models.QuerySet["ScrapingJob"]):
    # --- which jobs ---------------------------------------------------------------------------

    def active(self) -> "JobQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def overdue(self, *, now: datetime) -> "JobQuerySet":
        """Running past their timeout."""
        return self.active().filter(timeout_at__lt=now)

    def abandoned(self, *, now: datetime, lease: timedelta) -> "JobQuerySet":
        """Stale: a worker's lease ran out mid-step, or a pending job nobody took for a lease."""
        return self.filter(
            Q(status=JobStatus.PROCESSING, locked_until__lt=now)
            | Q(status=JobStatus.PENDING, updated_at__lt=now - lease)
        )

    def stale(self, *, now: datetime, lease: timedelta) -> "JobQuerySet":
        """What the sweeper acts on next: overdue or abandoned (the staff overview lists them)."""
        return self.overdue(now=now) | self.abandoned(now=now, lease=lease)

    def retryable(self) -> "JobQuerySet":
        return self.filter(status__in=RETRYABLE_STATUSES).exclude(error_code=TARGET_NOT_FOUND)

    # --- transitions ----------------------------------------------------------------------------

    def claim(self, *, token: str, now: datetime, lease: timedelta) -> int:
        """An active job nobody holds → processing, held by `token` for a lease."""
        free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        return (
            self.active()
            .filter(free)
            .update(
                status=JobStatus.PROCESSING,
                locked_until=now + lease,
                worker_id=token,
                started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
                updated_at=now,
            )
        )

    def cancel(self, *, reason: str, now: datetime) -> int:
        """Active → cancelled. A worker mid-step notices (CancelWatch) and keeps what it paid."""
        return self.active().update(
            status=JobStatus.CANCELLED,
            error="",
            finish_reason=reason,
            completed_at=now,
            updated_at=now,
        )

    def time_out(self, *, message: str, now: datetime, release_lease: bool = False) -> int:
        """Active → timeout. The sweeper leaves the lease: a step still running commits the
        creators it paid for, and the job stays timed out. A worker that found its own claimed
        job overdue releases it."""
        lease: dict[str, Any] = {"locked_until": None, "worker_id": ""} if release_lease else {}
        return self.active().update(
            status=JobStatus.TIMEOUT,
            error=message,
            finish_reason=message,
            completed_at=now,
            updated_at=now,
            **lease,
        )

    def force(self, *, status: str, reason: str, now: datetime) -> int:
        """Staff end a stuck (active) job as error or completed; its lease goes too."""
        if status not in FORCEABLE_STATUSES:
            raise ValueError(f"a job cannot be forced to {status!r}")
        fields: dict[str, Any] = {
            "status": status,
            "finish_reason": reason,
            "completed_at": now,
            "locked_until": None,
            "worker_id": "",
            "updated_at": now,
            "error": reason if status == JobStatus.ERROR else "",
        }
        if status == JobStatus.COMPLETED:
            fields["progress"] = 100
        return self.active().update(**fields)

    def reopen(self, *, timeout_at: datetime, now: datetime) -> int:
        """A retryable finished job → pending, with its failures forgotten and a new timeout."""
        return self.retryable().update(
            status=JobStatus.PENDING,
            attempts=0,
            error="",
            error_code="",
            finish_reason="",
            completed_at=None,
            locked_until=None,
            worker_id="",
            timeout_at=timeout_at,
            updated_at=now,
        )

    def resume(self, *, now: datetime) -> int:
        """Back to pending, unheld (for abandoned jobs: callers pin status and updated_at so two
        sweepers never resume one job twice)."""
        return self.active().update(
            status=JobStatus.PENDING, locked_until=None, worker_id="", updated_at=now
        )


# --- the engine's verdict on the job it holds ---------------------------------------------------


def continue_later(job: "ScrapingJob") -> None:
    """The step ended with more to do: the next step is queued."""
    job.status = JobStatus.PENDING


def conclude(
    job: "ScrapingJob",
    status: str,
    *,
    now: datetime,
    progress: int,
    error: str = "",
    reason: str = "",
) -> None:
    """The search is over: completed, partial (stopped below its target) or error."""
    if status not in (JobStatus.COMPLETED, JobStatus.PARTIAL, JobStatus.ERROR):
        raise ValueError(f"a step cannot end a job as {status!r}")
    job.status, job.progress, job.completed_at = status, progress, now
    job.error, job.finish_reason = error, reason or error
