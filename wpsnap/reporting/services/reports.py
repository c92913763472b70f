"""Starting and saving progress reports, comments and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Organisation
from wpsnap.core import audit, clock, files, versions
from wpsnap.core.errors import InvalidInput, Problem, WpsnapError
from wpsnap.core.models import AuditAction
from wpsnap.core.transactions import require_transaction
from wpsnap.plan.models import Activity, IndicatorKind

from .. import hooks, selectors
from ..disaggregation import field_name
from ..models import (
    Comment,
    Evidence,
    FinancingLine,
    FundingSource,
    IndicatorAnswer,
    IndicatorValue,
    ProgressReport,
    ProgressStatus,
    ReportingPeriod,
)
from ..validation import check_dates, check_money, check_values
from ..workflow import COUNTED


class LockedError(WpsnapError):
    """The reporting period is locked (approved): nothing in it changes until a coordinator re-opens it."""

    status = 409
    code = "locked"

    def __init__(self, message: str, period: ReportingPeriod | None = None) -> None:
        super().__init__(message)
        self.period = period


def ensure_writable(period: ReportingPeriod | int) -> ReportingPeriod:
    """The one lock check of every write in reporting and registries: may data of ``period`` (or its
    id) still change? Called inside the writing transaction, after the gate. It takes the period's row
    lock, which ``period_lock`` and ``period_reopen`` take exclusively: a lock waits for the writes
    already past this check to commit, and a write that comes after a lock waits for it and is refused.
    A check before the transaction, or without the row lock, let writes land after the lock.

    On PostgreSQL the lock is shared (``FOR SHARE``; Django's ``select_for_update`` has no shared
    form), so that the writes of one period wait only for its lock, not for each other: a long import
    does not hold up every report of its year. Elsewhere ``select_for_update`` (SQLite runs one
    writer at a time anyway). Returns the period as read under the lock."""
    require_transaction("ensure_writable()")
    period_id = period if isinstance(period, int) else period.pk
    current = _period_row_locked(period_id)
    if current.locked_at is not None:
        raise LockedError(
            _("The period %(period)s is approved and locked: ask a coordinator to re-open it.")
            % {"period": current},
            period=current,
        )
    return current


def _period_row_locked(period_id: int) -> ReportingPeriod:
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ReportingPeriod._meta.db_table)
        found = list(
            ReportingPeriod.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [period_id])  # noqa: S608 - the table's own name
        )
        if not found:
            raise ReportingPeriod.DoesNotExist(period_id)
        return found[0]
    return ReportingPeriod.objects.select_for_update().get(pk=period_id)


def report_start(
    *,
    actor: Any,
    activity: Activity,
    agency: Organisation,
    period: ReportingPeriod,
    now: datetime | None = None,
    request: Any = None,
) -> ProgressReport:
    """Open (or return the existing) draft report of ``agency`` on ``activity`` for ``period``. ``now``:
    when (``wpsnap.core.clock``; the real clock by default), as in every service that stamps time."""
    if not permissions.can(actor, "report.create") or actor.organisation_id != agency.pk:
        permissions.refuse(request, "report.create")
    if period.plan_id != activity.plan_id:
        raise InvalidInput.one("period", "invalid", _("The period belongs to another plan."))
    if not selectors.may_report(activity, agency):
        raise InvalidInput.one(
            "activity", "invalid", _("%(agency)s is not named for this activity.") % {"agency": agency.label}
        )
    with transaction.atomic():
        ensure_writable(period)
        key = {"activity": activity, "agency": agency, "period": period}
        report = ProgressReport.objects.filter(**key).first()
        if report is not None:
            return report
        # get_or_create, by hand: the new row is dated before its first save (its history row with it).
        report = clock.dated(ProgressReport(**key, plan_id=activity.plan_id, created_by=actor), now)
        try:
            with transaction.atomic():
                report.save(force_insert=True)
        except IntegrityError:
            return ProgressReport.objects.get(**key)  # started meanwhile (one report per key)
        clock.stamp(report, now, "created_at", "updated_at")
    return report


@dataclass
class ReportInput:
    """What a form or API call typed. Numbers arrive as text so that a wrong entry can be named and
    shown back as typed."""

    progress: str | None = None
    done: str | None = None
    challenges: str | None = None
    next_steps: str | None = None
    started_on: date | None = None
    finished_on: date | None = None
    # {indicator id: {cell key: typed text}}; a cell left out is left as it was, a blank one is cleared.
    values: dict[int, dict[str, str]] = field(default_factory=dict)
    answers: dict[int, str] = field(default_factory=dict)
    # {source: {"planned": text, "spent": text}}
    financing: dict[str, dict[str, str]] = field(default_factory=dict)
    # Which of the dates were sent (None is a value: clearing the date).
    dates_sent: frozenset[str] = frozenset()
    # The version of the report the writer read (the form's hidden field, the API's If-Match); None
    # when the caller does not say (commands, the demo): then nothing is compared. A writer sends only
    # what it changed; a stale write merges when the writes since left those fields alone.
    version: int | None = None

    def typed(self) -> dict[str, str]:
        """What is sent, as text by field key (the report form's names): what a stale write compares."""
        typed = {name: value for name in NARRATIVE_FIELDS if (value := getattr(self, name)) is not None}
        if self.progress is not None:
            typed["progress"] = self.progress
        for name in self.dates_sent:
            value = getattr(self, name)
            typed[name] = value.isoformat() if value else ""
        for indicator_id, cells in self.values.items():
            typed.update({field_name(indicator_id, cell): text for cell, text in cells.items()})
        typed.update({answer_key(indicator_id): text for indicator_id, text in self.answers.items()})
        for source, amounts in self.financing.items():
            typed.update({financing_key(source, part): text for part, text in amounts.items()})
        return typed


NARRATIVE_FIELDS = ("done", "challenges", "next_steps")


# The one vocabulary of a report's field keys: the report form's field names, the keys of the report's
# version marks (``field_versions``) and the fields of the services' problems. The API renames them to its
# own names by a table built from the same functions (``reporting.api.FieldNames``), never by parsing.
# A cell's key is ``disaggregation.field_name``.


def answer_key(indicator_id: int) -> str:
    return f"a{indicator_id}"


def financing_key(source: str, part: str) -> str:
    """A source's planned or spent amount; ``part`` "" for the source itself."""
    return f"fin-{source}-{part}" if part else f"fin-{source}"


@dataclass
class SaveResult:
    report: ProgressReport
    # Each problem's field is a field key (the report form's names).
    problems: list[Problem] = field(default_factory=list)
    # The field keys this save changed.
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def report_save(
    *, actor: Any, report: ProgressReport, data: ReportInput, now: datetime | None = None, request: Any = None
) -> SaveResult:
    """Save what was typed into a draft or returned report, in one transaction.

    Valid entries are stored; invalid figures (text, negative) are not, and every problem is
    returned by the field it belongs to. A sum that does not match is stored but named, so that
    a draft can be kept with it; submitting refuses it.
    """
    with permissions.refusals_recorded(request), transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("period", "activity")
            .get(pk=report.pk)
        )
        ensure_writable(report.period_id)
        if not permissions.can(actor, "report.edit", report):
            raise permissions.Refusal("report.edit", report)
        if data.version is not None and data.version != report.version:
            stale = set(versions.changed_since(report, data.version))
            typed = data.typed()
            versions.check_version(
                report, version=data.version, typed=typed, current=report_texts(report, stale & set(typed))
            )
        result = SaveResult(report=report)
        _save_narrative(report, data, result, actor, now)
        indicators = {i.pk: i for i in selectors.report_indicators(report)}
        unknown = set(data.values) | set(data.answers)
        unknown -= set(indicators)
        if unknown:
            raise InvalidInput(
                ("values", "invalid", _("Indicator %(id)s is not one of this activity's.") % {"id": i})
                for i in sorted(unknown)
            )
        specs = selectors.indicator_specs(list(indicators.values()))
        for indicator_id, raw in data.values.items():
            _save_values(report, indicators[indicator_id], specs[indicator_id], raw, result, now)
        for indicator_id, text in data.answers.items():
            if _save_answer(report, indicators[indicator_id], text, now):
                result.changed.append(answer_key(indicator_id))
        _save_financing(report, data.financing, result, now)
        versions.bump(report, result.changed)
        if report.status in COUNTED and result.changed:  # not while editable; kept true if that changes
            hooks.reports_changed([report.pk])
    return result


