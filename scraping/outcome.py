"""How a search's outcome is said to people: one wording for pages, polls and the API."""

from .models import ScrapingJob
from .transitions import ACTIVE_STATUSES, JobStatus


def finish_message(job: ScrapingJob) -> str:
    """What happened, in plain words (empty while the search runs)."""
    found = f"{job.processed_results:,} of {job.target_results:,} creators"
    if job.status == JobStatus.COMPLETED:
        return f"Completed: found {found}."
    if job.status in ACTIVE_STATUSES:
        return ""
    if job.status == JobStatus.CANCELLED:
        # The step in flight at the cancel may still add what it had paid for: say the numbers.
        return f"{job.finish_reason or 'Cancelled.'} Kept {found}."
    # Keyed by str: job.status is the field's plain string (a JobStatus member is a str too).
    defaults: dict[str, str] = {
        JobStatus.PARTIAL: f"Finished early: found {found}.",
        JobStatus.ERROR: f"Stopped by an error after finding {found}.",
        JobStatus.TIMEOUT: f"Timed out after finding {found}.",
    }
    default = defaults[job.status]
    return job.finish_reason or job.error or default
