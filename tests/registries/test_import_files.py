"""Importing participant files, as agencies send them: a file with any problem is refused whole, with a
report naming each bad row (the line of the file where the row starts, as a person counts lines in
an editor; the header is line 1) and its column, and the database is as it was; good files in the
shapes Excel and LibreOffice write (quoted line breaks, semicolons, a byte-order mark, real XLSX with
numbers, Azerbaijani and Russian words) are read as a person would read them. Names never reach the
logs or the audit trail.
"""

from __future__ import annotations

import io
import logging
import random
import zipfile

import pytest
from openpyxl import Workbook

from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.registries.models import Participant, ParticipantImport
from wpsnap.registries.participants import MAX_PROBLEMS
from wpsnap.registries.services.participants import BATCH, participants_import_file

pytestmark = pytest.mark.django_db

NOT_A_FILE_WE_READ = (
    "file: “participants.xlsx” is not a spreadsheet or a CSV text file (judged by its content, not its name)."
)


def _stored() -> tuple[int, int, int]:
    """What an import may change: participants, import batches, audit lines."""
    return Participant.objects.count(), ParticipantImport.objects.count(), AuditEvent.objects.count()


def _import(people, event, content: bytes, name: str = "participants.csv", *, replace: bool = False):
    return participants_import_file(
        actor=people["focal"], event=event, name=name, content=content, replace=replace
    )


def _refused(people, event, content: bytes, name: str = "participants.csv") -> list[str]:
    """The problems the import names; asserts that nothing was stored."""
    before = _stored()
    with pytest.raises(InvalidInput) as raised:
        _import(people, event, content, name)
    assert _stored() == before
    return [str(problem) for problem in raised.value.problems]


def _people_of(event) -> list[tuple]:
    return list(
        Participant.objects.filter(event=event)
        .order_by("id")
        .values_list(
            "sex", "age", "age_band", "population_group", "district", "affiliation", "name", "consent"
        )
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- files with errors ---------------------------------------------------------------------------


def test_a_file_with_errors_names_every_bad_row_and_column(training, people) -> None:
    """Bad sex code, age 250, unknown district, a band that contradicts the age, no age at all, a name
    without consent, a consent that is neither yes nor no: each named by its line and column, the
    blank line skipped; nothing is stored, not even the good rows before the first problem."""
    csv = (
        "sex,age,age_band,district,name,consent\n"
        "women,34,,baku,,\n"  # 2: good
        "xx,40,,ganja,,\n"  # 3
        "men,250,,baku,,\n"  # 4
        "women,30,,Atlantis,,\n"  # 5
        "qadın,30,18-24,,,\n"  # 6  # noqa: RUF001 - Azerbaijani
        "men,,,,,\n"  # 7
        "women,22,,,Aysel Məmmədova,no\n"  # 8
        ",,,,,\n"  # 9: blank, skipped
        "men,45,,,,maybe\n"  # 10
    )
    assert _refused(people, training, csv.encode()) == [
        "rows[3].sex: “xx” is not one of men, women.",
        "rows[4].age: “250” is not an age between 0 and 120.",
        "rows[5].district: “Atlantis” is not a known district (see the template's list).",
        "rows[6].age_band: “18-24” does not match the age 30.",
        "rows[7].age: Give the age or the age band.",
        "rows[8].name: A name is kept only with the person's consent (consent: yes).",
        "rows[10].consent: Write yes or no.",
    ]


def test_a_row_with_several_problems_names_each_column(training, people) -> None:
    """One row, three problems: three lines, each with the row and its column."""
    assert _refused(people, training, b"sex,age,population_group\nX,abc,refugees\n") == [
        "rows[2].sex: “X” is not one of men, women.",
        "rows[2].age: “abc” is not an age between 0 and 120.",
        "rows[2].population_group: “refugees” is not one of conflict-affected, host-community, idp.",
    ]


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        ("age,district", ["columns: The column sex is missing."]),
        ("sex,district", ["columns: The column age or age_band is missing (one of them is needed)."]),
        (
            "gender,age",
            [
                "columns[1]: “gender” is not a column of the template (sex, age, age_band, population_group, "
                "district, organisation_or_position, name, consent).",
                "columns: The column sex is missing.",
            ],
        ),
        ("sex,age,Age", ["columns[3]: “age” appears twice."]),
    ],
)
def test_a_missing_or_unknown_column_is_named(training, people, header, problems) -> None:
    """The header is checked before any row: a missing, unknown or repeated column is named."""
    assert _refused(people, training, f"{header}\nwomen,34\n".encode()) == problems


