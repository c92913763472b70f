"""Adding participants to an event: from a file (CSV, XLSX), pasted rows, the form, the API or the
command line, all through :func:`participants_import`. A file with any problem saves nothing; the
report names each bad row and column. Participants never reach the logs; the audit trail records
the batch (event, rows, checksum), not the people.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core import audit
from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditAction

from .. import selectors
from ..models import Event, ImportSource, Participant, ParticipantImport, Participation
from ..participants import COLUMNS, Row, check_rows
from ..reading import Table, read_table, read_text
from .events import ensure_event_writable

BATCH = 5000


@dataclass
class ImportResult:
    batch: ParticipantImport
    rows: int


def participants_import(
    *,
    actor: Any,
    event: Event,
    table: Table,
    replace: bool = False,
    sha256: str = "",
    source: str | None = None,
    request: Any = None,
) -> ImportResult:
    """Add the table's participants to ``event`` (or, with ``replace``, make them its whole list).
    All or nothing: any problem raises :class:`InvalidInput` with every problem named, and the
    database is as it was."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    ensure_event_writable(event.plan_id, event.starts_on)
    if event.participation != Participation.LIST:
        raise InvalidInput(
            [_("participation: this event records counts by sex and age band, not a list of participants.")]
        )
    vocabulary = selectors.vocabulary(event.plan)
    with transaction.atomic():
        if replace:
            Participant.objects.filter(event=event).delete()
        batch = ParticipantImport.objects.create(
            event=event, source=source or table.source, replaced=replace, rows=0, sha256=sha256, actor=actor
        )
        writer = _Writer(event.pk, batch.pk)
        checked = check_rows(table.header, table.rows, vocabulary, accept=writer.accept)
        if checked.ok:
            writer.flush()
        else:
            transaction.set_rollback(True)
            raise InvalidInput(checked.summary())
        if checked.rows == 0:
            transaction.set_rollback(True)
            raise InvalidInput([_("file: there are no participant rows under the header.")])
        batch.rows = checked.rows
        batch.save(update_fields=["rows"])
        audit.record(
            AuditAction.IMPORT,
            actor=actor,
            obj=event,
            request=request,
            changes=[{"field": "participants", "new": checked.rows}],
            note=f"batch {batch.pk}{' (replaced the list)' if replace else ''}",
        )
    return ImportResult(batch=batch, rows=checked.rows)


def participants_import_file(
    *, actor: Any, event: Event, name: str, content: bytes, replace: bool = False, request: Any = None
) -> ImportResult:
    """Import an uploaded file (CSV or spreadsheet, judged by its content)."""
    table = read_table(name, content)
    return participants_import(
        actor=actor,
        event=event,
        table=table,
        replace=replace,
        sha256=hashlib.sha256(content).hexdigest(),
        request=request,
    )


def participants_import_text(
    *, actor: Any, event: Event, text: str, replace: bool = False, request: Any = None
) -> ImportResult:
    """Import rows pasted from a spreadsheet (tab-separated) or typed as CSV, with the header first."""
    return participants_import(
        actor=actor, event=event, table=read_text(text), replace=replace, request=request
    )


def participants_add_rows(
    *,
    actor: Any,
    event: Event,
    rows: list[dict[str, Any]],
    source: str = ImportSource.API,
    request: Any = None,
) -> ImportResult:
    """Add participants given as records ({column: value}), e.g. from the API or a one-person form.
    Rows are numbered from 1."""

    def numbered() -> Iterator[tuple[int, list[str]]]:
        for number, record in enumerate(rows, start=1):
            yield number, [_as_text(record.get(column)) for column in COLUMNS]

    unknown = sorted({key for record in rows for key in record} - set(COLUMNS))
    if unknown:
        raise InvalidInput([_("%(field)s: not a participant field.") % {"field": key} for key in unknown])
    table = Table(source=source, header=list(COLUMNS), rows=numbered())
    return participants_import(actor=actor, event=event, table=table, source=source, request=request)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def participant_delete(*, actor: Any, participant: Participant, request: Any = None) -> None:
    event = participant.event
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    ensure_event_writable(event.plan_id, event.starts_on)
    with transaction.atomic():
        participant_id = participant.pk
        participant.delete()
        audit.record(
            AuditAction.DELETE,
            actor=actor,
            request=request,
            object_type="registries.participant",
            object_id=str(participant_id),
            object_label=f"participant {participant_id} of event {event.pk}",
        )


def participants_clear(*, actor: Any, event: Event, request: Any = None) -> int:
    """Remove the event's whole list of participants."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    ensure_event_writable(event.plan_id, event.starts_on)
    with transaction.atomic():
        removed, _by_model = Participant.objects.filter(event=event).delete()
        audit.record(
            AuditAction.DELETE,
            actor=actor,
            obj=event,
            request=request,
            changes=[{"field": "participants", "old": removed, "new": 0}],
        )
    return removed


# --- writing -------------------------------------------------------------------------------------


class _Writer:
    """Takes good rows one at a time and writes them in batches: COPY on PostgreSQL, bulk inserts
    elsewhere. Used inside the import's transaction, so a refused file leaves nothing."""

    def __init__(self, event_id: int, batch_id: int) -> None:
        self.event_id = event_id
        self.batch_id = batch_id
        self.pending: list[Row] = []

    def accept(self, row: Row) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        if connection.vendor == "postgresql":
            _copy(self.event_id, self.batch_id, rows)
        else:
            Participant.objects.bulk_create(
                [
                    Participant(
                        event_id=self.event_id,
                        batch_id=self.batch_id,
                        sex=sex,
                        age=age,
                        age_band=band,
                        population_group=group,
                        district=district,
                        affiliation=affiliation,
                        name=name,
                        consent=consent,
                    )
                    for sex, age, band, group, district, affiliation, name, consent in rows
                ]
            )


def _copy(event_id: int, batch_id: int, rows: list[Row]) -> None:
    table = Participant._meta.db_table
    sql = (
        f"COPY {table} (event_id, batch_id, sex, age, age_band, population_group, district, "
        "affiliation, name, consent) FROM STDIN"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row((event_id, batch_id, *row))