def report_texts(report: ProgressReport, keys: set[str] | None = None) -> dict[str, str]:
    """The stored content of ``report`` as text by field key (all keys, or those in ``keys``): what a
    page shows in its form, and what a stale write is compared with."""
    texts: dict[str, str] = {name: getattr(report, name) for name in NARRATIVE_FIELDS}
    texts["progress"] = report.progress
    for name in ("started_on", "finished_on"):
        value = getattr(report, name)
        texts[name] = value.isoformat() if value else ""
    wanted = keys if keys is not None else None
    if wanted is None or any(k.startswith("v") for k in wanted):
        for value in IndicatorValue.objects.filter(report=report).only("indicator_id", "cell", "value"):
            texts[field_name(value.indicator_id, value.cell)] = f"{value.value.normalize():f}"
    if wanted is None or any(k.startswith("a") for k in wanted):
        for answer in IndicatorAnswer.objects.filter(report=report).only("indicator_id", "text"):
            texts[answer_key(answer.indicator_id)] = answer.text
    if wanted is None or any(k.startswith("fin-") for k in wanted):
        for line in FinancingLine.objects.filter(report=report):
            for part in ("planned", "spent"):
                amount = getattr(line, part)
                texts[financing_key(line.source, part)] = "" if amount is None else f"{amount.normalize():f}"
    if wanted is None:
        return texts
    return {key: texts.get(key, "") for key in wanted}


