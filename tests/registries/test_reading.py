"""Reading tables (``reading.py``) and checking participant rows (``participants.py``), without a
database: row numbers, encodings, the spellings a row may use, and the fast way good rows are checked,
which must agree with the row-by-row check that words the problems (``_row``) on every row."""

from __future__ import annotations

import codecs
import io
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.participants import (
    COLUMNS,
    SPELLINGS,
    Checked,
    Vocabulary,
    _row,
    _Spellings,
    age_band,
    check_rows,
    columns_of,
    normalise,
)
from wpsnap.registries.reading import read_table, read_text
from wpsnap.registries.services.participants import _copy_text

BANDS = ("0-17", "18-24", "25-34", "35-59", "60-plus")


def _names(*options: tuple[str, ...]) -> dict[str, str]:
    return {normalise(spelling): option[0] for option in options for spelling in option}


VOCABULARY = Vocabulary(
    sexes=_names(("women", "Women", "qadın", "ж"), ("men", "Men", "kişi", "м")),  # noqa: RUF001
    bands=tuple(band for code in BANDS if (band := age_band(code)) is not None),
    band_names=_names(
        ("0-17", "0–17"),  # noqa: RUF001 - the en dash of the bands' names
        ("18-24", "18–24"),  # noqa: RUF001
        ("25-34", "25–34"),  # noqa: RUF001
        ("35-59", "35–59"),  # noqa: RUF001
        ("60-plus", "60 and over"),
    ),
    groups=_names(("idp", "Internally displaced"), ("host-community", "Host community")),
    districts=_names(("baku", "Baku", "Bakı", "Баку"), ("ganja", "Ganja", "Gəncə")),  # noqa: RUF001
)


def _check(header: list[str], rows: list[list[str]]) -> tuple[Checked, list[tuple]]:
    accepted: list[tuple] = []
    checked = check_rows(
        header, ((n, cells) for n, cells in enumerate(rows, start=2)), VOCABULARY, accept=accepted.append
    )
    return checked, accepted


# --- spellings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "spelling"),
    [
        ("KİŞİ", "kişi"),
        ("QADIN", "qadın"),  # noqa: RUF001
        ("İsmayıllı", "ISMAYILLI"),  # noqa: RUF001
        (" Age Band ", "age_band"),
        ("population - group", "population_group"),
        ("60 and  over", "60_and_over"),
    ],
)
def test_spellings_match_whatever_their_case_spaces_and_dashes(typed, spelling) -> None:
    """Capitals (dotted and dotless i included), spaces, underscores and dashes do not matter."""
    assert normalise(typed) == normalise(spelling)


def test_the_tables_of_spellings_stop_growing() -> None:
    """Each other spelling of a good value is remembered once, up to a bound."""
    spellings = _Spellings(VOCABULARY)
    known = len(spellings.sexes)
    assert [spellings.sexes[" " * n + "Women"] for n in range(SPELLINGS + 50)] == ["women"] * (SPELLINGS + 50)
    assert known < len(spellings.sexes) == SPELLINGS
    with pytest.raises(KeyError):
        spellings.sexes["woman-ish"]


# --- checking rows -------------------------------------------------------------------------------


def test_good_rows_are_handed_over_as_codes() -> None:
    header = ["Sex", "AGE", "age band", "district", "name", "consent", "organisation or position"]
    checked, accepted = _check(
        header,
        [
            [" Women ", "34", "", "Bakı", "", "", " Teacher "],  # noqa: RUF001
            ["м", "", "60 and over", "", "Leyla Q.", "Yes"],  # a short row: the last cell is empty
            ["", "", "", "", "", "", ""],
            ["kişi", "17.0", "0–17", "gəncə", "", "no", ""],  # noqa: RUF001
        ],
    )
    assert checked.ok and checked.rows == 3
    assert accepted == [
        ("women", 34, "25-34", "", "baku", "Teacher", "", False),
        ("men", None, "60-plus", "", "", "", "Leyla Q.", True),
        ("men", 17, "0-17", "", "ganja", "", "", False),
    ]


def test_rows_stop_being_handed_over_at_the_first_problem() -> None:
    """After the first bad row the file is refused anyway: later good rows are only checked."""
    checked, accepted = _check(["sex", "age"], [["women", "30"], ["x", "30"], ["men", "40"], ["men", "-1"]])
    assert accepted == [("women", 30, "25-34", "", "", "", "", False)]
    assert checked.rows == 4
    assert checked.problems == [
        "row 3, sex: “x” is not one of men, women.",
        "row 5, age: “-1” is not an age between 0 and 120.",
    ]


def test_a_long_name_or_position_is_refused() -> None:
    checked, _ = _check(["sex", "age", "organisation_or_position"], [["women", "30", "x" * 201]])
    assert checked.problems == ["row 2, organisation_or_position: longer than 200 characters."]


