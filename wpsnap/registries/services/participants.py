"""Adding participants to an event: from a file (CSV, XLSX), pasted rows, the form, the API or the
command line, all through :func:`participants_import`. A file with any problem saves nothing; the
report names each bad row and column. Participants never reach the logs; the audit trail records
the batch (event, rows, checksum), not the people.

The same rows are never added twice by mistake: each import stores a fingerprint of its rows as read and
checked (:class:`RowsFingerprint`), and rows an earlier import of the event still holds are refused
(:class:`DuplicateImport`) unless the person chose to replace the list or to add them anyway. A file with
more rows than ``WPSNAP_IMPORT_SYNC_ROWS`` is imported by a background job
(:func:`participants_import_start`, the job in ``registries/jobs.py``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.accounts import permissions
from wpsnap.core import audit, clock, versions
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.files import sniff, unpacks_too_large
from wpsnap.core.idempotency import fingerprint, idempotency_key_claim, idempotency_key_settle
from wpsnap.core.models import AuditAction, Job
from wpsnap.core.spool import PRIVATE, spool_dir
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


class DuplicateImport(InvalidInput):
    """The rows were imported into this event before, and that import's participants are still in its
    list: nothing was added. The person may replace the list, or add the rows anyway. 409 in the API."""

    status: ClassVar[int] = 409
    code: ClassVar[str] = "duplicate"

    def __init__(
        self, earlier: ParticipantImport, *, what: str = "file", options: tuple[str, str] | None = None
    ):
        self.earlier = earlier
        self.what = what
        # As the import page names its choices (the API and the command name theirs: ``worded``).
        replace, anyway = options or (_("Replace the current list"), _("Add anyway"))
        values = {
            "date": formats.date_format(timezone.localtime(earlier.at), "DATETIME_FORMAT"),
            "person": _person(earlier.actor),
            "n": earlier.rows,
            "replace": replace,
            "anyway": anyway,
        }
        if what == "file":
            message = ngettext(
                "This file was already imported into this event on %(date)s by %(person)s: %(n)d participant. "
                "Choose “%(replace)s” to replace them or “%(anyway)s” to add them again.",
                "This file was already imported into this event on %(date)s by %(person)s: %(n)d participants. "
                "Choose “%(replace)s” to replace them or “%(anyway)s” to add them again.",
                earlier.rows,
            )
        else:
            message = ngettext(
                "These rows were already imported into this event on %(date)s by %(person)s: %(n)d "
                "participant. Choose “%(replace)s” to replace them or “%(anyway)s” to add them again.",
                "These rows were already imported into this event on %(date)s by %(person)s: %(n)d "
                "participants. Choose “%(replace)s” to replace them or “%(anyway)s” to add them again.",
                earlier.rows,
            )
        super().__init__([Problem(what, self.code, message % values)])

    def worded(self, *, replace: str, anyway: str) -> DuplicateImport:
        """The same refusal naming the choices as the caller offers them (the API's fields, a command's
        options)."""
        return DuplicateImport(self.earlier, what=self.what, options=(replace, anyway))


def _person(user: Any) -> str:
    if user is None:
        return _("someone no longer registered")
    return str(user.get_full_name() or user.get_username())


class RowsFingerprint:
    """What a list of rows says, once read and checked: the same people in any order, with any of the
    accepted spellings ("F", "female", "women") and from any file format (a spreadsheet saved again, its
    CSV, pasted rows) give the same fingerprint; one person more, less or different gives another.

    Each row's digest (BLAKE2b, 128 bits, of its checked values) is added up modulo 2**128, so the order
    does not count, and the fingerprint is the SHA-256 of that sum and the number of rows. Rows repeat a
    great deal in anonymous lists (sex, age band, group, district), so digests are kept for the rows
    already seen (up to ``CACHE`` different ones; a list whose rows seldom repeat is hashed row by row).
    Its cost is measured in docs/events.md ("Not the same people twice")."""

    CACHE = 20_000
    MASK = (1 << 128) - 1

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0
        # The digests of the rows seen so far; dropped for good once it holds CACHE different rows (a list
        # where rows seldom repeat, with names: looking them up would cost more than it saves).
        self._seen: dict[Row, int] | None = {}

    def add(self, row: Row) -> None:
        self.rows += 1
        seen = self._seen
        if seen is not None:
            digest = seen.get(row)
            if digest is not None:
                self.total += digest
                return
        sex, age, band, group, district, affiliation, name, consent = row
        text = f"{sex}\t{age}\t{band}\t{group}\t{district}\t{affiliation}\t{name}\t{consent}"
        digest = int.from_bytes(
            hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        )
        self.total += digest
        if seen is not None:
            if len(seen) < self.CACHE:
                seen[row] = digest
            else:
                self._seen = None

    def hexdigest(self) -> str:
        return hashlib.sha256(f"{self.rows}:{self.total & self.MASK:032x}".encode()).hexdigest()


def _earlier_import(event: Event, fingerprint: str) -> ParticipantImport | None:
    """The latest earlier import of ``event`` with these rows whose participants are (at least partly)
    still in its list: one replaced or emptied since does not count. Asked only when a fingerprint
    matches, which is rare."""
    earlier = (
        ParticipantImport.objects.filter(event=event, fingerprint=fingerprint)
        .select_related("actor")
        .order_by("-at", "-id")
    )
    for batch in earlier:
        if Participant.objects.filter(event_id=event.pk, batch_id=batch.pk).exists():
            return batch
    return None


# Progress of a long import: ``progress(rows read and checked, rows written)``, every PROGRESS_EVERY rows.
ImportProgress = Callable[[int, int], None]
PROGRESS_EVERY = 5000


def participants_import(
    *,
    actor: Any,
    event: Event,
    table: Table,
    replace: bool = False,
    allow_duplicate: bool = False,
    sha256: str = "",
    source: str | None = None,
    idempotency_key: str = "",
    progress: ImportProgress | None = None,
    now: datetime | None = None,
    request: Any = None,
) -> ImportResult:
    """Add the table's participants to ``event`` (or, with ``replace``, make them its whole list).
    All or nothing: any problem raises :class:`InvalidInput` with every problem named, and the
    database is as it was.

    Rows that an earlier import of the event still holds (the same :class:`RowsFingerprint`) are refused
    with :class:`DuplicateImport`, unless ``replace`` or ``allow_duplicate``. The check is made inside the
    import's transaction, holding the event's row, so two imports of the same rows at the same moment
    cannot both pass it; the fingerprint is written in that transaction with the rows.

    With ``idempotency_key`` (the API's ``Idempotency-Key``, the form's token, ``--key``), the request
    is done once: the key is written in the import's transaction, and the same key with the same
    content (``sha256``, required then), event, replace flag and person answers with what the first
    import did (``replayed``) without importing again; with anything else it is refused
    (``core.idempotency.KeyReused``).

    ``progress`` (a background job, the command) is told how many rows were read and written every
    ``PROGRESS_EVERY`` rows, from inside the transaction."""
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
    source = source or table.source
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
        # Held to the end: a second import of the same rows waits here, then sees this one's fingerprint.
        Event.objects.select_for_update().only("pk").get(pk=event.pk)
        if replace:
            Participant.objects.filter(event=event).delete()
        batch = ParticipantImport.objects.create(
            event=event, source=source, replaced=replace, rows=0, sha256=sha256, actor=actor
        )
        rows_fingerprint = RowsFingerprint()
        with _Writer(event.pk, batch.pk, rows_fingerprint) as writer:
            rows = table.rows if progress is None else _reported(table.rows, writer, progress)
            checked = check_rows(table.header, rows, vocabulary, accept=writer.accept)
            if checked.ok:
                writer.flush()
        if not checked.ok:
            transaction.set_rollback(True)
            raise InvalidInput(checked.summary())
        if checked.rows == 0:
            transaction.set_rollback(True)
            raise InvalidInput.one("file", "empty", _("There are no participant rows under the header."))
        if progress is not None:
            progress(checked.rows, writer.written)
        batch.fingerprint = rows_fingerprint.hexdigest()
        # People typed in one by one (a form) are not a list imported again: two alike are two people.
        if not (replace or allow_duplicate or source == ImportSource.FORM):
            earlier = _earlier_import(event, batch.fingerprint)
            if earlier is not None:
                transaction.set_rollback(True)
                raise DuplicateImport(
                    earlier, what="file" if source in (ImportSource.CSV, ImportSource.XLSX) else "rows"
                )
        batch.rows = checked.rows
        batch.save(update_fields=["rows", "fingerprint"])
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
            note=f"batch {batch.pk}{' (replaced the list)' if replace else ''}"
            f"{' (added again)' if allow_duplicate and not replace else ''}",
        )
        if claim is not None:
            idempotency_key_settle(
                claim=claim,
                result={"event": event.pk, "batch": batch.pk, "rows": checked.rows, "replaced": replace},
            )
    return ImportResult(batch=batch, rows=checked.rows)


def _reported(
    rows: Iterator[tuple[int, list[str]]], writer: _Writer, progress: ImportProgress
) -> Iterator[tuple[int, list[str]]]:
    """``rows``, telling ``progress`` how many were read and written every PROGRESS_EVERY rows."""
    for read, row in enumerate(rows, start=1):
        if read % PROGRESS_EVERY == 0:
            progress(read, writer.written)
        yield row


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
    allow_duplicate: bool = False,
    idempotency_key: str = "",
    progress: ImportProgress | None = None,
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
        allow_duplicate=allow_duplicate,
        sha256=hashlib.sha256(content).hexdigest(),
        idempotency_key=idempotency_key,
        progress=progress,
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
    allow_duplicate: bool = False,
    idempotency_key: str = "",
    progress: ImportProgress | None = None,
    now: datetime | None = None,
    request: Any = None,
) -> ImportResult:
    """Import rows pasted from a spreadsheet (tab-separated) or typed as CSV, with the header first."""
    return participants_import(
        actor=actor,
        event=event,
        table=read_text(text),
        replace=replace,
        allow_duplicate=allow_duplicate,
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        idempotency_key=idempotency_key,
        progress=progress,
        now=now,
        request=request,
    )


def participants_add_rows(
    *,
    actor: Any,
    event: Event,
    rows: list[dict[str, Any]],
    replace: bool = False,
    allow_duplicate: bool = False,
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
        allow_duplicate=allow_duplicate,
        source=source,
        sha256=hashlib.sha256(sent.encode("utf-8", "surrogatepass")).hexdigest(),
        idempotency_key=idempotency_key,
        now=now,
        request=request,
    )


# --- large imports, in the background ---------------------------------------------------------------

JOB_KIND = "registries.participants_import"


def sync_rows() -> int:
    """The most rows imported while the person waits (``WPSNAP_IMPORT_SYNC_ROWS``); more go to a job."""
    return int(settings.WPSNAP_IMPORT_SYNC_ROWS)


def rows_estimate(content: bytes) -> int:
    """About how many rows a participant file holds, counted cheaply, without reading its rows: lines of
    text (CSV, UTF-8 or UTF-16), the rows the first sheet of an XLSX declares (its ``dimension``) or
    holds (its ``<row>`` elements, counted in its unpacked XML a chunk at a time), the rows of an ODS's
    sheets, or for the old Excel format a guess from its size. The file is judged by its content first
    (an archive within the zip limits, a spreadsheet); anything else counts 0, so that it goes the
    synchronous way, which refuses it at once with its reason. A quoted cell with line breaks counts
    more lines than rows: the count only decides where the file is imported."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.count(b"\n\x00" if content.startswith(b"\xff\xfe") else b"\x00\n")
    if content.startswith(b"PK\x03\x04"):
        kind = sniff(content)
        if kind not in ("xlsx", "ods") or unpacks_too_large(content):
            return 0
        try:
            return _sheet_rows(content, kind)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return 0
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return len(content) // 50  # the old Excel format: about 50 bytes a participant row
    if b"\x00" in content[:8192]:
        return 0
    return content.count(b"\n") + (0 if content.endswith(b"\n") else 1)


