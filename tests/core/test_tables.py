"""Reading tables from files and pasted text (``wpsnap.core.tables``), without a database: row numbers,
encodings (UTF-8 with or without a byte-order mark, UTF-16 with one; others named), NUL characters,
spreadsheets' cells as typed."""

from __future__ import annotations

import codecs
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from wpsnap.core.errors import InvalidInput
from wpsnap.core.tables import read_table, read_text

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
        ("", "file: There are no rows."),
        (" \n\t\n", "file: There are no rows."),
        ("sex,age\nwomen,34\nmen,4\x000\n", "file: Line 3: the CSV cannot be read (line contains NUL)."),
        (
            "sex,age\nwomen,34\r\nmen," + "4" * 200_000 + "\n",
            "file: Line 3: the CSV cannot be read (field larger than field limit (131072)).",
        ),
    ],
)
def test_text_that_cannot_be_read_is_named_by_its_line(text, problem) -> None:
    with pytest.raises(InvalidInput) as raised:
        list(read_text(text).rows)
    assert [str(p) for p in raised.value.problems] == [problem]


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
    assert [str(p) for p in raised.value.problems] == [
        f"file: Line {good.count(b'\n') + 1}: the file is not UTF-8 or UTF-16 text (it looks like Windows-1251 "
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
    assert [str(p) for p in raised.value.problems] == [
        "file: Line 3: the CSV cannot be read (line contains NUL)."
    ]


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
    assert [str(p) for p in raised.value.problems] == [
        f"file: “p.csv” looks like {looks_like} text, which is not read here. Save it as “CSV UTF-8”, or as "
        "UTF-16 with a byte-order mark (“Unicode Text”)."
    ]


def test_a_western_code_page_is_named_when_refused() -> None:
    """A CSV in Windows-1254 (Turkish) is refused naming a Western or Turkish code page."""
    with pytest.raises(InvalidInput) as raised:
        read_table("p.csv", "sex,age,place\nwomen,34,Şəki\n".replace("ə", "e").encode("cp1254"))
    assert (
        "it looks like a Western or Turkish code page such as Windows-1252 or Windows-1254"
        in raised.value.problems[0].message
    )


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        read_table("p.csv", b"")
    assert [str(p) for p in raised.value.problems] == ["file: The file is empty."]


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
