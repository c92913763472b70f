# ruff: noqa: F811 - the publishing world's fixtures, imported and used
"""Public versions of the annual reports on the portal (``publishing.report_files``): a coordinator puts
their own finished public build (PDF or DOCX) there, anyone downloads it, a coordinator takes it off with a
reason, a newer build replaces an older one, and a report leaving the published state takes every file
covering it off in the same transaction. The real public PDF is built once for the module."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditEvent
from wpsnap.plan.models import Plan
from wpsnap.publishing.models import PublicReportFile
from wpsnap.publishing.report_files import (
    REPLACED,
    UNPUBLISHED,
    live_report_file,
    public_report_publish,
    public_report_withdraw,
    reports_left_published,
)
from wpsnap.reporting import services
from wpsnap.reporting.workflow import Status

from .conftest import TOTAL_ONLY, events_plan, people, plan, world  # noqa: F401 - fixtures
from .report_file_jobs import PLAN_TITLE_WORDS, SLUG, finished_job, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> dict:
    """The public annual report 2021 in English as PDF, built once for the module by the real job
    (``exports.annual_report``, run by ``job_run`` for a coordinator): its bytes and where the finished
    job's page sends its owner next. Everything it wrote in the database is rolled back."""
    from wpsnap.core.jobs import job_dir, job_run
    from wpsnap.core.models import Job

    from ..conftest import create_user, seed_migration_rows

    with django_db_blocker.unblock(), transaction.atomic():
        seed_migration_rows()  # the plan, if a flush before this module took it
        job = Job.objects.create(
            kind="exports.annual_report",
            owner=create_user("coordinator", "scfwca", "report-builder"),
            action="exports.report.build_public",
            params={
                "plan": SLUG,
                "first_year": 2021,
                "last_year": 2021,
                "format": "pdf",
                "language": "en",
                "public": True,
            },
            label="Annual progress report 2021",
            language="en",
        )
        job_run(job_id=str(job.pk))
        job.refresh_from_db()
        assert (job.status, job.error) == ("done", "")
        found = {
            "content": (job_dir() / job.file_name).read_bytes(),
            "result_url": job.result_url,
            "result_label": job.result_label,
        }
        transaction.set_rollback(True)
    return found


@pytest.fixture
def pdf(built) -> bytes:
    return built["content"]


def test_the_finished_public_build_leads_its_coordinator_to_the_portal_form(built) -> None:
    """The job's page sends a coordinator who built a public PDF to the report's card, whose form puts it
    on the portal."""
    assert built["result_url"] == reverse("exports:reports", args=[SLUG]) + "#report-2021-2021"
    assert built["result_label"] == "Put it on the public portal"


def _download(first: int = 2021, last: int = 2021, language: str = "en", fmt: str = "pdf") -> str:
    return reverse("exports:open_report", args=[SLUG, first, last, language, fmt])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_coordinator_puts_a_build_on_the_portal_and_anyone_downloads_it(pdf, make_user) -> None:
    """The file is copied from the job (the same bytes, its type judged by content), dated by the build's
    start, and audited; an anonymous visitor downloads it as an attachment of the PDF type, which opens
    as a PDF naming the plan."""
    coordinator = make_user("coordinator")
    job = finished_job(coordinator, pdf)
    stored = public_report_publish(actor=coordinator, job=job)
    stored.refresh_from_db()
    assert (stored.first_year, stored.last_year, stored.language, stored.format, stored.kind) == (
        2021,
        2021,
        "en",
        "pdf",
        "pdf",
    )
    assert (stored.built_at, stored.job_id, stored.published_by, stored.withdrawn_at) == (
        job.started_at,
        job.pk,
        coordinator,
        None,
    )
    assert stored.file.open("rb").read() == pdf
    assert AuditEvent.objects.filter(
        object_type="publishing.publicreportfile", object_id=str(stored.pk), action="create"
    ).exists()
    response = Client().get(_download())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "public-en.pdf" in response["Content-Disposition"]
    body = _body(response)
    assert body == pdf
    text = pdf_text(body)
    assert PLAN_TITLE_WORDS in text
    assert "Annual progress report 2021" in text


@pytest.mark.parametrize("role", ["focal_point", "evaluator", "approver", "ngo_contributor"])
def test_only_coordinators_put_reports_on_the_portal(pdf, make_user, role) -> None:
    """Anyone else is refused (403, audited), even with their own finished public build."""
    person = make_user(role)
    job = finished_job(person, pdf)
    with pytest.raises(PermissionDenied):
        public_report_publish(actor=person, job=job)
    assert not PublicReportFile.objects.exists()
    assert AuditEvent.objects.filter(action="access_refused", note="report_file.publish").exists()


