"""Recording events: create, change, delete, their files and (where no list is kept) their counts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Organisation
from wpsnap.core import clock, files, params, versions
from wpsnap.core.errors import InvalidInput, Problem, WpsnapError
from wpsnap.plan.models import Activity, Plan
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.selectors import may_report
from wpsnap.reporting.services.reports import LockedError, ensure_writable

from .. import hooks, selectors
from ..models import (
    DIALOGUE_KINDS,
    TEXT_MAX,
    Event,
    EventFile,
    EventFilePurpose,
    EventKind,
    ParticipantCount,
    Participation,
    Topic,
)


class EventLockedError(WpsnapError):
    """The event falls in a locked (approved) reporting period: its records no longer change."""

    status = 409
    code = "locked"


def count_key(cell: str) -> str:
    """The field key of one cell of an event's counts (``counts[sex:women|age:18-24]``), as the API names
    it; the counts form maps it to its own field."""
    return f"counts[{cell}]"


def ensure_event_writable(plan_id: int, *days: date) -> None:
    """The lock check of every write to an event's records, inside the writing transaction: reporting's
    ``ensure_writable`` (the row lock a period's lock waits for) on each period that any of ``days``
    (the event's first day, before and after a change) falls in."""
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
            raise EventLockedError(selectors.locked_message(period)) from locked


@dataclass
class EventInput:
    """An event as a form, the API or a command gives it (already typed; the service checks the rules)."""

    kind: str
    title: str
    starts_on: date
    ends_on: date
    activities: list[Activity]
    topics: list[Topic] = field(default_factory=list)
    partners: list[Organisation] = field(default_factory=list)
    other_topics: str = ""
    district: str = ""
    place: str = ""
    content: str = ""
    outcomes: str = ""
    issues_raised: str = ""
    answers_given: str = ""
    participation: str = Participation.LIST
    # The version the writer read (form's hidden field, API's If-Match) and the fields it changed
    # (None: all); None version: nothing compared (commands, the demo). See wpsnap.core.versions.
    version: int | None = None
    changed: frozenset[str] | None = None


def _problems(plan: Plan, organiser: Organisation, data: EventInput) -> list[Problem]:
    problems: list[Problem] = []
    if data.kind not in EventKind.values:
        problems.append(
            Problem(
                "kind",
                "invalid_choice",
                _("Choose one of %(kinds)s.") % {"kinds": ", ".join(EventKind.values)},
            )
        )
    if not data.title.strip():
        problems.append(Problem("title", "required", _("This is required.")))
    if data.ends_on < data.starts_on:
        problems.append(Problem("ends_on", "invalid", _("The last day is before the first day.")))
    if data.participation not in Participation.values:
        problems.append(Problem("participation", "invalid_choice", _("Choose list or counts.")))
    if not data.activities:
        problems.append(Problem("activities", "required", _("Choose at least one activity of the plan.")))
    for activity in data.activities:
        if activity.plan_id != plan.pk:
            problems.append(
                Problem(
                    "activities",
                    "invalid",
                    _("%(code)s belongs to another plan.") % {"code": activity.code or activity.key},
                )
            )
        elif not may_report(activity, organiser):
            problems.append(
                Problem(
                    "activities",
                    "not_named",
                    _("%(agency)s is not named for activity %(code)s.")
                    % {"agency": organiser.label, "code": activity.code or activity.key},
                )
            )
    if data.district and data.district not in selectors.district_names(plan):
        problems.append(
            Problem(
                "district",
                "invalid_choice",
                _("“%(value)s” is not one of the plan's districts.") % {"value": data.district},
            )
        )
    if any(p.pk == organiser.pk for p in data.partners):
        problems.append(Problem("partners", "invalid", _("The organiser is not its own partner.")))
    for name in ("content", "outcomes", "issues_raised", "answers_given"):
        if len(getattr(data, name)) > TEXT_MAX:
            problems.append(
                Problem(name, "max_length", _("Longer than %(max)d characters.") % {"max": TEXT_MAX})
            )
    if data.kind not in DIALOGUE_KINDS and (data.issues_raised.strip() or data.answers_given.strip()):
        problems.append(
            Problem("issues_raised", "invalid", _("Issues and answers belong to consultations and surveys."))
        )
    return problems


_FIELDS = (
    "kind",
    "title",
    "starts_on",
    "ends_on",
    "other_topics",
    "district",
    "place",
    "content",
    "outcomes",
    "issues_raised",
    "answers_given",
    "participation",
)


def event_create(
    *, actor: Any, plan: Plan, data: EventInput, now: datetime | None = None, request: Any = None
) -> Event:
    """Record an event organised by the actor's own agency (at ``now``: ``wpsnap.core.clock``)."""
    if not permissions.can(actor, "event.create"):
        permissions.refuse(request, "event.create")
    organiser = actor.organisation
    problems = _problems(plan, organiser, data)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        ensure_event_writable(plan.pk, data.starts_on)
        event = Event(
            plan=plan, organiser=organiser, created_by=actor, **{f: getattr(data, f) for f in _FIELDS}
        )
        event._history_user = actor  # type: ignore[attr-defined]
        clock.dated(event, now).save()
        clock.stamp(event, now, "created_at", "updated_at")
        event.activities.set(data.activities)
        event.topics.set(data.topics)
        event.partners.set(data.partners)
        hooks.events_changed([event.pk])
    return event


_LISTS = ("activities", "topics", "partners")
EVENT_KEYS = (*_FIELDS, *_LISTS)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(sorted(str(getattr(item, "pk", item)) for item in value))
    return versions.as_text(value)


def event_texts(event: Event) -> dict[str, str]:
    """The stored event as text by field key (its form's names): what a stale write is compared with."""
    texts = {name: _text(getattr(event, name)) for name in _FIELDS}
    for name in _LISTS:
        texts[name] = _text(list(getattr(event, name).values_list("pk", flat=True)))
    return texts


def _input_texts(data: EventInput) -> dict[str, str]:
    return {name: _text(getattr(data, name)) for name in EVENT_KEYS}


def _merged(data: EventInput, event: Event, touched: set[str]) -> EventInput:
    """``data`` with every field the writer left alone taken from the event as stored now."""
    kept: dict[str, Any] = {name: getattr(event, name) for name in _FIELDS if name not in touched}
    kept |= {name: list(getattr(event, name).all()) for name in _LISTS if name not in touched}
    return replace(data, **kept)


def event_update(
    *, actor: Any, event: Event, data: EventInput, now: datetime | None = None, request: Any = None
) -> Event:
    """Change an event. A change made on an older version (``data.version``) merges with the changes
    since when they touched other fields, and is refused (``StaleWrite``) when they touched the same."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("plan", "organiser").get(pk=event.pk)
        if data.version is not None and data.version != event.version:
            typed = _input_texts(data)
            touched = set(data.changed if data.changed is not None else typed)
            versions.check_version(
                event,
                version=data.version,
                typed={key: typed[key] for key in touched},
                current=event_texts(event),
            )
            data = _merged(data, event, touched)
        problems = _problems(event.plan, event.organiser, data)
        if data.participation != event.participation and _has_participants(event):
            problems.append(
                Problem(
                    "participation",
                    "has_participants",
                    _(
                        "This event already has participants recorded; remove them before changing how "
                        "they are recorded."
                    ),
                )
            )
        if problems:
            raise InvalidInput(problems)
        ensure_event_writable(event.plan_id, event.starts_on, data.starts_on)
        before = event_texts(event)
        for name in _FIELDS:
            setattr(event, name, getattr(data, name))
        event._history_user = actor  # type: ignore[attr-defined]
        clock.dated(event, now).save()
        clock.stamp(event, now, "updated_at")
        event.activities.set(data.activities)
        event.topics.set(data.topics)
        event.partners.set(data.partners)
        after = event_texts(event)
        versions.bump(event, [key for key in EVENT_KEYS if before[key] != after[key]])
        hooks.events_changed([event.pk])
    return event


def event_delete(
    *,
    actor: Any,
    event: Event,
    version: int | None = None,
    now: datetime | None = None,
    request: Any = None,
) -> None:
    """Delete an event with its participants, counts and files. ``version``: the version the caller
    read (the API's If-Match); refused (``StaleWrite``) when anything changed since. ``now`` dates the
    event's history row and audit line (the rows deleted with it, by cascade, take the real clock)."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    with transaction.atomic():
        ensure_event_writable(event.plan_id, event.starts_on)
        versions.refuse_if_changed(Event.objects.select_for_update().get(pk=event.pk), version)
        files.delete_on_commit(event.files.all())
        event._history_user = actor  # type: ignore[attr-defined]
        event_id = event.pk
        clock.dated(event, now).delete()
        hooks.events_changed([event_id])


def _has_participants(event: Event) -> bool:
    return event.participants.exists() or event.counts.exists()


# --- files ---------------------------------------------------------------------------------------


def event_file_add(
    *,
    actor: Any,
    event: Event,
    name: str,
    content: bytes,
    purpose: str = EventFilePurpose.MATERIALS,
    now: datetime | None = None,
    request: Any = None,
) -> EventFile:
    """Keep the event's agenda or materials, after checking what the file really is and its size."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    if purpose not in EventFilePurpose.values:
        raise InvalidInput.one("purpose", "invalid_choice", _("Choose agenda, materials or other."))
    upload = files.upload_check(name=name, content=content, max_bytes=settings.WPSNAP_EVIDENCE_MAX_BYTES)
    with transaction.atomic():
        ensure_event_writable(event.plan_id, event.starts_on)
        return files.stored_file_save(
            stored=EventFile(event=event, purpose=purpose), upload=upload, actor=actor, now=now
        )


def event_file_delete(
    *, actor: Any, event_file: EventFile, now: datetime | None = None, request: Any = None
) -> None:
    event = event_file.event
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    with transaction.atomic():
        ensure_event_writable(event.plan_id, event.starts_on)
        event_file.delete_file_on_commit()
        event_file._history_user = actor  # type: ignore[attr-defined]
        clock.dated(event_file, now).delete()


# --- counts (events without a list) --------------------------------------------------------------


def counts_save(
    *,
    actor: Any,
    event: Event,
    counts: dict[str, str | int],
    version: int | None = None,
    now: datetime | None = None,
    request: Any = None,
) -> dict[str, int]:
    """Replace the event's counts by sex x age band. ``counts`` maps cell keys ("sex:women|age:18-24")
    to whole numbers (as typed); a blank or zero cell is no participants. All or nothing."""
    if not permissions.can(actor, "event.edit", event):
        permissions.refuse(request, "event.edit", event)
    if event.participation != Participation.COUNTS:
        raise InvalidInput.one(
            "participation",
            "invalid",
            _("This event keeps a list of participants; counts are for events without one."),
        )
    spec = selectors.count_cells(event.plan)
    cells = {cell.key for cell in spec.cells()}
    problems: list[Problem] = []
    clean: dict[str, int] = {}
    for key, raw in counts.items():
        if key not in cells:
            problems.append(
                Problem(count_key(key), "unknown_cell", _("Not a sex and age band cell of this plan."))
            )
            continue
        text = str(raw).strip()
        if not text:
            continue
        try:
            # ASCII digits within the column's range ("²".isdigit() is true and int("²") fails).
            number = params.integer_of(text, low=0, high=params.ID_MAX)
        except params.Refused:
            problems.append(
                Problem(
                    count_key(key),
                    "invalid",
                    _("“%(value)s” is not a whole number of people.") % {"value": params.shown(text)},
                )
            )
            continue
        if number:
            clean[key] = number
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        ensure_event_writable(event.plan_id, event.starts_on)
        locked = Event.objects.select_for_update().get(pk=event.pk)
        existing = {c.cell: c for c in event.counts.all()}
        # ``version``: the event's version the form or API caller read; the counts are one table.
        if version is not None and version != locked.version:
            stored = {key: row.value for key, row in existing.items()}
            versions.check_version(
                locked,
                version=version,
                typed={"counts": _text(sorted(f"{k}={v}" for k, v in clean.items()))},
                current={"counts": _text(sorted(f"{k}={v}" for k, v in stored.items()))},
            )
        if {key: row.value for key, row in existing.items()} != clean:
            versions.bump(locked, ["counts"])
        for key, row in existing.items():
            if key not in clean:
                row._history_user = actor  # type: ignore[attr-defined]
                clock.dated(row, now).delete()
        for key, value in clean.items():
            row = existing.get(key) or ParticipantCount(event=event, cell=key, value=value)
            if row.pk is None or row.value != value:
                row.value = value
                row._history_user = actor  # type: ignore[attr-defined]
                clock.dated(row, now).save()
        hooks.events_changed([event.pk])
    return clean
