"""Reported figures beside event-derived figures: for every indicator bound to event data (a
``DerivationRule``), per agency, period and cell, what the agency's events say and what its reports say.

Derived figures come from the events the viewer's scope holds (``analytics.derived``), reported ones from
the reports it holds, both summed by the database; a fixed number of queries whatever the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum

from wpsnap.accounts.models import Organisation
from wpsnap.plan.models import Indicator, Plan
from wpsnap.registries.models import DerivationRule, Event, Measure
from wpsnap.registries.selectors import rules_for
from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec
from wpsnap.reporting.models import IndicatorValue, ProgressReport, ReportingPeriod
from wpsnap.reporting.selectors import indicator_specs
from wpsnap.reporting.workflow import COUNTED

from . import scope
from .derived import Derived, Key, derived_figures, stored_current, stored_figures, stored_sums
from .models import EventFigureSum, FigureMismatch
from .scope import Viewer


@dataclass(frozen=True)
class CellFigures:
    cell: str  # "" is the total
    # What the agency's events say (0 where they say nothing).
    derived: int
    # What the agency's reports say; None where they say nothing.
    reported: Decimal | None


@dataclass(frozen=True)
class IndicatorFigures:
    indicator_id: int
    indicator: str  # the indicator's key
    agency_id: int
    period_id: int
    # What the rule counts: "participants" or "events".
    measure: str
    # The events that count for the indicator.
    events: int
    # Participants counted in the total only: their breakdown is not the indicator's.
    total_only: int
    # The total first, then every cell either side gives, in the order of their keys.
    cells: tuple[CellFigures, ...]


def reported_and_derived(
    viewer: Viewer,
    *,
    plan: Plan,
    period: ReportingPeriod | int | None = None,
    agency: Organisation | int | None = None,
    statuses: Iterable[str] | None = None,
    pillar: int | None = None,
    district: str | None = None,
) -> tuple[IndicatorFigures, ...]:
    """Every indicator of ``plan`` bound to event data (of ``pillar``, its id, when given), for ``period``
    (a period or its id; else every period) and ``agency`` (an organisation or its id; else every agency
    with events or reports in ``viewer``'s scope), reported beside derived, cell by cell. ``district`` (a
    district code) narrows the events to those held there; reported figures have no district. Reported
    figures are summed over the reports whose status is in ``statuses`` (every status when None: an
    agency compares its events with the report it is writing). With both ``period`` and ``agency`` every
    bound indicator is listed, with zeros where nothing was recorded; otherwise only the (indicator,
    agency, period) that have figures. By period, agency id, then the plan's order."""
    setup = _setup(viewer, plan, period, agency, statuses, pillar, district)
    if setup is None:
        return ()
    indicators, every_period, periods, events, reports, specs, rules = setup
    agency_id = agency.pk if isinstance(agency, Organisation) else agency
    derived = stored_figures(
        plan=plan,
        periods=periods,
        every_period=every_period,
        indicators=indicators,
        specs=specs,
        rules=rules,
        events=events,
    )
    if derived is None:
        derived = derived_figures(
            events=events, plan=plan, periods=periods, indicators=indicators, specs=specs, rules=rules
        )
    reported: dict[tuple[int, int, int], dict[str, Decimal]] = defaultdict(dict)
    for indicator_id, agency_of, period_id, cell, value in _reported_sums(reports, indicators):
        reported[(indicator_id, agency_of, period_id)][cell] = value
    every = period is not None and agency_id is not None
    pairs = {(a, p) for _, a, p in derived.keys() | reported.keys()}
    if period is not None and agency_id is not None:
        pairs = {(agency_id, periods[0].pk)}
    starts = {p.pk: p.start for p in periods}
    listed = []
    for agency_id, period_id in sorted(pairs, key=lambda pair: (starts[pair[1]], pair[1], pair[0])):
        for indicator in indicators:
            key = (indicator.pk, agency_id, period_id)
            found, said = derived.get(key), reported.get(key)
            if every or found is not None or said is not None:
                listed.append(_figures(indicator, key, found, said or {}))
    return tuple(listed)


Setup = tuple[
    list[Indicator],
    list[ReportingPeriod],
    list[ReportingPeriod],
    QuerySet[Event],
    QuerySet[ProgressReport],
    dict[int, tuple[Any, BreakdownSpec]],
    dict[int, DerivationRule],
]