def test_a_file_in_another_encoding_is_refused_naming_its_first_line_that_is_not_utf8(
    training, people
) -> None:
    """A CSV saved as Windows-1251 (Excel's "CSV" in a Russian locale): the first line that is not
    UTF-8 is named, with what to do about it."""
    content = "sex,age,organisation_or_position\nwomen,34,\nmen,40,Школа № 5\n".encode("cp1251")
    assert _refused(people, training, content) == [
        "file: Line 3: the file is not UTF-8 or UTF-16 text (it looks like Windows-1251 (Cyrillic)). Save it as "
        "“CSV UTF-8” or upload the Excel file itself."
    ]


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("participants.txt", "sex,age\nwomen,34\n")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [_pdf(), random.Random(1325).randbytes(4096), _zip_of_text()],
    ids=["pdf", "random-bytes", "zip-of-text"],
)
def test_an_xlsx_that_is_not_a_spreadsheet_is_refused(training, people, content) -> None:
    """A PDF, random bytes or a zip of a text file, named .xlsx: refused by what they are."""
    assert _refused(people, training, content, "participants.xlsx") == [NOT_A_FILE_WE_READ]


def test_a_broken_spreadsheet_is_refused(training, people) -> None:
    """A zip that looks like an XLSX (its parts are named as Excel names them) but is not one."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    assert _refused(people, training, out.getvalue(), "participants.xlsx") == [
        "file: “participants.xlsx” is not a spreadsheet that can be read (judged by its content)."
    ]


def test_errors_in_a_spreadsheet_name_its_row_numbers(training, people) -> None:
    """In an XLSX the rows are the sheet's rows: a problem in sheet row 4 is row 4, even below an
    empty row."""
    content = _xlsx([["sex", "age"], ["women", 34], [None, None], ["men", 250]])
    assert _refused(people, training, content, "participants.xlsx") == [
        "rows[4].age: “250” is not an age between 0 and 120."
    ]


def test_a_file_of_only_a_header_is_refused(training, people) -> None:
    assert _refused(people, training, b"sex,age\n\n,\n") == [
        "file: There are no participant rows under the header."
    ]


def test_more_than_the_listed_problems_end_with_a_count_of_the_rest(training, people) -> None:
    """A file with 250 bad rows lists the first 200 problems and says how many more rows have some."""
    rows = "".join(f"women,{200 + n}\n" for n in range(250))
    problems = _refused(people, training, f"sex,age\n{rows}".encode())
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == "rows[2].age: “200” is not an age between 0 and 120."
    assert problems[MAX_PROBLEMS - 1] == "rows[201].age: “399” is not an age between 0 and 120."
    assert problems[-1] == "rows: … and problems in 50 more rows."


def test_a_problem_after_several_batches_still_leaves_nothing(training, people) -> None:
    """Rows are written in batches as the file is read; a problem in the last row, after more than
    two batches were written, still leaves the database as it was."""
    good = "women,34,baku\n" * (2 * BATCH + 100)
    content = f"sex,age,district\n{good}men,999,baku\n".encode()
    assert _refused(people, training, content) == [
        f"rows[{2 * BATCH + 102}].age: “999” is not an age between 0 and 120."
    ]


def test_a_file_unreadable_after_several_batches_leaves_nothing(training, people) -> None:
    """A file the csv module gives up on partway (a cell of 200,000 characters), after more than a
    batch of rows was written: refused, and the database is as it was (on PostgreSQL the COPY under
    way is abandoned and the connection stays usable)."""
    good = "women,34,baku\n" * (BATCH + 10)
    content = f"sex,age,district\n{good}men,40,{'x' * 200_000}\nmen,41,baku\n".encode()
    assert _refused(people, training, content) == [
        f"file: Line {BATCH + 12}: the CSV cannot be read (field larger than field limit (131072))."
    ]
    assert _import(people, training, b"sex,age\nwomen,30\n").rows == 1


# --- good files ----------------------------------------------------------------------------------


def test_quoted_cells_with_line_breaks_keep_the_rows_lines(training, people) -> None:
    """A quoted cell may hold line breaks (Alt+Enter in Excel): the row is read whole, and a row's
    number is the line it starts on, so the rows after it keep the numbers an editor shows."""
    csv = (
        "sex,age,organisation_or_position,district\n"
        'women,34,"Teacher,\nschool No. 12",baku\n'  # lines 2-3
        'men,41,"Police ""Ganja""\r\ninspector\nsecond line",ganja\n'  # lines 4-6
        "women,250,Student,baku\n"  # line 7
    )
    assert _refused(people, training, csv.encode()) == ["rows[7].age: “250” is not an age between 0 and 120."]
    fixed = csv.replace("women,250,", "women,25,")
    assert _import(people, training, fixed.encode()).rows == 3
    assert [p[5] for p in _people_of(training)] == [
        "Teacher,\nschool No. 12",
        'Police "Ganja"\r\ninspector\nsecond line',
        "Student",
    ]


def test_a_bad_quoted_row_is_named_by_the_line_it_starts_on(training, people) -> None:
    csv = 'sex,age,organisation_or_position\nwomen,34,"two\nlines"\nxx,"3\n4",x\n'
    assert _refused(people, training, csv.encode()) == [
        "rows[4].sex: “xx” is not one of men, women.",
        "rows[4].age: “3\n4” is not an age between 0 and 120.",
    ]


def test_semicolon_separated_csv_as_excel_writes_it_in_az_and_ru_locales(training, people) -> None:
    """Excel in Azerbaijani or Russian writes ";" between cells and "," in decimals."""
    csv = (
        "sex;age;district;organisation_or_position\n"
        "qadın;34,0;Bakı;Məktəb, müəllim\n"  # noqa: RUF001 - Azerbaijani
        "Мужчина;41;Гянджа;\n"
    )
    assert _import(people, training, csv.encode()).rows == 2
    assert _people_of(training) == [
        ("women", 34, "25-34", "", "baku", "Məktəb, müəllim", "", False),
        ("men", 41, "35-59", "", "ganja", "", "", False),
    ]


def test_utf8_with_a_byte_order_mark(training, people) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark; the first column is still "sex"."""
    content = "\ufeffsex,age\r\nwomen,34\r\n".encode()
    assert _import(people, training, content).rows == 1
    assert _people_of(training) == [("women", 34, "25-34", "", "", "", "", False)]


