"""A background job's pages (``wpsnap.core.jobs``): its progress, refreshed while it runs, and its file
once done; and the list of one's own jobs, to come back to them. Only the job's owner sees them, and only
while the gate still allows them the job's action; anyone else gets 404, as if the job did not exist."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from wpsnap.core import jobs
from wpsnap.core.models import Job, JobStatus

from .. import permissions

# How often the page asks for news while the job runs: the htmx poll, and the reload without JavaScript.
POLL_SECONDS = 2
REFRESH_SECONDS = 5
# A job still waiting this long after it was started suggests no worker is running.
WAITING_LONG = timedelta(minutes=1)
# The list shows one's latest jobs (the sweep deletes them after WPSNAP_JOB_KEEP_DAYS anyway).
LIST_SIZE = 50


def _job_or_404(request: HttpRequest, pk: uuid.UUID) -> Job:
    """The job ``pk`` if the request's user may see it; else 404, the refusal audited when it exists."""
    job = Job.objects.filter(pk=pk).first()
    if job is None:
        raise Http404
    if not permissions.can(request.user, "job.view", job):
        permissions.refuse(request, "job.view", job, hide=True)
    return jobs.job_fail_stale(job)


def _state(job: Job) -> str:
    """A short token of what the page shows of ``job``: a poll that already shows it gets 204."""
    shown = f"{job.status}|{job.progress}|{job.step}"
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def _context(job: Job) -> dict[str, object]:
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    return {
        "job": job,
        "finished": finished,
        "state": _state(job),
        "poll_seconds": POLL_SECONDS,
        "refresh_seconds": REFRESH_SECONDS,
        "waiting_long": job.status == JobStatus.QUEUED and timezone.now() - job.created_at > WAITING_LONG,
    }


@permissions.gate("job.view", authenticated=True)
@require_safe
@never_cache
def job_list(request: HttpRequest) -> HttpResponse:
    """The request's user's latest jobs, newest first (those the gate still allows them)."""
    latest = Job.objects.filter(owner_id=request.user.pk).defer("params")[:LIST_SIZE]
    rows = [jobs.job_fail_stale(job) for job in latest if permissions.can(request.user, "job.view", job)]
    return render(
        request, "accounts/jobs/job_list.html", {"jobs": rows, "keep_days": settings.WPSNAP_JOB_KEEP_DAYS}
    )


@permissions.gate("job.view", authenticated=True)
@require_safe
@never_cache
def job_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _job_or_404(request, pk)
    return render(request, "accounts/jobs/job_detail.html", _context(job))


@permissions.gate("job.view", authenticated=True)
@require_safe
@never_cache
def job_status(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The job's state, for the page's poll: 204 when it has not changed since ``seen``."""
    job = _job_or_404(request, pk)
    context = _context(job)
    if request.GET.get("seen") == context["state"]:
        return HttpResponse(status=204)
    return render(request, "accounts/jobs/partials/job_state.html", context)


@permissions.gate("job.view", authenticated=True)
@require_safe
def job_file(request: HttpRequest, pk: uuid.UUID) -> FileResponse:
    """The job's file, as an attachment; 404 until it is done."""
    return jobs.job_file_response(_job_or_404(request, pk))