def _setup(
    viewer: Viewer,
    plan: Plan,
    period: ReportingPeriod | int | None,
    agency: Organisation | int | None,
    statuses: Iterable[str] | None,
    pillar: int | None,
    district: str | None,
) -> Setup | None:
    """What both readings need: the bound indicators, every period and those asked for, the events and
    reports in scope (narrowed), the indicators' breakdowns and rules; None when nothing can be listed."""
    bound = Indicator.objects.filter(plan=plan, derivation__isnull=False)
    if pillar is not None:
        bound = bound.filter(priority_area__pillar_id=pillar)
    indicators = list(bound.select_related("derivation").order_by("priority_area__position", "position"))
    if not indicators:
        return None
    # Every period of the plan (the stored figures' digest covers their dates), then those asked for.
    every_period = list(ReportingPeriod.objects.filter(plan=plan))
    period_id = period.pk if isinstance(period, ReportingPeriod) else period
    periods = every_period if period_id is None else [p for p in every_period if p.pk == period_id]
    if period is not None and not periods:
        return None
    agency_id = agency.pk if isinstance(agency, Organisation) else agency
    events = scope.events(viewer)
    reports = scope.reports(viewer).filter(plan=plan)
    if period is not None:
        reports = reports.filter(period=periods[0])
    if agency_id is not None:
        events = events.filter(organiser_id=agency_id)
        reports = reports.filter(agency_id=agency_id)
    if district is not None:
        events = events.filter(district=district)
    if statuses is not None:
        reports = reports.filter(status__in=sorted(statuses))
    # The stored figures of the events (``EventFigure``) are read while current; else from the events.
    return (
        indicators,
        every_period,
        periods,
        events,
        reports,
        indicator_specs(indicators),
        rules_for(indicators),
    )


