"""Writing a list as CSV or XLSX: a header of column labels, an optional row of HXL hashtags under it,
then the rows. Pure: no database, no request; what a list holds is ``table_lists``' business.

- Text cells are neutralised (``wpsnap.core.tables.neutralise``): a cell that a spreadsheet would run
  as a formula gets a leading quote, which the platform's own imports take off again. Numbers stay
  numbers (a negative number is a number, written as one, never quoted); dates are dates.
- CSV: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the computer's code page and
  garbles Azerbaijani and Russian letters; every CSV reader we know, libhxl and the platform's imports
  included, skips it), comma-separated, RFC 4180 quoting and CRLF line ends. Written row by row, so it
  can be streamed.
- XLSX: openpyxl's write-only mode (memory does not grow with the rows), the header (and HXL row)
  frozen, column widths set, one sheet. The file is the same for the same rows: the archive's dates and
  the document's created/modified dates are fixed, so a repeated export is the same file byte for byte.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wpsnap.core.tables import neutralise

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

Cell = str | int | float | Decimal | date | bool | None
Row = Sequence[Cell]

# The archive entries' date (ZIP's earliest) and the document's dates: fixed, so that the same rows
# make the same file.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_DOC_DATE = "2000-01-01T00:00:00Z"
_DOC_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)")
# An HXL hashtag with its attributes, written without spaces: "#reached+f+adults".
_HXL = re.compile(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*")


@dataclass(frozen=True)
class Column:
    """One column: its label (translated, for the header), its HXL hashtag ("" for none), and its
    width in characters in a spreadsheet."""

    label: str
    hxl: str = ""
    width: int = 14

    def __post_init__(self) -> None:
        if self.hxl and not _HXL.fullmatch(self.hxl):
            raise ValueError(f"not an HXL hashtag with attributes: {self.hxl!r}")


def _plain_number(value: Decimal) -> str:
    """A decimal as plain digits ("12.5", "-3", never "1.2E+1")."""
    return f"{value.normalize():f}"


def csv_cell(value: Cell) -> str:
    """A value as a CSV cell: text neutralised, numbers as digits, dates in ISO form, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _plain_number(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


def header_rows(columns: Sequence[Column], *, hxl: bool) -> list[list[str]]:
    rows = [[neutralise(str(c.label)) for c in columns]]
    if hxl:
        rows.append([c.hxl for c in columns])
    return rows


class _Line:
    """A file-like object whose ``write`` hands back what it was given (csv.writer into a string)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Row], *, hxl: bool = False) -> Iterator[str]:
    """The CSV's text, one row at a time (the first starting with the byte-order mark)."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    first = True
    for row in header_rows(columns, hxl=hxl):
        line: str = writer.writerow(row)
        yield (BOM + line) if first else line
        first = False
    for values in rows:
        yield writer.writerow([csv_cell(v) for v in values])


def write_csv(columns: Sequence[Column], rows: Iterable[Row], out: BinaryIO, *, hxl: bool = False) -> None:
    """The CSV written into ``out`` (bytes, UTF-8)."""
    for line in csv_lines(columns, rows, hxl=hxl):
        out.write(line.encode("utf-8"))


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        # XLSX cannot hold most control characters (XML 1.0): each becomes U+FFFD.
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(value))
    if isinstance(value, datetime):
        return value.isoformat()  # with its time zone, which a spreadsheet's date cannot carry
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Row],
    out: BinaryIO,
    *,
    hxl: bool = False,
    title: str = "List",
) -> None:
    """The workbook written into ``out``: one sheet named ``title``, the header (and HXL row) in bold and
    frozen, each column as wide as its ``width`` (or its label)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for index, column in enumerate(columns, start=1):
        width = max(column.width, min(len(str(column.label)) + 2, 60))
        sheet.column_dimensions[get_column_letter(index)].width = width
    heads = header_rows(columns, hxl=hxl)
    sheet.freeze_panes = f"A{len(heads) + 1}"
    bold = Font(bold=True)
    for head in heads:
        cells = []
        for text in head:
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    for values in rows:
        sheet.append([_xlsx_value(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _repack(buffer, out)


def _sheet_title(title: str) -> str:
    """A sheet's name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "List"
    return cleaned[:31]


def _repack(buffer: io.BytesIO, out: BinaryIO) -> None:
    """The archive in ``buffer`` copied into ``out`` with fixed dates (entries and document)."""
    buffer.seek(0)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _DOC_DATES.sub(rb"\g<1>" + _DOC_DATE.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)