def test_another_coordinators_build_is_refused(pdf, make_user) -> None:
    """Only the person who built it puts a build on the portal."""
    job = finished_job(make_user("coordinator", "scfwca", "first-coordinator"), pdf)
    with pytest.raises(InvalidInput) as refused:
        public_report_publish(actor=make_user("coordinator", "scfwca", "second-coordinator"), job=job)
    assert [(p.field, p.code) for p in refused.value.problems] == [("job", "not_yours")]
    assert not PublicReportFile.objects.exists()


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"public": False}, "internal"),
        ({"fmt": "html"}, "format"),
        ({"kind": "exports.table"}, "not_a_report"),
        ({"status": "running"}, "not_finished"),
    ],
    ids=["internal", "html", "other-kind", "unfinished"],
)
def test_only_a_finished_public_pdf_or_docx_build_goes_on_the_portal(pdf, make_user, options, code) -> None:
    """The internal version, a web page, another task's file and a build not finished are refused, naming
    the job and saying why; nothing is stored."""
    coordinator = make_user("coordinator")
    job = finished_job(coordinator, pdf, **options)
    with pytest.raises(InvalidInput) as refused:
        public_report_publish(actor=coordinator, job=job)
    assert [(p.field, p.code) for p in refused.value.problems] == [("job", code)]
    assert refused.value.problems[0].message
    assert not PublicReportFile.objects.exists()


def test_a_file_that_is_not_what_it_claims_is_refused(make_user) -> None:
    """A build said to be a PDF whose file is not one (judged by content) is refused."""
    coordinator = make_user("coordinator")
    job = finished_job(coordinator, b"<html><script>alert(1)</script></html>")
    with pytest.raises(InvalidInput) as refused:
        public_report_publish(actor=coordinator, job=job)
    assert refused.value.problems[0].field == "job"
    assert not PublicReportFile.objects.exists()


