"""Job kinds for the tests of background jobs (tests/core/test_jobs.py), registered on import: also by a
worker process the tests start, which imports this module before it runs."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone

from wpsnap.core.errors import InvalidInput
from wpsnap.core.jobs import JobOutput, Progress, job_fail_stale, job_kind
from wpsnap.core.models import Job

CSV = b"activity,reached\n5.1.2.3,42\n"


@job_kind("tests.csv")
def csv_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
    progress(30, "Counting")
    out.write(CSV)
    progress(90, "Writing")
    return JobOutput(name=f"reached-{job.params['year']}.csv", content_type="text/csv; charset=utf-8")


@job_kind("tests.refused")
def refused_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
    out.write(b"half a file")
    raise InvalidInput([("period", "invalid", "The year 1999 is outside the plan.")])


@job_kind("tests.broken")
def broken_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
    out.write(b"half a file")
    return {"not": "an output"}["output"]  # type: ignore[return-value]  # KeyError


@job_kind("tests.stopped")
def stopped_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
    out.write(b"half a file")
    progress(50, "Half way")
    raise SystemExit(1)


@job_kind("tests.slow")
def slow_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
    """Writes half its file, says so, then sleeps until its process is killed."""
    out.write(b"half a file")
    out.flush()
    progress(50, "Half way")
    Path(job.params["ready"]).write_text(str(os.getpid()))
    time.sleep(120)
    return JobOutput(name="never.csv", content_type="text/csv")


@job_kind("tests.overtaken")
def overtaken_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
    """Taken for dead while it works (its heartbeat old, the page failing it), then finishes anyway."""
    out.write(CSV)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    job_fail_stale(Job.objects.get(pk=job.pk))
    return JobOutput(name="late.csv", content_type="text/csv")
