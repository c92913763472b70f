"""Adding participants to an event: from a file (CSV, XLSX), pasted rows, the form, the API or the
command line, all through :func:`participants_import`. A file with any problem saves nothing; the
report names each bad row and column. Participants never reach the logs; the audit trail records
the batch (event, rows, checksum), not the people.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core import audit, clock, versions
from wpsnap.core.errors import InvalidInput
from wpsnap.core.idempotency import fingerprint, idempotency_key_claim, idempotency_key_settle
from wpsnap.core.models import AuditAction
from wpsnap.core.tables import Table, read_table, read_text

from .. import hooks, selectors
from ..models import Event, ImportSource, Participant, ParticipantImport, Participation
from ..participants import COLUMNS, MAX_AGE, Row, check_rows
from .events import ensure_event_writable

BATCH = 5000


# The idempotency keys of participant imports (core.idempotency).
KEY_SCOPE = "participants.import"


@dataclass
class ImportResult:
    batch: ParticipantImport
    rows: int
    # True when the idempotency key was used before for this same request: nothing was imported now,
    # and this is what the first request did.
    replayed: bool = False


def participants_import(
    *,
    actor: Any,
    event: Event,
    table: Table,
    replace: bool = False,
    sha256: str = "",
    source: str | None = None,
    idempotency_key: str = "",
    now: datetime | None = None,
    request: Any = None,
) -> ImportResult:
    """Add the table's participants to ``event`` (or, with ``replace``, make them its whole list).
    All or nothing: any problem raises :class:`InvalidInput` with every problem named, and the
    database is as it was.

    With ``idempotency_key`` (the API's ``Idempotency-Key``, the form's token, ``--key``), the request
    is done once: the key is written in the import's transaction, and the same key with the same
    content (``sha256``, required then), event, replace flag and person answers with what the first
    import did (``replayed``) without importing again; with anything else it is refused
    (``core.idempotency.KeyReused``)."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    if event.participation != Participation.LIST:
        raise InvalidInput.one(
            "participation",
            "invalid",
            _("This event records counts by sex and age band, not a list of participants."),
        )
    if idempotency_key and not sha256:
        raise ValueError("an import with an idempotency key needs the content's checksum (sha256)")
    vocabulary = selectors.vocabulary(event.plan)
    with transaction.atomic():
        claim = None
        if idempotency_key:
            claim = idempotency_key_claim(
                scope=KEY_SCOPE,
                key=idempotency_key,
                actor=actor,
                request_sha256=fingerprint(actor.pk, event.pk, replace, sha256),
            )
            if claim.result is not None:
                return _replayed(claim.result)
        ensure_event_writable(event.plan_id, event.starts_on)
        if replace:
            Participant.objects.filter(event=event).delete()
        batch = ParticipantImport.objects.create(
            event=event, source=source or table.source, replaced=replace, rows=0, sha256=sha256, actor=actor
        )
        with _Writer(event.pk, batch.pk) as writer:
            checked = check_rows(table.header, table.rows, vocabulary, accept=writer.accept)
            if checked.ok:
                writer.flush()
        if not checked.ok:
            transaction.set_rollback(True)
            raise InvalidInput(checked.summary())
        if checked.rows == 0:
            transaction.set_rollback(True)
            raise InvalidInput.one("file", "empty", _("There are no participant rows under the header."))
        batch.rows = checked.rows
        batch.save(update_fields=["rows"])
        clock.stamp(batch, now, "at")
        versions.bump(event, ["participants"])
        hooks.events_changed([event.pk])
        audit.record(
            AuditAction.IMPORT,
            actor=actor,
            obj=event,
            request=request,
            at=now,
            changes=[{"field": "participants", "new": checked.rows}],
            note=f"batch {batch.pk}{' (replaced the list)' if replace else ''}",
        )
        if claim is not None:
            idempotency_key_settle(
                claim=claim,
                result={"event": event.pk, "batch": batch.pk, "rows": checked.rows, "replaced": replace},
            )
    return ImportResult(batch=batch, rows=checked.rows)


def _replayed(result: dict[str, Any]) -> ImportResult:
    batch = ParticipantImport.objects.get(pk=result["batch"])
    return ImportResult(batch=batch, rows=int(result["rows"]), replayed=True)