def test_a_real_xlsx_with_numbers(training, people) -> None:
    """An XLSX written by a spreadsheet program: ages are numbers (34 and 34.0 are the age 34),
    consent may be a boolean cell, empty cells are empty."""
    content = _xlsx(
        [
            ["Sex", "Age", "Age band", "Population group", "District", "Name", "Consent"],
            ["Women", 34, None, "idp", "Baku", "Aysel Məmmədova", True],
            ["men", 61.0, "60 and over", None, "ganja", None, False],
            [None, None, None, None, None, None, None],
            ["qadın", None, "18–24", "Host community", None, None, None],  # noqa: RUF001 - the band's label
        ]
    )
    assert _import(people, training, content, "participants.xlsx").rows == 3
    assert _people_of(training) == [
        ("women", 34, "25-34", "idp", "baku", "", "Aysel Məmmədova", True),
        ("men", 61, "60-plus", "", "ganja", "", "", False),
        ("women", None, "18-24", "host-community", "", "", "", False),
    ]
    assert ParticipantImport.objects.get(event=training).source == "xlsx"


def test_azerbaijani_and_russian_words_for_sex(training, people) -> None:
    """Words for women and men in Azerbaijani and Russian, in any case, and their one-letter forms."""
    csv = "sex,age\nqadın,30\nKİŞİ,30\nQADIN,30\nженщина,30\nмужчина,30\nQ,30\nм,30\n"  # noqa: RUF001
    assert _import(people, training, csv.encode()).rows == 7
    assert [p[0] for p in _people_of(training)] == ["women", "men", "women", "women", "men", "women", "men"]


