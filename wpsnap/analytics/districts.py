"""Figures by district, for the maps: per district code, the events held there, the people they reached
by sex, and what counted reports give in district cells.

- **Events**: the events of the viewer's scope whose ``district`` is the code (an event without one,
  national or online, is under ``""``);
- **Participants**: those events' participants by sex, listed (one row per person) and counted (by cell),
  as analytics counts them elsewhere: summed from the events' people by sex and age band (``EventPeople``,
  kept current with every participant written), by the event's district, not the district a participant comes from;
- **Reported**: the figures of count indicators in cells that have a ``district`` option
  (``district:<code>``), summed over the counted reports (approved and published) of the viewer's scope;
  a cell's other options (sex, age) are summed over. Two indicators may count the same person: a sum of
  figures, not of people.

Filters: ``period`` (events whose first day falls in it; reports for it), ``pillar`` (events implementing
an activity of the pillar; indicators of the pillar), ``agency`` (events it organised; its reports),
each an id, None meaning all. Three ``GROUP BY`` queries whatever the number of events, participants or
reports, plus one for the period's dates when a period is given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum

from wpsnap.plan.models import IndicatorKind, Plan
from wpsnap.registries.models import Event
from wpsnap.reporting.disaggregation import parse_cell_key
from wpsnap.reporting.models import IndicatorValue
from wpsnap.reporting.workflow import COUNTED

from . import scope
from .filters import narrowed, periods_of
from .models import ReportFigureRollup
from .results import rolled_up
from .scope import Viewer

EventActivity = Event.activities.through

DISTRICT = "district"


@dataclass(frozen=True)
class DistrictFigures:
    district: str  # an option code of the plan's "district" dimension; "" for events without one
    # The events held in the district.
    events: int
    # Their participants by sex (the sex's option code, "" where not recorded), listed and counted:
    # ((sex, people), ...) in the order of the codes.
    participants_by_sex: tuple[tuple[str, int], ...]
    # The sum of the counted reports' figures in the district's cells; None when no report gives one.
    reported: Decimal | None
    # How many reported figures make that sum (cells x reports).
    figures: int

    @property
    def participants(self) -> int:
        return sum(n for _sex, n in self.participants_by_sex)


def by_district(
    viewer: Viewer,
    *,
    plan: Plan,
    period: int | None = None,
    pillar: int | None = None,
    agency: int | None = None,
) -> tuple[DistrictFigures, ...]:
    """Every district of ``plan`` that events or counted reports of ``viewer``'s scope give a figure for,
    by code ("" first: events without a district), narrowed by ``period``, ``pillar`` and ``agency`` (ids,
    None for all; an agency the viewer does not see gives nothing)."""
    events = scope.events(viewer).filter(plan=plan)
    if agency is not None:
        events = events.filter(organiser_id=agency)
    if period is not None:
        found = periods_of(plan, period)
        if not found:
            return ()
        events = events.filter(starts_on__gte=found[0].start, starts_on__lte=found[0].end)
    if pillar is not None:
        events = events.filter(
            Exists(
                EventActivity.objects.filter(
                    event_id=OuterRef("pk"), activity__priority_area__pillar_id=pillar
                )
            )
        )
    held = dict(events.values_list("district").annotate(n=Count("id")).order_by())
    people: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # From the events to their people: one join (a filter on the events' ids would join them twice).
    tallies = (
        events.values_list("district", "analytics_people__sex")
        .annotate(n=Sum("analytics_people__value"))
        .order_by()
    )
    for district, sex, n in tallies:
        if n:
            people[district][sex] += n
    reported: dict[str, Decimal] = defaultdict(Decimal)
    figures: dict[str, int] = defaultdict(int)
    for cell, value, n in _district_cells(viewer, plan, period=period, pillar=pillar, agency=agency):
        code = dict(parse_cell_key(cell)).get(DISTRICT)
        if code is not None:
            reported[code] += value
            figures[code] += n
    codes = sorted(held.keys() | people.keys() | reported.keys())
    return tuple(
        DistrictFigures(
            district=code,
            events=held.get(code, 0),
            participants_by_sex=tuple(sorted(people[code].items())) if code in people else (),
            reported=reported.get(code),
            figures=figures.get(code, 0),
        )
        for code in codes
    )


def _district_cells(
    viewer: Viewer, plan: Plan, *, period: int | None, pillar: int | None, agency: int | None
) -> list[tuple[str, Decimal, int]]:
    """(cell, sum, figures) of the count indicators' cells with a district option in the counted reports
    ``viewer`` sees: from the figure rollups when the viewer sees the whole plan and no agency narrows
    it, else from the reports' figures. One query."""
    rolled = rolled_up(viewer, COUNTED, agency)
    if rolled is not None:
        sums = ReportFigureRollup.objects.filter(
            plan=plan, status__in=rolled, indicator__kind=IndicatorKind.COUNT, cell__contains=f"{DISTRICT}:"
        )
        if period is not None:
            sums = sums.filter(period_id=period)
        if pillar is not None:
            sums = sums.filter(indicator__priority_area__pillar_id=pillar)
        return list(sums.values_list("cell").annotate(value=Sum("value"), n=Sum("reports")).order_by())
    agencies = narrowed(scope.agencies(viewer), agency)
    reports = scope.reports(viewer).filter(plan=plan, status__in=sorted(COUNTED))
    if agencies is not None:
        reports = reports.filter(agency_id__in=sorted(agencies))
    if period is not None:
        reports = reports.filter(period_id=period)
    values = IndicatorValue.objects.filter(
        report__in=reports, indicator__kind=IndicatorKind.COUNT, cell__contains=f"{DISTRICT}:"
    )
    if pillar is not None:
        values = values.filter(indicator__priority_area__pillar_id=pillar)
    return list(values.values_list("cell").annotate(value=Sum("value"), n=Count("id")).order_by())