def _add(result: SaveResult, name: str, code: str, message: str) -> None:
    result.problems.append(Problem(name, code, message))


def _save_narrative(
    report: ProgressReport, data: ReportInput, result: SaveResult, actor: Any, now: datetime | None
) -> None:
    changed: list[str] = []
    for name in ("done", "challenges", "next_steps"):
        value = getattr(data, name)
        if value is not None and value != getattr(report, name):
            setattr(report, name, value.strip())
            changed.append(name)
    if data.progress is not None and data.progress != report.progress:
        if data.progress not in ProgressStatus.values:
            _add(result, "progress", "invalid_choice", _("Choose one of the statuses in the list."))
        else:
            report.progress = data.progress
            changed.append("progress")
    started = data.started_on if "started_on" in data.dates_sent else report.started_on
    finished = data.finished_on if "finished_on" in data.dates_sent else report.finished_on
    date_problems = check_dates(started, finished, report.period.start, report.period.end)
    result.problems.extend(date_problems)
    bad_dates = {p.field for p in date_problems}
    for name, value in (("started_on", started), ("finished_on", finished)):
        if name in data.dates_sent and name not in bad_dates and getattr(report, name) != value:
            setattr(report, name, value)
            changed.append(name)
    if changed:
        report._history_user = actor  # type: ignore[attr-defined]
        clock.dated(report, now).save(update_fields=[*changed, "updated_at"])
        clock.stamp(report, now, "updated_at")
        result.changed.extend(changed)


def _save_values(
    report: ProgressReport,
    indicator: Any,
    spec_pair: Any,
    raw: dict[str, str],
    result: SaveResult,
    now: datetime | None,
) -> None:
    """Store the cells sent; the rules see them together with the cells already stored, so that
    changing one cell is checked against the rest of the table."""
    breakdown, spec = spec_pair
    existing = {v.cell: v for v in IndicatorValue.objects.filter(report=report, indicator=indicator)}
    merged = {cell: f"{row.value.normalize():f}" for cell, row in existing.items()} | raw
    checked = check_values(indicator.kind, spec, merged)
    result.problems.extend(
        Problem(field_name(indicator.pk, p.field), p.code, p.message) for p in checked.problems
    )
    for cell in raw:
        value = checked.clean.get(cell)
        row = existing.get(cell)
        if value is not None:
            if row is None:
                new = IndicatorValue(
                    report=report, indicator=indicator, breakdown=breakdown, cell=cell, value=value
                )
                clock.dated(new, now).save(force_insert=True)
            elif row.value != value:
                row.value = value
                clock.dated(row, now).save(update_fields=["value"])
            else:
                continue
            result.changed.append(field_name(indicator.pk, cell))
        elif row is not None and not raw[cell].strip():
            clock.dated(row, now).delete()  # sent blank: cleared; a refused entry keeps its stored value
            result.changed.append(field_name(indicator.pk, cell))


def _save_answer(report: ProgressReport, indicator: Any, text: str, now: datetime | None) -> bool:
    """Store one answer; whether anything changed."""
    text = text.strip()
    row = IndicatorAnswer.objects.filter(report=report, indicator=indicator).first()
    if not text:
        if row is not None:
            clock.dated(row, now).delete()
            return True
        return False
    if row is None:
        answer = IndicatorAnswer(report=report, indicator=indicator, text=text)
        clock.dated(answer, now).save(force_insert=True)
    elif row.text != text:
        row.text = text
        clock.dated(row, now).save(update_fields=["text"])
    else:
        return False
    return True