def test_an_age_band_instead_of_an_age(training, people) -> None:
    """The band may be given by its code or its name, with or without the age; no age is then stored."""
    csv = "sex,age,age_band\nwomen,,18-24\nmen,,60 and over\nwomen,19,18–24\n"  # noqa: RUF001 - en dash
    assert _import(people, training, csv.encode()).rows == 3
    assert [(p[1], p[2]) for p in _people_of(training)] == [(None, "18-24"), (None, "60-plus"), (19, "18-24")]


def test_values_that_copy_must_escape_are_stored_as_given(training, people) -> None:
    """Tabs, backslashes and a cell that reads \\N (COPY's NULL) are stored as the file gives them."""
    csv = 'sex,age,organisation_or_position,name,consent\nwomen,30,"a\tb\\\\c",\\N,yes\nmen,31,\\N,,no\n'
    assert _import(people, training, csv.encode()).rows == 2
    assert [(p[5], p[6]) for p in _people_of(training)] == [("a\tb\\\\c", "\\N"), ("\\N", "")]


def test_replace_makes_the_file_the_whole_list(training, people) -> None:
    """Without replace a file adds to the list; with it, the file becomes the list (one batch each)."""
    _import(people, training, b"sex,age\nwomen,30\nmen,40\n")
    _import(people, training, b"sex,age\nwomen,50\n")
    assert Participant.objects.filter(event=training).count() == 3
    result = _import(people, training, b"sex,age\nmen,20\nmen,21\n", replace=True)
    assert result.rows == 2
    assert [(p[0], p[1]) for p in _people_of(training)] == [("men", 20), ("men", 21)]
    assert result.batch.replaced is True
    assert set(Participant.objects.filter(event=training).values_list("batch", flat=True)) == {
        result.batch.pk
    }
    assert ParticipantImport.objects.filter(event=training).count() == 3


def test_a_refused_replace_keeps_the_list(training, people) -> None:
    _import(people, training, b"sex,age\nwomen,30\nmen,40\n")
    before = _people_of(training)
    with pytest.raises(InvalidInput):
        _import(people, training, b"sex,age\nmen,20\nxx,21\n", replace=True)
    assert _people_of(training) == before


# --- names stay out of the logs and the audit trail ----------------------------------------------


def test_names_never_reach_the_logs_or_the_audit_trail(training, people, caplog) -> None:
    """Across an import and a refused one (with a name in a bad row and a name in the wrong column),
    no log record and no audit line holds a participant's name; the audit line holds the count."""
    caplog.set_level(logging.DEBUG)
    _import(people, training, "sex,age,name,consent\nwomen,30,Aysel Məmmədova,yes\n".encode())
    refused = "sex,age,name,consent,district\nwomen,30,Leyla Quliyeva,no,\nmen,31,,,Rəşad Həsənov\n"
    with pytest.raises(InvalidInput):
        _import(people, training, refused.encode())
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    audited = repr(list(AuditEvent.objects.values()))
    for name in ("Aysel", "Məmmədova", "Leyla", "Quliyeva", "Rəşad"):
        assert name not in logged
        assert name not in audited
    entry = AuditEvent.objects.get(action=AuditAction.IMPORT, object_id=str(training.pk))
    assert entry.changes == [{"field": "participants", "new": 1}]
