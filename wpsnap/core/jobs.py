"""Background jobs: slow work (a report, a large export or import) run by the worker for one person, who
follows its progress on a page and downloads the file it makes.

Each app registers its kinds (in its ``AppConfig.ready()``, by importing its jobs module)::

    @job_kind("exports.annual_report")
    def annual_report_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
        progress(10, "Reading the figures")
        out.write(...)
        return JobOutput(name="wpsnap-review-2020-2023.pdf", content_type="application/pdf")

A view behind the gate starts one with :func:`job_start` and sends the person to its page
(``redirect("jobs:detail", job.pk)``). The job row is written, and the task that runs it queued, in the
caller's transaction (the queue is a table of the same database): both exist, or neither.

The runner (:func:`job_run`, the Django task ``wpsnap.core.tasks.run_job``) writes into a temporary file
in ``WPSNAP_JOB_DIR``, then flushes it to disk, renames it into place and marks the job done; the job is
marked done only while it is still marked running, so a job failed meanwhile (its worker taken for dead)
keeps no file. A process killed before that leaves a job marked running and a temporary file: the job is
failed once its heartbeat is older than ``WPSNAP_JOB_STALE_SECONDS`` (:func:`job_fail_stale`), and
:func:`jobs_sweep` removes the leftover file. Nothing here knows who may see a job: the pages ask the gate
(``job.view`` in ``wpsnap.accounts.permissions``).

Failures are shown to the owner with their reason: a :class:`~wpsnap.core.errors.WpsnapError`'s own
message, else "the task failed" and the error's type, the traceback going to the log only. Job code must
not put beneficiaries' personal data in its error messages or step texts.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import FileResponse, Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .errors import WpsnapError
from .models import AuditAction, Job, JobStatus

logger = logging.getLogger(__name__)

# The finished file's name under WPSNAP_JOB_DIR is the job's id; a temporary one starts with a dot.
PART_PREFIX = "."
PART_SUFFIX = ".part"


@dataclass(frozen=True)
class JobResult:
    """Where the person goes once the job is done (the next action on its page, ``result`` in the API):
    a page of the site (a path, ``reverse(...)``), the link's wording (a short imperative, translated:
    jobs run in their owner's language), and optionally the API's address of the same thing (a path)."""

    url: str
    label: str
    api_url: str = ""


@dataclass(frozen=True)
class JobOutput:
    """What a job's function returns about the file it wrote: the name it is downloaded under and its
    content type; and optionally where to go next (:class:`JobResult`)."""

    name: str
    content_type: str
    result: JobResult | None = None


class Progress(Protocol):
    def __call__(self, percent: int, step: str = "") -> None: ...


JobFunction = Callable[[Job, Progress, BinaryIO], JobOutput]
_KINDS: dict[str, JobFunction] = {}


class JobGone(Exception):
    """The job is no longer this worker's to run (failed meanwhile, its worker taken for dead): stop."""


