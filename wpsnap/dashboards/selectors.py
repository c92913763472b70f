"""What each dashboard page shows, built from the read model (``wpsnap.analytics``) for a viewer and the
page's filters. The analytics selectors aggregate in the database and scope by the viewer; what is done
here runs over their results only (one row per activity and period, agency and period, indicator or
pillar and year), never over reports, figures, events or participants, so a page's queries are the same
in number whatever the amount of data.

Each page's figures come as ``Chart``s: a title, a one-sentence summary written from the figures, the
table behind it (whose counts link to the reports and events they count) and, where a builder draws it,
a Vega-Lite spec.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.accounts.models import Role, User
from wpsnap.accounts.permissions import can
from wpsnap.analytics import scope
from wpsnap.analytics.compliance import Compliance, reporting_compliance
from wpsnap.analytics.figures import reported_and_derived
from wpsnap.analytics.status import ActivityPeriodStatus, ActivityStatus, activity_status, combine
from wpsnap.plan.models import Activity, Indicator, Plan, PriorityArea
from wpsnap.reporting.models import IndicatorValue, ReportingPeriod
from wpsnap.reporting.workflow import COUNTED

from . import links
from .charts import Chart, Link, Table
from .filters import FilterBar, Filters

# The statuses shown, in this order; cancelled and "no agency" only when some activity has them.
MAIN_STATUSES = (
    ActivityStatus.COMPLETED,
    ActivityStatus.IN_PROGRESS,
    ActivityStatus.DELAYED,
    ActivityStatus.NOT_STARTED,
    ActivityStatus.NOT_REPORTED,
)
RARE_STATUSES = (ActivityStatus.CANCELLED, ActivityStatus.NO_AGENCY)


def status_label(status: str) -> str:
    labels = {
        ActivityStatus.NO_AGENCY: _("No agency"),
        ActivityStatus.NOT_REPORTED: _("Not reported"),
        ActivityStatus.NOT_STARTED: _("Not started"),
        ActivityStatus.IN_PROGRESS: _("In progress"),
        ActivityStatus.DELAYED: _("Delayed"),
        ActivityStatus.COMPLETED: _("Completed"),
        ActivityStatus.CANCELLED: _("Cancelled"),
    }
    return str(labels[ActivityStatus(status)])


# --- whose figures ----------------------------------------------------------------------------------


def whose(viewer: Any, bar: FilterBar) -> str:
    """One sentence saying whose figures the page shows."""
    agencies = scope.agencies(viewer)
    if agencies is None:
        if bar.filters.agency is not None:
            return _("These are the figures of %(agency)s, as every agency reported them.") % {
                "agency": bar.filters.agency.label
            }
        return _("These are the whole plan's figures, from every agency.")
    own = bar.agencies[0].label if bar.agencies else _("your organisation")
    return _(
        "These are the figures of %(agency)s only: the activities it reports on and the events it organised."
    ) % {"agency": own}


# --- the overview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChaseLine:
    """An agency with overdue reports, and the focal points to ask for them."""

    agency: str
    overdue: int
    reports: str  # the reports browser's address for its reports
    people: tuple[tuple[str, str], ...]  # (name, e-mail)


@dataclass(frozen=True)
class TimelineRow:
    period: ReportingPeriod
    state: str  # "done", "open", "overdue", "upcoming"
    state_label: str
    expected: int
    submitted: int
    approved: int
    overdue: int
    missing: int
    overdue_href: str


@dataclass(frozen=True)
class AlertRow:
    """An approved or published report whose figures differ from what its agency's events now say."""

    indicator: str
    agency: str
    period: str
    cells: tuple[tuple[str, Decimal | None, int, Decimal], ...]  # (cell, reported, derived, difference)
    report: str | None  # the report's page
    events: str  # the events behind the derived figures


@dataclass(frozen=True)
class Overview:
    whose: str
    status: tuple[Chart, ...]
    compliance: Chart
    chase: tuple[ChaseLine, ...] | None  # None: not shown to this viewer
    timeline: tuple[TimelineRow, ...]
    alerts: tuple[AlertRow, ...]
    notes: tuple[str, ...]


