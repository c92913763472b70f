"""What each dashboard page shows, built from the read model (``wpsnap.analytics``) for a viewer and the
page's filters. The analytics selectors aggregate in the database and scope by the viewer; what is done
here runs over their results only (one row per activity and period, agency and period, indicator, or
pillar, year and cell), never over reports, figures, events or participants, so a page's queries are the
same in number whatever the amount of data.

Each figure comes as a ``wpsnap.core.charts.Chart``: a title, a one-sentence summary written from the
figures, the drawing's Vega-Lite spec and the table behind it, whose figures link to the reports and
events they count (the reports browser and the events list, by the filters of ``links``).
"""

from __future__ import annotations

import inspect
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.accounts.models import Role, User
from wpsnap.accounts.permissions import can
from wpsnap.analytics.compliance import Compliance, reporting_compliance
from wpsnap.analytics.figures import differing as differing_figures
from wpsnap.analytics.filters import grids_shared
from wpsnap.analytics.financing import financing
from wpsnap.analytics.people import people_reached
from wpsnap.analytics.scope import agencies as visible_agencies
from wpsnap.analytics.scope import reports as visible_reports
from wpsnap.analytics.status import ActivityPeriodStatus, ActivityStatus, activity_status, combine
from wpsnap.core import charts
from wpsnap.core.charts import Chart, Table
from wpsnap.plan.models import Activity, Indicator, Plan, PriorityArea
from wpsnap.reporting.disaggregation import parse_cell_key
from wpsnap.reporting.models import DimensionOption, FundingSource, IndicatorValue
from wpsnap.reporting.workflow import COUNTED

from . import links
from .filters import FilterBar, Filters
from .links import Drill, linked

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


def amount(value: Decimal | int | None) -> str:
    """A figure as a person reads it: grouped digits, no trailing zeros."""
    if value is None:
        return "\N{EN DASH}"
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    return number_format(value, use_l10n=True, force_grouping=True)


# --- the filters a selector takes -------------------------------------------------------------------


@cache
def _keywords(selector: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(selector).parameters)


def narrowed_call(
    selector: Callable[..., Any], viewer: Any, plan: Plan, filters: Filters, **fixed: Any
) -> tuple[Any, tuple[str, ...]]:
    """``selector(viewer, plan=plan, **fixed)`` with the filters it takes (``period``, ``pillar`` and
    ``agency`` as ids, ``district`` a code), and the names of those chosen that it does not take (the page
    narrows by those itself where it can, and says so where it cannot)."""
    chosen = {
        "period": filters.period.pk if filters.period is not None else None,
        "pillar": filters.pillar.pk if filters.pillar is not None else None,
        "agency": filters.agency.pk if filters.agency is not None else None,
        "district": filters.district,
    }
    takes = _keywords(selector)
    passed = {k: v for k, v in chosen.items() if k in takes and v is not None}
    missing = tuple(k for k, v in chosen.items() if v is not None and k not in takes)
    return selector(viewer, plan=plan, **fixed, **passed), missing


# --- whose figures ----------------------------------------------------------------------------------


def whose(viewer: Any, bar: FilterBar) -> str:
    """One sentence saying whose figures the page shows."""
    agencies = visible_agencies(viewer)
    if agencies is None:
        if bar.filters.agency is not None:
            return _("These are the figures of %(agency)s alone.") % {"agency": bar.filters.agency.label}
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
    reports: str | None  # the reports browser's address for its reports
    people: tuple[tuple[str, str], ...]  # (name, e-mail)


@dataclass(frozen=True)
class AlertRow:
    """An approved or published report whose figures differ from what its agency's events now say."""

    indicator: str
    agency: str
    period: str
    cells: tuple[tuple[str, Decimal | None, int, Decimal], ...]  # (cell, reported, derived, difference)
    # The counted report that gives the figures; looked up for the alerts a page lists (``alerts``'s
    # ``shown``), None for the others.
    report_id: int | None
    agency_id: int
    period_id: int
    drill: Drill

    # The addresses are built when shown: at national scale hundreds of reports differ and the page
    # lists the first ``ALERTS_SHOWN``.
    @property
    def report(self) -> str | None:
        """The report's page."""
        return links.report(self.report_id) if self.report_id else None

    @property
    def events(self) -> str | None:
        """The events behind the derived figures."""
        return self.drill.events(period=self.period_id, agency=self.agency_id)

    @property
    def shown(self) -> tuple[tuple[str, str, str, str], ...]:
        """The cells as a person reads them: (cell, reported, from events, difference), numbers formatted
        for the language (a Decimal without trailing zeros), the total named, a missing figure a dash."""
        return tuple(
            (
                ", ".join(option for _dimension, option in parse_cell_key(cell)) or _("total"),
                amount(reported),
                amount(derived),
                amount(difference),
            )
            for cell, reported, derived, difference in self.cells
        )


