"""The generic services on every registered registry (catalogue.kinds()), with each kind's own examples:
create, change, a stale change refused, delete; an import all or nothing naming rows and columns; export
then import gives the same records and a re-import changes nothing; the same file twice is refused."""

from __future__ import annotations

import pytest

from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditEvent
from wpsnap.core.tables import Table
from wpsnap.core.versions import StaleWrite
from wpsnap.registries.kinds import columns
from wpsnap.registries.kinds.base import ColumnType
from wpsnap.registries.kinds.selectors import records_visible_to, with_relations
from wpsnap.registries.kinds.services import (
    DuplicateImport,
    record_create,
    record_delete,
    record_texts,
    record_update,
    records_import,
    records_rows,
)
from wpsnap.registries.models import RecordImport

from .conftest import example_row, kind_params, writer_for

pytestmark = pytest.mark.django_db


def table_of(headers, rows, source="csv"):
    return Table(source=source, header=list(headers), rows=iter(enumerate(rows, start=2)))


def personal_headers(kind):
    return {c.header for c in kind.columns if c.personal}


def a_change(kind, row, rng, plan, actor):
    """A column of ``row`` and another value for it the kind takes (from another example row)."""
    for _ in range(20):
        other = example_row(kind, rng, plan, actor)
        for column in kind.columns:
            if column.data_type in (ColumnType.RECORD, ColumnType.EVENTS) or column.field == kind.title_field:
                continue
            if other.get(column.header, "") not in ("", row.get(column.header, "")):
                return column, other[column.header]
    raise AssertionError(f"{kind.name}: no column to change")


@pytest.mark.parametrize("kind", kind_params())
def test_create_update_stale_delete(kind, events_plan, people, rng):
    actor = writer_for(kind, people)
    row = example_row(kind, rng, events_plan, actor)
    record = record_create(kind=kind, actor=actor, plan=events_plan, values=row)
    assert record.owner_id == actor.organisation_id
    assert record.version == 1
    stored = record_texts(kind, with_relations(kind, kind.model.objects.all()).get(pk=record.pk))
    for header, text in row.items():
        column = kind.column(header) if header != "activities" else columns.ACTIVITIES_COLUMN
        assert stored[header] == columns.format_value(
            column, columns.parse_value(column, text, plan=events_plan, user=actor, model=kind.model)
        ), header
    line = AuditEvent.objects.filter(action="create", object_id=str(record.pk)).latest("at")
    # Headers only, never values (personal data stays out of the audit trail).
    assert all(set(change) == {"field"} for change in line.changes)

    column, new = a_change(kind, row, rng, events_plan, actor)
    record = record_update(kind=kind, actor=actor, record=record, values={column.header: new}, version=1)
    assert record.version == 2
    # A second writer who read version 1 changes the same column: refused, nothing saved.
    with pytest.raises(StaleWrite):
        record_update(
            kind=kind, actor=actor, record=record, values={column.header: row[column.header]}, version=1
        )
    # The same value as stored now goes through (changes nothing).
    record_update(kind=kind, actor=actor, record=record, values={column.header: new}, version=1)
    record = with_relations(kind, kind.model.objects.all()).get(pk=record.pk)
    assert record.version == 2
    expected = columns.format_value(
        column, columns.parse_value(column, new, plan=events_plan, user=actor, model=kind.model)
    )
    assert record_texts(kind, record)[column.header] == expected
    with pytest.raises(StaleWrite):
        record_delete(kind=kind, actor=actor, record=record, version=1)
    record_delete(kind=kind, actor=actor, record=record, version=record.version)
    assert not kind.model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("kind", kind_params())
def test_required_columns_and_bad_values_named(kind, events_plan, people, rng):
    actor = writer_for(kind, people)
    required = [c for c in kind.columns if c.required]
    with pytest.raises(InvalidInput) as refused:
        record_create(kind=kind, actor=actor, plan=events_plan, values={})
    assert {p.field for p in refused.value.problems} >= {c.header for c in required}
    with pytest.raises(InvalidInput) as refused:
        record_create(kind=kind, actor=actor, plan=events_plan, values={"no_such_column": "x"})
    assert "no_such_column" in {p.field for p in refused.value.problems}
    assert not kind.model.objects.exists()