def _activity_places(plan: Plan) -> tuple[dict[int, tuple[int, int]], list[PriorityArea]]:
    """{activity id: (pillar id, priority area id)} and the plan's priority areas in order: two queries."""
    places = {
        pk: (pillar_id, area_id)
        for pk, area_id, pillar_id in Activity.objects.filter(plan=plan).values_list(
            "pk", "priority_area_id", "priority_area__pillar_id"
        )
    }
    areas = list(PriorityArea.objects.filter(plan=plan).order_by("position"))
    return places, areas


def _status_rows(
    rows: tuple[ActivityPeriodStatus, ...], filters: Filters, places: dict[int, tuple[int, int]]
) -> list[tuple[ActivityPeriodStatus, str]]:
    """The rows the filters keep, each with the status to count: the activity's, or with an agency chosen
    that agency's part alone (as its own people see it)."""
    kept = []
    for row in rows:
        if filters.pillar is not None and places[row.activity_id][0] != filters.pillar.pk:
            continue
        if filters.agency is None:
            kept.append((row, str(row.status)))
            continue
        parts = [p for p in row.agencies if p.agency_id == filters.agency.pk and not p.optional]
        if parts:
            kept.append((row, str(combine([parts[0].progress]))))
    return kept


def _columns(counted: Counter[str]) -> tuple[str, ...]:
    return MAIN_STATUSES + tuple(s for s in RARE_STATUSES if counted[s])


def _status_cell(count: int, status: str, **drill: Any) -> Any:
    """A count, linking to the reports it counts (progress as reported); "not reported" and "no agency"
    link to the group's reports whatever their state, since what they count is a report missing."""
    if not count:
        return 0
    if status in (ActivityStatus.NOT_REPORTED, ActivityStatus.NO_AGENCY):
        return Link(str(count), links.reports(**drill))
    return Link(str(count), links.reports(**drill, progress=status))


def _status_summary(counted: Counter[str], total: int, per_period: bool) -> str:
    if not total:
        return _("No activity is expected in what is chosen.")
    completed, delayed = counted[ActivityStatus.COMPLETED], counted[ActivityStatus.DELAYED]
    if per_period:
        first = ngettext(
            "%(done)d of %(total)d activity is completed",
            "%(done)d of %(total)d activities are completed",
            total,
        )
    else:
        first = ngettext(
            "Counting each activity once per period, %(done)d of %(total)d is completed",
            "Counting each activity once per period, %(done)d of %(total)d are completed",
            total,
        )
    second = ngettext("%(delayed)d is delayed", "%(delayed)d are delayed", delayed)
    unreported = counted[ActivityStatus.NOT_REPORTED]
    third = ngettext(
        "%(missing)d has no approved report yet.", "%(missing)d have no approved report yet.", unreported
    )
    values = {"done": completed, "total": total, "delayed": delayed, "missing": unreported}
    return f"{first % values}; {second % values}; {third % values}"


