"""Writing any registry's records (issue 14), from its declaration: create, change, delete, import rows,
export rows, and the files a record carries. Every service asks the gate first, works in one transaction
(all or nothing), checks the one lock (a record dated in an approved, locked reporting period no longer
changes, like events) and writes an audit line with the column headers changed, never their values (a
registry may hold personal data).

An exported file imports back into the same records: each row carries its ``record_id``; a row with a
known ``record_id`` changes that record, or leaves it unchanged when it says what the record holds, so
that a re-import changes nothing. A file whose rows were imported before (same :class:`RecordImport`
fingerprint) and would add records again is refused unless the person chooses to add it anyway.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.accounts import permissions
from wpsnap.core import audit, clock, files, versions
from wpsnap.core.errors import InvalidInput, Problem, WpsnapError
from wpsnap.core.models import AuditAction
from wpsnap.core.tables import Table
from wpsnap.plan.models import Plan
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.services.reports import LockedError, ensure_writable

from ..models import ImportSource, RecordFile, RecordImport
from ..participants import normalise
from .base import ColumnType, RegistryKind, RegistryRecord
from .columns import (
    OWNER_COLUMN,
    RECORD_ID,
    Lookups,
    clean_values,
    file_columns,
    format_value,
    input_columns,
    kind_validate,
    parse_value,
    read_value,
)
from .permissions import may_own
from .selectors import records_visible_to, with_relations

__all__ = [
    "DuplicateImport",
    "ImportOutcome",
    "RecordLockedError",
    "record_create",
    "record_delete",
    "record_file_add",
    "record_file_delete",
    "record_texts",
    "record_update",
    "records_import",
    "records_rows",
]

# Problems listed in full; beyond this the report says how many more there are.
MAX_PROBLEMS = 200
MANY = (ColumnType.ACTIVITIES, ColumnType.EVENTS)


class RecordLockedError(WpsnapError):
    """The record is dated in a locked (approved) reporting period: it no longer changes (409)."""

    status = 409
    code = "locked"


class DuplicateImport(InvalidInput):
    """These rows were imported into this registry and plan before, and the records that import added are
    still there: nothing was added. The person may add them anyway (``allow_duplicate``). 409 in the API."""

    status: ClassVar[int] = 409
    code: ClassVar[str] = "duplicate"

    def __init__(self, earlier: RecordImport, *, anyway: str | None = None) -> None:
        self.earlier = earlier
        values = {
            "date": formats.date_format(timezone.localtime(earlier.at), "DATETIME_FORMAT"),
            "person": _person(earlier.actor),
            "n": earlier.created,
            "anyway": anyway or _("Add anyway"),
        }
        message = ngettext(
            "These rows were already imported on %(date)s by %(person)s (%(n)d record added). "
            "Nothing was added: choose “%(anyway)s” to add them again.",
            "These rows were already imported on %(date)s by %(person)s (%(n)d records added). "
            "Nothing was added: choose “%(anyway)s” to add them again.",
            earlier.created,
        )
        super().__init__([Problem("file", self.code, message % values)])

    def worded(self, *, anyway: str) -> DuplicateImport:
        """The same refusal naming the choice as the caller offers it (the API's field)."""
        return DuplicateImport(self.earlier, anyway=anyway)


def _person(user: Any) -> str:
    if user is None:
        return _("someone no longer registered")
    return str(user.get_full_name() or user.get_username())


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int
    batch: RecordImport | None = None


# --- the gate and the lock ------------------------------------------------------------------------------


def _gate(kind: RegistryKind, verb: str, actor: Any, obj: Any, request: Any) -> None:
    action = kind.action(verb)
    if not permissions.can(actor, action, obj):
        hide = obj is not None and not permissions.can(actor, kind.action("view"), obj)
        permissions.refuse(request, action, obj, hide=hide)


def _date_fields(kind: RegistryKind) -> list[str]:
    return list(dict.fromkeys(c.date_field for c in kind.counts if c.date_field))


def _days(kind: RegistryKind, record: Any) -> list[date]:
    return [d for d in (getattr(record, name, None) for name in _date_fields(kind)) if isinstance(d, date)]


def ensure_record_writable(plan_id: int, days: Iterable[date]) -> None:
    """The one lock check (reporting's ``ensure_writable``) on each period any of ``days`` (the record's
    dates that put it in a period, before and after a change) falls in. Inside the writing transaction."""
    days = sorted(set(days))
    if not days:
        return
    within = Q()
    for day in days:
        within |= Q(start__lte=day, end__gte=day)
    periods = (
        ReportingPeriod.objects.filter(within, plan_id=plan_id).order_by("pk").values_list("pk", flat=True)
    )
    for period_id in periods:
        try:
            ensure_writable(period_id)
        except LockedError as locked:
            period = locked.period or ReportingPeriod.objects.get(pk=period_id)
            raise RecordLockedError(
                _(
                    "The period %(period)s is approved and locked: its records no longer change. Ask a "
                    "coordinator to re-open it."
                )
                % {"period": period}
            ) from locked


# --- values in and out ----------------------------------------------------------------------------------


def record_texts(kind: RegistryKind, record: Any) -> dict[str, str]:
    """The stored record as text by header (its file row, without ``record_id``): what a stale write is
    compared with, and what tells an import's row that changes nothing."""
    texts = {OWNER_COLUMN.header: record.owner.key if record.owner_id else ""}
    for column in input_columns(kind):
        texts[column.header] = format_value(column, read_value(record, column))
    return texts


def _values_texts(kind: RegistryKind, values: Mapping[str, Any]) -> dict[str, str]:
    return {c.header: format_value(c, values[c.field]) for c in input_columns(kind) if c.field in values}


def _stored_values(kind: RegistryKind, record: Any) -> dict[str, Any]:
    return {c.field: read_value(record, c) for c in input_columns(kind)}


def _apply(kind: RegistryKind, record: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the plain fields of ``values`` on ``record``; the many-to-many ones are returned, to set once
    it is saved."""
    many: dict[str, list[Any]] = {}
    for column in input_columns(kind):
        if column.field not in values:
            continue
        if column.data_type in MANY:
            many[column.field] = list(values[column.field])
        else:
            setattr(record, column.field, values[column.field])
    return many


def _checked(record: Any, prefix: str = "") -> list[Problem]:
    """The model's own constraints (check constraints, unique ones) as problems, before the save."""
    try:
        record.validate_constraints()
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            where = "" if name == NON_FIELD_ERRORS else name
            for message in messages:
                problems.append(
                    Problem(f"{prefix}{where}" if where else prefix.rstrip("."), "invalid", message)
                )
        return problems
    return []


def _save(record: Any, many: Mapping[str, list[Any]], now: datetime | None, *, new: bool) -> None:
    clock.dated(record, now).save()
    clock.stamp(record, now, *(("created_at", "updated_at") if new else ("updated_at",)))
    for name, items in many.items():
        getattr(record, name).set(items)


def _owner_for(kind: RegistryKind, actor: Any, plan: Plan, owner: Any, field: str = "owner") -> Any:
    """The organisation a new record is kept by: the writer's own; a coordinator may choose any. For a
    kind seen only by the plan's authorities, one of them."""
    chosen = owner or getattr(actor, "organisation", None)
    if chosen is None:
        raise InvalidInput.one(field, "required", _("Choose the organisation that keeps this record."))
    if chosen.pk != getattr(actor, "organisation_id", None) and not permissions.is_coordinator(actor):
        raise InvalidInput.one(field, "invalid", _("You keep records for your own organisation only."))
    if not may_own(kind, chosen, plan):
        raise InvalidInput.one(
            field,
            "not_named",
            _("%(org)s is not named by the plan for this registry's activities.") % {"org": chosen.label},
        )
    return chosen


def _audit(
    action: str,
    kind: RegistryKind,
    actor: Any,
    record: Any,
    request: Any,
    now: Any,
    headers: Iterable[str],
    note: str = "",
) -> None:
    audit.record(
        action,
        actor=actor,
        obj=record,
        request=request,
        at=now,
        changes=[{"field": header} for header in headers],
        note=note or kind.name,
    )


# --- one record -----------------------------------------------------------------------------------------


def record_create(
    *,
    kind: RegistryKind,
    actor: Any,
    plan: Plan,
    values: Mapping[str, Any],
    owner: Any = None,
    request: Any = None,
    now: datetime | None = None,
) -> RegistryRecord:
    """Add a record of ``kind`` to ``plan`` from ``values`` ({header: value}, as a form, the API or a
    file row gives them), kept by ``owner`` (default: the writer's organisation; a coordinator's choice)."""
    _gate(kind, "create", actor, None, request)
    owner = _owner_for(kind, actor, plan, owner)
    cleaned = clean_values(kind, plan, values, user=actor)
    record = kind.model(plan=plan, owner=owner, created_by=actor)
    many = _apply(kind, record, cleaned)
    if kind.retention_days:
        record.retain_until = clock.moment(now).date() + timedelta(days=kind.retention_days)
    problems = _checked(record)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        ensure_record_writable(plan.pk, _days(kind, record))
        _save(record, many, now, new=True)
        _audit(AuditAction.CREATE, kind, actor, record, request, now, _values_texts(kind, cleaned))
    return record


def record_update(
    *,
    kind: RegistryKind,
    actor: Any,
    record: RegistryRecord,
    values: Mapping[str, Any],
    version: int | None,
    request: Any = None,
    now: datetime | None = None,
) -> RegistryRecord:
    """Change the columns given in ``values`` ({header: value}; the others are left as they are). A
    change made on an older ``version`` goes through when the writes since touched other columns, and is
    refused (``StaleWrite``) when they changed the same ones; ``version`` None: nothing compared."""
    _gate(kind, "edit", actor, record, request)
    plan = record.plan
    owner_given = OWNER_COLUMN.header in values and str(values[OWNER_COLUMN.header] or "").strip()
    cleaned = clean_values(kind, plan, values, user=actor, partial=True)
    with transaction.atomic():
        record = with_relations(kind, kind.model._default_manager.select_for_update(of=("self",))).get(
            pk=record.pk
        )
        typed = _values_texts(kind, cleaned)
        new_owner = None
        if owner_given:
            new_owner = parse_value(OWNER_COLUMN, values[OWNER_COLUMN.header], plan=plan, user=actor)
            typed[OWNER_COLUMN.header] = new_owner.key
        before = record_texts(kind, record)
        if version is not None and version != record.version:
            versions.check_version(record, version=version, typed=typed, current=before)
        if new_owner is not None and new_owner.pk != record.owner_id:
            record.owner = _owner_for(kind, actor, plan, new_owner)
        problems = kind_validate(kind, {**_stored_values(kind, record), **cleaned})
        if problems:
            raise InvalidInput(problems)
        days_before = _days(kind, record)
        many = _apply(kind, record, cleaned)
        problems = _checked(record)
        if problems:
            raise InvalidInput(problems)
        ensure_record_writable(plan.pk, [*days_before, *_days(kind, record)])
        changed = _write_changes(kind, record, many, before, now)
        if changed:
            _audit(AuditAction.UPDATE, kind, actor, record, request, now, changed)
    return record


def _write_changes(
    kind: RegistryKind, record: Any, many: Mapping[str, list[Any]], before: dict[str, str], now: Any
) -> list[str]:
    """Save ``record`` when its texts differ from ``before``; mark the changed headers' versions."""
    after = {**before, OWNER_COLUMN.header: record.owner.key}
    for column in input_columns(kind):
        value = many[column.field] if column.field in many else read_value(record, column)
        after[column.header] = format_value(column, value)
    changed = [header for header, text in after.items() if before.get(header) != text]
    if changed:
        _save(record, many, now, new=False)
        versions.bump(record, changed)
    return changed


def record_delete(
    *,
    kind: RegistryKind,
    actor: Any,
    record: RegistryRecord,
    version: int | None,
    request: Any = None,
    now: datetime | None = None,
) -> None:
    """Delete a record and its files. Refused (``StaleWrite``) when it changed since ``version``, and
    while other records point at it (an outlet with articles)."""
    _gate(kind, "delete", actor, record, request)
    with transaction.atomic():
        locked = kind.model._default_manager.select_for_update(of=("self",)).get(pk=record.pk)
        versions.refuse_if_changed(locked, version)
        ensure_record_writable(locked.plan_id, _days(kind, locked))
        stored = list(RecordFile.objects.filter(registry=kind.name, record_ref=locked.ref))
        label = str(locked)
        try:
            with transaction.atomic():
                clock.dated(locked, now).delete()
        except ProtectedError as protected:
            raise InvalidInput.one(
                "",
                "in_use",
                ngettext(
                    "%(n)d other record points at this one: change or delete it first.",
                    "%(n)d other records point at this one: change or delete them first.",
                    len(protected.protected_objects),
                )
                % {"n": len(protected.protected_objects)},
            ) from None
        files.delete_on_commit(stored)
        RecordFile.objects.filter(pk__in=[f.pk for f in stored]).delete()
        audit.record(
            AuditAction.DELETE,
            actor=actor,
            request=request,
            at=now,
            object_type=kind.model._meta.label_lower,
            object_id=str(record.pk),
            object_label=label,
            note=kind.name,
        )


# --- files -------------------------------------------------------------------------------------------


def record_file_add(
    *,
    kind: RegistryKind,
    actor: Any,
    record: RegistryRecord,
    name: str,
    content: bytes,
    request: Any = None,
    now: datetime | None = None,
) -> RecordFile:
    """Keep a file with the record, after checking what it really is (``kind.files``: its types and size)."""
    _gate(kind, "edit", actor, record, request)
    if kind.files is None:
        raise InvalidInput.one("file", "not_allowed", _("This registry keeps no files."))
    upload = files.upload_check(
        name=name, content=content, max_bytes=kind.files.max_bytes, kinds=kind.files.kinds
    )
    with transaction.atomic():
        ensure_record_writable(record.plan_id, _days(kind, record))
        stored = files.stored_file_save(
            stored=RecordFile(registry=kind.name, record_ref=record.ref), upload=upload, actor=actor, now=now
        )
        versions.bump(record, ["files"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=record,
            request=request,
            at=now,
            changes=[{"field": "files", "new": stored.pk}],
            note=kind.name,
        )
    return stored


def record_file_delete(
    *,
    kind: RegistryKind,
    actor: Any,
    record: RegistryRecord,
    stored: RecordFile,
    request: Any = None,
    now: datetime | None = None,
) -> None:
    _gate(kind, "edit", actor, record, request)
    if stored.registry != kind.name or stored.record_ref != record.ref:
        raise InvalidInput.one("file", "not_found", _("This file is not one of the record's."))
    with transaction.atomic():
        ensure_record_writable(record.plan_id, _days(kind, record))
        stored.delete_file_on_commit()
        stored.delete()
        versions.bump(record, ["files"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=record,
            request=request,
            at=now,
            changes=[{"field": "files", "old": stored.pk}],
            note=kind.name,
        )


def record_files(kind: RegistryKind, records: Iterable[Any]) -> dict[uuid.UUID, list[RecordFile]]:
    """{record ref: its files}, in one query for any number of records."""
    found: dict[uuid.UUID, list[RecordFile]] = {}
    refs = [r.ref for r in records]
    if not refs:
        return found
    for stored in RecordFile.objects.filter(registry=kind.name, record_ref__in=refs):
        found.setdefault(stored.record_ref, []).append(stored)
    return found


# --- rows: import and export ---------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return normalise(str(text or ""))


def _fingerprint(rows: list[str]) -> str:
    """The same rows in any order give the same fingerprint; one row more, less or different another."""
    digest = hashlib.sha256()
    for row in sorted(rows):
        digest.update(hashlib.sha256(row.encode("utf-8", "surrogatepass")).digest())
    return hashlib.sha256(f"{len(rows)}:{digest.hexdigest()}".encode()).hexdigest()


def records_import(
    *,
    kind: RegistryKind,
    actor: Any,
    plan: Plan,
    table: Table,
    source: str,
    sha256: str,
    owner: Any = None,
    allow_duplicate: bool = False,
    request: Any = None,
    now: datetime | None = None,
) -> ImportOutcome:
    """Import the table's rows into ``kind``'s records of ``plan``: a row with a known ``record_id``
    changes that record (or leaves it as it is), a row without one adds a record (kept by the row's
    ``owner``, else ``owner``, else the writer's organisation). All or nothing: any problem raises
    :class:`InvalidInput` naming each row and column (``rows[N].header``, N the row's number in the file;
    ``columns[N]`` for the header), and nothing is saved. Rows already imported (same fingerprint) that
    would add records again are refused (:class:`DuplicateImport`) unless ``allow_duplicate``."""
    _gate(kind, "import", actor, None, request)
    source = source if source in ImportSource.values else ImportSource.CSV
    columns = {c.header: c for c in input_columns(kind)}
    known = {RECORD_ID, OWNER_COLUMN.header, *columns}
    header = [_header_key(h) for h in table.header]
    problems: list[Problem] = []
    for index, name in enumerate(header):
        if name and name not in known:
            problems.append(
                Problem(
                    f"columns[{index + 1}]",
                    "unknown_column",
                    _("“%(name)s” is not a column of this registry.") % {"name": table.header[index]},
                )
            )
        elif name and header.index(name) != index:
            problems.append(
                Problem(
                    f"columns[{index + 1}]",
                    "duplicate_column",
                    _("“%(name)s” appears twice.") % {"name": table.header[index]},
                )
            )
    present = set(header)
    has_ids = RECORD_ID in present
    missing = [c.header for c in columns.values() if c.required and c.header not in present]
    if missing:
        problems.append(
            Problem(
                "columns", "missing_column", _("Columns missing: %(names)s.") % {"names": ", ".join(missing)}
            )
        )
    if problems:
        raise InvalidInput(problems)
    lookups = Lookups(plan, actor)
    existing: dict[str, Any] = {}
    if has_ids:
        scope = with_relations(
            kind, records_visible_to(kind, actor).filter(plan=plan).select_related("owner")
        )
        existing = {str(r.ref): r for r in scope}
    default_owner = owner
    rows: list[tuple[int, Any, Any, dict[str, Any]]] = []  # (number, record or None, owner, values)
    seen_ids: set[str] = set()
    more = 0
    fingerprints: list[str] = []
    for number, cells in table.rows:
        raw = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
        if not any(str(v).strip() for v in raw.values()):
            continue
        prefix = f"rows[{number}]."
        row_problems: list[Problem] = []
        record = None
        ref_text = str(raw.pop(RECORD_ID, "") or "").strip()
        if ref_text:
            try:
                ref = str(uuid.UUID(ref_text))
            except ValueError:
                ref = ""
            record = existing.get(ref)
            if record is None:
                row_problems.append(
                    Problem(
                        f"{prefix}{RECORD_ID}",
                        "not_found",
                        _(
                            "No record of this registry in this plan has this id (leave it blank to add a record)."
                        ),
                    )
                )
            elif ref in seen_ids:
                row_problems.append(
                    Problem(
                        f"{prefix}{RECORD_ID}", "duplicate", _("Another row above has the same record id.")
                    )
                )
            elif not permissions.can(actor, kind.action("edit"), record):
                row_problems.append(
                    Problem(f"{prefix}{RECORD_ID}", "forbidden", _("You may not change this record."))
                )
            seen_ids.add(ref)
        owner_text = str(raw.pop(OWNER_COLUMN.header, "") or "").strip()
        row_owner = None
        try:
            if owner_text:
                row_owner = parse_value(OWNER_COLUMN, owner_text, plan=plan, user=actor, lookups=lookups)
            if record is None:
                row_owner = _owner_for(kind, actor, plan, row_owner or default_owner, field="owner")
            elif row_owner is not None and row_owner.pk != record.owner_id:
                row_owner = _owner_for(kind, actor, plan, row_owner, field="owner")
        except InvalidInput as refused:
            row_problems += [Problem(f"{prefix}{p.field}", p.code, p.message) for p in refused.problems]
        try:
            values = clean_values(kind, plan, raw, user=actor, partial=True, lookups=lookups, prefix=prefix)
            full = {**(_stored_values(kind, record) if record is not None else {}), **values}
            row_problems += [
                Problem(f"{prefix}{p.field}", p.code, p.message) for p in kind_validate(kind, full)
            ]
        except InvalidInput as refused:
            values = {}
            row_problems += refused.problems
        if row_problems:
            if len(problems) < MAX_PROBLEMS:
                problems += row_problems
            else:
                more += 1
            continue
        rows.append((number, record, row_owner, values))
        owner_key = row_owner.key if row_owner is not None else record.owner.key if record is not None else ""
        fingerprints.append(
            "\t".join([owner_key, *(_values_texts(kind, values).get(h, "") for h in columns)])
        )
    if more:
        problems.append(
            Problem(
                "rows",
                "more_problems",
                ngettext("%(n)d more row has problems.", "%(n)d more rows have problems.", more)
                % {"n": more},
            )
        )
    if problems:
        raise InvalidInput(problems)
    if not rows:
        raise InvalidInput.one("file", "empty", _("There are no rows under the header."))
    fingerprint = _fingerprint(fingerprints)
    created = updated = unchanged = 0
    with transaction.atomic():
        # Before anything is written: rows an earlier import added, still there, are not added again. The
        # plan's row is held meanwhile, so that two imports of the same file at the same moment cannot both
        # pass this check (the second waits, then sees the first).
        if not allow_duplicate and any(record is None for _n, record, _o, _v in rows):
            list(Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True))
            earlier = _earlier_import(kind, plan, fingerprint)
            if earlier is not None:
                raise DuplicateImport(earlier)
        batch = RecordImport.objects.create(
            kind=kind.name, plan=plan, source=source, sha256=sha256, fingerprint=fingerprint, actor=actor
        )
        for number, record, row_owner, values in rows:
            prefix = f"rows[{number}]."
            if record is None:
                new = kind.model(plan=plan, owner=row_owner, created_by=actor, batch_id=batch.pk)
                many = _apply(kind, new, values)
                if kind.retention_days:
                    new.retain_until = clock.moment(now).date() + timedelta(days=kind.retention_days)
                problems += _checked(new, prefix)
                if not problems:
                    ensure_record_writable(plan.pk, _days(kind, new))
                    _save(new, many, now, new=True)
                created += 1
                continue
            record = with_relations(kind, kind.model._default_manager.select_for_update(of=("self",))).get(
                pk=record.pk
            )
            before = record_texts(kind, record)
            days_before = _days(kind, record)
            if row_owner is not None:
                record.owner = row_owner
            many = _apply(kind, record, values)
            problems += _checked(record, prefix)
            if problems:
                continue
            ensure_record_writable(plan.pk, [*days_before, *_days(kind, record)])
            if _write_changes(kind, record, many, before, now):
                updated += 1
            else:
                unchanged += 1
        if problems:
            transaction.set_rollback(True)
            raise InvalidInput(problems[:MAX_PROBLEMS])
        batch.rows, batch.created, batch.updated, batch.unchanged = len(rows), created, updated, unchanged
        batch.save(update_fields=["rows", "created", "updated", "unchanged"])
        clock.stamp(batch, now, "at")
        audit.record(
            AuditAction.IMPORT,
            actor=actor,
            obj=plan,
            request=request,
            at=now,
            changes=[{"field": kind.name, "new": created}, {"field": "updated", "new": updated}],
            note=f"{kind.name} import {batch.pk}{' (added again)' if allow_duplicate else ''}",
        )
    return ImportOutcome(created=created, updated=updated, unchanged=unchanged, batch=batch)


def _earlier_import(kind: RegistryKind, plan: Plan, fingerprint: str) -> RecordImport | None:
    """The latest earlier import of these rows whose added records are (at least partly) still there."""
    earlier = (
        RecordImport.objects.filter(kind=kind.name, plan=plan, fingerprint=fingerprint, created__gt=0)
        .select_related("actor")
        .order_by("-at", "-id")
    )
    for batch in earlier:
        if kind.model._default_manager.filter(batch_id=batch.pk).exists():
            return batch
    return None


def records_rows(
    *, kind: RegistryKind, user: Any, records: Iterable[Any], request: Any = None
) -> tuple[list[str], list[list[str]]]:
    """The records as file rows: headers ``record_id``, ``owner``, ``activities``, then the kind's
    columns, each cell as the import reads it. Asks the gate's ``export`` (never person by person for a
    kind that forbids it); ``records`` should be read through :func:`~.selectors.with_relations`."""
    _gate(kind, "export", user, None, request)
    columns = file_columns(kind)
    headers = [RECORD_ID, *(c.header for c in columns)]
    rows = []
    for record in records:
        texts = record_texts(kind, record)
        rows.append([str(record.ref), *(texts[c.header] for c in columns)])
    return headers, rows