# Cells a row may hold: good spellings in several forms, and bad ones.
CELLS = {
    "sex": ["women", "Men", " QADIN ", "kişi", "м", "", "x", "female?"],
    "age": ["34", "0", "120", "17.0", "34,0", "", " 61 ", "250", "-3", "abc", "12.5"],
    "age_band": ["", "", "18-24", "25–34", "60 and over", "0-17", "9-99"],  # noqa: RUF001
    "population_group": ["", "idp", "Host community", "refugee"],
    "district": ["", "baku", "BAKI", "Gəncə", "Atlantis"],
    "organisation_or_position": ["", "Teacher", " Police, inspector ", "x" * 201],
    "name": ["", "", "Aysel Məmmədova", "y" * 201],
    "consent": ["", "yes", "no", "Bəli", "X", "maybe", "да"],
}


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header with sex, age and/or age band and some other columns in any order, and rows whose
    cells are drawn from CELLS (some rows short, some with an extra cell, some blank)."""
    others = draw(st.lists(st.sampled_from(COLUMNS[3:]), unique=True))
    ages = draw(st.sampled_from([["age"], ["age_band"], ["age", "age_band"]]))
    columns = draw(st.permutations(["sex", *ages, *others]))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        cells = [draw(st.sampled_from(CELLS[column])) for column in columns]
        shape = draw(st.sampled_from(["whole", "whole", "short", "long", "blank"]))
        if shape == "short":
            cells = cells[: draw(st.integers(0, len(cells)))]
        elif shape == "long":
            cells.append("stray")
        elif shape == "blank":
            cells = [" "] * len(cells)
        rows.append(cells)
    return columns, rows


@settings(max_examples=300, deadline=None)
@given(tables())
def test_the_fast_check_agrees_with_the_row_by_row_check(table) -> None:
    """Over random headers and rows, what ``check_rows`` hands over and reports is what checking each
    row on its own with ``_row`` gives: the rows before the first problem, every problem, the count of
    non-blank rows."""
    header, rows = table
    index, header_problems = columns_of(header)
    assert header_problems == []
    expected = Checked()
    results = []
    for number, cells in enumerate(rows, start=2):
        if any(cell.strip() for cell in cells):
            expected.rows += 1
            results.append(_row(number, cells, index, VOCABULARY, expected))
    first_bad = next((i for i, row in enumerate(results) if row is None), len(results))
    checked, accepted = _check(header, rows)
    assert accepted == results[:first_bad]
    assert checked.problems == expected.problems
    assert checked.rows == expected.rows


# --- reading text --------------------------------------------------------------------------------


def test_pasted_rows_are_tab_separated() -> None:
    table = read_text("sex\tage\tdistrict\nwomen\t34\tBaku, centre\n")
    assert table.source == "paste"
    assert table.header == ["sex", "age", "district"]
    assert list(table.rows) == [(2, ["women", "34", "Baku, centre"])]


def test_a_row_is_numbered_by_the_line_it_starts_on() -> None:
    """Blank lines before the header count; a quoted cell with line breaks spans lines, and the next
    row's number is still its own first line."""
    table = read_text('\n\nsex;age;organisation_or_position\nwomen;34;"a\r\nb\nc"\nmen;40;x\n\nmen;41;y')
    assert table.header == ["sex", "age", "organisation_or_position"]
    assert list(table.rows) == [
        (4, ["women", "34", "a\r\nb\nc"]),
        (7, ["men", "40", "x"]),
        (8, []),
        (9, ["men", "41", "y"]),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "file: there are no rows."),
        (" \n\t\n", "file: there are no rows."),
        ("sex,age\nwomen,34\nmen,4\x000\n", "line 3: the CSV cannot be read (line contains NUL)."),
        (
            "sex,age\nwomen,34\r\nmen," + "4" * 200_000 + "\n",
            "line 3: the CSV cannot be read (field larger than field limit (131072)).",
        ),
    ],
)
def test_text_that_cannot_be_read_is_named_by_its_line(text, problem) -> None:
    with pytest.raises(InvalidInput) as raised:
        list(read_text(text).rows)
    assert raised.value.problems == [problem]


def test_a_csv_file_may_start_with_a_byte_order_mark() -> None:
    table = read_table("p.csv", "\ufeffsex,age\r\nwomen,34\r\n".encode())
    assert (table.source, table.header, list(table.rows)) == ("csv", ["sex", "age"], [(2, ["women", "34"])])