def status_charts(
    viewer: Any, plan: Plan, bar: FilterBar, rows: tuple[ActivityPeriodStatus, ...]
) -> tuple[Chart, ...]:
    """Implementation status by pillar (with its objective), priority area and agency."""
    filters = bar.filters
    places, areas = _activity_places(plan)
    kept = _status_rows(rows, filters, places)
    counted = Counter(status for _row, status in kept)
    columns = _columns(counted)
    headers = tuple(status_label(s) for s in columns)
    drill = {"period": filters.period.pk if filters.period else None}
    if filters.agency is not None:
        drill["agency"] = filters.agency.pk
    summary = _status_summary(counted, len(kept), filters.period is not None)

    by_pillar: dict[int, Counter[str]] = defaultdict(Counter)
    by_area: dict[int, Counter[str]] = defaultdict(Counter)
    for row, status in kept:
        pillar_id, area_id = places[row.activity_id]
        by_pillar[pillar_id][status] += 1
        by_area[area_id][status] += 1
    pillar_rows = []
    for pillar in bar.pillar_objects:
        if pillar.pk not in by_pillar:
            continue
        c = by_pillar[pillar.pk]
        objective = getattr(pillar, "objective", None)
        pillar_rows.append(
            (
                f"{pillar.number} {pillar.tr('title')}".strip(),
                objective.code if objective is not None else "",
                *(_status_cell(c[s], s, **drill, pillar=pillar.pk) for s in columns),
                sum(c.values()),
            )
        )
    area_rows = []
    for area in areas:
        if area.pk not in by_area:
            continue
        c = by_area[area.pk]
        area_rows.append(
            (
                f"{area.code} {area.tr('title')}".strip(),
                *(_status_cell(c[s], s, **drill, area=area.pk) for s in columns),
                sum(c.values()),
            )
        )
    # By agency: each agency's own part of each activity it owes a report on.
    labels = {int(c.value): c.label for c in bar.agencies}
    by_agency: dict[int, Counter[str]] = defaultdict(Counter)
    names: dict[int, str] = {}
    for row, _status in kept:
        for part in row.agencies:
            if part.optional or (filters.agency is not None and part.agency_id != filters.agency.pk):
                continue
            by_agency[part.agency_id][str(combine([part.progress]))] += 1
            names[part.agency_id] = labels.get(part.agency_id, part.agency)
    agency_columns = MAIN_STATUSES + tuple(
        s for s in (ActivityStatus.CANCELLED,) if any(c[s] for c in by_agency.values())
    )
    agency_rows = []
    for agency_id in sorted(by_agency, key=lambda pk: names[pk].casefold()):
        c = by_agency[agency_id]
        agency_drill = {**drill, "agency": agency_id}
        if filters.pillar is not None:
            agency_drill["pillar"] = filters.pillar.pk
        agency_rows.append(
            (
                Link(names[agency_id], links.reports(**agency_drill)),
                *(_status_cell(c[s], s, **agency_drill) for s in agency_columns),
                sum(c.values()),
            )
        )
    if filters.pillar is not None:
        drill["pillar"] = filters.pillar.pk
    total = _("Total")
    return (
        Chart(
            key="status-pillar",
            title=_("Implementation status by pillar"),
            summary=summary,
            table=Table(
                caption=_("Activities by pillar and status"),
                columns=(_("Pillar"), _("Objective"), *headers, total),
                rows=tuple(pillar_rows),
            ),
        ),
        Chart(
            key="status-area",
            title=_("Implementation status by priority area"),
            summary=_area_summary(by_area, areas),
            table=Table(
                caption=_("Activities by priority area and status"),
                columns=(_("Priority area"), *headers, total),
                rows=tuple(area_rows),
            ),
        ),
        Chart(
            key="status-agency",
            title=_("Implementation status by agency"),
            summary=_agency_summary(by_agency, names),
            table=Table(
                caption=_("Each agency's part of the activities it reports on, by status"),
                columns=(_("Agency"), *(status_label(s) for s in agency_columns), total),
                rows=tuple(agency_rows),
            ),
        ),
    )


def _area_summary(by_area: dict[int, Counter[str]], areas: list[PriorityArea]) -> str:
    delayed = [a for a in areas if by_area.get(a.pk, Counter())[ActivityStatus.DELAYED]]
    if not by_area:
        return _("No activity is expected in what is chosen.")
    if not delayed:
        return ngettext(
            "None of the %(n)d priority area shown has a delayed activity.",
            "None of the %(n)d priority areas shown has a delayed activity.",
            len(by_area),
        ) % {"n": len(by_area)}
    return ngettext(
        "%(delayed)d of %(n)d priority area has a delayed activity.",
        "%(delayed)d of %(n)d priority areas have a delayed activity.",
        len(by_area),
    ) % {"delayed": len(delayed), "n": len(by_area)}