def job_kind(kind: str) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` as the work of jobs of ``kind`` (``"<app>.<what>"``)."""

    def decorator(function: JobFunction) -> JobFunction:
        if _KINDS.get(kind, function) is not function:
            raise ValueError(f"job kind {kind!r} is registered twice")
        _KINDS[kind] = function
        return function

    return decorator


def job_kinds() -> list[str]:
    return sorted(_KINDS)


def job_dir() -> Path:
    """The folder of the jobs' files (made if missing)."""
    folder = Path(settings.WPSNAP_JOB_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def job_start(
    *,
    owner: Any,
    kind: str,
    action: str,
    params: dict[str, Any] | None = None,
    label: str,
    language: str | None = None,
) -> Job:
    """Start a job of ``kind`` for ``owner``, who needed the gate's ``action`` for it (the caller, behind
    ``@gate(action)``, has asked; the job's page and file ask again). ``params`` must be JSON (ids and
    keys, never objects); ``label`` is what the page calls it. The job is queued when the caller's
    transaction commits, with it."""
    if kind not in _KINDS:
        raise ValueError(f"no job kind {kind!r} is registered (known: {', '.join(job_kinds())})")
    from .tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            owner=owner,
            action=action,
            params=params or {},
            label=str(label)[:300],
            language=language or translation.get_language() or settings.LANGUAGE_CODE,
        )
        # In the same transaction as the job: the queue is a table of this database, so a job is never
        # left waiting for a task that was not queued.
        run_job.enqueue(str(job.pk))
        audit.record(AuditAction.CREATE, actor=owner, obj=job, note=f"job {kind}")
    return job


# --- running ---------------------------------------------------------------------------------------


def job_run(*, job_id: str) -> None:
    """Run the job ``job_id`` (the worker's task): claim it, call its kind's function with a progress
    callback and a temporary file, put the file in place and mark the job done, or failed with its
    reason. A job already claimed, finished or deleted is left alone."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, progress=0
    )
    if not claimed:
        logger.info("job %s: not waiting to start (taken, finished or gone)", job_id)
        return
    job = Job.objects.get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        _run(job)


def _run(job: Job) -> None:
    function = _KINDS.get(job.kind)
    if function is None:
        _fail(job, _("This kind of task (%(kind)s) is unknown to this server.") % {"kind": job.kind})
        return
    folder = job_dir()
    part = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, renamed or removed in finally)
        mode="w+b", dir=folder, prefix=f"{PART_PREFIX}{job.pk}-", suffix=PART_SUFFIX, delete=False
    )
    heart = _Heartbeat(job)
    heart.start()
    try:
        output = function(job, _progress_of(job), part)  # type: ignore[arg-type]
        if not isinstance(output, JobOutput):
            raise TypeError(f"job kind {job.kind!r} returned {type(output).__name__}, not JobOutput")
        part.flush()
        os.fsync(part.fileno())
        part.close()
        heart.stop()
        _finish(job, Path(part.name), output)
    except JobGone:
        logger.warning("job %s (%s): stopped, as it was no longer running", job.pk, job.kind)
    except WpsnapError as error:
        _fail(job, str(error))
    except Exception as error:
        # The frames only: an error's message may quote the data it choked on (a participant's name).
        logger.error(
            "job %s (%s) failed with %s; traceback (messages left out):\n%s",
            job.pk,
            job.kind,
            type(error).__qualname__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        _fail(job, _("The task failed (%(error)s).") % {"error": type(error).__name__})
    except BaseException:
        # The worker is being stopped (Ctrl+C, SystemExit): say so, then let it stop.
        _fail(job, _("The task was stopped before it finished. Please start it again."))
        raise
    finally:
        heart.stop()
        part.close()
        Path(part.name).unlink(missing_ok=True)


def _progress_of(job: Job) -> Progress:
    def progress(percent: int, step: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            progress=percent, step=str(step)[:200], heartbeat_at=timezone.now()
        )
        if not updated:
            raise JobGone(str(job.pk))

    return progress


def _finish(job: Job, part: Path, output: JobOutput) -> None:
    """Rename the finished file into place and mark the job done (only while it is still running); a
    process killed between the two leaves a file no job offers, which the sweep removes."""
    final = job_dir() / str(job.pk)
    size = part.stat().st_size
    part.replace(final)  # atomic within the folder (os.replace)
    _fsync_dir(final.parent)
    done = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
        file_name=final.name,
        download_name=_safe_name(output.name),
        content_type=output.content_type[:100],
        size=size,
        result_url=output.result.url[:300] if output.result else "",
        result_label=str(output.result.label)[:200] if output.result else "",
        result_api_url=output.result.api_url[:300] if output.result else "",
    )
    if not done:
        final.unlink(missing_ok=True)
        logger.warning("job %s (%s): finished after it was failed; its file is dropped", job.pk, job.kind)


def _fail(job: Job, reason: str) -> None:
    Job.objects.filter(pk=job.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, error=reason, finished_at=timezone.now(), file_name=""
    )


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` survive a crash (where the system allows opening a folder)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _safe_name(name: str) -> str:
    """A download name without path parts or characters a header cannot carry."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>:|?*')
    return cleaned[:255] or "download"


class _Heartbeat:
    """Beats the job's heartbeat every WPSNAP_JOB_HEARTBEAT_SECONDS from a thread of its own, so that a
    job busy in one long step (a PDF being laid out) is not taken for dead; a beat that cannot be written
    (the database busy) is skipped."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk
        self.interval = float(settings.WPSNAP_JOB_HEARTBEAT_SECONDS)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-heartbeat-{job.pk}", daemon=True)

    def start(self) -> None:
        # A job run inside a transaction (a test's, the immediate backend's) beats through its progress
        # calls only: another connection would not see its row, or would wait for its lock.
        if not connection.in_atomic_block:
            self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.debug("job %s: heartbeat skipped (database busy)", self.job_id)
        finally:
            connection.close()