def participants_import_file(
    *,
    actor: Any,
    event: Event,
    name: str,
    content: bytes,
    replace: bool = False,
    idempotency_key: str = "",
    now: datetime | None = None,
    request: Any = None,
) -> ImportResult:
    """Import an uploaded file (CSV or spreadsheet, judged by its content). Callers read at most
    ``max_bytes() + 1`` bytes of an upload, so that a file too large is refused here, not read whole."""
    if len(content) > max_bytes():
        raise InvalidInput.one(
            "file",
            "too_large",
            _("The file is larger than %(mb)d MB: split it in parts.") % {"mb": max_bytes() // (1024 * 1024)},
        )
    table = read_table(name, content)
    return participants_import(
        actor=actor,
        event=event,
        table=table,
        replace=replace,
        sha256=hashlib.sha256(content).hexdigest(),
        idempotency_key=idempotency_key,
        now=now,
        request=request,
    )


def max_bytes() -> int:
    """How large a participant file may be (``WPSNAP_PARTICIPANTS_MAX_BYTES``)."""
    return int(settings.WPSNAP_PARTICIPANTS_MAX_BYTES)


def participants_import_text(
    *,
    actor: Any,
    event: Event,
    text: str,
    replace: bool = False,
    idempotency_key: str = "",
    now: datetime | None = None,
    request: Any = None,
) -> ImportResult:
    """Import rows pasted from a spreadsheet (tab-separated) or typed as CSV, with the header first."""
    return participants_import(
        actor=actor,
        event=event,
        table=read_text(text),
        replace=replace,
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        idempotency_key=idempotency_key,
        now=now,
        request=request,
    )


def participants_add_rows(
    *,
    actor: Any,
    event: Event,
    rows: list[dict[str, Any]],
    replace: bool = False,
    source: str = ImportSource.API,
    idempotency_key: str = "",
    now: datetime | None = None,
    request: Any = None,
) -> ImportResult:
    """Add participants given as records ({column: value}), e.g. from the API or a one-person form
    (or, with ``replace``, make them the event's whole list). Rows are numbered from 0, as the
    API's list of records is indexed, so that a problem's field ``rows[2].age`` is the third record."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        for number, record in enumerate(rows):
            yield number, [_as_text(record.get(column)) for column in COLUMNS]

    # Each unknown key once, where it first appears.
    unknown = {key: index for index, record in reversed(list(enumerate(rows))) for key in record}
    unknown = {key: index for key, index in unknown.items() if key not in COLUMNS}
    if unknown:
        raise InvalidInput(
            (f"rows[{index}].{key}", "unknown_field", _("Not a participant field."))
            for key, index in sorted(unknown.items())
        )
    table = Table(source=source, header=list(COLUMNS), rows=numbered())
    # The records' checksum, as the API sent them: what an idempotency key is compared with.
    sent = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
    return participants_import(
        actor=actor,
        event=event,
        table=table,
        replace=replace,
        source=source,
        sha256=hashlib.sha256(sent.encode("utf-8", "surrogatepass")).hexdigest(),
        idempotency_key=idempotency_key,
        now=now,
        request=request,
    )


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def participant_delete(
    *,
    actor: Any,
    participant: Participant,
    version: int | None = None,
    now: datetime | None = None,
    request: Any = None,
) -> None:
    """Remove one person from the event's list. ``version`` is the event's version the caller read
    (the API's If-Match): refused (``StaleWrite``) when the list changed since."""
    event = participant.event
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    with transaction.atomic():
        ensure_event_writable(event.plan_id, event.starts_on)
        event = Event.objects.select_for_update().get(pk=event.pk)
        versions.refuse_if_changed(event, version, ["participants"])
        participant_id = participant.pk
        participant.delete()
        versions.bump(event, ["participants"])
        hooks.events_changed([event.pk])
        audit.record(
            AuditAction.DELETE,
            actor=actor,
            request=request,
            at=now,
            object_type="registries.participant",
            object_id=str(participant_id),
            object_label=f"participant {participant_id} of event {event.pk}",
        )


def participants_clear(*, actor: Any, event: Event, now: datetime | None = None, request: Any = None) -> int:
    """Remove the event's whole list of participants."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    with transaction.atomic():
        ensure_event_writable(event.plan_id, event.starts_on)
        removed, _by_model = Participant.objects.filter(event=event).delete()
        if removed:
            versions.bump(event, ["participants"])
            hooks.events_changed([event.pk])
        audit.record(
            AuditAction.DELETE,
            actor=actor,
            obj=event,
            request=request,
            at=now,
            changes=[{"field": "participants", "old": removed, "new": 0}],
        )
    return removed


# --- writing -------------------------------------------------------------------------------------


class _Writer:
    """Takes good rows one at a time and writes them in batches: on PostgreSQL into one COPY that
    stays open for the whole import, so PostgreSQL stores a batch while the next one is read and
    checked; elsewhere with bulk inserts. Used inside the import's transaction, so a refused file
    leaves nothing. A context manager: leaving it ends the COPY."""

    def __init__(self, event_id: int, batch_id: int) -> None:
        self.event_id = event_id
        self.batch_id = batch_id
        self.pending: list[Row] = []
        self._cursor: Any = None
        self._copying: Any = None
        self._copy: Any = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, traceback: Any) -> None:
        if self._copying is None:
            return
        copying, cursor, self._copying, self._copy, self._cursor = (
            self._copying,
            self._cursor,
            None,
            None,
            None,
        )
        try:
            if exc is None:
                copying.__exit__(None, None, None)
            else:
                # Abandon the COPY without the error's text: PostgreSQL logs it, and it might quote a cell.
                copying.__exit__(_Abandoned, _Abandoned(), None)
        finally:
            cursor.close()

    def accept(self, row: Row) -> None:
        pending = self.pending
        pending.append(row)
        if len(pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        if connection.vendor == "postgresql":
            if self._copy is None:
                self._start_copy()
            self._copy.write(_copy_text(f"{self.event_id}\t{self.batch_id}\t", rows))
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

    def _start_copy(self) -> None:
        table = Participant._meta.db_table
        sql = (
            f"COPY {table} (event_id, batch_id, sex, age, age_band, population_group, district, "
            "affiliation, name, consent) FROM STDIN"
        )
        self._cursor = connection.cursor()
        self._copying = self._cursor.cursor.copy(sql)
        self._copy = self._copying.__enter__()


class _Abandoned(Exception):
    """Ends a COPY that will not be kept (the import is being refused or failed)."""


# COPY's text format: columns separated by tabs, rows ended by a newline, \\N for NULL, and a
# backslash, tab, newline or carriage return inside a value written as \\\\, \\t, \\n, \\r. PostgreSQL
# cannot store NUL: it is dropped (the readers refuse it; this is for rows given as records).
_AGE_TEXT: dict[int | None, str] = {None: "\\N", **{age: str(age) for age in range(MAX_AGE + 1)}}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": None})
_AGE = itemgetter(1)


def _copy_text(prefix: str, rows: list[Row]) -> str:
    """Rows in COPY's text format, each starting with ``prefix`` (the event's and batch's ids).
    Values rarely hold a tab, newline, backslash or carriage return, so the rows are written as
    they are and the result checked as a whole: 9 tabs and 1 newline a row, and no backslash but
    those of the NULL ages. Only a batch that fails the check is written again, escaping every value."""
    ages = _AGE_TEXT
    text = "".join(
        [
            f"{prefix}{sex}\t{ages[age]}\t{band}\t{group}\t{district}\t{affiliation}\t{name}\t{'t' if consent else 'f'}\n"
            for sex, age, band, group, district, affiliation, name, consent in rows
        ]
    )
    if (
        text.count("\t") == 9 * len(rows)
        and text.count("\n") == len(rows)
        and text.count("\\") == list(map(_AGE, rows)).count(None)
        and "\r" not in text
        and "\x00" not in text
    ):
        return text
    return "".join(
        [
            f"{prefix}{sex.translate(_ESCAPES)}\t{ages[age]}\t{band.translate(_ESCAPES)}\t"
            f"{group.translate(_ESCAPES)}\t{district.translate(_ESCAPES)}\t{affiliation.translate(_ESCAPES)}\t"
            f"{name.translate(_ESCAPES)}\t{'t' if consent else 'f'}\n"
            for sex, age, band, group, district, affiliation, name, consent in rows
        ]
    )
