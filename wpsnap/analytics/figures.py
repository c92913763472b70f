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

from django.db.models import Sum

from wpsnap.accounts.models import Organisation
from wpsnap.plan.models import Indicator, Plan
from wpsnap.registries.selectors import rules_for
from wpsnap.reporting.disaggregation import TOTAL
from wpsnap.reporting.models import IndicatorValue, ReportingPeriod
from wpsnap.reporting.selectors import indicator_specs

from . import scope
from .derived import Derived, derived_figures, stored_figures
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
    bound = Indicator.objects.filter(plan=plan, derivation__isnull=False)
    if pillar is not None:
        bound = bound.filter(priority_area__pillar_id=pillar)
    indicators = list(bound.select_related("derivation").order_by("priority_area__position", "position"))
    if not indicators:
        return ()
    # Every period of the plan (the stored figures' digest covers their dates), then those asked for.
    every_period = list(ReportingPeriod.objects.filter(plan=plan))
    period_id = period.pk if isinstance(period, ReportingPeriod) else period
    periods = every_period if period_id is None else [p for p in every_period if p.pk == period_id]
    if period is not None and not periods:
        return ()
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
    specs = indicator_specs(indicators)
    # The stored figures of the events (``EventFigure``) while they are current; else from the events.
    rules = rules_for(indicators)
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
    sums = (
        IndicatorValue.objects.filter(report__in=reports, indicator__in=[i.pk for i in indicators])
        .values_list("indicator_id", "report__agency_id", "report__period_id", "cell")
        .annotate(value=Sum("value"))
        .order_by()
    )
    for indicator_id, agency_id, period_id, cell, value in sums:
        reported[(indicator_id, agency_id, period_id)][cell] = value
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
