"""Reading a table of rows from an uploaded file (CSV, XLSX/ODS via python-calamine) or pasted text,
for any app that imports tables (participants today). What a file is, is judged by its content, never by
its name; UTF-16 with a byte-order mark and UTF-8 with or without one are read, other encodings named; a
spreadsheet is first unpacked in a memory-capped child process. Pure: no database. What the rows mean
(columns, spellings, row checks) belongs to the importing app (``registries/participants.py``).

Cells a spreadsheet would run as a formula are written with a neutralising quote (:func:`neutralise`,
used by every export, OWASP's advice on CSV injection); every table read here takes that quote off again
(:func:`unmark`, only where it stands before one of those characters), so that an export imports back
unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import gettext as _

from .errors import InvalidInput
from .files import MAX_UNZIPPED, sniff, starts_as_markup, unpacks_too_large

SPREADSHEET_NAMES = (".xlsx", ".xlsm", ".xls", ".ods")

# --- formulas: the neutralising quote ------------------------------------------------------------------

# A cell that starts with one of these is run as a formula (or split) by a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Quotes already in front of such a character get one more, so that taking one off gives the text back.
_LEADING = re.compile(r"'*[=+\-@\t\r]")
# Excel in Azerbaijani or Russian splits a CSV on ";" (quotes or not): a formula after a semicolon (and
# any spaces or quotes) would start a cell of its own there, so it gets its quote too, at the end of the
# run of spaces and quotes.
_AFTER_SEMICOLON = re.compile(r"(;[\s\"']*)(?=[=+\-@])")
_MARKED_AFTER_SEMICOLON = re.compile(r"(;[\s\"']*)'(?=[=+\-@])")


def neutralise(text: str) -> str:
    """``text`` as a cell no spreadsheet runs as a formula, split on commas or on semicolons: a quote
    before a first character in ``FORMULA_STARTS`` (and before one of = + - @ after a semicolon). A cell
    written so never starts with one of those characters; :func:`unmark` gives ``text`` back."""
    if ";" in text:
        text = _AFTER_SEMICOLON.sub(r"\1'", text)
    return "'" + text if _LEADING.match(text) else text


def unmark(text: str) -> str:
    """The text :func:`neutralise` was given: one quote off where it stands before a character in
    ``FORMULA_STARTS`` at the start (after any other quotes), or before = + - @ after a semicolon.
    Anything else (a quote before a letter, a lone quote) is kept as it is."""
    if not text or ("'" not in text):
        return text
    if text[0] == "'" and _LEADING.match(text, 1):
        text = text[1:]
    if ";" in text:
        text = _MARKED_AFTER_SEMICOLON.sub(r"\1", text)
    return text


def _unmarked(row: list[str]) -> list[str]:
    return [unmark(cell) if type(cell) is str else cell for cell in row]


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
        raise InvalidInput.one("file", "empty", _("The file is empty."))
    # Excel's "Unicode Text" and other tools write UTF-16 with a byte-order mark: read it as text.
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not content.startswith(
        codecs.BOM_UTF32_LE
    ):
        return read_text(_decode_utf16(content), source="csv")
    kind = _sniff(content)
    if kind == "binary" and (wide := _wide_text(content)):
        raise InvalidInput.one(
            "file",
            "encoding",
            _(
                "“%(name)s” looks like %(encoding)s text, which is not read here. Save it as “CSV UTF-8”, or "
                "as UTF-16 with a byte-order mark (“Unicode Text”)."
            )
            % {"name": name, "encoding": wide},
        )
    if kind == "binary" and unpacks_too_large(content):
        raise InvalidInput.one(
            "file",
            "zip_bomb",
            _(
                "“%(name)s” unpacks to more than %(mb)d MB: split the list into several files, or save it as CSV UTF-8."
            )
            % {"name": name, "mb": MAX_UNZIPPED // (1024 * 1024)},
        )
    looks_like_spreadsheet = name.lower().endswith(SPREADSHEET_NAMES)
    if kind == "spreadsheet":
        return _read_spreadsheet(name, content)
    if kind == "binary" or looks_like_spreadsheet:
        raise InvalidInput.one(
            "file",
            "unsupported_type",
            _("“%(name)s” is not a spreadsheet or a CSV text file (judged by its content, not its name).")
            % {"name": name},
        )
    if starts_as_markup(content):
        raise InvalidInput.one(
            "file",
            "unsafe_type",
            _(
                "“%(name)s” is a web page or an SVG image (HTML, SVG or XML, judged by its content), not a "
                "spreadsheet or a CSV text file."
            )
            % {"name": name},
        )
    _check_utf8(content)
    nul = content.find(b"\x00")
    if nul >= 0:
        _refuse_nul(
            content.count(b"\n", 0, nul) + content.count(b"\r", 0, nul) - content.count(b"\r\n", 0, nul) + 1
        )
    # Decoded as it is read, a chunk at a time: a large file is never held twice (bytes and text).
    return _read_lines(lambda: io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline=""), "csv")


def read_text(text: str, *, source: str = "paste") -> Table:
    """Rows of text: CSV with a comma or semicolon, or tab-separated (as copied from a spreadsheet).
    A row's number is the line of the text where it starts (a quoted cell may hold line breaks, so
    a row can span several lines; the next row's number is still the line it starts on)."""
    nul = text.find("\x00")
    if nul >= 0:
        _refuse_nul(text.count("\n", 0, nul) + text.count("\r", 0, nul) - text.count("\r\n", 0, nul) + 1)
    return _read_lines(lambda: io.StringIO(text, newline=""), source)


