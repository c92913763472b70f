"""The end-of-plan review in the browser, on the demo site at 375 px with axe-core: the coordinator writes
the review's conclusions, asks for its PDF, watches the progress bar, and downloads the file when the
background worker has built it; the PDF opens and holds their conclusions. No page scrolls sideways and
axe-core finds nothing serious."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from wpsnap.core.models import Job
from wpsnap.exports.models import ReportNarrative

from .conftest import DEMO_PASSWORD, DESKTOP, PHONE
from .walk import PROBLEMS_LISTENER, Walk, sign_in, totp_code

pytestmark = [pytest.mark.browser]

REPORTS = "/exports/plans/az-2020-2023/reports/"
WRITE = "/exports/plans/az-2020-2023/reports/2020-2023/write/"
CONCLUSIONS = "The plan brought the agencies together; the districts need more shelters."
# Each sign-in of the coordinator takes the next second-factor code (a code is good once, and never one
# of an earlier time step than the last used: walk.totp_code).
SIGN_INS = {"coordinator": 0}


def _code() -> str:
    ahead = SIGN_INS["coordinator"]
    SIGN_INS["coordinator"] += 1
    return totp_code("coordinator", ahead)


# How long the review's PDF may take to build on a shared machine before the test gives up.
BUILD_TIMEOUT_MS = 180_000


class Worker:
    """The background worker (``wpsnap db_worker``'s own worker loop), run beside the live server in a
    thread of this process until stopped: its own database connection (on SQLite the test database is an
    in-memory one the process's threads share; on PostgreSQL the demo's rows are committed, ``demo_db``).
    The command itself cannot run in a thread: it installs signal handlers, which only the main thread
    may do."""

    def __init__(self) -> None:
        from django_tasks_db.management.commands.db_worker import Worker as DbWorker

        self.errors: list[BaseException] = []
        self.worker = DbWorker(
            queue_names=["default"],
            interval=0.2,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test",
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import connection

        try:
            self.worker.run()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.errors.append(error)
        finally:
            connection.close()

    def __enter__(self) -> Worker:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.worker.running = False
        self.thread.join(timeout=BUILD_TIMEOUT_MS / 1000)


@pytest.fixture
def clean_reports(demo_db) -> Iterator[str]:
    """The demo site with no narrative and no job before the test, and none left after it."""
    ReportNarrative.objects.all().delete()
    Job.objects.all().delete()
    yield demo_db
    ReportNarrative.objects.all().delete()
    Job.objects.all().delete()


def test_the_coordinator_downloads_the_review_pdf(clean_reports, browser, tmp_path: Path) -> None:
    """On a phone, the coordinator opens the annual reports from the plan's navigation, writes the
    review's conclusions, builds its PDF (internal, English), sees the job's progress bar while it waits
    for the worker, then downloads the file; the PDF's text holds the conclusions."""
    site = clean_reports
    walk = Walk(site, PHONE["width"], axe=True)
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.add_init_script(PROBLEMS_LISTENER)
    try:
        sign_in(page, site, "coordinator", DEMO_PASSWORD, code=_code)
        page.goto(f"{site}/plans/az-2020-2023/")
        page.get_by_role("button", name="Show or hide the menu").click()
        with page.expect_navigation():
            page.get_by_role("link", name="Annual reports").click()
        assert page.url.removeprefix(site) == REPORTS
        walk.check(page, REPORTS)

        review = page.locator('[data-report="2020-2023"]')
        with page.expect_navigation():
            review.get_by_role("link", name="Write the conclusions").click()
        page.get_by_role("link", name="English").click()
        page.wait_for_url(f"**{WRITE}?lang=en")
        walk.check(page, WRITE)
        page.get_by_label("Conclusions", exact=True).fill(CONCLUSIONS)
        with page.expect_navigation():
            page.get_by_role("button", name="Save").click()
        assert page.get_by_text("Saved 1 section.").is_visible()
        assert ReportNarrative.objects.get(section="conclusions", language="en").text == CONCLUSIONS

        page.goto(site + REPORTS)
        review = page.locator('[data-report="2020-2023"]')
        review.get_by_label("Format").select_option("pdf")
        review.get_by_label("Language").select_option("en")
        review.get_by_label("Version").select_option("internal")
        with page.expect_navigation():
            review.get_by_role("button", name="Build").click()
        job = Job.objects.get()
        assert page.url.removeprefix(site) == f"/jobs/{job.pk}/"
        # Nothing runs the job yet: the page shows it waiting, with its progress bar.
        assert page.locator("progress#job-progress").is_visible()
        walk.check(page, "/jobs/<id>/ (waiting)")

        with Worker() as worker:
            download_link = page.get_by_role("link", name="Download")
            try:
                download_link.wait_for(timeout=BUILD_TIMEOUT_MS)
            except Exception:
                job.refresh_from_db()
                raise AssertionError(
                    f"no file offered: job {job.status} {job.progress}% {job.step!r} {job.error!r}; "
                    f"worker errors {worker.errors!r}; page: {page.locator('#job-state').inner_text()!r}"
                ) from None
            walk.check(page, "/jobs/<id>/ (done)")
            with page.expect_download() as waiting:
                download_link.click()
            download = waiting.value
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
        assert worker.errors == []
    finally:
        context.close()

    job.refresh_from_db()
    assert (job.status, job.error) == ("done", "")
    assert saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", str(saved), "-"], capture_output=True, check=True).stdout
    assert CONCLUSIONS.split(";")[0].encode() in b" ".join(text.split())
    assert [str(f) for f in walk.findings] == []


@pytest.mark.django_db
def test_report_pages_fit_a_desktop_and_pass_axe(demo_site, browser) -> None:
    """At 1,280 px too, the reports list and the writing page pass axe-core and fit the window."""
    walk = Walk(demo_site, DESKTOP["width"], axe=True)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.add_init_script(PROBLEMS_LISTENER)
    try:
        sign_in(page, demo_site, "coordinator", DEMO_PASSWORD, code=_code)
        walk.visit(page, REPORTS, expect_status=200)
        walk.visit(page, f"{WRITE}?lang=az", expect_status=200)
    finally:
        context.close()
    assert [str(f) for f in walk.findings] == []
