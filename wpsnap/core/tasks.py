"""The Django tasks of core, run by the worker (``wpsnap db_worker``): they take ids and call
``wpsnap.core.jobs``, which holds the logic."""

from __future__ import annotations

from django.tasks import task

from .jobs import job_run


@task
def run_job(job_id: str) -> None:
    """Run the background job ``job_id`` (queued by ``jobs.job_start``)."""
    job_run(job_id=job_id)