# The longest cell a CSV may hold (the csv module's default): a longer one is refused, naming its line.
CSV_FIELD_LIMIT = 131072


def _read_lines(lines: Callable[[], Iterator[str]], source: str) -> Table:
    """The table in the lines ``lines()`` gives (each time from the start, line endings kept)."""
    first = next((line for line in lines() if line.strip()), "")
    if not first:
        raise InvalidInput.one("file", "empty", _("There are no rows."))
    delimiter = max(("\t", ";", ","), key=first.count)
    # The csv module's field limit is one setting for the whole process, and libraries change it when
    # imported (frictionless raises it): the platform's own limit is set again before every read.
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(lines(), delimiter=delimiter)
    for header in reader:
        if any(cell.strip() for cell in header):
            return Table(source=source, header=_unmarked(header), rows=_numbered(reader))
    raise InvalidInput.one("file", "empty", _("There are no rows."))


def _refuse_nul(line: int) -> None:
    # What the csv module said of a NUL character before Python 3.11; PostgreSQL cannot store one.
    raise InvalidInput.one(
        "file",
        "unreadable",
        _("Line %(line)d: the CSV cannot be read (%(error)s).")
        % {"line": line, "error": _("line contains NUL")},
    )


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on (``line_num`` counts the lines read so far)."""
    line_num = reader.line_num  # type: ignore[attr-defined]
    try:
        for row in reader:
            yield line_num + 1, _unmarked(row)
            line_num = reader.line_num  # type: ignore[attr-defined]
    except csv.Error as error:
        raise InvalidInput.one(
            "file",
            "unreadable",
            _("Line %(line)d: the CSV cannot be read (%(error)s).") % {"line": line_num + 1, "error": error},
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


def _decode_utf16(content: bytes) -> str:
    """UTF-16 text (its byte-order mark says which way round), or :class:`InvalidInput` naming the
    line of the first sequence that is not UTF-16."""
    try:
        return content.decode("utf-16")
    except UnicodeDecodeError as error:
        line = content[: error.start].decode("utf-16", "replace").count("\n") + 1
        raise InvalidInput.one(
            "file",
            "encoding",
            _(
                "Line %(line)d: the file starts as UTF-16 text but is not UTF-16 there. Save it as “CSV "
                "UTF-8” or upload the Excel file itself."
            )
            % {"line": line},
        ) from error


def _wide_text(content: bytes) -> str | None:
    """The encoding that text written two or four bytes a character looks like (UTF-32, or UTF-16
    without the byte-order mark that would have let it be read), judged by its byte-order mark or where
    its zero bytes fall; None when it does not look like one."""
    if content.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    sample = content[:8192]
    if len(sample) < 4:
        return None
    zeros = [i for i, byte in enumerate(sample) if byte == 0]
    # Latin text in UTF-16: every other byte is zero; in UTF-32, three bytes of four.
    if len(zeros) >= 0.7 * len(sample):
        return "UTF-32"
    if len(zeros) >= 0.3 * len(sample) and max(
        sum(1 for i in zeros if i % 2 == 0), sum(1 for i in zeros if i % 2 == 1)
    ) >= 0.9 * len(zeros):
        return _("UTF-16 without a byte-order mark")
    return None


def looks_like(content: bytes) -> str:
    """What a text that is not UTF-8 looks like, to name it when refusing it. Cyrillic in Windows-1251
    is written in runs of bytes above 127 (whole words); Western and Turkish code pages put one such
    byte among ASCII letters (é, ç, ş)."""
    sample = content[: 1 << 16]
    high = [i for i, byte in enumerate(sample) if byte >= 0x80]
    if not high:
        return _("another encoding")
    runs = sum(
        1
        for i in high
        if (i > 0 and sample[i - 1] >= 0x80) or (i + 1 < len(sample) and sample[i + 1] >= 0x80)
    )
    if runs >= 0.6 * len(high):
        return _("Windows-1251 (Cyrillic)")
    return _("a Western or Turkish code page such as Windows-1252 or Windows-1254")


def _check_utf8(content: bytes) -> None:
    """Refuse a file that is not UTF-8, naming the line of the first byte that is not, before any
    row is read (chunk by chunk: the text is decoded again as the rows are read)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(content)
    for start in range(0, len(content), _CHUNK):
        held = len(decoder.getstate()[0])
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(content))
        except UnicodeDecodeError as error:
            line = content.count(b"\n", 0, max(0, start - held + error.start)) + 1
            raise InvalidInput.one(
                "file",
                "encoding",
                _(
                    "Line %(line)d: the file is not UTF-8 or UTF-16 text (it looks like %(encoding)s). Save "
                    "it as “CSV UTF-8” or upload the Excel file itself."
                )
                % {"line": line, "encoding": looks_like(content)},
            ) from error