_DIMENSION = b'<dimension ref="'
_CHUNK = 1 << 20


def _sheet_rows(content: bytes, kind: str) -> int:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if kind == "ods":
            return _count_in(archive, "content.xml", (b"<table:table-row ", b"<table:table-row>"))
        names = archive.namelist()
        sheets = sorted(
            (n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")),
            key=lambda n: (n != "xl/worksheets/sheet1.xml", len(n), n),
        )
        if not sheets:
            return 0
        with archive.open(sheets[0]) as sheet:
            head = sheet.read(64 * 1024)
        start = head.find(_DIMENSION)
        if start >= 0:
            end = head.find(b'"', start + len(_DIMENSION))
            last = head[start + len(_DIMENSION) : end].rsplit(b":", 1)[-1]
            digits = bytes(c for c in last if 48 <= c <= 57)
            if digits and int(digits) > 1:
                return int(digits)
        return _count_in(archive, sheets[0], (b"<row ", b"<row>", b":row ", b":row>"))


def _count_in(archive: zipfile.ZipFile, name: str, marks: tuple[bytes, ...]) -> int:
    """How often ``marks`` occur in the member ``name``, read a chunk at a time."""
    keep = max(len(mark) for mark in marks) - 1
    count, tail = 0, b""
    with archive.open(name) as member:
        while chunk := member.read(_CHUNK):
            data = tail + chunk
            # Marks wholly inside the tail were counted with the chunk before; those across it are new.
            count += sum(data.count(mark) - tail.count(mark) for mark in marks)
            tail = data[-keep:]
    return count


def spooled_upload(job_id: Any) -> Path:
    """Where a background import's upload waits for its job: the private upload spool (0700), in a folder
    of its own. The job removes it when it ends; ``wpsnap uploads sweep`` removes one a killed job or a
    job never run left (after a day)."""
    return spool_dir() / "participant-imports" / str(job_id)


def participants_import_start(
    *,
    actor: Any,
    event: Event,
    name: str,
    content: bytes,
    source: str,
    rows: int,
    replace: bool = False,
    allow_duplicate: bool = False,
    idempotency_key: str = "",
    request: Any = None,
) -> Job:
    """Queue the import of a large file (``source`` "file") or of pasted rows ("paste", ``content`` their
    UTF-8 text) for a background job, which imports it as the page would (the same checks, all or
    nothing, the duplicate rule) and shows its progress on its page. The gate is asked now and again
    when the job runs. The content is written to the upload spool in the job's transaction, so a job
    that exists has its file; a file left by a request killed at that moment is swept."""
    from wpsnap.core.jobs import job_start

    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    if event.participation != Participation.LIST:
        raise InvalidInput.one(
            "participation",
            "invalid",
            _("This event records counts by sex and age band, not a list of participants."),
        )
    if len(content) > max_bytes():
        raise InvalidInput.one(
            "file",
            "too_large",
            _("The file is larger than %(mb)d MB: split it in parts.") % {"mb": max_bytes() // (1024 * 1024)},
        )
    label = (
        _("Participants of “%(event)s” from %(file)s") % {"event": event.title, "file": name}
        if source == "file"
        else _("Participants of “%(event)s” from pasted rows") % {"event": event.title}
    )
    path: Path | None = None
    try:
        with transaction.atomic():
            # Refused now if the event is locked, rather than after the wait; the job asks again.
            ensure_event_writable(event.plan_id, event.starts_on)
            job = job_start(
                owner=actor,
                kind=JOB_KIND,
                action="event.edit",
                params={
                    "event": event.pk,
                    "name": name[:255],
                    "source": source,
                    "rows": rows,
                    "replace": replace,
                    "allow_duplicate": allow_duplicate,
                    "key": idempotency_key,
                },
                label=label,
            )
            path = spooled_upload(job.pk)
            path.parent.mkdir(mode=PRIVATE, exist_ok=True)
            with path.open("xb") as spooled:
                spooled.write(content)
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    return job


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

    def __init__(self, event_id: int, batch_id: int, fingerprint: RowsFingerprint) -> None:
        self.event_id = event_id
        self.batch_id = batch_id
        self.fingerprint = fingerprint
        self.written = 0
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
        self.fingerprint.add(row)
        pending = self.pending
        pending.append(row)
        if len(pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        self.written += len(rows)
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