def test_the_first_line_that_is_not_utf8_is_named_even_far_into_a_large_file() -> None:
    """The file is checked a megabyte at a time: a character cut by a chunk's end is no problem, and a
    bad byte far into the file is named by its line."""
    line = "qadın,34,Məktəb\n".encode()  # noqa: RUF001
    body = line * (3 * (1 << 20) // len(line))
    good = b"sex,age,organisation_or_position\n" + body
    assert sum(1 for _ in read_table("p.csv", good).rows) == body.count(b"\n")
    bad = good + "men,40,Школа\n".encode("cp1251")
    with pytest.raises(InvalidInput) as raised:
        read_table("p.csv", bad)
    assert raised.value.problems == [
        f"line {good.count(b'\n') + 1}: the file is not UTF-8 or UTF-16 text (it looks like Windows-1251 "
        "(Cyrillic)). Save it as “CSV UTF-8” or upload the Excel file itself."
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_and_utf8_with_a_byte_order_mark_are_read(encoding) -> None:
    """A valid UTF-16 CSV (Excel's "Unicode Text", little- or big-endian) and UTF-8 with a byte-order
    mark are read like UTF-8: the mark is not part of the first column's name. (UTF-16 was refused as
    "not a spreadsheet or a CSV text file".)"""
    text = "sex,age,organisation_or_position\r\nwomen,34,Məktəb\r\nmen,40,Школа\r\n"
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    table = read_table("p.csv", bom + text.encode(encoding))
    assert table.header == ["sex", "age", "organisation_or_position"]
    assert list(table.rows) == [(2, ["women", "34", "Məktəb"]), (3, ["men", "40", "Школа"])]


def test_a_nul_character_in_utf16_text_is_refused_by_line() -> None:
    """UTF-16 is all zero bytes and letters; a NUL character in it is still refused, naming its line."""
    content = "sex,age\nwomen,34\nmen,4\x000\n".encode("utf-16")
    with pytest.raises(InvalidInput) as raised:
        read_table("p.csv", content)
    assert raised.value.problems == ["line 3: the CSV cannot be read (line contains NUL)."]


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        ("sex,age\nwomen,34\n".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        ("sex,age\nwomen,34\n".encode("utf-16-be"), "UTF-16 without a byte-order mark"),
        ("sex,age\nwomen,34\n".encode("utf-32"), "UTF-32"),
    ],
)
def test_wide_text_that_cannot_be_read_is_named(content, looks_like) -> None:
    """UTF-16 without its byte-order mark, and UTF-32, are refused naming what they look like."""
    with pytest.raises(InvalidInput) as raised:
        read_table("p.csv", content)
    assert raised.value.problems == [
        f"file: “p.csv” looks like {looks_like} text, which is not read here. Save it as “CSV UTF-8”, or as "
        "UTF-16 with a byte-order mark (“Unicode Text”)."
    ]


def test_a_western_code_page_is_named_when_refused() -> None:
    """A CSV in Windows-1254 (Turkish) is refused naming a Western or Turkish code page."""
    with pytest.raises(InvalidInput) as raised:
        read_table("p.csv", "sex,age,place\nwomen,34,Şəki\n".replace("ə", "e").encode("cp1254"))
    assert (
        "it looks like a Western or Turkish code page such as Windows-1252 or Windows-1254"
        in (raised.value.problems[0])
    )


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        read_table("p.csv", b"")
    assert raised.value.problems == ["file: the file is empty."]


# --- reading spreadsheets ------------------------------------------------------------------------


def test_spreadsheet_cells_read_as_typed() -> None:
    """Numbers as a person typed them (34.0 is 34), booleans as yes/no, dates in ISO form; rows are the
    sheet's rows, counted from the top even when the table starts lower down."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(["sex", "age", "consent", "when"])
    sheet.append(["women", 34, True, date(2021, 3, 10)])
    sheet.append(["men", 34.5, False, datetime(2021, 3, 10, 9, 30)])
    out = io.BytesIO()
    workbook.save(out)
    table = read_table("p.xlsx", out.getvalue())
    assert (table.source, table.header) == ("xlsx", ["sex", "age", "consent", "when"])
    assert list(table.rows) == [
        (3, ["women", "34", "yes", "2021-03-10"]),
        (4, ["men", "34.5", "no", "2021-03-10T09:30:00"]),
    ]


# --- COPY's text format --------------------------------------------------------------------------


def test_rows_are_written_in_copys_text_format() -> None:
    rows = [
        ("women", 34, "25-34", "idp", "baku", "Teacher, school", "", False),
        ("men", None, "60-plus", "", "", "", "Leyla", True),
    ]
    assert _copy_text("7\t9\t", rows) == (
        "7\t9\twomen\t34\t25-34\tidp\tbaku\tTeacher, school\t\tf\n7\t9\tmen\t\\N\t60-plus\t\t\t\tLeyla\tt\n"
    )


@pytest.mark.parametrize(
    ("affiliation", "written"),
    [
        ("a\tb", "a\\tb"),
        ("a\nb\r\nc", "a\\nb\\r\\nc"),
        ("C:\\folder", "C:\\\\folder"),
        ("\\N", "\\\\N"),  # a cell that reads \N is that text, not NULL
        ("nul\x00here", "nulhere"),  # PostgreSQL cannot store NUL
    ],
)
def test_values_copy_would_misread_are_escaped(affiliation, written) -> None:
    rows = [
        ("women", None, "0-17", "", "", affiliation, "", False),
        ("men", 30, "25-34", "", "", "", "", False),
    ]
    assert _copy_text("1\t2\t", rows) == (
        f"1\t2\twomen\t\\N\t0-17\t\t\t{written}\t\tf\n1\t2\tmen\t30\t25-34\t\t\t\t\tf\n"
    )