_CHUNK = 1 << 20


# A spreadsheet is first unpacked in a child process whose memory is limited: the reader spreads a
# few kilobytes over gigabytes (two cells a sheet apart, one long text shared by thousands of cells,
# an ODS row repeated a million times), within the archive checks, and a failed allocation aborts the
# interpreter, not just the request. The limit grows with the file: a list of a million rows needs
# about 1 GB.
SHEET_MEMORY = (256 * 1024 * 1024, 256, 4 * 1024 * 1024 * 1024)  # base, per byte of the file, at most
SHEET_SECONDS = 120
_PROBE = """
import io, resource, sys
def limit(kind, value):
    hard = resource.getrlimit(kind)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(kind, (value, hard))
limit(resource.RLIMIT_AS, int(sys.argv[1]))
limit(resource.RLIMIT_CPU, int(sys.argv[2]))
try:
    from python_calamine import CalamineWorkbook
except ImportError:
    sys.exit(4)
content = sys.stdin.buffer.read()
try:
    CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python(skip_empty_area=False)
except MemoryError:
    sys.exit(3)
except Exception:
    pass  # not a readable spreadsheet: reading it again says so
"""
logger = logging.getLogger(__name__)


def _ensure_unpacks_within_limits(name: str, content: bytes) -> None:
    base, per_byte, most = SHEET_MEMORY
    memory = min(most, base + per_byte * len(content))
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and code, the file on stdin
            [sys.executable, "-c", _PROBE, str(memory), str(SHEET_SECONDS)],
            input=content,
            capture_output=True,  # a failed allocation's report is dropped, never logged
            timeout=SHEET_SECONDS * 2,
            check=False,
        )
        code = done.returncode
    except subprocess.TimeoutExpired:
        code = -1
    except OSError:
        code = 4
    if code == 0:
        return
    if code == 4:
        logger.error("spreadsheets cannot be checked: %s cannot run python_calamine", sys.executable)
        raise InvalidInput.one(
            "file",
            "unavailable",
            _("Spreadsheets cannot be read here just now. Upload the list as CSV UTF-8."),
        )
    raise InvalidInput.one(
        "file",
        "zip_bomb",
        _(
            "“%(name)s” unpacks to far more than its size (over %(mb)d MB): save it again from the "
            "spreadsheet program, or as CSV UTF-8."
        )
        % {"name": name, "mb": memory // (1024 * 1024)},
    )


def _read_spreadsheet(name: str, content: bytes) -> Table:
    from python_calamine import CalamineWorkbook

    _ensure_unpacks_within_limits(name, content)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own errors and zip/xml ones: all mean "not readable"
        raise InvalidInput.one(
            "file",
            "unreadable",
            _("“%(name)s” is not a spreadsheet that can be read (judged by its content).") % {"name": name},
        ) from error
    # Most cells are text already; only numbers, dates and booleans need _text.
    numbered = (
        (number, [unmark(cell) if type(cell) is str else _text(cell) for cell in row])
        for number, row in enumerate(rows, start=1)
    )
    for number, header in numbered:
        if any(cell.strip() for cell in header):
            return Table(source="xlsx", header=header, rows=numbered)
        del number
    raise InvalidInput.one("file", "empty", _("The first sheet has no rows."))


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