def differing(
    viewer: Viewer,
    *,
    plan: Plan,
    period: ReportingPeriod | int | None = None,
    agency: Organisation | int | None = None,
    statuses: Iterable[str] | None = None,
    pillar: int | None = None,
    district: str | None = None,
) -> tuple[IndicatorFigures, ...]:
    """The figures of ``reported_and_derived`` (same arguments, same order, every cell of each) whose
    reports give a figure and differ from their events in at least one cell: what the dashboards' alert
    names. While the stored event figures are current the database sums both sides, compares them and
    returns the cells of the differing (indicator, agency, period) alone, so the cost follows the
    differences, not the plan's figures: five queries (indicators, periods, breakdowns, rules, the
    stored digests) and one for the comparison. Else the same as filtering ``reported_and_derived``."""
    found = _setup(viewer, plan, period, agency, statuses, pillar, district)
    if found is None:
        return ()
    indicators, every_period, periods, events, reports, specs, rules = found
    bound = [i for i in indicators if i.pk in rules]
    if not bound or not stored_current(
        plan=plan, every_period=every_period, bound=bound, rules=rules, specs=specs
    ):
        return tuple(
            f
            for f in reported_and_derived(
                viewer,
                plan=plan,
                period=period,
                agency=agency,
                statuses=statuses,
                pillar=pillar,
                district=district,
            )
            if any(c.reported is not None for c in f.cells)
            and any((c.reported or Decimal(0)) != c.derived for c in f.cells)
        )
    rows: list[tuple[Any, ...]]
    if (
        district is None
        and statuses is not None
        and {str(s) for s in statuses} == {str(s) for s in COUNTED}
        and _whole(viewer)
    ):
        # A whole plan's counted reports: the comparison stored (``FigureMismatch``), kept current with the
        # events' figures and the counted reports, narrowed as asked.
        stored = FigureMismatch.objects.filter(
            plan=plan, indicator_id__in=[i.pk for i in indicators], period_id__in=[p.pk for p in periods]
        )
        if agency is not None:
            stored = stored.filter(agency_id=agency.pk if isinstance(agency, Organisation) else agency)
        rows = list(
            stored.values_list(
                "indicator_id",
                "agency_id",
                "period_id",
                "cell",
                "derived",
                "total_only",
                "events",
                "reported",
            ).order_by()
        )
    else:
        sql, params = comparison(
            stored_sums(plan=plan, periods=periods, bound=bound, events=events),
            _reported_sums(reports, indicators),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    places = Decimal(1).scaleb(-IndicatorValue._meta.get_field("value").decimal_places)
    derived: dict[Key, Derived] = {}
    reported: dict[Key, dict[str, Decimal]] = defaultdict(dict)
    for indicator_id, agency_id, period_id, cell, value, total_only, given, said in rows:
        key = (indicator_id, agency_id, period_id)
        if said is not None:
            # PostgreSQL gives numeric as Decimal; SQLite a number, made the field's Decimal as the ORM does.
            reported[key][cell] = said if isinstance(said, Decimal) else Decimal(str(said)).quantize(places)
        if given is None:
            continue
        measure = rules[indicator_id].measure
        figures = derived.get(key) or Derived(*key, measure, 0, 0, {})
        if cell == TOTAL:
            figures = Derived(*key, measure, given, total_only, figures.cells)
        if value and (measure == Measure.PARTICIPANTS or cell == TOTAL):
            figures.cells[cell] = value
        derived[key] = figures
    starts = {p.pk: p.start for p in periods}
    position = {i.pk: n for n, i in enumerate(indicators)}
    by_id = {i.pk: i for i in indicators}
    keys = sorted(
        derived.keys() | reported.keys(),
        key=lambda k: (starts[k[2]], k[2], k[1], position[k[0]]),
    )
    return tuple(_figures(by_id[k[0]], k, derived.get(k), reported.get(k, {})) for k in keys)


def _whole(viewer: Viewer) -> bool:
    """Whether ``viewer`` sees every event and every report (coordinators, evaluators)."""
    return (
        not scope.is_public(viewer)
        and scope.agencies(viewer) is None
        and not scope.events(viewer).query.has_filters()
        and not scope.reports(viewer).query.has_filters()
    )


def comparison(derived: QuerySet[Any], reported: QuerySet[Any]) -> tuple[str, list[Any]]:
    """The SQL that joins the events' sums (``derived``: indicator, organiser, period, cell, value, total
    only, events) and the reports' (``reported``: indicator, agency, period, cell, value) cell by cell and
    keeps the (indicator, agency, period) with a reported figure and a cell where the two differ (an empty
    side counting 0): (indicator, agency, period, cell, derived, total only, events, reported) of every
    cell of those. With its parameters."""
    derived_sql, derived_params = derived.query.sql_with_params()
    reported_sql, reported_params = reported.query.sql_with_params()
    sql = f"""WITH d (i, a, p, cell, dv, t, n) AS ({derived_sql}),
r (i, a, p, cell, rv) AS ({reported_sql}),
j AS (SELECT COALESCE(d.i, r.i) AS i, COALESCE(d.a, r.a) AS a, COALESCE(d.p, r.p) AS p,
             COALESCE(d.cell, r.cell) AS cell, d.dv, d.t, d.n, r.rv
      FROM d FULL OUTER JOIN r ON d.i = r.i AND d.a = r.a AND d.p = r.p AND d.cell = r.cell),
k AS (SELECT i, a, p FROM j GROUP BY i, a, p
      HAVING MAX(CASE WHEN rv IS NOT NULL THEN 1 ELSE 0 END) = 1
         AND MAX(CASE WHEN COALESCE(rv, 0) <> COALESCE(dv, 0) THEN 1 ELSE 0 END) = 1)
SELECT j.i, j.a, j.p, j.cell, j.dv, j.t, j.n, j.rv FROM j JOIN k ON j.i = k.i AND j.a = k.a AND j.p = k.p"""  # noqa: S608 - the two queries compiled by Django, their values as parameters
    return sql, [*derived_params, *reported_params]


def mismatch_sql(
    *, plan: Plan, agencies: list[int] | None = None, periods: list[int] | None = None
) -> tuple[str, list[Any]]:
    """``comparison`` for ``FigureMismatch``: every event and counted report of ``plan`` (of ``agencies``
    and ``periods`` when given), every indicator bound to event data; (plan, then ``comparison``'s
    columns). Reads the events' figures summed by organiser (``EventFigureSum``), so the caller writes
    after them."""
    bound = Indicator.objects.filter(plan=plan, derivation__isnull=False).values("pk")
    derived = EventFigureSum.objects.filter(plan=plan, indicator__in=bound)
    reported = IndicatorValue.objects.filter(
        report__plan=plan, report__status__in=sorted(str(s) for s in COUNTED), indicator__in=bound
    )
    if agencies is not None:
        derived = derived.filter(organiser_id__in=agencies)
        reported = reported.filter(report__agency_id__in=agencies)
    if periods is not None:
        derived = derived.filter(period_id__in=periods)
        reported = reported.filter(report__period_id__in=periods)
    sql, params = comparison(
        derived.values_list(
            "indicator_id", "organiser_id", "period_id", "cell", "value", "total_only", "events"
        ).order_by(),
        reported.values_list("indicator_id", "report__agency_id", "report__period_id", "cell")
        .annotate(value=Sum("value"))
        .order_by(),
    )
    return f"SELECT {int(plan.pk)}, c.* FROM ({sql}) c", params  # noqa: S608 - an id, and SQL of our own


def _reported_sums(reports: QuerySet[ProgressReport], indicators: list[Indicator]) -> QuerySet[Any]:
    """The reports' figures for ``indicators`` summed by (indicator, agency, period, cell). Not run."""
    return (
        IndicatorValue.objects.filter(report__in=reports, indicator__in=[i.pk for i in indicators])
        .values_list("indicator_id", "report__agency_id", "report__period_id", "cell")
        .annotate(value=Sum("value"))
        .order_by()
    )


def _figures(
    indicator: Indicator, key: tuple[int, int, int], found: Derived | None, said: dict[str, Decimal]
) -> IndicatorFigures:
    derived_cells = found.cells if found is not None else {}
    cells = sorted({TOTAL} | set(derived_cells) | set(said))
    return IndicatorFigures(
        indicator_id=indicator.pk,
        indicator=indicator.key,
        agency_id=key[1],
        period_id=key[2],
        measure=found.measure if found is not None else str(indicator.derivation.measure),
        events=found.events if found is not None else 0,
        total_only=found.total_only if found is not None else 0,
        cells=tuple(CellFigures(cell, derived_cells.get(cell, 0), said.get(cell)) for cell in cells),
    )
