"""django-q2 entry points: thin wrappers around the engine and services."""

from . import engine, services


def run_job_step(job_id: str) -> None:
    engine.job_step(job_id)


def sweep_jobs() -> dict[str, int]:
    return services.jobs_sweep()
