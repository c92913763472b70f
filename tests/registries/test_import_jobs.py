"""Issue 12: large participant imports run by a background job. A file (or pasted rows) with more rows than
WPSNAP_IMPORT_SYNC_ROWS goes to a job of kind ``registries.participants_import``: the page sends the person
to the job's page, the API answers 202 with the job's address, the upload waits in the private spool and
is removed when the job ends; the job imports it as the page would (every row checked, all or nothing, the
duplicate rule, the gate asked again), shows the rows checked and written, and a refused file's row and
column problems. Jobs are run by the real worker (the ``run_jobs`` fixture); a worker killed half-way
through an import (PostgreSQL) leaves nothing written."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wpsnap.core.jobs import job_fail_stale
from wpsnap.core.models import Job
from wpsnap.core.spool import spool_sweep
from wpsnap.registries.models import Participant, ParticipantImport
from wpsnap.registries.services import participants as services
from wpsnap.registries.services.participants import rows_estimate

from ..api import token_client
from ..conftest import sign_in

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
LIMIT = 50


@pytest.fixture(autouse=True)
def _small_limit(settings, tmp_path):
    settings.WPSNAP_IMPORT_SYNC_ROWS = LIMIT
    settings.WPSNAP_UPLOAD_SPOOL_DIR = tmp_path / "spool"


def _csv(rows: int, bad: dict[int, bytes] | None = None) -> bytes:
    """A participant CSV of ``rows`` rows; ``bad`` replaces some (by their row number, the header 1)."""
    lines = [b"sex,age,district"]
    for number in range(2, rows + 2):
        lines.append((bad or {}).get(number, b"women,%d,baku" % (18 + number % 60)))
    return b"\n".join(lines) + b"\n"


def _upload(content: bytes, name: str = "participants.csv") -> BytesIO:
    upload = BytesIO(content)
    upload.name = name
    return upload


def _spooled() -> list[Path]:
    folder = services.spool_dir() / "participant-imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def _count(event) -> int:
    return Participant.objects.filter(event=event).count()


def _post(client, event, content: bytes, **fields):
    return client.post(f"/events/{event.pk}/participants/import/", {"file": _upload(content), **fields})


# --- through a job -------------------------------------------------------------------------------


def test_a_large_file_goes_through_a_job_and_its_rows_arrive(client, people, training, run_jobs) -> None:
    sign_in(client, people["focal"])
    response = _post(client, training, _csv(120))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.action, job.status, job.params["rows"]) == (
        "registries.participants_import",
        "event.edit",
        "queued",
        121,
    )
    assert _count(training) == 0  # nothing before the job runs
    (spooled,) = _spooled()
    assert spooled.name == str(job.pk) and spooled.read_bytes() == _csv(120)
    assert oct(spooled.parent.stat().st_mode & 0o777) == "0o700"

    with CaptureQueriesContext(connection) as queries:
        run_jobs()
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert _count(training) == 120
    assert _spooled() == []  # removed when the job ended
    # The page was told the rows checked and written as the import went (here at its end, 120 of 121).
    steps = [q["sql"] for q in queries.captured_queries if "Rows checked: 120 of about 121" in q["sql"]]
    assert steps and "Rows written: 120." in steps[-1]

    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Participants of “UNSCR 1325 for officers” from participants.csv" in page
    receipt = client.get(reverse("jobs:file", args=[job.pk]))
    text = b"".join(receipt.streaming_content).decode()
    assert receipt["Content-Type"] == "text/plain; charset=utf-8"
    assert f"Participants imported into event {training.pk}" in text
    assert "120 rows added." in text and "The list now has 120 participants." in text


def test_up_to_the_limit_the_file_is_imported_at_once(client, people, training) -> None:
    sign_in(client, people["focal"])
    assert _post(client, training, _csv(LIMIT - 1))["Location"].endswith("/participants/")
    assert (_count(training), Job.objects.count()) == (LIMIT - 1, 0)


def test_pasted_rows_over_the_limit_go_through_a_job_too(client, people, training, run_jobs) -> None:
    sign_in(client, people["focal"])
    text = _csv(80).decode()
    response = client.post(f"/events/{training.pk}/participants/import/", {"text": text})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert "from pasted rows" in job.label
    run_jobs()
    assert (Job.objects.get().status, _count(training)) == ("done", 80)
    assert ParticipantImport.objects.get().source == "paste"


def test_a_refused_file_shows_its_rows_problems_on_the_job_page(client, people, training, run_jobs) -> None:
    sign_in(client, people["focal"])
    _post(client, training, _csv(120, bad={7: b"x,23,baku", 100: b"women,250,baku"}))
    run_jobs()
    job = Job.objects.get()
    assert job.status == "failed"
    # As the page and the command name them: the row under the header, and the column.
    assert "rows[7].sex: “x” is not one of men, women." in job.error
    assert "rows[100].age: “250” is not an age between 0 and 120." in job.error
    assert _count(training) == 0 and ParticipantImport.objects.count() == 0  # nothing half-saved
    assert _spooled() == []
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "rows[7].sex: “x” is not one of men, women.<br>rows[100].age:" in page


def test_many_problems_show_the_first_and_how_many_more(client, people, training, run_jobs) -> None:
    sign_in(client, people["focal"])
    _post(client, training, _csv(300, bad=dict.fromkeys(range(2, 302), b"x,23,baku")))
    run_jobs()
    error = Job.objects.get().error
    assert error.count("is not one of") == 200
    assert error.splitlines()[-1] == "rows: … and problems in 100 more rows."


def test_the_duplicate_rule_holds_in_the_background(client, people, training, run_jobs) -> None:
    sign_in(client, people["focal"])
    _post(client, training, _csv(120))
    run_jobs()
    _post(client, training, _csv(120))
    run_jobs()
    again = Job.objects.order_by("created_at").last()
    assert again.status == "failed"
    assert again.error.startswith("file: This file was already imported into this event on ")
    assert "by mod-focal: 120 participants." in again.error
    assert _count(training) == 120
    _post(client, training, _csv(120), allow_duplicate="on")
    run_jobs()
    assert _count(training) == 240
    _post(client, training, _csv(120), replace="on")
    run_jobs()
    assert _count(training) == 120


def test_the_gate_is_asked_again_when_the_job_runs(client, people, training, run_jobs) -> None:
    focal = people["focal"]
    sign_in(client, focal)
    _post(client, training, _csv(120))
    focal.role = "evaluator"
    focal.save()
    run_jobs()
    job = Job.objects.get()
    assert (job.status, job.error) == ("failed", "You may no longer change this event's participants.")
    assert _count(training) == 0 and _spooled() == []


def test_a_locked_event_is_refused_before_the_job_starts(client, people, training) -> None:
    from django.utils import timezone

    from wpsnap.reporting.models import ReportingPeriod

    ReportingPeriod.objects.filter(plan=training.plan).update(locked_at=timezone.now())
    sign_in(client, people["focal"])
    response = _post(client, training, _csv(120))
    assert response.status_code == 409
    assert Job.objects.count() == 0 and _spooled() == []


def test_an_upload_whose_job_never_ran_is_swept(client, people, training) -> None:
    """A killed worker (or one never started) leaves the upload in the spool: the daily sweep removes it
    once a day old, and a job run after that says to upload the file again."""
    sign_in(client, people["focal"])
    _post(client, training, _csv(120))
    assert len(_spooled()) == 1
    spool_sweep(now=time.time() + 25 * 3600)
    assert _spooled() == []


# --- the API -------------------------------------------------------------------------------------


def test_the_api_answers_202_with_the_jobs_location(people, training, run_jobs) -> None:
    api = token_client(people["focal"])
    response = api.post(
        f"/api/v1/events/{training.pk}/participants/", {"file": _upload(_csv(120))}, format="multipart"
    )
    job = Job.objects.get()
    assert response.status_code == 202
    assert response["Location"] == f"http://testserver/api/v1/jobs/{job.pk}/"
    assert response.json() == {
        "job": str(job.pk),
        "status": "queued",
        "url": f"http://testserver/jobs/{job.pk}/",
        "rows": 121,
    }
    run_jobs()
    assert (Job.objects.get().status, _count(training)) == ("done", 120)


# --- counting rows cheaply -----------------------------------------------------------------------


def _xlsx(rows: int, *, write_only: bool = False) -> bytes:
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    sheet.append(["sex", "age"])
    for n in range(rows):
        sheet.append(["women", 20 + n % 40])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_rows_are_counted_without_reading_them() -> None:
    assert rows_estimate(_csv(120)) == 121
    assert rows_estimate(_csv(120).rstrip(b"\n")) == 121
    assert rows_estimate(_csv(120).decode().encode("utf-16")) == 121
    assert rows_estimate(_xlsx(300)) == 301
    assert rows_estimate(_xlsx(300, write_only=True)) == 301
    assert rows_estimate(b"\x00\x01binary" * 10) == 0
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("notes.txt", "not a spreadsheet")
    assert rows_estimate(archive.getvalue()) == 0


def test_rows_of_a_sheet_without_its_dimension_are_counted_in_its_xml() -> None:
    content = _xlsx(300)
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B301"/>', b"")
                assert b"<dimension" not in data
            rewritten.writestr(item, data)
    assert rows_estimate(target.getvalue()) == 301


# --- a worker killed half-way (PostgreSQL) -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_writes_nothing(client, people, training, settings) -> None:
    """A worker process imports a large file; its page shows the rows checked and written while the
    import's transaction is open; the worker is killed (SIGKILL): nothing was written, and once its
    heartbeat is stale the job is failed."""
    rows = 400_000
    sign_in(client, people["focal"])
    _post(client, training, _csv(rows))
    job = Job.objects.get()
    database = connection.settings_dict["NAME"]
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.management import call_command; "
            "call_command('db_worker', '--no-startup-delay', '--no-reload', '--interval', '0.2', verbosity=0)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": url,
            "WPSNAP_JOB_DIR": str(settings.WPSNAP_JOB_DIR),
            "WPSNAP_UPLOAD_SPOOL_DIR": str(settings.WPSNAP_UPLOAD_SPOOL_DIR),
            "WPSNAP_JOB_HEARTBEAT_SECONDS": "0.2",
            "WPSNAP_JOB_STALE_SECONDS": "1",
        },
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None:
            job.refresh_from_db()
            if "Rows written:" in job.step and not job.step.endswith("Rows written: 0."):
                break
            time.sleep(0.05)
        assert job.status == "running", job.status
        assert job.step.startswith("Rows checked: ") and f"of about {rows + 1:,}" in job.step, job.step
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    assert _count(training) == 0 and ParticipantImport.objects.count() == 0
    settings.WPSNAP_JOB_STALE_SECONDS = 0.5
    time.sleep(0.6)
    job = job_fail_stale(Job.objects.get(pk=job.pk))
    assert job.status == "failed"
    assert "The worker stopped before the task finished." in job.error


# --- query counts --------------------------------------------------------------------------------


def test_the_import_pages_queries_are_pinned(client, people, training, django_assert_num_queries) -> None:
    """The form, a small file imported at once, and a large one handed to a job: each a fixed number of
    queries, whatever the file's size."""
    sign_in(client, people["focal"])
    url = f"/events/{training.pk}/participants/import/"
    client.get(url)
    with django_assert_num_queries(GET_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(SMALL_QUERIES):  # 50 rows and the header: at once
        assert _post(client, training, _csv(LIMIT - 1))["Location"].endswith("/participants/")
    with django_assert_num_queries(SMALL_QUERIES):
        assert _post(client, training, _csv(10))["Location"].endswith("/participants/")
    with django_assert_num_queries(JOB_QUERIES):
        assert "/jobs/" in _post(client, training, _csv(LIMIT + 1))["Location"]
    with django_assert_num_queries(JOB_QUERIES):
        assert "/jobs/" in _post(client, training, _csv(LIMIT * 20))["Location"]


# As measured on 2026-12-03: the form; a file imported at once (the key, the
# lock and the event's row, the batch, the rows, the audit line and the rollups kept current, the people
# rollup and the event figures' sums by organiser among them: 12 of the 51; since the afternoon five more,
# the district rollup and the dashboards' stored alert of the organiser); a file
# handed to a job (the lock, the job, its task and its audit line), whatever its size.
# PostgreSQL writes the rows with COPY through psycopg's own cursor, which Django does not count: one fewer.
GET_QUERIES = 9
SMALL_QUERIES = 56 if connection.vendor == "postgresql" else 57
JOB_QUERIES = 15