# The alert lists this many reports unless the viewer asks for all (``?alerts=all``): at national scale
# it may name hundreds, which would double the page's size and the time to write it.
ALERTS_SHOWN = 20


@dataclass(frozen=True)
class Overview:
    whose: str
    status: tuple[Chart, ...]
    compliance: tuple[Chart, ...]
    chase: tuple[ChaseLine, ...] | None  # None: not shown to this viewer
    timeline: Chart
    alerts: tuple[AlertRow, ...]  # every report that differs
    notes: tuple[str, ...]
    all_alerts: bool = False  # the viewer asked for the whole list

    @property
    def shown_alerts(self) -> tuple[AlertRow, ...]:
        """The alerts listed on the page: every one when asked for, else the first ``ALERTS_SHOWN``."""
        return self.alerts if self.all_alerts else self.alerts[:ALERTS_SHOWN]


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


def _status_cell(to: Drill, count: int, status: str, **narrow: Any) -> Any:
    """A count, linking to the reports it counts (their progress as reported); "not reported" and "no
    agency" link to the group's reports whatever their state, since what they count is a report missing."""
    if not count:
        return 0
    if status in (ActivityStatus.NOT_REPORTED, ActivityStatus.NO_AGENCY):
        return linked(str(count), to.reports(**narrow))
    return linked(str(count), to.reports(**narrow, progress=status))


def _status_summary(counted: Counter[str], total: int, per_period: bool) -> str:
    if not total:
        return _("No activity is expected in what is chosen.")
    values = {
        "done": counted[ActivityStatus.COMPLETED],
        "total": total,
        "delayed": counted[ActivityStatus.DELAYED],
        "missing": counted[ActivityStatus.NOT_REPORTED],
    }
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
    second = ngettext("%(delayed)d is delayed", "%(delayed)d are delayed", values["delayed"])
    third = ngettext(
        "%(missing)d has no approved report yet.",
        "%(missing)d have no approved report yet.",
        values["missing"],
    )
    return f"{first % values}; {second % values}; {third % values}"


def _bars(
    key: str,
    title: str,
    summary: str,
    groups: list[tuple[Any, Counter[str]]],
    columns: tuple[str, ...],
    group_label: str,
    table: Table,
) -> Chart:
    """Stacked status bars of ``groups`` ((label, counts by status)), shown with ``table`` (whose counts
    link to what they count) instead of the builder's plain one."""
    chart = charts.status_bars(
        key=key,
        title=title,
        summary=summary,
        rows=[(label, status, c[status]) for label, c in groups for status in columns],
        statuses=[(s, status_label(s)) for s in columns],
        group_label=group_label,
        count_label=_("Activities"),
    )
    return replace(chart, table=table)