def _agency_summary(by_agency: dict[int, Counter[str]], names: dict[int, str]) -> str:
    if not by_agency:
        return _("No agency is expected to report in what is chosen.")
    parts = sum(sum(c.values()) for c in by_agency.values())
    reported = parts - sum(c[ActivityStatus.NOT_REPORTED] for c in by_agency.values())
    return ngettext(
        "%(agencies)d agency owes %(parts)d parts of activities; %(reported)d are reported and approved.",
        "%(agencies)d agencies owe %(parts)d parts of activities; %(reported)d are reported and approved.",
        len(by_agency),
    ) % {"agencies": len(by_agency), "parts": parts, "reported": reported}


def compliance_chart(
    viewer: Any, bar: FilterBar, lines: tuple[Compliance, ...]
) -> tuple[Chart, tuple[ChaseLine, ...] | None, list[Compliance]]:
    """Reporting compliance per agency and period, and (for coordinators) who to chase."""
    filters = bar.filters
    labels = {int(c.value): c.label for c in bar.agencies}
    kept = [c for c in lines if filters.agency is None or c.agency_id == filters.agency.pk]
    rows = []
    for c in kept:
        name = labels.get(c.agency_id, c.agency)
        href = links.reports(period=c.period_id, agency=c.agency_id)
        rows.append(
            (
                Link(name, href),
                c.period,
                c.due_on.isoformat(),
                c.expected,
                c.submitted,
                c.approved,
                c.overdue,
                c.missing,
            )
        )
    expected = sum(c.expected for c in kept)
    submitted = sum(c.submitted for c in kept)
    overdue = sum(c.overdue for c in kept)
    if expected:
        summary = ngettext(
            "%(submitted)d of %(expected)d report owed has been submitted; %(overdue)d are overdue.",
            "%(submitted)d of %(expected)d reports owed have been submitted; %(overdue)d are overdue.",
            expected,
        ) % {"submitted": submitted, "expected": expected, "overdue": overdue}
    else:
        summary = _("No report is owed in what is chosen.")
    chart = Chart(
        key="compliance",
        title=_("Reporting compliance"),
        summary=summary,
        table=Table(
            caption=_("Reports owed and received, per agency and period"),
            columns=(
                _("Agency"),
                _("Period"),
                _("Due"),
                _("Owed"),
                _("Submitted"),
                _("Approved"),
                _("Late (overdue)"),
                _("Missing (not started)"),
            ),
            rows=tuple(rows),
        ),
    )
    chase = None
    if can(viewer, "user.list"):
        chase = _chase(kept, labels)
    return chart, chase, kept


def _chase(lines: list[Compliance], labels: dict[int, str]) -> tuple[ChaseLine, ...]:
    """The agencies with overdue reports and their active focal points: one query."""
    overdue: Counter[int] = Counter()
    for c in lines:
        overdue[c.agency_id] += c.overdue
    late = sorted((pk for pk, n in overdue.items() if n), key=lambda pk: labels.get(pk, "").casefold())
    if not late:
        return ()
    people: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for user in User.objects.filter(organisation_id__in=late, role=Role.FOCAL_POINT, is_active=True).order_by(
        "last_name", "first_name", "username"
    ):
        people[user.organisation_id].append((user.get_full_name() or user.username, user.email))
    return tuple(
        ChaseLine(
            agency=labels.get(pk, str(pk)),
            overdue=overdue[pk],
            reports=links.reports(agency=pk),
            people=tuple(people[pk]),
        )
        for pk in late
    )


