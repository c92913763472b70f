"""A registry's import page and its template (issue 14): a file made from the template adds records,
the same file again is refused (409) unless "Add anyway", rows with problems are each named and nothing
is saved, pasted rows are read too; the Excel template reopened with openpyxl has the header the import
reads, the allowed values as drop-down lists and a guide, and the CSV template its header."""

from __future__ import annotations

import csv
import io
from random import Random

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .conftest import kind, sign_in

pytestmark = pytest.mark.django_db


def url(name: str, kind_name: str = "publications") -> str:
    return reverse(f"registry_kinds:{name}", kwargs={"kind": kind_name})


def csv_file(kind_name: str, rows: int, *, seed: int = 3, **extra: str) -> bytes:
    """A CSV made as a person would from the template: its header, then the kind's example rows."""
    from wpsnap.registries.kinds.templates_files import file_headers

    registry = kind(kind_name)
    headers = file_headers(registry)
    rng = Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for _ in range(rows):
        row = {**registry.examples(rng), **extra}
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8")


def test_a_file_adds_records_and_the_same_file_again_is_refused_unless_added_anyway(
    client, people, events_plan
) -> None:
    from wpsnap.registries.publications.models import Publication

    sign_in(client, people["focal"])
    page = url("import") + f"?plan={events_plan.slug}"
    assert client.get(page).status_code == 200
    content = csv_file("publications", 4, activities="5.2.6.4")
    response = client.post(page, {"file": SimpleUploadedFile("materials.csv", content, "text/csv")})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Publication.objects.count() == 4
    assert {r.owner.key for r in Publication.objects.all()} == {"mod"}

    again = client.post(page, {"file": SimpleUploadedFile("materials.csv", content, "text/csv")})
    assert again.status_code == 409
    body = again.content.decode()
    assert 'id="import-notice"' in body and "already imported" in body
    # The choice to add them anyway is offered, and nothing was added.
    assert 'name="allow_duplicate"' in body
    assert Publication.objects.count() == 4

    anyway = client.post(
        page, {"file": SimpleUploadedFile("materials.csv", content, "text/csv"), "allow_duplicate": "on"}
    )
    assert anyway.status_code == 302
    assert Publication.objects.count() == 8


def test_rows_with_problems_are_each_named_and_nothing_is_saved(client, people, events_plan) -> None:
    from wpsnap.registries.publications.models import Publication

    sign_in(client, people["focal"])
    text = (
        "title,material_type,published_on,audience,copies\n"
        "A guide,guide,2021-05-01,gender_officers,100\n"
        "A poster,poster,not a date,gender_officers,many\n"
    )
    response = client.post(url("import") + f"?plan={events_plan.slug}", {"text": text})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<code>rows[3].published_on</code>" in body and "<code>rows[3].copies</code>" in body
    assert Publication.objects.count() == 0


def test_pasted_rows_are_read(client, people, events_plan) -> None:
    from wpsnap.registries.publications.models import Publication

    sign_in(client, people["focal"])
    text = (
        "title\tmaterial_type\tpublished_on\taudience\nA guide\tguide\t2021-05-01\tgender_officers; youth\n"
    )
    response = client.post(url("import") + f"?plan={events_plan.slug}", {"text": text})
    assert response.status_code == 302
    assert Publication.objects.get().audience == ["gender_officers", "youth"]


def test_an_empty_form_is_named(client, people, events_plan) -> None:
    sign_in(client, people["focal"])
    response = client.post(url("import") + f"?plan={events_plan.slug}", {})
    assert response.status_code == 400
    assert "Choose a file, or paste the rows." in response.content.decode()


def test_the_excel_template_has_the_header_lists_of_allowed_values_and_a_guide(
    client, people, events_plan
) -> None:
    from wpsnap.registries.kinds.templates_files import file_headers

    sign_in(client, people["focal"])
    response = client.get(url("template_xlsx", "legal-aid") + f"?plan={events_plan.slug}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="legal-aid-template.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, values, guide = book.worksheets
    headers = [cell.value for cell in sheet[1]]
    assert headers == file_headers(kind("legal-aid"))
    assert headers[:3] == ["record_id", "owner", "activities"]
    # Each coded column: its codes on the second sheet, and a drop-down list on the first.
    listed = {
        values.cell(1, col).value: [
            values.cell(r, col).value for r in range(2, values.max_row + 1) if values.cell(r, col).value
        ]
        for col in range(1, values.max_column + 1)
        if values.cell(1, col).value and values.cell(1, col).value != "meaning"
    }
    assert "women" in listed["sex"] and "legal_advice" in listed["service_type"]
    assert "mod" in listed["owner"]
    assert set(listed["activities"]) == {"5.3.1.3", "5.3.3.1", "5.3.3.2"} & set(listed["activities"]) != set()
    validated = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            validated[headers[cell_range.min_col - 1]] = validation.type
    assert validated["sex"] == validated["service_type"] == validated["owner"] == "list"
    assert validated["provided_on"] == "date"
    # Several activities in one cell: no drop-down (Excel's lists take one value).
    assert "activities" not in validated
    guide_rows = {row[0]: row[2] for row in guide.iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert set(file_headers(kind("legal-aid"))) <= set(guide_rows)
    assert "Required." in guide_rows["beneficiary_code"]


def test_the_csv_template_is_the_header_row(client, people, events_plan) -> None:
    from wpsnap.registries.kinds.templates_files import file_headers

    sign_in(client, people["focal"])
    response = client.get(url("template_csv") + f"?plan={events_plan.slug}")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert next(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == file_headers(kind("publications"))


def test_the_template_and_the_import_page_are_for_writers_only(client, people, events_plan) -> None:
    sign_in(client, people["evaluator"])
    for name in ("import", "template_xlsx", "template_csv"):
        assert client.get(url(name) + f"?plan={events_plan.slug}").status_code == 403