def status_charts(plan: Plan, bar: FilterBar, rows: tuple[ActivityPeriodStatus, ...]) -> tuple[Chart, ...]:
    """Implementation status by pillar (with its objective), priority area and agency."""
    filters = bar.filters
    places, areas = _activity_places(plan)
    kept = _status_rows(rows, filters, places)
    counted = Counter(status for _row, status in kept)
    columns = MAIN_STATUSES + tuple(s for s in RARE_STATUSES if counted[s])
    headers = tuple(status_label(s) for s in columns)
    to = bar.drill
    drill: dict[str, Any] = {"period": filters.period.pk if filters.period else None}
    if filters.agency is not None:
        drill["agency"] = filters.agency.pk
    total = _("Total")

    by_pillar: dict[int, Counter[str]] = defaultdict(Counter)
    by_area: dict[int, Counter[str]] = defaultdict(Counter)
    for row, status in kept:
        pillar_id, area_id = places[row.activity_id]
        by_pillar[pillar_id][status] += 1
        by_area[area_id][status] += 1
    pillar_groups, pillar_rows = [], []
    for pillar in bar.pillar_objects:
        if pillar.pk not in by_pillar:
            continue
        c = by_pillar[pillar.pk]
        name = f"{pillar.number} {pillar.tr('title')}".strip()
        objective = getattr(pillar, "objective", None)
        pillar_groups.append((name, c))
        pillar_rows.append(
            (
                name,
                objective.code if objective is not None else "",
                *(_status_cell(to, c[s], s, **drill, pillar=pillar.pk) for s in columns),
                sum(c.values()),
            )
        )
    if filters.pillar is not None:
        drill["pillar"] = filters.pillar.pk
    area_groups, area_rows = [], []
    for area in areas:
        if area.pk not in by_area:
            continue
        c = by_area[area.pk]
        name = f"{area.code} {Truncator(area.tr('title')).chars(80)}".strip()
        area_groups.append((area.code or name, c))
        area_rows.append(
            (name, *(_status_cell(to, c[s], s, **drill, area=area.pk) for s in columns), sum(c.values()))
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
    agency_groups, agency_rows = [], []
    for agency_id in sorted(by_agency, key=lambda pk: names[pk].casefold()):
        c = by_agency[agency_id]
        agency_drill = {**drill, "agency": agency_id}
        agency_groups.append((names[agency_id], c))
        agency_rows.append(
            (
                linked(names[agency_id], to.reports(**agency_drill)),
                *(_status_cell(to, c[s], s, **agency_drill) for s in agency_columns),
                sum(c.values()),
            )
        )
    by_pillar_title = _("Implementation status by pillar")
    by_area_title = _("Implementation status by priority area")
    by_agency_title = _("Implementation status by agency")
    return (
        _bars(
            "status-pillar",
            by_pillar_title,
            _status_summary(counted, len(kept), filters.period is not None),
            pillar_groups,
            columns,
            _("Pillar"),
            Table(
                caption=_("Activities by pillar (and its objective) and status"),
                columns=(_("Pillar"), _("Objective"), *headers, total),
                rows=tuple(pillar_rows),
            ),
        ),
        _bars(
            "status-area",
            by_area_title,
            _area_summary(by_area),
            area_groups,
            columns,
            _("Priority area"),
            Table(
                caption=_("Activities by priority area and status"),
                columns=(_("Priority area"), *headers, total),
                rows=tuple(area_rows),
            ),
        ),
        _bars(
            "status-agency",
            by_agency_title,
            _agency_summary(by_agency),
            agency_groups,
            agency_columns,
            _("Agency"),
            Table(
                caption=_("Each agency's part of the activities it reports on, by status"),
                columns=(_("Agency"), *(status_label(s) for s in agency_columns), total),
                rows=tuple(agency_rows),
            ),
        ),
    )


def _area_summary(by_area: dict[int, Counter[str]]) -> str:
    if not by_area:
        return _("No activity is expected in what is chosen.")
    delayed = sum(1 for c in by_area.values() if c[ActivityStatus.DELAYED])
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
    ) % {"delayed": delayed, "n": len(by_area)}


def _agency_summary(by_agency: dict[int, Counter[str]]) -> str:
    if not by_agency:
        return _("No agency is expected to report in what is chosen.")
    parts = sum(sum(c.values()) for c in by_agency.values())
    reported = parts - sum(c[ActivityStatus.NOT_REPORTED] for c in by_agency.values())
    return ngettext(
        "%(agencies)d agency owes reports on %(parts)d activities; %(reported)d are reported and approved.",
        "%(agencies)d agencies owe reports on %(parts)d activities; %(reported)d are reported and approved.",
        len(by_agency),
    ) % {"agencies": len(by_agency), "parts": parts, "reported": reported}


# Compliance's parts of what is owed, in the stack's order: (code, its colour's status, label).
def _compliance_parts() -> list[tuple[str, str]]:
    return [
        ("completed", _("Approved")),
        ("in_progress", _("Submitted, in review")),
        ("overdue", _("Overdue")),
        ("upcoming", _("Not due yet")),
    ]


