"""Reading a table of rows from an uploaded file (CSV, XLSX/ODS via python-calamine) or pasted text.
What a file is, is judged by its content, never by its name. Pure: no database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import gettext as _

from wpsnap.core.errors import InvalidInput
from wpsnap.reporting.services.reports import sniff

SPREADSHEET_NAMES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class Table:
    """A header and the rows under it, each with its row number as the person sees it (the header
    is row 1)."""

    source: str  # "csv" | "xlsx" | "paste"
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


def read_table(name: str, content: bytes) -> Table:
    """The table in an uploaded file, or :class:`InvalidInput` saying what is wrong with the file."""
    if not content:
        raise InvalidInput([_("file: the file is empty.")])
    kind = _sniff(content)
    looks_like_spreadsheet = name.lower().endswith(SPREADSHEET_NAMES)
    if kind == "spreadsheet":
        return _read_spreadsheet(name, content)
    if kind == "binary" or looks_like_spreadsheet:
        raise InvalidInput(
            [
                _(
                    "file: “%(name)s” is not a spreadsheet or a CSV text file (judged by its content, not its name)."
                )
                % {"name": name}
            ]
        )
    return read_text(_decode(content), source="csv")


def read_text(text: str, *, source: str = "paste") -> Table:
    """Rows of text: CSV with a comma or semicolon, or tab-separated (as copied from a spreadsheet)."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise InvalidInput([_("file: there are no rows.")])
    delimiter = max(("\t", ";", ","), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    for header_row in reader:
        if any(cell.strip() for cell in header_row):
            header = header_row
            break
    if header is None:
        raise InvalidInput([_("file: there are no rows.")])
    return Table(source=source, header=header, rows=_numbered(reader))


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    line_num = reader.line_num  # type: ignore[attr-defined]
    try:
        for row in reader:
            yield line_num + 1, row
            line_num = reader.line_num  # type: ignore[attr-defined]
    except csv.Error as error:
        raise InvalidInput(
            [_("line %(line)d: the CSV cannot be read (%(error)s).") % {"line": line_num + 1, "error": error}]
        ) from error


def _sniff(content: bytes) -> str:
    if content.startswith(b"PK\x03\x04"):
        # An office archive within the size limits (no zip bombs), and a spreadsheet one.
        return "spreadsheet" if sniff(content) in {"xlsx", "ods"} else "binary"
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # the old Excel format
        return "spreadsheet"
    if b"\x00" in content[:8192]:
        return "binary"
    return "text"


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise InvalidInput(
            [
                _(
                    "line %(line)d: the file is not UTF-8 text. Save it as “CSV UTF-8” or upload the Excel file itself."
                )
                % {"line": line}
            ]
        ) from error


def _read_spreadsheet(name: str, content: bytes) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own errors and zip/xml ones: all mean "not readable"
        raise InvalidInput(
            [
                _("file: “%(name)s” is not a spreadsheet that can be read (judged by its content).")
                % {"name": name}
            ]
        ) from error
    numbered = ((number, [_text(cell) for cell in row]) for number, row in enumerate(rows, start=1))
    for number, header in numbered:
        if any(cell.strip() for cell in header):
            return Table(source="xlsx", header=header, rows=numbered)
        del number
    raise InvalidInput([_("file: the first sheet has no rows.")])


def _text(cell: object) -> str:
    """A spreadsheet cell as the text a person typed: 34.0 is "34", dates in ISO form."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return str(cell)
