"""A registry's export (issue 14): the list's records as CSV or XLSX in the import template's columns,
reopened here; formulas neutralised; exported then imported again changes nothing; never for legal aid;
a personal registry's export audited."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .conftest import add_records, kind, sign_in

pytestmark = pytest.mark.django_db


def export(kind_name: str = "publications") -> str:
    return reverse("registry_exports:table_registry", kwargs={"kind": kind_name})


def test_the_csv_reopens_with_the_template_columns_and_imports_back_unchanged(
    client, people, events_plan, publications
) -> None:
    from wpsnap.registries.kinds.templates_files import file_headers
    from wpsnap.registries.publications.models import Publication

    add_records("publications", people["focal"], events_plan, 1, seed=4, title='=HYPERLINK("http://x")')
    sign_in(client, people["focal"])
    response = client.get(export(), {"plan": events_plan.slug, "format": "csv"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == file_headers(kind("publications"))
    assert len(rows) == 5
    titles = [row[rows[0].index("title")] for row in rows[1:]]
    # A formula is written with the neutralising quote, never as a formula.
    assert '\'=HYPERLINK("http://x")' in titles
    before = {r.ref: (r.version, r.title) for r in Publication.objects.all()}

    page = reverse("registry_kinds:import", kwargs={"kind": "publications"}) + f"?plan={events_plan.slug}"
    response = client.post(page, {"file": SimpleUploadedFile("export.csv", content, "text/csv")})
    assert response.status_code == 302
    assert {r.ref: (r.version, r.title) for r in Publication.objects.all()} == before


def test_the_excel_export_reopens_with_the_filters_applied(client, people, events_plan, publications) -> None:
    add_records("publications", people["coordinator"], events_plan, 2, seed=8)
    sign_in(client, people["coordinator"])
    response = client.get(export(), {"plan": events_plan.slug, "format": "xlsx", "owner": "mod"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("record_id", "owner", "activities")
    assert {row[1] for row in rows[1:]} == {"mod"} and len(rows) == 4
    bad = client.get(export(), {"plan": events_plan.slug, "format": "pdf", "owner": "nobody"})
    assert bad.status_code == 400


def test_legal_aid_is_never_exported_record_by_record(client, people, events_plan) -> None:
    add_records("legal-aid", people["focal"], events_plan, 1)
    for role in ("focal", "coordinator"):
        client.logout()
        sign_in(client, people[role])
        assert client.get(export("legal-aid"), {"plan": events_plan.slug}).status_code == 403


def test_a_personal_registry_export_is_audited_without_the_data(client, people, events_plan) -> None:
    from wpsnap.core.models import AuditAction, AuditEvent

    records = add_records("gender-officers", people["focal"], events_plan, 2)
    sign_in(client, people["focal"])
    # A personal registry leaves the platform person by person only by a coordinator's hand.
    assert client.get(export("gender-officers"), {"plan": events_plan.slug}).status_code == 403
    client.logout()
    sign_in(client, people["coordinator"])
    response = client.get(export("gender-officers"), {"plan": events_plan.slug, "format": "csv"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    line = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=people["coordinator"]).latest("pk")
    assert "registry list, 2 rows, csv" in line.note and "gender-officers" in line.note
    assert records[0].name not in line.note


def test_a_long_list_is_written_by_the_worker_as_the_same_file(
    client, people, events_plan, publications, settings, run_jobs
) -> None:
    """Over ``WPSNAP_EXPORT_SYNC_ROWS`` the export is a background job, whose file is the one written
    while waiting; the job asks the kind's own export action again."""
    import re

    from wpsnap.core.jobs import Job

    sign_in(client, people["focal"])
    query = {"plan": events_plan.slug, "format": "csv"}
    settings.WPSNAP_EXPORT_SYNC_ROWS = 1
    response = client.get(export(), query)
    assert response.status_code == 302
    job = Job.objects.get(pk=re.fullmatch(r"/jobs/([0-9a-f-]{36})/", response["Location"])[1])
    assert (job.kind, job.action) == ("exports.table", "registry.publications.export")
    run_jobs()
    job.refresh_from_db()
    assert job.status == "done", job.error
    from_job = client.get(f"/jobs/{job.pk}/file/")
    from_job = b"".join(from_job.streaming_content) if from_job.streaming else from_job.content
    settings.WPSNAP_EXPORT_SYNC_ROWS = 5000
    assert from_job == b"".join(client.get(export(), query).streaming_content)
