"""Background jobs (wpsnap.core.jobs, issue 12): run by the real worker (``wpsnap db_worker``), followed on
their page, their file downloaded by their owner only; a failure shows its reason and offers no file; a
job whose worker was killed half-way offers nothing and is shown failed once its heartbeat is stale."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wpsnap.core.jobs import job_dir, job_start, jobs_sweep
from wpsnap.core.models import AuditEvent, Job

from ..conftest import sign_in
from . import job_kinds

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _start(user, kind: str = "tests.csv", action: str = "account.view", **params) -> Job:
    return job_start(
        owner=user, kind=kind, action=action, params={"year": 2021, **params}, label="People reached, 2021"
    )


def _files_of(job: Job) -> list[str]:
    """The files in the jobs' folder that belong to ``job`` (its finished file or a temporary one)."""
    return sorted(p.name for p in job_dir().iterdir() if str(job.pk) in p.name)


def _text(response) -> str:
    return response.content.decode()


def test_a_job_runs_to_done_and_its_file_downloads(make_user, run_jobs) -> None:
    """The page shows a job waiting, then, once the worker ran it, a link to its file, which downloads as
    an attachment with the bytes, name and type the job gave; no temporary file is left."""
    user = make_user("focal_point")
    client = sign_in(Client(), user)
    job = _start(user)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 200
    assert "Waiting to start." in _text(page)
    assert reverse("jobs:file", args=[job.pk]) not in _text(page)

    run_jobs()

    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert job.size == len(job_kinds.CSV)
    assert job.started_at is not None and job.finished_at is not None
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert "Your file is ready." in _text(page)
    assert reverse("jobs:file", args=[job.pk]) in _text(page)
    download = client.get(reverse("jobs:file", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == job_kinds.CSV
    assert download["Content-Disposition"] == 'attachment; filename="reached-2021.csv"'
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert _files_of(job) == [str(job.pk)]
    assert AuditEvent.objects.filter(action="create", object_id=str(job.pk), actor=user).exists()


def test_a_failing_job_shows_its_reason_and_offers_no_file(make_user, run_jobs, caplog) -> None:
    """A job refused with a WpsnapError shows that message; one that breaks shows "the task failed" with
    the error's type (the traceback goes to the log). Neither offers a file, nor leaves one."""
    user = make_user("focal_point")
    client = sign_in(Client(), user)
    refused = _start(user, kind="tests.refused")
    broken = _start(user, kind="tests.broken")

    run_jobs()

    for job, reason in [
        (refused, "The year 1999 is outside the plan."),
        (broken, "The task failed (KeyError)."),
    ]:
        job.refresh_from_db()
        assert (job.status, job.file_name, job.size) == ("failed", "", None)
        page = client.get(reverse("jobs:detail", args=[job.pk]))
        assert "The task failed, and made no file." in _text(page)
        assert reason in _text(page)
        assert reverse("jobs:file", args=[job.pk]) not in _text(page)
        assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404
        assert _files_of(job) == []
    # The log has the error's type and where it happened, never its message (it may quote the data).
    assert f"job {broken.pk} (tests.broken) failed with KeyError" in caplog.text
    assert "in broken_job" in caplog.text
    assert "'output'" not in caplog.text.replace('["output"]', "")


def test_a_job_stopped_mid_way_is_failed_and_keeps_nothing(make_user, run_jobs) -> None:
    """A job whose worker is told to stop while it runs (SystemExit) is marked failed with a reason to start
    it again, and its half-written file is gone."""
    user = make_user("focal_point")
    job = _start(user, kind="tests.stopped")

    run_jobs()

    job.refresh_from_db()
    assert job.status == "failed"
    assert "stopped before it finished" in job.error
    assert _files_of(job) == []


def test_a_job_taken_for_dead_that_finishes_offers_no_file(make_user, run_jobs) -> None:
    """A job failed while it still ran (its heartbeat stale) stays failed when it finishes after all: its
    file is dropped, never offered."""
    user = make_user("focal_point")
    job = _start(user, kind="tests.overtaken")

    run_jobs()

    job.refresh_from_db()
    assert job.status == "failed"
    assert "The worker stopped" in job.error
    assert _files_of(job) == []


def test_a_silent_running_job_is_shown_failed(make_user, settings) -> None:
    """A job marked running whose heartbeat is older than WPSNAP_JOB_STALE_SECONDS lost its worker: the
    page shows it failed, and it is marked so; a fresh heartbeat keeps it running."""
    user = make_user("focal_point")
    client = sign_in(Client(), user)
    fresh, silent = _start(user), _start(user)
    now = timezone.now()
    Job.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=now, progress=40, step="Counting")
    Job.objects.filter(pk=silent.pk).update(
        status="running", heartbeat_at=now - timedelta(seconds=settings.WPSNAP_JOB_STALE_SECONDS + 1)
    )

    page = client.get(reverse("jobs:detail", args=[fresh.pk]))
    assert "40% done. Counting" in _text(page)
    page = client.get(reverse("jobs:detail", args=[silent.pk]))
    assert "The worker stopped before the task finished." in _text(page)
    assert Job.objects.get(pk=fresh.pk).status == "running"
    assert Job.objects.get(pk=silent.pk).status == "failed"


@pytest.mark.parametrize("name", ["detail", "status", "file"])
def test_someone_else_gets_404(make_user, run_jobs, client, name) -> None:
    """A job's page, state and file are its owner's: anyone else, a coordinator included, gets 404 (the
    attempt audited); an anonymous visitor is sent to sign in."""
    owner = make_user("focal_point")
    job = _start(owner)
    run_jobs()
    url = reverse(f"jobs:{name}", args=[job.pk])
    assert client.get(url).status_code == 302
    for role in ("coordinator", "approver"):
        other = make_user(role, username=f"other-{role}")
        before = AuditEvent.objects.filter(action="access_refused", actor=other).count()
        assert sign_in(Client(), other).get(url).status_code == 404
        assert AuditEvent.objects.filter(action="access_refused", actor=other).count() == before + 1
    assert sign_in(Client(), owner).get(url).status_code == 200


def test_the_owner_loses_the_file_with_the_permission(make_user, run_jobs) -> None:
    """The gate is asked again at download: a coordinator's job needing the audit log is no longer theirs
    to see once they are no longer coordinator."""
    user = make_user("coordinator")
    job = _start(user, action="audit.view")
    run_jobs()
    client = sign_in(Client(), user)
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 200
    user.role = "focal_point"
    user.save(update_fields=["role"])
    client = sign_in(Client(), user)
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_the_list_shows_ones_own_jobs_only(make_user, run_jobs) -> None:
    """/jobs/ lists the person's own jobs, newest first, each linked to its page, a finished one to its
    file; another person's jobs, and those the gate no longer allows, are not there."""
    user, other = make_user("coordinator"), make_user("focal_point")
    older, audit_job = _start(user), _start(user, action="audit.view")
    theirs = _start(other)
    Job.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))
    run_jobs()
    html = _text(sign_in(Client(), user).get(reverse("jobs:list")))
    assert html.index(reverse("jobs:detail", args=[audit_job.pk])) < html.index(
        reverse("jobs:detail", args=[older.pk])
    )
    assert reverse("jobs:file", args=[older.pk]) in html
    assert str(theirs.pk) not in html
    user.role = "focal_point"
    user.save(update_fields=["role"])
    html = _text(sign_in(Client(), user).get(reverse("jobs:list")))
    assert str(audit_job.pk) not in html
    assert str(older.pk) in html
    empty = _text(sign_in(Client(), make_user("approver")).get(reverse("jobs:list")))
    assert "You have not started any background task yet." in empty


