"""Property tests of the imports: the table reader (``core.tables.read_table``: CSV, XLSX, pasted text), the
participants' import (``participants_import_file``) and every registry's (``records_import``), over any
bytes, cut and flipped spreadsheets, and template files with cells, columns and rows changed (odd Unicode,
NUL, huge numbers, wrong types, columns missing, given twice or unknown). Each file is imported, or refused
with ``InvalidInput`` naming the file, the column (``columns[N]``) or the row and column (``rows[N].sex``),
never another exception, and a refused import leaves every row count as it was. Round trips: rows written
(neutralised) as CSV read back as written; a registry's export imported again changes nothing; the
participants a file lists are the rows imported."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from random import Random
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from wpsnap.accounts.permissions import can
from wpsnap.core.errors import InvalidInput
from wpsnap.core.tables import neutralise, read_table, read_text
from wpsnap.registries.kinds.selectors import with_relations
from wpsnap.registries.kinds.services import records_import, records_rows
from wpsnap.registries.models import Participant, ParticipantImport, RecordImport
from wpsnap.registries.participants import COLUMNS
from wpsnap.registries.services.participants import participants_import_file

from .kinds.conftest import KINDS, example_row, writer_for

FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
FIELD = re.compile(r"^(file|columns|columns\[\d+\]|rows\[\d+\]\.[\w-]+|rows|)$")

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(["\x00", "\u202e", "\ufeff", "\u0130", "=", '"', ";", "\t", "\r", "\n", "-"]),
    max_size=40,
)
wrong_cells = st.one_of(
    odd_text,
    st.sampled_from(["=1+1", "@SUM(A1)", "\r\n", "a\x00b"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    st.text(min_size=250, max_size=400),
    st.sampled_from(["", " ", "yes", "no", "2021-02-30", "1e309", "NaN", "0x10", "\uff11\uff12", "\u0663"]),
)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *rows]:
        # A worksheet cannot hold control characters: a spreadsheet program never writes them.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _refused_by_field(refused: InvalidInput) -> None:
    assert refused.problems
    for problem in refused.problems:
        assert FIELD.match(problem.field), problem
        assert problem.code and problem.message


def _rows_of(content: bytes, name: str = "file.csv") -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The file's header and rows, or None when refused as ``read_table`` documents."""
    try:
        table = read_table(name, content)
        return table.header, list(table.rows)
    except InvalidInput as refused:
        assert [p.field for p in refused.problems] == ["file"], refused.problems
        event(f"refused: {refused.problems[0].code}")
        return None


@st.composite
def changed_files(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> tuple[str, bytes]:
    """A file of ``rows`` under ``header`` with a few changes: a cell, a column dropped, given twice or
    unknown, a row cut short or added; as CSV or (one time in four) XLSX; sometimes its bytes cut. Every
    draw is the same whatever the rows (places are drawn as numbers, then taken modulo): the rows may
    differ from one run of an example to the next."""
    header, rows = list(header), [list(row) for row in rows]
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop", "twice", "unknown", "short", "row"]))
        column, row, cut = draw(st.tuples(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999)))
        value, unknown = draw(wrong_cells), draw(odd_text)
        column %= max(1, len(header))
        if action == "cell" and rows:
            cells = rows[row % len(rows)]
            if column < len(cells):
                cells[column] = value
        elif action == "drop" and header:
            del header[column]
            for cells in rows:
                cells[column : column + 1] = []
        elif action == "twice" and header:
            header.append(header[column])
            for cells in rows:
                cells.append(cells[column] if column < len(cells) else "")
        elif action == "unknown":
            header.append(unknown)
        elif action == "short" and rows:
            rows[-1] = rows[-1][: cut % (len(rows[-1]) + 1)]
        elif action == "row":
            rows.append([value for _ in header])
    form, cut = draw(st.integers(0, 3)), draw(st.tuples(st.integers(0, 5), st.integers(0, 10**6)))
    if form == 0:
        name, content = "list.xlsx", _xlsx(header, rows)
    else:
        name, content = ("list.csv", "list.xlsx", "list.txt")[form - 1], _csv(header, rows)
    if cut[0] == 0:
        content = content[: cut[1] % (len(content) + 1)]
    return name, content


# --- the table reader, without the database ---------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(
    st.binary(max_size=400)
    | st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)
    | st.binary(max_size=200).map(lambda b: b"\xff\xfe" + b)
    | st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbfsex,age\n" + b),
    st.sampled_from(["list.csv", "list.xlsx", "list.ods", "list", "list.pdf"]),
)
def test_any_bytes_are_a_table_or_refused_naming_the_file(content, name) -> None:
    _rows_of(content, name)


@functools.cache
def _one_spreadsheet() -> bytes:
    return _xlsx(list(COLUMNS), [["women", "23", "", "", "baku", "", "", "no"]])


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_a_cut_or_flipped_spreadsheet_is_a_table_or_refused_naming_the_file(data) -> None:
    # One file for every example: a workbook written again carries a new time (its length can change),
    # and hypothesis refuses draws whose bounds depend on that.
    content = bytearray(_one_spreadsheet())
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(content) - 1))
        if data.draw(st.booleans()):
            content[at] ^= data.draw(st.integers(1, 255))
        else:
            del content[at:]
            if not content:
                break
    _rows_of(bytes(content), "list.xlsx")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(odd_text.filter(lambda t: "\x00" not in t), min_size=8, max_size=8), max_size=5))