def test_a_newer_build_replaces_the_older_whose_file_is_deleted_on_commit(
    pdf, make_user, django_capture_on_commit_callbacks
) -> None:
    """Publishing a newer build of the same report, language and format withdraws the older one (reason
    "replaced"), whose stored file goes once that commits; the same build twice, or an older build after a
    newer one, is refused."""
    coordinator = make_user("coordinator")
    older = finished_job(coordinator, pdf, started_at=timezone.now() - timedelta(hours=2))
    first = public_report_publish(actor=coordinator, job=older)
    storage, name = first.file.storage, first.file.name
    with pytest.raises(InvalidInput) as again:
        public_report_publish(actor=coordinator, job=older)
    assert again.value.problems[0].code == "already"
    newer = finished_job(coordinator, pdf + b"\n%newer", started_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        second = public_report_publish(actor=coordinator, job=newer)
    first.refresh_from_db()
    assert first.withdrawn_at is not None and first.withdrawn_reason == REPLACED
    assert not storage.exists(name)
    assert (
        live_report_file(plan=first.plan, first_year=2021, last_year=2021, language="en", fmt="pdf") == second
    )
    assert _body(Client().get(_download())) == pdf + b"\n%newer"
    with pytest.raises(InvalidInput) as stale:
        public_report_publish(
            actor=coordinator, job=finished_job(coordinator, pdf, started_at=older.started_at)
        )
    assert stale.value.problems[0].code == "newer"


def test_other_languages_and_formats_live_side_by_side(pdf, make_user) -> None:
    """One live file per report, language and format: the Russian one beside the English one."""
    coordinator = make_user("coordinator")
    public_report_publish(actor=coordinator, job=finished_job(coordinator, pdf))
    public_report_publish(actor=coordinator, job=finished_job(coordinator, pdf, language="ru"))
    public_report_publish(
        actor=coordinator, job=finished_job(coordinator, pdf, first_year=2020, last_year=2023)
    )
    assert PublicReportFile.objects.filter(withdrawn_at__isnull=True).count() == 3
    assert Client().get(_download(language="ru")).status_code == 200
    assert Client().get(_download(2020, 2023)).status_code == 200


def test_withdrawing_needs_a_reason_then_the_download_is_gone(
    pdf, make_user, django_capture_on_commit_callbacks
) -> None:
    """A reason is required (nothing changes without one); withdrawn, the file is kept as a record, its
    stored file deleted on commit, the download 404, and the audit trail has the reason. Only coordinators
    withdraw."""
    coordinator = make_user("coordinator")
    stored = public_report_publish(actor=coordinator, job=finished_job(coordinator, pdf))
    with pytest.raises(InvalidInput) as refused:
        public_report_withdraw(actor=coordinator, file=stored, reason="  ")
    assert refused.value.problems[0].field == "reason"
    with pytest.raises(PermissionDenied):
        public_report_withdraw(actor=make_user("evaluator"), file=stored, reason="Because.")
    stored.refresh_from_db()
    assert stored.withdrawn_at is None
    storage, name = stored.file.storage, stored.file.name
    with django_capture_on_commit_callbacks(execute=True):
        public_report_withdraw(actor=coordinator, file=stored, reason="A figure in it is wrong.")
    stored.refresh_from_db()
    assert (stored.withdrawn_by, stored.withdrawn_reason) == (coordinator, "A figure in it is wrong.")
    assert not storage.exists(name)
    assert Client().get(_download()).status_code == 404
    assert AuditEvent.objects.filter(
        object_id=str(stored.pk), note__contains="A figure in it is wrong."
    ).exists()
    with pytest.raises(InvalidInput):
        public_report_withdraw(actor=coordinator, file=stored, reason="Again.")


def test_downloads_answer_404_for_a_draft_plan_or_no_file(pdf, make_user) -> None:
    """Nothing on the portal for that report, language or format, or a plan that is a draft: 404."""
    coordinator = make_user("coordinator")
    public_report_publish(actor=coordinator, job=finished_job(coordinator, pdf))
    client = Client()
    assert client.get(_download(language="az")).status_code == 404
    assert client.get(_download(fmt="docx")).status_code == 404
    assert client.get(_download(2022, 2022)).status_code == 404
    assert (
        client.get(reverse("exports:open_report", args=["no-plan", 2021, 2021, "en", "pdf"])).status_code
        == 404
    )
    Plan.objects.filter(slug=SLUG).update(status="draft")
    assert client.get(_download()).status_code == 404


def _mods_2021_report(world):
    index = next(
        i
        for i, w in enumerate(world.written)
        if (w.activity, w.agency, w.period, w.status) == (TOTAL_ONLY, "mod", 1, Status.PUBLISHED)
    )
    return world.reports[index]


def test_unpublishing_a_covered_report_withdraws_its_files_in_the_same_transaction(
    pdf, world, people, django_capture_on_commit_callbacks
) -> None:
    """MoD's 2021 report is unpublished: the 2021 report and the review (which cover 2021) leave the
    portal, with the reason, their files deleted on commit; the 2022 report stays. Published again and
    unpublished again (now with its workflow's transitions), the file put there meanwhile goes too."""
    coordinator = people["coordinator"]
    annual = public_report_publish(actor=coordinator, job=finished_job(coordinator, pdf))
    review = public_report_publish(
        actor=coordinator, job=finished_job(coordinator, pdf, first_year=2020, last_year=2023)
    )
    other_year = public_report_publish(
        actor=coordinator, job=finished_job(coordinator, pdf, first_year=2022, last_year=2022)
    )
    report = _mods_2021_report(world)
    names = [(f.file.storage, f.file.name) for f in (annual, review)]
    with django_capture_on_commit_callbacks(execute=True):
        services.report_unpublish(actor=coordinator, report=report, reason="The count was doubled.")
    for row in (annual, review, other_year):
        row.refresh_from_db()
    assert annual.withdrawn_reason == review.withdrawn_reason == UNPUBLISHED
    assert annual.withdrawn_at is not None and review.withdrawn_at is not None
    assert other_year.withdrawn_at is None
    assert not any(storage.exists(name) for storage, name in names)
    assert Client().get(_download()).status_code == 404
    assert Client().get(_download(2022, 2022)).status_code == 200

    services.report_publish(actor=coordinator, report=report)
    again = public_report_publish(
        actor=coordinator, job=finished_job(coordinator, pdf, started_at=timezone.now())
    )
    # A later change of the report's figures (the hook called again) leaves a file built after alone.
    reports_left_published([report.pk])
    again.refresh_from_db()
    assert again.withdrawn_at is None
    services.report_unpublish(actor=coordinator, report=report, reason="Still doubled.")
    again.refresh_from_db()
    assert again.withdrawn_reason == UNPUBLISHED


def test_a_build_started_before_an_unpublish_is_refused(pdf, world, people) -> None:
    """A build started before a report it covers was unpublished may show its figures: refused."""
    coordinator = people["coordinator"]
    job = finished_job(coordinator, pdf, first_year=2020, last_year=2023)
    services.report_unpublish(actor=coordinator, report=_mods_2021_report(world), reason="Doubled.")
    with pytest.raises(InvalidInput) as refused:
        public_report_publish(actor=coordinator, job=job)
    assert refused.value.problems[0].code == "stale"
    # A build of another year is not concerned.
    public_report_publish(
        actor=coordinator, job=finished_job(coordinator, pdf, first_year=2022, last_year=2022)
    )