def test_a_missing_job_is_404(make_user) -> None:
    """An id no job has answers 404, like another person's."""
    client = sign_in(Client(), make_user("focal_point"))
    assert client.get("/jobs/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/jobs/not-a-uuid/").status_code == 404


def test_the_poll_answers_only_what_changed(make_user, run_jobs) -> None:
    """The page's poll gets 204 while nothing changed; a new state replaces the polling block, which
    stops polling once the job is done."""
    user = make_user("focal_point")
    client = sign_in(Client(), user)
    job = _start(user)
    status_url = reverse("jobs:status", args=[job.pk])
    first = client.get(status_url)
    assert first.status_code == 200
    polled = re.search(r'hx-get="([^"]+)"', _text(first))
    assert polled is not None
    assert 'hx-trigger="every 2s"' in _text(first)
    assert client.get(polled.group(1).replace("&amp;", "&")).status_code == 204

    run_jobs()

    done = client.get(polled.group(1).replace("&amp;", "&"))
    assert done.status_code == 200
    assert "Your file is ready." in _text(done)
    assert "hx-get" not in _text(done)


def test_the_progress_page_suits_a_phone_and_a_screen_reader(make_user) -> None:
    """The progress page fits a narrow screen (the viewport set, nothing of fixed width) and is accessible:
    a labelled <progress>, its news in a polite live region, and a reload without JavaScript while the job
    runs (none once it ended)."""
    user = make_user("focal_point")
    client = sign_in(Client(), user)
    job = _start(user)
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now(), progress=25)
    html = _text(client.get(reverse("jobs:detail", args=[job.pk])))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<label class="form-label" for="job-progress">Progress</label>' in html
    assert '<progress id="job-progress" class="w-100" max="100" value="25">' in html
    assert 'aria-live="polite"' in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert "<table" not in html
    assert not re.search(r'style="[^"]*width', html)
    assert not re.search(r'width="\d{3,}', html)

    Job.objects.filter(pk=job.pk).update(status="failed", error="No figures.", finished_at=timezone.now())
    html = _text(client.get(reverse("jobs:detail", args=[job.pk])))
    assert "http-equiv" not in html
    assert "<progress" not in html


