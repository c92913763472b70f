"""The CSV and XLSX writers (``wpsnap.exports.tables``) and the neutralising quote
(``wpsnap.core.tables.neutralise``/``unmark``): any text written and read back by the platform's own
import comes back unchanged, and no written cell starts with a character a spreadsheet runs as a formula;
numbers stay numbers, dates dates; an HXL row parses with libhxl and passes its default schema; the same
rows make the same XLSX file byte for byte."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import hxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from wpsnap.core.tables import FORMULA_STARTS, neutralise, read_table, unmark
from wpsnap.exports.tables import Column, write_csv, write_xlsx

# The suite's autouse fixture touches the database (event topics): these tests take the test database.
pytestmark = pytest.mark.django_db

DANGEROUS = ["=", "+", "-", "@", "\t", "\r", ";", "'", '"', " ", "\n", ","]
# Any text, with the characters that matter here often.
texts = st.text(alphabet=st.one_of(st.sampled_from(DANGEROUS), st.characters(codec="utf-8")), max_size=30)
# What a CSV file read by our import can hold: no NUL (refused by the import, as PostgreSQL cannot store one).
csv_texts = texts.map(lambda t: t.replace("\x00", ""))
# What an XLSX cell can hold (XML 1.0: no control characters but tab and line feed; a lone CR is read
# back as a line feed by XML parsers), starting and ending with a letter (spreadsheet readers trim nothing,
# but an all-space cell is an empty one to some).
xlsx_texts = st.text(
    alphabet=st.one_of(
        st.sampled_from([c for c in DANGEROUS if c != "\r"]),
        st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]),
    ),
    max_size=20,
).map(lambda t: f"a{t}z")

COLUMNS = [Column("Code", "#activity+code"), Column("Text", "#description")]


@settings(max_examples=500)
@given(text=texts)
def test_unmark_gives_back_what_neutralise_was_given(text: str) -> None:
    """For any text: unmark(neutralise(text)) == text, and the written cell never starts with one of
    = + - @ tab CR."""
    written = neutralise(text)
    assert unmark(written) == text
    assert not written.startswith(FORMULA_STARTS)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("-5", "'-5"),
        ("\t=x", "'\t=x"),
        ("'=1", "''=1"),
        ("Office;=1+1", "Office;'=1+1"),
        ('Office; "=1', "Office; \"'=1"),
        ("it's fine", "it's fine"),
        ("'quoted'", "'quoted'"),
    ],
)
def test_the_neutralising_quote_goes_before_the_formula(text: str, written: str) -> None:
    """A quote before a formula's first character (also after a semicolon, for Excel splitting on ";");
    other text is written as it is, and a quote before anything else is kept on import."""
    assert neutralise(text) == written
    assert unmark(written) == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(csv_texts, csv_texts), min_size=1, max_size=5))
def test_any_text_survives_a_csv_export_and_our_import(cells) -> None:
    """Written as CSV and read by the platform's import (``core.tables.read_table``), every cell comes back
    as it was; in the file itself, no cell starts with a formula's character."""
    out = io.BytesIO()
    write_csv(COLUMNS, cells, out)
    content = out.getvalue()
    assert content.startswith(b"\xef\xbb\xbf")
    raw = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert not [cell for row in raw for cell in row if cell.startswith(FORMULA_STARTS)]
    table = read_table("list.csv", content)
    assert table.header == ["Code", "Text"]
    assert [row for _, row in table.rows] == [list(pair) for pair in cells]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(xlsx_texts, xlsx_texts), min_size=1, max_size=4))
def test_any_text_survives_an_xlsx_export_and_our_import(cells) -> None:
    """Written as XLSX and read by the platform's import (calamine, in its memory-capped child process
    first), every cell comes back as it was; no string in the sheet starts with a formula's character and
    no cell is a formula."""
    out = io.BytesIO()
    write_xlsx(COLUMNS, cells, out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c for c in values if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
    assert {c.data_type for c in values} <= {"s", "n"}
    table = read_table("list.xlsx", out.getvalue())
    assert [row for _, row in table.rows] == [list(pair) for pair in cells]


def test_numbers_stay_numbers_and_dates_dates() -> None:
    """A negative number is a number (written "-5", never quoted); decimals as plain digits; dates in ISO
    form in CSV and as dates in XLSX; text that looks like a negative number is text, quoted."""
    columns = [Column("N", "#reached"), Column("D", "#date+start"), Column("T", "#description")]
    rows = [[-5, date(2021, 3, 10), "-5"], [Decimal("12.50"), None, "x"], [Decimal("1E+3"), None, ""]]
    out = io.BytesIO()
    write_csv(columns, rows, out)
    assert out.getvalue().decode("utf-8-sig").splitlines() == [
        "N,D,T",
        "-5,2021-03-10,'-5",
        "12.5,,x",
        "1000,,",
    ]
    out = io.BytesIO()
    write_xlsx(columns, rows, out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    got = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert got[0][0] == -5 and sheet["A2"].data_type == "n"
    assert got[0][1].date() == date(2021, 3, 10) and sheet["B2"].is_date
    assert got[0][2] == "'-5" and sheet["C2"].data_type == "s"
    assert got[1][0] == Decimal("12.5") and sheet["A3"].data_type == "n"


def test_the_hxl_row_parses_with_libhxl_and_passes_its_schema() -> None:
    """libhxl finds the declared hashtags under the header, reads the rows, and its default schema (dates
    are dates, #reached is a number) finds no error."""
    columns = [
        Column("Activity", "#activity+code"),
        Column("Organiser", "#org+name"),
        Column("From", "#date+start"),
        Column("Women 18-59", "#reached+f+adults"),
    ]
    rows = [["5.1.2.3", "MoD", date(2021, 3, 10), 12], ["=evil", "MIA", date(2022, 1, 5), 0]]
    out = io.BytesIO()
    write_csv(columns, rows, out, hxl=True)
    data = hxl.data(io.BytesIO(out.getvalue()))
    assert [c.display_tag for c in data.columns] == [
        "#activity+code",
        "#org+name",
        "#date+start",
        "#reached+f+adults",
    ]
    assert [r.values for r in data] == [
        ["5.1.2.3", "MoD", "2021-03-10", "12"],
        ["'=evil", "MIA", "2022-01-05", "0"],
    ]
    report = hxl.validate(hxl.data(io.BytesIO(out.getvalue())))
    assert report["stats"]["error"] == 0, report["issues"]


def test_a_column_refuses_what_is_not_an_hxl_hashtag() -> None:
    with pytest.raises(ValueError, match="not an HXL hashtag"):
        Column("Bad", "#Reached + f")


def test_the_same_rows_make_the_same_xlsx_file() -> None:
    """Byte for byte (the archive's and the document's dates are fixed); the header and HXL row are
    frozen, the columns as wide as declared."""
    columns = [Column("Code", "#activity+code", 20), Column("N", "#reached", 8)]
    rows = [["a", 1], ["b", 2]]
    first, second = io.BytesIO(), io.BytesIO()
    write_xlsx(columns, rows, first, hxl=True, title="Events: 2021/22")
    write_xlsx(columns, rows, second, hxl=True, title="Events: 2021/22")
    assert first.getvalue() == second.getvalue()
    with zipfile.ZipFile(io.BytesIO(first.getvalue())) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    book = load_workbook(io.BytesIO(first.getvalue()))
    sheet = book.active
    assert sheet.title == "Events  2021 22"
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["A"].width == 20
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Code", "N"],
        ["#activity+code", "#reached"],
        ["a", 1],
        ["b", 2],
    ]
