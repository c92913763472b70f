"""The downloadable participant template: an Excel workbook (header row, drop-down lists, the plan's
allowed values, a guide) and a CSV header row. Both open again in the tools people and the import use,
and a filled copy imports cleanly through the same service as the page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from wpsnap.registries.models import Participant
from wpsnap.registries.participants import COLUMNS
from wpsnap.registries.selectors import district_names
from wpsnap.registries.services.participants import participants_import_file

from .conftest import sign_in

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(client, people, training, name: str) -> bytes:
    sign_in(client, people["focal"])
    response = client.get(f"/events/{training.pk}/participants/{name}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="participants-{name}"'
    return response.content


def test_the_excel_template_opens_with_openpyxl(client, people, training) -> None:
    """The first sheet is the header row alone, with drop-down lists on the coded columns; the second
    lists the plan's values for sex, age band, population group and district, with their meaning."""
    response_content = _download(client, people, training, "template.xlsx")
    workbook = load_workbook(io.BytesIO(response_content))
    first, allowed, guide = workbook.worksheets
    assert [cell.value for cell in first[1]] == list(COLUMNS)
    assert first.max_row == 1
    lists = {str(v.sqref): v.formula1 for v in first.data_validations.dataValidation}
    assert lists["A2:A2001"] == "'Allowed values'!$A$2:$A$3"  # sex
    assert lists["H2:H2001"] == '"yes,no"'  # consent
    columns = {
        allowed.cell(1, c).value: c for c in range(1, allowed.max_column + 1) if allowed.cell(1, c).value
    }
    values = {
        name: [
            allowed.cell(r, col).value for r in range(2, allowed.max_row + 1) if allowed.cell(r, col).value
        ]
        for name, col in columns.items()
        if name != "meaning"
    }
    assert values["sex"] == ["women", "men"]
    assert values["age_band"] == ["0-17", "18-24", "25-34", "35-59", "60-plus"]
    assert values["population_group"] == ["idp", "conflict-affected", "host-community"]
    assert {"baku", "ganja", "sumgayit"} <= set(values["district"])
    assert values["district"] == list(district_names(training.plan))
    assert values["consent"] == ["yes", "no"]
    assert allowed.cell(2, columns["sex"] + 1).value == "Women"
    assert [row[0].value for row in guide.iter_rows(min_row=2, max_row=len(COLUMNS) + 1)] == list(COLUMNS)


def test_the_excel_template_opens_with_calamine(client, people, training) -> None:
    """The import's own reader (python-calamine) reads the header row from the first sheet."""
    content = _download(client, people, training, "template.xlsx")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert workbook.sheet_names == ["Participants", "Allowed values", "How to fill it in"]
    assert workbook.get_sheet_by_index(0).to_python()[0] == list(COLUMNS)


def test_a_filled_excel_template_imports_cleanly(client, people, training) -> None:
    """Rows typed into the template (values from its own lists) become participants through the
    import service, the drop-downs and the guide sheet notwithstanding."""
    workbook = load_workbook(io.BytesIO(_download(client, people, training, "template.xlsx")))
    sheet = workbook.worksheets[0]
    sheet.append(["women", 29, None, "idp", "baku", "Ministry of Defense", "Leyla H.", "yes"])
    sheet.append(["men", None, "60-plus", None, "ganja", None, None, "no"])
    sheet.append(["women", 17, "0-17", "host-community", None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = participants_import_file(
        actor=people["focal"], event=training, name="filled.xlsx", content=buffer.getvalue()
    )

    assert result.rows == 3
    assert sorted(
        Participant.objects.filter(event=training).values_list(
            "sex", "age", "age_band", "population_group", "district", "affiliation", "name", "consent"
        ),
        key=str,
    ) == sorted(
        [
            ("women", 29, "25-34", "idp", "baku", "Ministry of Defense", "Leyla H.", True),
            ("men", None, "60-plus", "", "ganja", "", "", False),
            ("women", 17, "0-17", "host-community", "", "", "", False),
        ],
        key=str,
    )


def test_the_csv_template_is_the_header_row_and_a_filled_copy_imports(client, people, training) -> None:
    content = _download(client, people, training, "template.csv")
    assert content == ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()
    filled = content + b"women,34,,,baku,,,\r\nmen,,18-24,idp,,,,no\r\n"
    result = participants_import_file(
        actor=people["focal"], event=training, name="filled.csv", content=filled
    )
    assert result.rows == 2
    assert sorted(Participant.objects.values_list("sex", "age_band")) == [
        ("men", "18-24"),
        ("women", "25-34"),
    ]


def test_the_templates_are_for_those_who_add_participants(client, people, training) -> None:
    """An evaluator sees the event but may not add participants (403); MIA's focal point does not
    see MoD's event at all (404)."""
    for role, status in (("evaluator", 403), ("other_focal", 404)):
        sign_in(client, people[role])
        for name in ("template.xlsx", "template.csv"):
            assert client.get(f"/events/{training.pk}/participants/{name}").status_code == status