def test_only_registered_kinds_start(make_user) -> None:
    """Starting a job of a kind no app registered is a programming error, refused before anything is
    written."""
    user = make_user("focal_point")
    with pytest.raises(ValueError, match=r"no job kind 'tests\.unknown'"):
        job_start(owner=user, kind="tests.unknown", action="account.view", params={}, label="x")
    assert not Job.objects.filter(owner=user).exists()


def test_the_sweep_removes_old_jobs_and_leftovers(make_user, run_jobs) -> None:
    """``wpsnap jobs sweep`` deletes jobs older than WPSNAP_JOB_KEEP_DAYS with their files, and files no
    finished job offers (a killed job's temporary file) once old enough; a recent job's file stays."""
    user = make_user("focal_point")
    old, recent = _start(user), _start(user)
    run_jobs()
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    leftover = job_dir() / f".{recent.pk}-killed.part"
    leftover.write_bytes(b"half a file")
    hours_ago = time.time() - 3 * 3600
    os.utime(leftover, (hours_ago, hours_ago))

    call_command("jobs", "sweep", "--hours", "2", stdout=(out := _Out()))

    assert "1 old task deleted; 2 leftover or old files removed" in out.text
    assert not Job.objects.filter(pk=old.pk).exists()
    assert _files_of(old) == []
    assert _files_of(recent) == [str(recent.pk)]


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


# --- a worker process, killed ------------------------------------------------------------------------


def _database_url() -> str:
    """A database address through which another process reaches this test database: the database itself
    on PostgreSQL; on SQLite (in memory) a file copy of it, made here."""
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database['NAME']}").geturl()
    copy = Path(settings.WPSNAP_JOB_DIR).parent / f"wpsnap-jobs-test-{os.getpid()}.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}"


def _take_back(url: str) -> None:
    """On SQLite, the worker's database copy becomes this test's database again."""
    if url.startswith("sqlite:///"):
        copy = Path(url.removeprefix("sqlite:///"))
        source = sqlite3.connect(copy)
        source.backup(connection.connection)
        source.close()
        copy.unlink()


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_offers_nothing(make_user, settings, tmp_path) -> None:
    """A worker process killed (SIGKILL) while its job sleeps half-way leaves the job marked running and a
    temporary file: the page shows the progress so far and no file (the heartbeat went on while the job
    slept); once the heartbeat is stale it shows
    the job failed, the file answers 404, and the sweep removes the temporary file."""
    user = make_user("focal_point")
    ready = tmp_path / "ready"
    job = _start(user, kind="tests.slow", ready=str(ready))
    url = _database_url()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); import tests.core.job_kinds; "
            "from django.core.management import call_command; "
            "call_command('db_worker', '--no-startup-delay', '--no-reload', '--interval', '0.2', verbosity=0)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": url,
            "WPSNAP_JOB_DIR": str(settings.WPSNAP_JOB_DIR),
            "WPSNAP_JOB_HEARTBEAT_SECONDS": "0.2",
            "WPSNAP_JOB_STALE_SECONDS": "1",
        },
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.exists(), "the worker never reached the job's half-way point"
        (part,) = _files_of(job)
        assert part.startswith(".") and part.endswith(".part")
        time.sleep(0.8)  # the worker's heartbeat (every 0.2 s here) beats while the job sleeps
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    _take_back(url)

    job.refresh_from_db()
    assert (job.status, job.progress, job.step, job.file_name) == ("running", 50, "Half way", "")
    assert job.heartbeat_at - job.started_at >= timedelta(seconds=0.5)
    client = sign_in(Client(), user)
    settings.WPSNAP_JOB_STALE_SECONDS = 600
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert "50% done. Half way" in _text(page)
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404

    settings.WPSNAP_JOB_STALE_SECONDS = 0.5
    time.sleep(0.6)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert "The worker stopped before the task finished." in _text(page)
    assert reverse("jobs:file", args=[job.pk]) not in _text(page)
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404
    assert Job.objects.get(pk=job.pk).status == "failed"
    jobs_sweep(part_hours=0)
    assert _files_of(job) == []
