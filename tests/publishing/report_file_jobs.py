"""Shared by the tests of the public report files (publishing, exports, portal, the access matrix): finished
build jobs as the worker leaves them (a ``Job`` row marked done and its file in the jobs' folder), and a PDF
read back."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from wpsnap.core.jobs import job_dir
from wpsnap.core.models import Job, JobStatus

SLUG = "az-2020-2023"
# The plan's title as the report's title page gives it (the plan file's own English title).
PLAN_TITLE_WORDS = "National Action Plan"


def finished_job(
    owner: Any,
    content: bytes,
    *,
    first_year: int = 2021,
    last_year: int = 2021,
    fmt: str = "pdf",
    language: str = "en",
    public: bool = True,
    kind: str = "exports.annual_report",
    started_at: datetime | None = None,
    status: str = JobStatus.DONE,
) -> Job:
    """A build job of ``owner`` finished with the file ``content``, as the worker leaves it."""
    started = started_at or timezone.now() - timedelta(minutes=1)
    job = Job(
        kind=kind,
        owner=owner,
        action="exports.report.build_public" if public else "exports.report.build_internal",
        params={
            "plan": SLUG,
            "first_year": first_year,
            "last_year": last_year,
            "format": fmt,
            "language": language,
            "public": public,
        },
        label=f"Report {first_year}-{last_year}",
        status=status,
        progress=100,
        started_at=started,
        finished_at=started + timedelta(seconds=5),
    )
    if status == JobStatus.DONE:
        job.file_name = str(job.pk)
        job.download_name = f"wpsnap-{SLUG}-annual-report-{first_year}-public-{language}.{fmt}"
        job.content_type = "application/pdf"
        job.size = len(content)
        (job_dir() / job.file_name).write_bytes(content)
    job.save()
    return job


def pdf_text(content: bytes) -> str:
    """The text of a PDF, read back with poppler's pdftotext (which fails on anything but a PDF)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
