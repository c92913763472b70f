"""What each exported list holds: the same rows as its page, under the same gate and filters, as columns
and rows for ``tables`` to write. Used by the export views (``table_views``) and, for big lists, by the
background job (``table_jobs``), which builds the same list again from the same query parameters.

The lists:

- ``reports``: the reports browser (``/reports/browse/``), its filters parsed by the browser's own
  ``reporting.selectors.browse_filters`` and read through ``browse_reports`` (keyset pages, one query
  each), so the rows are the page's, in the page's order, whole.
- ``figures``: the results (``/api/v1/results/``): indicator x period x cell, summed over approved and
  published reports under the viewer's scope (``analytics.results``).
- ``events``: the events list (``/events/``): the form's filters and the dashboards' drill-down, each
  bad value named; with each event's participants by sex and HXL's age groups.
- ``participants``: one event's participants, for those who may see them; names only for those who may
  take names out (coordinators). In the import template's columns, so the file imports back unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.analytics.models import EventPeople
from wpsnap.analytics.results import results
from wpsnap.core import keyset, params
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.plan.models import Indicator, Plan
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.registries import page_selectors
from wpsnap.registries.forms import EventFilterForm
from wpsnap.registries.models import Event, EventKind, Participant, Participation
from wpsnap.registries.participants import COLUMNS as PARTICIPANT_COLUMNS
from wpsnap.registries.participants import age_band
from wpsnap.registries.permissions import events_with_participants_visible_to
from wpsnap.reporting import selectors as reporting_selectors
from wpsnap.reporting.disaggregation import parse_cell_key
from wpsnap.reporting.models import Dimension, ProgressStatus, ReportingPeriod
from wpsnap.reporting.workflow import STATUS_LABELS, Status

from .tables import Column, Row

LISTS = ("reports", "figures", "events", "participants")
FORMATS = ("csv", "xlsx")
# Reports read a keyset page at a time: one query per this many rows.
CHUNK = 2000


@dataclass(frozen=True)
class Options:
    """How the list is written: ``format`` (csv or xlsx) and whether an HXL row follows the header."""

    format: str = "csv"
    hxl: bool = False


def options(data: Any) -> Options:
    """``?format=csv|xlsx`` (csv by default) and ``?hxl=1`` (or 0), each bad value named."""
    problems: list[Problem] = []
    fmt = data.get("format", "") or "csv"
    if fmt not in FORMATS:
        problems.append(Problem("format", "invalid", _("Choose csv or xlsx.")))
    raw = data.get("hxl", "") or "0"
    if raw not in ("0", "1"):
        problems.append(
            Problem("hxl", "invalid", _("Give 1 for a row of HXL hashtags under the header, or 0."))
        )
    if problems:
        raise InvalidInput(problems)
    return Options(format=fmt, hxl=raw == "1")


@dataclass
class Table:
    """A list ready to write: its columns, its rows (read when iterated), how many rows it has."""

    name: str  # the list's key (LISTS)
    title: str  # the sheet's title
    filename: str  # the file's name, without its extension
    columns: list[Column]
    rows: Callable[[], Iterator[Row]]
    count: Callable[[], int]
    # Holds beneficiaries' personal data: every export is audited (who, which list, how many rows).
    personal: bool = False
    # What the audit line names (the event of a participants' list).
    subject: Model | None = None
    hxl: bool = True  # whether the list offers an HXL row
    notes: list[str] = field(default_factory=list)
    # The gate action a background job asks again (registries: the kind's ``registry.<name>.export``).
    action: str = ""


def _plain(data: Any) -> dict[str, str]:
    """The query's single values, without the export's own parameters."""
    return {k: v for k, v in data.items() if k not in ("format", "hxl")}


# --- reports ------------------------------------------------------------------------------------------


def reports_table(user: Any, data: Any) -> Table:
    choices = reporting_selectors.browse_choices(user)
    filters = reporting_selectors.browse_filters(data, choices)
    ordering = keyset.ordering_named("sort", data.get("sort"), reporting_selectors.BROWSE_ORDERINGS)
    progress_labels = dict(ProgressStatus.choices)
    columns = [
        Column(_("Report"), "#meta+id", 8),
        Column(_("Activity"), "#activity+code", 12),
        Column(_("Activity (text)"), "#activity+name", 50),
        Column(_("Agency"), "#org+name", 30),
        Column(_("Agency (key)"), "#org+code", 12),
        Column(_("Period"), "", 12),
        Column(_("From"), "#date+start", 12),
        Column(_("To"), "#date+end", 12),
        Column(_("Review status"), "#status+review", 20),
        Column(_("Implementation status"), "#status+progress", 20),
        Column(_("Changed"), "", 26),
    ]

    def rows() -> Iterator[Row]:
        cursor: str | None = None
        while True:
            page = reporting_selectors.browse_reports(
                user, filters, ordering=ordering, cursor=cursor, size=CHUNK
            )
            for report in page.items:
                activity = report.activity
                yield [
                    report.pk,
                    activity.code or activity.key,
                    activity.tr("text"),
                    report.agency.label,
                    report.agency.key,
                    report.period.label,
                    report.period.start,
                    report.period.end,
                    str(STATUS_LABELS[Status(report.status)]),
                    str(progress_labels.get(report.progress, report.progress)),
                    report.updated_at,
                ]
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def count() -> int:
        return _browse_queryset(user, filters).count()

    return Table("reports", _("Reports"), "wpsnap-reports", columns, rows, count)


def _browse_queryset(user: Any, filters: reporting_selectors.BrowseFilters) -> QuerySet[Any]:
    # The count only: the rows come through browse_reports itself.
    lookups = {
        "period_id": filters.period,
        "activity__priority_area__pillar_id": filters.pillar,
        "activity__priority_area_id": filters.area,
        "activity__key": filters.activity,
        "agency_id": filters.agency,
        "status": filters.status,
        "progress": filters.progress,
    }
    qs = reporting_selectors.reports_visible_to(user)
    return qs.filter(**{name: value for name, value in lookups.items() if value is not None})


# --- figures ------------------------------------------------------------------------------------------


def _plan(user: Any, data: Any) -> Plan:
    plans = plans_visible_to(user).order_by("-start_year", "slug")
    slug = data.get("plan", "")
    if slug:
        slug = params.text("plan", slug, max_length=64)
        plan = plans.filter(slug=slug).first()
        if plan is None:
            raise InvalidInput.one("plan", "not_found", _("No plan you may see has this slug."))
        return plan
    plan = plans.first()
    if plan is None:
        raise Http404
    return plan


def figures_table(user: Any, data: Any) -> Table:
    """Every indicator x period x cell with a figure: the period's total (its cell columns empty), then
    each cell. Periods without a counted report are left out."""
    plan = _plan(user, data)
    found = results(user, plan=plan)
    periods = {p.pk: p for p in ReportingPeriod.objects.filter(plan=plan)}
    texts = {i.key: i.tr("text") for i in Indicator.objects.filter(plan=plan)}
    dimensions: list[str] = []
    for indicator in found.indicators:
        for period in indicator.periods:
            for cell in period.cells:
                for code, _option in parse_cell_key(cell.cell):
                    if code not in dimensions:
                        dimensions.append(code)
    # Each dimension's column under its name in the active language (its option codes in the cells).
    names = (
        {d.code: _(d.tr("name")) for d in Dimension.objects.filter(plan=plan, code__in=dimensions)}
        if dimensions
        else {}
    )
    columns = [
        Column(_("Indicator"), "#indicator+code", 14),
        Column(_("Indicator (text)"), "#indicator+name", 50),
        Column(_("Period"), "", 12),
        Column(_("From"), "#date+start", 12),
        Column(_("To"), "#date+end", 12),
        *(Column(names.get(code, code), "", 14) for code in dimensions),
        Column(_("Value"), "#indicator+num", 12),
        Column(_("Reports"), "", 10),
    ]
    listed: list[Row] = []
    for indicator in found.indicators:
        for period in indicator.periods:
            if period.total is None and not period.cells:
                continue
            when = periods[period.period_id]
            head = [
                indicator.indicator,
                texts.get(indicator.indicator, ""),
                period.period,
                when.start,
                when.end,
            ]
            listed.append([*head, *([None] * len(dimensions)), period.total, period.reports])
            for cell in period.cells:
                options = dict(parse_cell_key(cell.cell))
                listed.append([*head, *(options.get(d) for d in dimensions), cell.value, None])
    return Table(
        "figures",
        _("Figures"),
        f"wpsnap-figures-{plan.slug}",
        columns,
        lambda: iter(listed),
        lambda: len(listed),
    )


# --- events -------------------------------------------------------------------------------------------

# HXL's age groups (attributes +children, +adults, +elderly) from the plan's age bands.
_AGE_GROUPS = (("children", 0, 17), ("adults", 18, 59), ("elderly", 60, None))
_SEXES = (("women", "f"), ("men", "m"))


def _age_group(code: str) -> str | None:
    band = age_band(code)
    if band is None:
        return None
    for name, low, high in _AGE_GROUPS:
        if band.low >= low and (high is None or (band.high is not None and band.high <= high)):
            return name
    return None


def event_filters(user: Any, data: Any) -> tuple[Plan, page_selectors.EventFilters]:
    """The plan and filters of the events list for ``data``, as the page reads them; a value that does
    not fit is named (``InvalidInput``), a plan that is not there is 404."""
    slug = data.get("plan") or None
    _plans, plan = page_selectors.choose_plan(user, slug)
    if plan is None:
        raise Http404
    activities, organisers = page_selectors.filter_choices(user, plan)
    form_data = data.copy()
    for name in ("plan", "page", "format", "hxl", *page_selectors.DRILL_DOWN):
        form_data.pop(name, None)
    drill = page_selectors.drill_down(plan, data)
    if drill.activity_id:
        form_data["activity"] = drill.activity_id
        activities += [a for a in plan.activities.filter(pk=drill.activity_id) if a not in activities]
    form = EventFilterForm(form_data or None, plan=plan, activities=activities, organisers=organisers)
    if form.is_bound and not form.is_valid():
        raise InvalidInput(
            [
                Problem(name, "invalid", " ".join(str(e) for e in errors))
                for name, errors in form.errors.items()
            ]
        )
    chosen = form.filters() if form.is_bound else {}
    return plan, page_selectors.EventFilters(**(chosen | drill.filters))


def events_table(user: Any, data: Any) -> Table:
    plan, filters = event_filters(user, data)
    events = page_selectors.event_list_queryset(user, plan, filters)
    kinds = dict(EventKind.choices)
    participation = dict(Participation.choices)
    people = [
        Column(f"{sex_label} {group}", f"#reached+{attr}+{group}", 10)
        for sex_label, attr in ((_("Women"), "f"), (_("Men"), "m"))
        for group, _low, _high in _AGE_GROUPS
    ]
    columns = [
        Column(_("Event"), "#meta+id", 8),
        Column(_("Title"), "#event+name", 40),
        Column(_("Type"), "#event+type", 14),
        Column(_("From"), "#date+start", 12),
        Column(_("To"), "#date+end", 12),
        Column(_("Organiser"), "#org+name", 30),
        Column(_("Activities"), "#activity+code", 16),
        Column(_("District"), "#adm2+code", 12),
        Column(_("Place"), "#loc+name", 20),
        Column(_("Participants recorded as"), "", 16),
        Column(_("Participants"), "#reached", 10),
        Column(_("Women"), "#reached+f", 10),
        Column(_("Men"), "#reached+m", 10),
        *people,
    ]

    def rows() -> Iterator[Row]:
        # One query for everyone's sex and age band (the events' ids as a subquery), then the events.
        tally: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for event_id, sex, age, value in EventPeople.objects.filter(
            event__in=events.order_by().values("pk")
        ).values_list("event_id", "sex", "age", "value"):
            counts = tally[event_id]
            counts[""] += value
            attr = dict(_SEXES).get(sex)
            group = _age_group(age)
            if attr:
                counts[attr] += value
                if group:
                    counts[f"{attr}+{group}"] += value
        for event in events.iterator(chunk_size=CHUNK):
            counts = tally.get(event.pk, {})
            yield [
                event.pk,
                event.title,
                str(kinds.get(event.kind, event.kind)),
                event.starts_on,
                event.ends_on,
                event.organiser.label,
                ", ".join(a.code or a.key for a in event.activities.all()),
                event.district,
                event.place,
                str(participation.get(event.participation, event.participation)),
                counts.get("", 0),
                counts.get("f", 0),
                counts.get("m", 0),
                *(counts.get(f"{attr}+{group}", 0) for attr in ("f", "m") for group, _l, _h in _AGE_GROUPS),
            ]

    return Table("events", _("Events"), f"wpsnap-events-{plan.slug}", columns, rows, events.count)


# --- participants -------------------------------------------------------------------------------------


def participant_event(user: Any, pk: Any, *, request: Any = None) -> Event:
    """The event ``pk`` if ``user`` may see its participants, else 404 (audited when ``request`` is
    given and the event exists outside the user's scope)."""
    event_id = params.identifier("event", pk)
    scope = events_with_participants_visible_to(user).select_related("plan", "organiser")
    if request is not None:
        return permissions.get_or_refuse(request, scope, pk=event_id)
    event = scope.filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def participants_table(user: Any, data: Any, *, request: Any = None) -> Table:
    """The event's participants in the import template's columns (codes, so that the file imports back),
    ``name`` only for those who may take names out of the platform."""
    event = participant_event(user, data.get("event", ""), request=request)
    with_names = permissions.can(user, "participant.export_names", event)
    names = [c for c in PARTICIPANT_COLUMNS if with_names or c != "name"]
    fields = {
        "sex": "sex",
        "age": "age",
        "age_band": "age_band",
        "population_group": "population_group",
        "district": "district",
        "organisation_or_position": "affiliation",
        "name": "name",
        "consent": "consent",
    }
    columns = [Column(name, "", 14 if name != "name" else 30) for name in names]
    listed = Participant.objects.filter(event=event).order_by("id")

    def rows() -> Iterator[Row]:
        for row in listed.values_list(*(fields[n] for n in names)).iterator(chunk_size=CHUNK):
            yield ["yes" if v is True else "no" if v is False else v for v in row]

    return Table(
        "participants",
        _("Participants"),
        f"event-{event.pk}-participants",
        columns,
        rows,
        listed.count,
        personal=True,
        subject=event,
        hxl=False,
        notes=["with names" if with_names else "without names"],
    )


def table_for(name: str, user: Any, data: Any, *, request: Any = None) -> Table:
    """The list ``name`` for ``user`` and the query ``data`` (a QueryDict or a dict)."""
    if name == "reports":
        return reports_table(user, data)
    if name == "figures":
        return figures_table(user, data)
    if name == "events":
        return events_table(user, data)
    if name == "participants":
        return participants_table(user, data, request=request)
    if name == "registry":
        from .registry_lists import registry_table

        return registry_table(user, data)
    raise Http404