def compliance_charts(
    viewer: Any, bar: FilterBar, lines: tuple[Compliance, ...]
) -> tuple[tuple[Chart, ...], tuple[ChaseLine, ...] | None, list[Compliance]]:
    """Reporting compliance per agency (summed over the periods chosen) and per agency and period, and,
    for coordinators, who to chase."""
    filters = bar.filters
    labels = {int(c.value): c.label for c in bar.agencies}
    to = bar.drill
    kept = [c for c in lines if filters.agency is None or c.agency_id == filters.agency.pk]
    period = filters.period.pk if filters.period is not None else None
    pillar = filters.pillar.pk if filters.pillar is not None else None
    by_agency: dict[int, Counter[str]] = defaultdict(Counter)
    detail = []
    for line in kept:
        for name in ("expected", "submitted", "approved", "overdue", "missing"):
            by_agency[line.agency_id][name] += getattr(line, name)
        detail.append(
            (
                linked(
                    labels.get(line.agency_id, line.agency),
                    to.reports(period=line.period_id, pillar=pillar, agency=line.agency_id),
                ),
                line.period,
                line.due_on.isoformat(),
                line.expected,
                line.submitted,
                line.approved,
                line.overdue,
                line.missing,
            )
        )
    order = sorted(by_agency, key=lambda pk: labels.get(pk, "").casefold())
    bars: list[tuple[str, str, int]] = []
    rows = []
    for pk in order:
        counts = by_agency[pk]
        name = labels.get(pk, str(pk))
        parts = {
            "completed": counts["approved"],
            "in_progress": counts["submitted"] - counts["approved"],
            "overdue": counts["overdue"],
            "upcoming": counts["expected"] - counts["submitted"] - counts["overdue"],
        }
        bars.extend((name, code, n) for code, n in parts.items())
        rows.append(
            (
                linked(name, to.reports(period=period, pillar=pillar, agency=pk)),
                counts["expected"],
                counts["submitted"],
                counts["approved"],
                counts["overdue"],
                counts["missing"],
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
    columns = (
        _("Owed"),
        _("Submitted"),
        _("Approved"),
        _("Late (overdue)"),
        _("Missing (not started)"),
    )
    title = _("Reporting compliance by agency")
    chart = charts.status_bars(
        key="compliance",
        title=title,
        summary=summary,
        rows=bars,
        statuses=_compliance_parts(),
        group_label=_("Agency"),
        count_label=_("Reports owed"),
    )
    chart = replace(
        chart,
        table=Table(
            caption=_("Reports owed and received, per agency"),
            columns=(_("Agency"), *columns),
            rows=tuple(rows),
        ),
    )
    per_period = Chart(
        key="compliance-periods",
        title=_("Reporting compliance by agency and period"),
        summary=ngettext(
            "%(n)d agency and period is listed.", "%(n)d agencies and periods are listed.", len(detail)
        )
        % {"n": len(detail)},
        table=Table(
            caption=_("Reports owed and received, per agency and period"),
            columns=(_("Agency"), _("Period"), _("Due"), *columns),
            rows=tuple(detail),
        ),
    )
    chase = _chase(kept, labels, to) if can(viewer, "user.list") else None
    return (chart, per_period), chase, kept


def _chase(lines: list[Compliance], labels: dict[int, str], to: Drill) -> tuple[ChaseLine, ...]:
    """The agencies with overdue reports and their active focal points: one query."""
    overdue: Counter[int] = Counter()
    for c in lines:
        overdue[c.agency_id] += c.overdue
    late = sorted((pk for pk, n in overdue.items() if n), key=lambda pk: labels.get(pk, "").casefold())
    if not late:
        return ()
    people: dict[int | None, list[tuple[str, str]]] = defaultdict(list)
    for user in User.objects.filter(organisation_id__in=late, role=Role.FOCAL_POINT, is_active=True).order_by(
        "last_name", "first_name", "username"
    ):
        people[user.organisation_id].append((user.get_full_name() or user.username, user.email))
    return tuple(
        ChaseLine(
            agency=labels.get(pk, str(pk)),
            overdue=overdue[pk],
            reports=to.reports(agency=pk),
            people=tuple(people[pk]),
        )
        for pk in late
    )


def timeline_chart(bar: FilterBar, lines: list[Compliance], today: date) -> Chart:
    """The periods on a time axis, with what is owed, submitted and overdue in each: compliance's figures
    summed per period, over the agencies (and pillar) chosen. The period's stage is the timeline's rule
    (``analytics.timeline.stage``)."""
    from wpsnap.analytics.timeline import STAGE_LABELS, stage

    sums: dict[int, Counter[str]] = defaultdict(Counter)
    for c in lines:
        for name in ("expected", "submitted", "approved", "overdue", "missing"):
            sums[c.period_id][name] += getattr(c, name)
    agency = bar.filters.agency.pk if bar.filters.agency is not None else None
    pillar = bar.filters.pillar.pk if bar.filters.pillar is not None else None
    drawn, rows = [], []
    for period in bar.period_objects:
        s = sums[period.pk]
        href = bar.drill.reports(period=period.pk, agency=agency, pillar=pillar)
        drawn.append((linked(period.label, href), period.start, period.end, period.due_on, s["overdue"]))
        rows.append(
            (
                linked(period.label, href),
                str(STAGE_LABELS[stage(period, today)]),
                period.due_on.isoformat(),
                s["expected"],
                s["submitted"],
                s["approved"],
                s["overdue"],
            )
        )
    late = [p for p in bar.period_objects if sums[p.pk]["overdue"]]
    if late:
        summary = ngettext(
            "%(n)d period has overdue reports: %(periods)s.",
            "%(n)d periods have overdue reports: %(periods)s.",
            len(late),
        ) % {
            "n": len(late),
            "periods": ", ".join(
                _("%(period)s (%(overdue)d)") % {"period": p.label, "overdue": sums[p.pk]["overdue"]}
                for p in late
            ),
        }
    else:
        summary = _("No period has an overdue report.")
    chart = charts.timeline(
        key="timeline",
        title=_("Implementation periods"),
        summary=summary,
        rows=drawn,
        period_label=_("Period"),
        start_label=_("From"),
        end_label=_("To"),
        due_label=_("Reports due"),
        overdue_label=_("Overdue"),
        today=today,
    )
    return replace(
        chart,
        table=Table(
            caption=_("Each period's reports"),
            columns=(
                _("Period"),
                _("Stage"),
                _("Reports due"),
                _("Owed"),
                _("Submitted"),
                _("Approved"),
                _("Overdue"),
            ),
            rows=tuple(rows),
        ),
    )


def alerts(
    viewer: Any, plan: Plan, bar: FilterBar, *, shown: int | None = ALERTS_SHOWN
) -> tuple[AlertRow, ...]:
    """Approved or published reports whose figures differ from their agency's events (an event added or
    changed after approval), cell by cell with the difference (derived minus reported). Every one is
    listed; the report behind each is looked up for the first ``shown`` only (None: all), the ones a page
    lists (at national scale 20 of 246)."""
    filters = bar.filters
    # Only the figures that differ come back, compared by the database (``analytics.figures.differing``).
    found, _missing = narrowed_call(
        differing_figures,
        viewer,
        plan,
        replace(filters, district=None),
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
    # Asked even when nothing differs ([0] matches no indicator), so the page's queries stay the same.
    indicator_ids = sorted({f.indicator_id for f, _c in differing}) or [0]
    pillar_of = dict(
        Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "priority_area__pillar_id")
    )
    kept = [
        (f, cells)
        for f, cells in differing
        if filters.pillar is None or pillar_of[f.indicator_id] == filters.pillar.pk
    ]
    listed = kept if shown is None else kept[:shown]
    # The counted report behind each (indicator, agency, period) listed: one query, over the listed
    # indicators, agencies and periods only (a few reports' figures, not every counted report's).
    reports = {
        (indicator_id, agency_id, period_id): report_id
        for indicator_id, agency_id, period_id, report_id in IndicatorValue.objects.filter(
            indicator_id__in=sorted({f.indicator_id for f, _c in listed}) or [0],
            report__agency_id__in=sorted({f.agency_id for f, _c in listed}) or [0],
            report__period_id__in=sorted({f.period_id for f, _c in listed}) or [0],
            report__plan=plan,
            report__status__in=sorted(str(s) for s in COUNTED),
            report__in=visible_reports(viewer),
        )
        .values_list("indicator_id", "report__agency_id", "report__period_id", "report_id")
        .distinct()
        .order_by()
    }
    periods = {p.pk: p.label for p in bar.period_objects}
    labels = {int(c.value): c.label for c in bar.agencies}
    return tuple(
        AlertRow(
            indicator=f.indicator,
            agency=labels.get(f.agency_id, str(f.agency_id)),
            period=periods.get(f.period_id, ""),
            cells=cells,
            report_id=reports.get((f.indicator_id, f.agency_id, f.period_id)),
            agency_id=f.agency_id,
            period_id=f.period_id,
            drill=bar.drill,
        )
        for f, cells in kept
    )


def overview(viewer: Any, plan: Plan, bar: FilterBar, *, today: date, all_alerts: bool = False) -> Overview:
    """The overview page: status, compliance (and who to chase), the periods' timeline and the alert
    (listing every report that differs when ``all_alerts``, else the first ``ALERTS_SHOWN``)."""
    filters = bar.filters
    with grids_shared():  # status and compliance read the plan's grid of reports owed once
        rows = activity_status(viewer, plan=plan, period=filters.period)
        lines, missing = narrowed_call(
            reporting_compliance, viewer, plan, replace(filters, period=None, district=None), today=today
        )
    every = [c for c in lines if filters.agency is None or c.agency_id == filters.agency.pk]
    chosen = tuple(c for c in every if filters.period is None or c.period_id == filters.period.pk)
    compliance, chase, _kept = compliance_charts(viewer, bar, chosen)
    notes = []
    if "pillar" in missing:
        notes.append(_("Reporting compliance and the periods count every pillar: they are per agency."))
    return Overview(
        whose=whose(viewer, bar),
        status=status_charts(plan, bar, rows),
        compliance=compliance,
        chase=chase,
        timeline=timeline_chart(bar, every, today),
        alerts=alerts(viewer, plan, bar, shown=None if all_alerts else ALERTS_SHOWN),
        notes=tuple(notes),
        all_alerts=all_alerts,
    )


# --- people reached ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleBlock:
    """One pillar and year: its pyramid, and where its figures come from."""

    chart: Chart
    reports: str | None  # the reports browser: the pillar's reports of the year
    events: str | None  # the events list: the pillar's events of the year


@dataclass(frozen=True)
class PeoplePage:
    whose: str
    summary: str
    blocks: tuple[PeopleBlock, ...]
    notes: tuple[str, ...]


def _options(plan: Plan) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The plan's sexes and age bands, (code, name) in their order: one query."""
    sexes: list[tuple[str, str]] = []
    ages: list[tuple[str, str]] = []
    for option in (
        DimensionOption.objects.filter(dimension__plan=plan, dimension__code__in=["sex", "age"])
        .select_related("dimension")
        .order_by("position", "pk")
    ):
        (sexes if option.dimension.code == "sex" else ages).append((option.code, str(option.tr("name"))))
    return sexes, ages


def _with_unknown(options: list[tuple[str, str]], codes: Iterable[str]) -> list[tuple[str, str]]:
    """``options``, then any code the figures give that the plan does not list (shown as written;
    "unknown" where none is given)."""
    known = {code for code, _label in options}
    extra = sorted({c for c in codes if c not in known})
    return options + [(c, c or _("not given")) for c in extra]


def _year_periods(bar: FilterBar) -> dict[int, int]:
    """{year: the id of the one period starting in it}, for the years that have exactly one."""
    starts = Counter(p.start.year for p in bar.period_objects)
    return {p.start.year: p.pk for p in bar.period_objects if starts[p.start.year] == 1}


def people_page(viewer: Any, plan: Plan, bar: FilterBar) -> PeoplePage:
    """People reached by sex and age band, per pillar and year: the reported figures beside the events'
    participants, as a population pyramid each."""
    filters = bar.filters
    found, missing = narrowed_call(people_reached, viewer, plan, filters)
    year = filters.period.start.year if filters.period is not None else None
    rows = [
        r
        for r in found
        if (filters.pillar is None or r.pillar_id == filters.pillar.pk) and (year is None or r.year == year)
    ]
    sexes, ages = _options(plan)
    sexes = _with_unknown(sexes, (r.sex for r in rows))
    ages = _with_unknown(ages, (r.age for r in rows))
    reported_label, events_label = _("Reported"), _("From events")
    by_block: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for r in rows:
        by_block[(r.pillar_id, r.year)].append(r)
    pillars = {p.pk: p for p in bar.pillar_objects}
    periods = _year_periods(bar)
    agency = filters.agency.pk if filters.agency is not None else None
    blocks = []
    for (pillar_id, block_year), block in sorted(
        by_block.items(), key=lambda item: (pillars[item[0][0]].position, item[0][1])
    ):
        pillar = pillars[pillar_id]
        reported = sum((r.reported for r in block), Decimal(0))
        came = sum(r.participants for r in block)
        women_code = sexes[0][0] if sexes else ""
        women = sum(r.participants for r in block if r.sex == women_code)
        name = f"{pillar.number} {pillar.tr('title')}".strip()
        summary = _(
            "In %(year)d, agencies reported %(reported)s people reached for %(pillar)s; their events "
            "recorded %(came)s participants, %(women)s of them %(sex)s."
        ) % {
            "year": block_year,
            "reported": amount(reported),
            "pillar": name,
            "came": amount(came),
            "women": amount(women),
            "sex": sexes[0][1].lower() if sexes else "",
        }
        chart = charts.pyramid(
            key=f"people-{pillar_id}-{block_year}",
            title=_("%(pillar)s, %(year)d") % {"pillar": name, "year": block_year},
            summary=summary,
            rows=[
                *((r.age, r.sex, reported_label, r.reported) for r in block if r.reported),
                *((r.age, r.sex, events_label, r.participants) for r in block if r.participants),
            ],
            sexes=sexes,
            ages=ages,
            series=[reported_label, events_label],
            age_label=_("Age band"),
            value_label=_("People"),
        )
        period = periods.get(block_year)
        blocks.append(
            PeopleBlock(
                chart=chart,
                reports=bar.drill.reports(pillar=pillar_id, period=period, agency=agency),
                events=bar.drill.events(
                    pillar=pillar_id, period=period, agency=agency, district=filters.district
                ),
            )
        )
    total_reported = sum((r.reported for r in rows), Decimal(0))
    total_came = sum(r.participants for r in rows)
    if rows:
        summary = _(
            "Approved reports count %(reported)s people reached; events recorded %(came)s participants. A "
            "person counted by two indicators or at two events is counted twice."
        ) % {"reported": amount(total_reported), "came": amount(total_came)}
    else:
        summary = _("No approved report or event gives people by sex and age for what is chosen.")
    notes = []
    if "agency" in missing:
        notes.append(_("This page does not narrow by agency yet: it shows every agency you may see."))
    if "district" in missing:
        notes.append(_("This page does not narrow by district yet: it shows every district."))
    return PeoplePage(whose=whose(viewer, bar), summary=summary, blocks=tuple(blocks), notes=tuple(notes))


# --- financing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinancingPage:
    whose: str
    charts: tuple[Chart, ...]
    notes: tuple[str, ...]


def _source_label(code: str) -> str:
    try:
        return str(FundingSource(code).label)
    except ValueError:
        return code


def financing_page(viewer: Any, plan: Plan, bar: FilterBar) -> FinancingPage:
    """Money planned and spent by source: over everything chosen, then per pillar and year."""
    filters = bar.filters
    found, missing = narrowed_call(financing, viewer, plan, replace(filters, district=None), by="pillar")
    year = filters.period.start.year if filters.period is not None else None
    rows = [
        f
        for f in found
        if (filters.pillar is None or f.pillar_id == filters.pillar.pk)
        and (year is None or "period" not in missing or f.year == year)
    ]
    planned_label, spent_label = _("Planned"), _("Spent")
    by_source: dict[str, list[Decimal | None]] = {}
    for f in rows:
        sums = by_source.setdefault(f.source, [None, None])
        if f.planned is not None:
            sums[0] = (sums[0] or Decimal(0)) + f.planned
        if f.spent is not None:
            sums[1] = (sums[1] or Decimal(0)) + f.spent
    planned = sum((v[0] or Decimal(0) for v in by_source.values()), Decimal(0))
    spent = sum((v[1] or Decimal(0) for v in by_source.values()), Decimal(0))
    if rows:
        summary = _(
            "Approved reports plan %(planned)s and have spent %(spent)s, in the plan's currency, from "
            "%(sources)d sources."
        ) % {"planned": amount(planned), "spent": amount(spent), "sources": len(by_source)}
    else:
        summary = _("No approved report gives financing for what is chosen.")
    order = {code: i for i, code in enumerate(FundingSource.values)}
    sources = sorted(by_source, key=lambda code: order.get(code, len(order)))
    overall = charts.grouped_bars(
        key="financing-sources",
        title=_("Planned and spent, by source"),
        summary=summary,
        rows=[
            (_source_label(code), label, by_source[code][i])
            for code in sources
            for i, label in enumerate((planned_label, spent_label))
        ],
        series=[planned_label, spent_label],
        group_label=_("Source"),
        value_label=_("Amount"),
    )
    pillars = {p.pk: p for p in bar.pillar_objects}
    periods = _year_periods(bar)
    agency = filters.agency.pk if filters.agency is not None else None
    by_pillar: dict[int, list[Any]] = defaultdict(list)
    for f in rows:
        by_pillar[f.pillar_id].append(f)
    per_pillar = []
    for pillar_id in sorted(by_pillar, key=lambda pk: pillars[pk].position):
        pillar = pillars[pillar_id]
        name = f"{pillar.number} {pillar.tr('title')}".strip()
        lines = by_pillar[pillar_id]
        p_planned = sum((f.planned or Decimal(0) for f in lines), Decimal(0))
        p_spent = sum((f.spent or Decimal(0) for f in lines), Decimal(0))
        chart = charts.grouped_bars(
            key=f"financing-{pillar_id}",
            title=name,
            summary=_("%(pillar)s: %(planned)s planned and %(spent)s spent, from %(reports)d report lines.")
            % {
                "pillar": name,
                "planned": amount(p_planned),
                "spent": amount(p_spent),
                "reports": sum(f.lines for f in lines),
            },
            rows=[
                (
                    linked(
                        f"{f.year} · {_source_label(f.source)}",
                        bar.drill.reports(pillar=pillar_id, period=periods.get(f.year), agency=agency),
                    ),
                    label,
                    value,
                )
                for f in lines
                for label, value in ((planned_label, f.planned), (spent_label, f.spent))
            ],
            series=[planned_label, spent_label],
            group_label=_("Year and source"),
            value_label=_("Amount"),
        )
        per_pillar.append(chart)
    notes = []
    if "period" in missing and year is not None:
        notes.append(_("Financing is summed by year: the period chosen is shown as its year."))
    if "agency" in missing:
        notes.append(_("This page does not narrow by agency yet: it shows every agency you may see."))
    return FinancingPage(whose=whose(viewer, bar), charts=(overall, *per_pillar), notes=tuple(notes))


# --- indicators -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorsPage:
    whose: str
    chart: Chart
    left_out: Chart
    notes: tuple[str, ...]


def indicators_page(viewer: Any, plan: Plan, bar: FilterBar) -> IndicatorsPage:
    """Each indicator with a numeric baseline or target: what the approved reports achieved, cumulated up
    to the period chosen, against them; and the indicators left out, with the reason."""
    from wpsnap.analytics.progress import LEFT_OUT_LABELS, indicator_progress

    filters = bar.filters
    progress, _missing = narrowed_call(indicator_progress, viewer, plan, replace(filters, district=None))
    period = filters.period.pk if filters.period is not None else None
    agency = filters.agency.pk if filters.agency is not None else None
    rows = []
    for i in progress.indicators:
        label = f"{i.indicator} {i.text}"
        label = label if len(label) <= 80 else label[:79] + "…"
        href = bar.drill.reports(activity=i.activity, period=period, agency=agency) if i.activity else None
        rows.append((linked(label, href), i.achieved, i.baseline, i.target))
    with_target = [i for i in progress.indicators if i.target is not None and i.target > 0]
    reached = sum(1 for i in with_target if i.achieved is not None and i.achieved >= i.target)
    unreported = sum(1 for i in progress.indicators if i.achieved is None)
    if progress.indicators:
        summary = ngettext(
            "%(reached)d of %(n)d indicator with a numeric target has reached it; %(none)d indicators have "
            "no approved figure yet.",
            "%(reached)d of %(n)d indicators with a numeric target have reached it; %(none)d indicators "
            "have no approved figure yet.",
            len(with_target),
        ) % {"reached": reached, "n": len(with_target), "none": unreported}
    else:
        summary = _("No indicator in what is chosen has a numeric baseline or target.")
    chart = charts.bullet(
        key="indicators",
        title=_("Indicators against their baseline and target"),
        summary=summary,
        rows=rows,
        label=_("Indicator"),
        value_label=_("Achieved"),
        baseline_label=_("Baseline"),
        target_label=_("Target"),
        progress_label=_("Progress from baseline to target (%)"),
    )
    left_out = Chart(
        key="indicators-left-out",
        title=_("Indicators not measured against a target"),
        summary=ngettext(
            "%(n)d indicator has no numeric baseline or target, or no figure to add up.",
            "%(n)d indicators have no numeric baseline or target, or no figure to add up.",
            len(progress.left_out),
        )
        % {"n": len(progress.left_out)},
        table=Table(
            caption=_("Indicators left out, and why"),
            columns=(_("Indicator"), _("Baseline"), _("Target"), _("Why")),
            rows=tuple(
                (o.indicator, o.baseline_text or None, o.target_text or None, str(LEFT_OUT_LABELS[o.reason]))
                for o in progress.left_out
            ),
        ),
    )
    notes = (_("What is achieved is cumulated from the plan's first period up to the one chosen."),)
    return IndicatorsPage(whose=whose(viewer, bar), chart=chart, left_out=left_out, notes=notes)