# --- reading and looking after ---------------------------------------------------------------------


def stale_before() -> Any:
    return timezone.now() - timedelta(seconds=float(settings.WPSNAP_JOB_STALE_SECONDS))


def job_is_stale(job: Job) -> bool:
    """Is ``job`` marked running but silent for longer than WPSNAP_JOB_STALE_SECONDS (its worker gone)?"""
    return job.status == JobStatus.RUNNING and (job.heartbeat_at is None or job.heartbeat_at < stale_before())


def job_fail_stale(job: Job) -> Job:
    """``job``, failed if its worker stopped while running it (:func:`job_is_stale`), as the page shows
    it. Written only while the row is still running and silent, so a late heartbeat wins."""
    if job_is_stale(job):
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at__lt=stale_before()).update(
            status=JobStatus.FAILED,
            error=_("The worker stopped before the task finished. Please start it again."),
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
    return job


def job_file_response(job: Job) -> FileResponse:
    """The finished file of ``job`` as an attachment (404 unless done and the file is there). The caller
    has asked the gate."""
    if job.status != JobStatus.DONE or not job.file_name:
        raise Http404
    path = job_dir() / job.file_name
    try:
        handle: IO[bytes] = path.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=job.download_name or "download", content_type=job.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass(frozen=True)
class JobSweep:
    jobs: int
    files: int
    bytes: int


def jobs_sweep(*, days: int | None = None, part_hours: float = 24) -> JobSweep:
    """Fail the running jobs whose worker stopped; delete the jobs (not running) started more than ``days``
    ago (WPSNAP_JOB_KEEP_DAYS) with their files; remove the files no finished job offers once they are
    ``part_hours`` old (younger ones may be a job's being written): temporary files of killed jobs, and
    finished ones of a process killed between renaming the file and marking its job done."""
    days = settings.WPSNAP_JOB_KEEP_DAYS if days is None else days
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=stale_before()):
        job_fail_stale(job)
    cutoff = timezone.now() - timedelta(days=days)
    old = Job.objects.filter(created_at__lt=cutoff).exclude(status=JobStatus.RUNNING)
    gone = set(old.exclude(file_name="").values_list("file_name", flat=True))
    deleted = old.count()
    old.delete()
    offered = set(Job.objects.filter(status=JobStatus.DONE).values_list("file_name", flat=True))
    files = removed_bytes = 0
    file_cutoff = timezone.now().timestamp() - part_hours * 3600
    for path in job_dir().iterdir():
        if not path.is_file() or path.name in offered:
            continue
        stat = path.stat()
        # A file of a deleted job goes now; one no job offers yet may be a job's being written.
        if path.name in gone or stat.st_mtime < file_cutoff:
            path.unlink(missing_ok=True)
            files += 1
            removed_bytes += stat.st_size
    return JobSweep(jobs=deleted, files=files, bytes=removed_bytes)