@pytest.mark.parametrize("kind", kind_params())
def test_import_is_all_or_nothing(kind, events_plan, people, rng):
    actor = writer_for(kind, people)
    rows = [example_row(kind, rng, events_plan, actor) for _ in range(3)]
    headers = list(rows[0])
    date_or_number = next(
        (c for c in kind.columns if c.data_type in (ColumnType.DATE, ColumnType.INTEGER, ColumnType.YEAR)),
        None,
    )
    bad = dict(rows[1])
    bad["activities"] = "9.9.9.9"
    if date_or_number is not None:
        bad[date_or_number.header] = "not a value"
    before = kind.model.objects.count()
    with pytest.raises(InvalidInput) as refused:
        records_import(
            kind=kind,
            actor=actor,
            plan=events_plan,
            table=table_of(headers, [[r[h] for h in headers] for r in (rows[0], bad, rows[2])]),
            source="csv",
            sha256="x",
        )
    fields = {p.field for p in refused.value.problems}
    assert "rows[3].activities" in fields
    if date_or_number is not None:
        assert f"rows[3].{date_or_number.header}" in fields
    assert kind.model.objects.count() == before
    assert not RecordImport.objects.filter(kind=kind.name).exists()
    with pytest.raises(InvalidInput) as refused:
        records_import(
            kind=kind,
            actor=actor,
            plan=events_plan,
            table=table_of([*headers, "colour"], [[*(rows[0][h] for h in headers), "red"]]),
            source="csv",
            sha256="x",
        )
    assert refused.value.problems[0].field == f"columns[{len(headers) + 1}]"


@pytest.mark.parametrize("kind", kind_params())
def test_round_trip_and_reimport_changes_nothing(kind, events_plan, people, rng):
    coordinator = people["coordinator"]
    if not kind.export_people:
        pytest.skip(f"{kind.name} is never exported person by person")
    actor = writer_for(kind, people)
    made = [
        record_create(
            kind=kind, actor=actor, plan=events_plan, values=example_row(kind, rng, events_plan, actor)
        )
        for _ in range(4)
    ]
    scope = with_relations(kind, records_visible_to(kind, coordinator).filter(pk__in=[r.pk for r in made]))
    headers, rows = records_rows(kind=kind, user=coordinator, records=scope)
    assert headers[:3] == ["record_id", "owner", "activities"]

    # Re-importing the export: every record found by its id, nothing changes.
    outcome = records_import(
        kind=kind,
        actor=coordinator,
        plan=events_plan,
        table=table_of(headers, rows),
        source="csv",
        sha256="a",
    )
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 4)
    assert all(r.version == 1 for r in kind.model.objects.filter(pk__in=[m.pk for m in made]))

    # Into an empty registry (the records gone, their ids blank): the same records again.
    kind.model.objects.filter(pk__in=[r.pk for r in made]).delete()
    blank = [["", *row[1:]] for row in rows]
    outcome = records_import(
        kind=kind,
        actor=coordinator,
        plan=events_plan,
        table=table_of(headers, blank),
        source="csv",
        sha256="b",
    )
    assert (outcome.created, outcome.updated, outcome.unchanged) == (4, 0, 0)
    again = with_relations(kind, kind.model.objects.filter(batch_id=outcome.batch.pk))
    headers2, rows2 = records_rows(kind=kind, user=coordinator, records=again)
    assert headers2 == headers
    assert sorted(r[1:] for r in rows2) == sorted(r[1:] for r in rows)
    outcome = records_import(
        kind=kind,
        actor=coordinator,
        plan=events_plan,
        table=table_of(headers2, rows2),
        source="csv",
        sha256="c",
    )
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 4)


@pytest.mark.parametrize("kind", kind_params())
def test_the_same_rows_twice_are_refused_unless_added_anyway(kind, events_plan, people, rng):
    actor = writer_for(kind, people)
    rows = [example_row(kind, rng, events_plan, actor) for _ in range(2)]
    headers = list(rows[0])

    def run(order, allow=False):
        return records_import(
            kind=kind,
            actor=actor,
            plan=events_plan,
            table=table_of(headers, [[r[h] for h in headers] for r in order]),
            source="csv",
            sha256="same",
            allow_duplicate=allow,
        )

    assert run(rows).created == 2
    # The same rows in another order are the same file.
    with pytest.raises(DuplicateImport) as refused:
        run(list(reversed(rows)))
    assert refused.value.problems[0].code == "duplicate"
    assert kind.model.objects.filter(plan=events_plan, batch_id__isnull=False).count() == 2
    try:
        assert run(rows, allow=True).created == 2
    except InvalidInput as refused:
        # Or the kind's own rule keeps one record of the same thing (staff counts per level and year).
        assert refused.problems[0].code != "duplicate"


@pytest.mark.parametrize("kind", kind_params())
def test_nobody_else_writes(kind, events_plan, people, rng, make_user):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    actor = writer_for(kind, people)
    record = record_create(
        kind=kind, actor=actor, plan=events_plan, values=example_row(kind, rng, events_plan, actor)
    )
    outsider = make_user("focal_point", "scwd", "scwd-focal")
    with pytest.raises((PermissionDenied, Http404)):
        record_update(kind=kind, actor=outsider, record=record, values={}, version=None)
    with pytest.raises((PermissionDenied, Http404)):
        record_delete(kind=kind, actor=people["evaluator"], record=record, version=None)
    assert kind.model.objects.filter(pk=record.pk).exists()
