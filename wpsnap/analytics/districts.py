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
from typing import Any

from django.db.models import CharField, Count, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value

from wpsnap.plan.models import IndicatorKind, Plan
from wpsnap.registries.models import Event
from wpsnap.reporting.disaggregation import parse_cell_key
from wpsnap.reporting.models import IndicatorValue, ReportingPeriod
from wpsnap.reporting.workflow import COUNTED

from . import scope
from .filters import narrowed, periods_of
from .models import DistrictRollup, EventPeople, ReportFigureRollup
from .people import rollup_current
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
    held: dict[str, int] = {}
    people: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    whole = not scope.events(viewer).query.has_filters()  # every event: a coordinator's or evaluator's
    if whole and pillar is None and rollup_current(plan):
        # From the district rollup (organiser x period x district x sex, kept by ``rollups.events_changed``
        # with the people rollup, under the same state): hundreds of rows at national scale instead of
        # the events joined to their people.
        stored = DistrictRollup.objects.filter(plan=plan)
        if agency is not None:
            stored = stored.filter(organiser_id=agency)
        if period is not None:
            stored = stored.filter(period_id=period)
        for district, sex, n in stored.values_list("district", "sex").annotate(n=Sum("value")).order_by():
            if sex is None:
                held[district] = n
            elif n:
                people[district][sex] += n
    else:
        held = dict(events.values_list("district").annotate(n=Count("id")).order_by())
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


# --- the district rollup (``models.DistrictRollup``, kept by ``rollups.py``) -----------------------------

# The rollup's columns, in the order ``district_sums`` selects them.
DISTRICT_COLUMNS = ("plan", "organiser", "district", "period", "sex", "value")


def _period_of(event: str) -> Subquery:
    """The period of the event's plan holding its first day (``event``: the path to the event)."""
    return Subquery(
        ReportingPeriod.objects.filter(
            plan_id=OuterRef(f"{event}plan_id"),
            start__lte=OuterRef(f"{event}starts_on"),
            end__gte=OuterRef(f"{event}starts_on"),
        )
        .order_by("start")
        .values("pk")[:1]
    )


def district_sums(events: QuerySet[Event]) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """``events`` counted, and their people summed by sex, by ``DistrictRollup``'s key, in
    ``DISTRICT_COLUMNS``' order: the events' rows (sex None) and the people's. Not run: two querysets
    (for ``INSERT ... SELECT``)."""
    held = (
        events.values("plan_id", "organiser_id", "district", period=_period_of(""))
        .annotate(sex=Value(None, output_field=CharField()), value=Count("id"))
        .order_by()
    )
    people = (
        EventPeople.objects.filter(event__in=events, value__gt=0)
        .values(
            "event__plan_id",
            "event__organiser_id",
            "event__district",
            period=_period_of("event__"),
            who=F("sex"),
        )
        .annotate(value=Sum("value"))
        .order_by()
    )
    return held, people