def test_rows_written_neutralised_read_back_as_written(rows) -> None:
    """The round trip of every export: cells written with the neutralising quote and read back (as a
    file, and as pasted text) give the text that was written, formulas and all."""
    written = _csv(list(COLUMNS), [[neutralise(cell) for cell in row] for row in rows])
    read = _rows_of(written)
    assert read is not None
    header, body = read
    assert header == list(COLUMNS)
    kept = [row for row in rows if any(cell for cell in row)]
    assert [cells for _number, cells in body if any(cells)] == kept
    pasted = read_text(written.decode("utf-8", "surrogatepass"))
    assert [cells for _number, cells in pasted.rows if any(cells)] == kept


# --- the participants' import -----------------------------------------------------------------------

PARTICIPANT = st.tuples(
    st.sampled_from(["women", "men", "Qad\u0131n", "K\u0130\u015e\u0130", "female", "x"]),
    st.integers(min_value=-5, max_value=130).map(str) | st.just(""),
    st.sampled_from(["", "18-24", "25-34", "60-plus"]),
    st.sampled_from(["", "idp", "refugee"]),
    st.sampled_from(["", "baku", "ganja", "nowhere"]),
    odd_text.filter(lambda t: len(t) < 30),
    odd_text.filter(lambda t: len(t) < 30),
    st.sampled_from(["yes", "no", "", "maybe"]),
).map(list)


def _participant_counts() -> tuple[int, int]:
    return Participant.objects.count(), ParticipantImport.objects.count()


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURES)
@given(data=st.data())
def test_a_participant_file_is_imported_or_refused_by_row_and_column_with_nothing_saved(
    training, people, data
) -> None:
    rows = data.draw(st.lists(PARTICIPANT, min_size=1, max_size=6))
    name, content = data.draw(changed_files(list(COLUMNS), rows))
    with transaction.atomic():
        before = _participant_counts()
        try:
            result = participants_import_file(
                actor=people["focal"], event=training, name=name, content=content, allow_duplicate=True
            )
        except InvalidInput as refused:
            event("refused")
            _refused_by_field(refused)
            assert _participant_counts() == before
        else:
            event("imported")
            assert result.rows == Participant.objects.filter(batch=result.batch).count() > 0
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=10, deadline=None, suppress_health_check=FIXTURES)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["women", "men"]), st.integers(0, 120), st.sampled_from(["", "baku"])),
        min_size=1,
        max_size=8,
    ),
    spreadsheet=st.booleans(),
)
def test_the_participants_a_file_lists_are_the_rows_imported(training, people, rows, spreadsheet) -> None:
    header = ["sex", "age", "district"]
    cells = [[sex, str(age), district] for sex, age, district in rows]
    content = _xlsx(header, cells) if spreadsheet else _csv(header, cells)
    with transaction.atomic():
        result = participants_import_file(
            actor=people["focal"],
            event=training,
            name="list.xlsx" if spreadsheet else "list.csv",
            content=content,
            allow_duplicate=True,
        )
        imported = Participant.objects.filter(batch=result.batch).order_by("id")
        assert [(p.sex, p.age, p.district) for p in imported] == rows
        transaction.set_rollback(True)


# --- every registry's import ------------------------------------------------------------------------


def _registry_counts(kind: Any) -> tuple[int, int, int]:
    records = kind.model._default_manager
    return records.count(), sum(records.values_list("version", flat=True)), RecordImport.objects.count()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURES)
@given(data=st.data())
def test_a_registry_file_is_imported_or_refused_by_row_and_column_with_nothing_saved(
    events_plan, people, data
) -> None:
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    writer = writer_for(kind, people)
    with transaction.atomic():
        rng = Random(data.draw(st.integers(0, 10**6), label="seed"))
        examples = [example_row(kind, rng, events_plan, writer) for _ in range(data.draw(st.integers(1, 3)))]
        header = list(examples[0])
        name, content = data.draw(
            changed_files(header, [[row.get(h, "") for h in header] for row in examples])
        )
        before = _registry_counts(kind)
        try:
            table = read_table(name, content)
            outcome = records_import(
                kind=kind,
                actor=writer,
                plan=events_plan,
                table=table,
                source=table.source,
                sha256=hashlib.sha256(content).hexdigest(),
                allow_duplicate=True,
            )
        except InvalidInput as refused:
            event("refused")
            _refused_by_field(refused)
            assert _registry_counts(kind) == before
        else:
            event("imported")
            assert outcome.created + outcome.updated + outcome.unchanged > 0
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_registry_export_imported_again_changes_nothing(events_plan, people, kind) -> None:
    """Every registry that its writer may export record by record (not legal aid, not the candidates):
    records imported from a file of its examples, exported, and the export imported again (as CSV) leave
    every record as it was."""
    writer = writer_for(kind, people)
    if not can(writer, kind.action("export")):
        pytest.skip(f"{kind.name} is not exported record by record by its writer")
    rng = Random(15)
    examples = [example_row(kind, rng, events_plan, writer) for _ in range(3)]
    header = list(examples[0])
    first = read_table("list.csv", _csv(header, [[row.get(h, "") for h in header] for row in examples]))
    outcome = records_import(
        kind=kind, actor=writer, plan=events_plan, table=first, source="csv", sha256="a" * 64
    )
    assert outcome.created == 3
    records = with_relations(kind, kind.model._default_manager.filter(plan=events_plan))
    headers, rows = records_rows(kind=kind, user=writer, records=records)
    exported = _csv(headers, [[neutralise(cell) for cell in row] for row in rows])
    before = _registry_counts(kind)
    again = records_import(
        kind=kind,
        actor=writer,
        plan=events_plan,
        table=read_table("export.csv", exported),
        source="csv",
        sha256=hashlib.sha256(exported).hexdigest(),
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
    assert _registry_counts(kind)[:2] == before[:2]