def _save_financing(
    report: ProgressReport, financing: dict[str, dict[str, str]], result: SaveResult, now: datetime | None
) -> None:
    existing = {line.source: line for line in report.financing.all()}
    for source, amounts in financing.items():
        if source not in FundingSource.values:
            _add(result, financing_key(source, ""), "invalid_choice", _("Unknown source of funds."))
            continue
        parsed: dict[str, Decimal | None] = {}
        for part in ("planned", "spent"):
            if part not in amounts:
                continue
            value, message = check_money(amounts[part])
            if message:
                _add(result, financing_key(source, part), "invalid", message)
            else:
                parsed[part] = value
        line = existing.get(source)
        if line is None:
            if any(v is not None for v in parsed.values()):
                line = FinancingLine(report=report, source=source, **parsed)
                clock.dated(line, now).save(force_insert=True)
                result.changed.extend(
                    financing_key(source, part) for part, v in parsed.items() if v is not None
                )
            continue
        changed = [name for name, value in parsed.items() if getattr(line, name) != value]
        for name in changed:
            setattr(line, name, parsed[name])
        result.changed.extend(financing_key(source, part) for part in changed)
        if line.planned is None and line.spent is None:
            clock.dated(line, now).delete()
        elif changed:
            clock.dated(line, now).save(update_fields=changed)


def report_problems(report: ProgressReport) -> list[Problem]:
    """Everything that stops a stored report from being submitted."""
    problems: list[Problem] = []
    indicators = selectors.report_indicators(report)
    specs = selectors.indicator_specs(indicators)
    stored: dict[int, dict[str, str]] = {}
    for value in report.values.all():
        stored.setdefault(value.indicator_id, {})[value.cell] = f"{value.value}"
    answered = set(report.answers.values_list("indicator_id", flat=True))
    for indicator in indicators:
        raw = stored.get(indicator.pk, {})
        if indicator.kind == IndicatorKind.COUNT:
            checked = check_values(indicator.kind, specs[indicator.pk][1], raw)
            problems.extend(
                Problem(field_name(indicator.pk, p.field), p.code, p.message) for p in checked.problems
            )
            if not raw and report.progress not in ("not_started", "cancelled"):
                problems.append(
                    Problem(
                        field_name(indicator.pk, ""),
                        "required",
                        _("Enter the figure (0 if nothing was done)."),
                    )
                )
        elif indicator.pk not in answered and report.progress not in ("not_started", "cancelled"):
            problems.append(
                Problem(answer_key(indicator.pk), "required", _("Answer this indicator before submitting."))
            )
    if not report.done.strip() and report.progress not in ("not_started",):
        problems.append(Problem("done", "required", _("Say what was done in the period.")))
    problems.extend(
        check_dates(report.started_on, report.finished_on, report.period.start, report.period.end)
    )
    return problems


def comment_add(
    *, actor: Any, report: ProgressReport, text: str, now: datetime | None = None, request: Any = None
) -> Comment:
    """Add a comment to the report's conversation, with an audit line (its length, not its words: the
    comment itself is on the report, behind the gate)."""
    if not permissions.can(actor, "report.comment", report):
        permissions.refuse(request, "report.comment", report)
    text = text.strip()
    if not text:
        raise InvalidInput.one("text", "required", _("Write the comment first."))
    with transaction.atomic():
        comment = Comment.objects.create(report=report, author=actor, text=text)
        clock.stamp(comment, now, "at")
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            request=request,
            at=now,
            object_type="reporting.comment",
            object_id=str(comment.pk),
            object_label=f"comment {comment.pk} on report {report.pk}",
            changes=[{"field": "text", "new": f"{len(text)} characters"}],
        )
    return comment


# --- evidence ---------------------------------------------------------------------------------------


def evidence_add(
    *,
    actor: Any,
    report: ProgressReport,
    name: str,
    content: bytes,
    now: datetime | None = None,
    request: Any = None,
) -> Evidence:
    """Keep a file backing the report, after checking what it really is and its size."""
    if not permissions.can(actor, "report.edit", report):
        permissions.refuse(request, "report.edit", report)
    upload = files.upload_check(name=name, content=content, max_bytes=settings.WPSNAP_EVIDENCE_MAX_BYTES)
    with transaction.atomic():
        ensure_writable(report.period_id)
        evidence = files.stored_file_save(stored=Evidence(report=report), upload=upload, actor=actor, now=now)
        versions.bump(report, ["evidence"])  # what reviewers judge: a step on an older page is refused
    return evidence


def evidence_delete(
    *, actor: Any, evidence: Evidence, now: datetime | None = None, request: Any = None
) -> None:
    report = evidence.report
    if not permissions.can(actor, "report.edit", report):
        permissions.refuse(request, "report.edit", report)
    with transaction.atomic():
        ensure_writable(report.period_id)
        evidence.delete_file_on_commit()
        evidence._history_user = actor  # type: ignore[attr-defined]
        clock.dated(evidence, now).delete()
        versions.bump(report, ["evidence"])