def timeline_rows(bar: FilterBar, lines: list[Compliance], today: date) -> tuple[TimelineRow, ...]:
    """The periods (the one chosen, else all) with what is owed, submitted and overdue in each."""
    sums: dict[int, Counter[str]] = defaultdict(Counter)
    for c in lines:
        for name in ("expected", "submitted", "approved", "overdue", "missing"):
            sums[c.period_id][name] += getattr(c, name)
    rows = []
    for period in bar.period_objects:
        if bar.filters.period is not None and period.pk != bar.filters.period.pk:
            continue
        s = sums[period.pk]
        if today < period.opens_on:
            state, label = "upcoming", _("Not open yet")
        elif s["overdue"]:
            state, label = "overdue", _("Reports overdue")
        elif today <= period.due_on:
            state, label = "open", _("Open for reporting")
        else:
            state, label = "done", _("Closed: all owed reports submitted")
        rows.append(
            TimelineRow(
                period=period,
                state=state,
                state_label=str(label),
                expected=s["expected"],
                submitted=s["submitted"],
                approved=s["approved"],
                overdue=s["overdue"],
                missing=s["missing"],
                overdue_href=links.reports(period=period.pk, agency=bar.filters.agency.pk)
                if bar.filters.agency is not None
                else links.reports(period=period.pk),
            )
        )
    return tuple(rows)


def alerts(viewer: Any, plan: Plan, bar: FilterBar) -> tuple[AlertRow, ...]:
    """Approved or published reports whose figures differ from their agency's events (an event added or
    changed after approval), cell by cell with the difference (derived minus reported)."""
    filters = bar.filters
    found = reported_and_derived(
        viewer,
        plan=plan,
        period=filters.period,
        agency=filters.agency,
        statuses=sorted(str(s) for s in COUNTED),
    )
    differing = []
    for f in found:
        if all(cell.reported is None for cell in f.cells):
            continue  # no approved report gives this indicator: nothing to contradict
        cells = tuple(
            (cell.cell, cell.reported, cell.derived, Decimal(cell.derived) - (cell.reported or Decimal(0)))
            for cell in f.cells
            if (cell.reported or Decimal(0)) != cell.derived
        )
        if cells:
            differing.append((f, cells))
    if not differing:
        return ()
    indicator_ids = sorted({f.indicator_id for f, _c in differing})
    # The counted report behind each (indicator, agency, period): one query.
    reports = {
        (indicator_id, agency_id, period_id): report_id
        for indicator_id, agency_id, period_id, report_id in IndicatorValue.objects.filter(
            indicator_id__in=indicator_ids,
            report__plan=plan,
            report__status__in=sorted(str(s) for s in COUNTED),
            report__in=scope.reports(viewer),
        )
        .values_list("indicator_id", "report__agency_id", "report__period_id", "report_id")
        .distinct()
        .order_by()
    }
    pillar_of = dict(
        Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "priority_area__pillar_id")
    )
    periods = {p.pk: p.label for p in bar.period_objects}
    labels = {int(c.value): c.label for c in bar.agencies}
    rows = []
    for f, cells in differing:
        if filters.pillar is not None and pillar_of[f.indicator_id] != filters.pillar.pk:
            continue
        report_id = reports.get((f.indicator_id, f.agency_id, f.period_id))
        rows.append(
            AlertRow(
                indicator=f.indicator,
                agency=labels.get(f.agency_id, str(f.agency_id)),
                period=periods.get(f.period_id, ""),
                cells=cells,
                report=links.report(report_id) if report_id else None,
                events=links.events(period=f.period_id, agency=f.agency_id),
            )
        )
    return tuple(rows)


def overview(viewer: Any, plan: Plan, bar: FilterBar, *, today: date) -> Overview:
    """The overview page: status, compliance (and who to chase), the periods' timeline and the alert."""
    filters = bar.filters
    rows = activity_status(viewer, plan=plan, period=filters.period)
    lines = reporting_compliance(viewer, plan=plan, period=filters.period, today=today)
    compliance, chase, kept = compliance_chart(viewer, bar, lines)
    notes = []
    if filters.pillar is not None:
        notes.append(_("Reporting compliance and the timeline count every pillar: they are per agency."))
    return Overview(
        whose=whose(viewer, bar),
        status=status_charts(viewer, plan, bar, rows),
        compliance=compliance,
        chase=chase,
        timeline=timeline_rows(bar, kept, today),
        alerts=alerts(viewer, plan, bar),
        notes=tuple(notes),
    )
