"""People reached by sex x age band, per pillar and year: what agencies reported beside what their events
recorded.

- **Reported**: the cells of count indicators reported by a breakdown that has both a sex and an age
  dimension, summed over the reports that count (approved and published), per pillar of the indicator and
  year of the period (its first day's), with any further dimension (a population group) summed over. Two
  indicators may count the same person: this is a sum of figures, not a count of distinct people.
- **Participants**: the events' participants, listed (one row per person) or counted by sex x age band,
  per pillar of the activities an event implements (once per pillar, however many of its activities are
  in it) and year of the event's first day.

Both are summed by the database: two queries whatever the number of reports, events or people (the
figure rollups and the events' people by sex and age band, ``rollups.py``; an agency's figures from its own reports), plus
the plan's pillars and the order of the sex and age options.

Filters (None: all): ``period`` (a period or its id: reports for it, events whose first day is in it),
``pillar`` (its id), ``agency`` (an organisation's id: its reports, the events it organised) and
``district`` (a district code: the events held there; reported figures have no district and are not
narrowed by it).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, Min, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear

from wpsnap.plan.models import Activity, IndicatorKind, Pillar, Plan
from wpsnap.registries.models import Event
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key
from wpsnap.reporting.models import Breakdown, Dimension, IndicatorValue, ReportingPeriod
from wpsnap.reporting.workflow import COUNTED

from . import scope
from .models import PeopleRollup, PeopleState, ReportFigureRollup
from .results import rolled_up
from .scope import Viewer

EventActivity = Event.activities.through

# (pillar id, year, sex, age band)
Key = tuple[int, int, str, str]


@dataclass(frozen=True)
class PeopleReached:
    pillar_id: int
    pillar: str  # the pillar's key
    year: int
    sex: str  # an option code of the "sex" dimension
    age: str  # an option code of the "age" dimension
    # The sum of the reported cells.
    reported: Decimal
    # The events' participants.
    participants: int


def people_reached(
    viewer: Viewer,
    *,
    plan: Plan,
    statuses: Iterable[str] = COUNTED,
    period: ReportingPeriod | int | None = None,
    pillar: int | None = None,
    agency: int | None = None,
    district: str | None = None,
) -> tuple[PeopleReached, ...]:
    """Every (pillar, year, sex, age band) of ``plan`` that reports or events give people for, by the
    pillar's position, year, then the options' order. The reports and events are those of ``viewer``'s
    scope, narrowed by the filters; reports count when their status is in ``statuses``."""
    said: dict[Key, Decimal] = defaultdict(Decimal)
    came: dict[Key, int] = defaultdict(int)
    period_id = period.pk if isinstance(period, ReportingPeriod) else period
    sex_and_age = Breakdown.objects.filter(plan=plan, parts__dimension__code="sex").filter(
        parts__dimension__code="age"
    )
    rolled = rolled_up(viewer, statuses, agency)
    figures: QuerySet[Any]
    if rolled is not None:
        figures = ReportFigureRollup.objects.filter(plan=plan, status__in=rolled).filter(
            indicator__kind=IndicatorKind.COUNT, breakdown__in=sex_and_age
        )
        where = ("indicator__priority_area__pillar_id", "period__start__year", "cell")
        if period_id is not None:
            figures = figures.filter(period_id=period_id)
    else:
        reports = scope.reports(viewer).filter(plan=plan, status__in=sorted(str(s) for s in statuses))
        if period_id is not None:
            reports = reports.filter(period_id=period_id)
        if agency is not None:
            reports = reports.filter(agency_id=agency)
        figures = IndicatorValue.objects.filter(
            report__in=reports, indicator__kind=IndicatorKind.COUNT, breakdown__in=sex_and_age
        )
        where = ("indicator__priority_area__pillar_id", "report__period__start__year", "cell")
    if pillar is not None:
        figures = figures.filter(indicator__priority_area__pillar_id=pillar)
    reported = figures.exclude(cell=TOTAL).values_list(*where).annotate(value=Sum("value")).order_by()
    for pillar_id, year, cell, value in reported:
        options = dict(parse_cell_key(cell))
        said[(pillar_id, year, options["sex"], options["age"])] += value
    events = scope.events(viewer)
    whole = not events.query.has_filters()  # every event: a coordinator's or evaluator's scope
    if whole and district is None and rollup_current(plan):
        # Summed from the people rollup (organiser x pillar x year x period x cell), kept current by
        # ``rollups.events_changed``: a few thousand rows at national scale instead of events x cells.
        stored = PeopleRollup.objects.filter(plan=plan)
        if period_id is not None:
            stored = stored.filter(period_id=period_id)
        if agency is not None:
            stored = stored.filter(organiser_id=agency)
        if pillar is not None:
            stored = stored.filter(pillar_id=pillar)
        tallied = stored.values_list("pillar_id", "year", "sex", "age").annotate(n=Sum("value"))
    else:
        tallied = _participants(
            events, plan=plan, period_id=period_id, pillar=pillar, agency=agency, district=district
        )
    for pillar_id, year, sex, age, n in tallied.order_by():
        if n:
            came[(pillar_id, year, sex, age)] += n
    if not said and not came:
        return ()
    pillars = {p.pk: p for p in Pillar.objects.filter(plan=plan)}
    order = _option_order(plan)
    rows = [
        PeopleReached(key[0], pillars[key[0]].key, *key[1:], said.get(key, Decimal(0)), came.get(key, 0))
        for key in said.keys() | came.keys()
    ]
    return tuple(
        sorted(
            rows,
            key=lambda r: (
                pillars[r.pillar_id].position,
                r.year,
                order.get(("sex", r.sex), (1, r.sex)),
                order.get(("age", r.age), (1, r.age)),
            ),
        )
    )


def _option_order(plan: Plan) -> dict[tuple[str, str], tuple[int, str]]:
    """{(dimension, option): sort key}: the options' own order; codes the plan does not know go last."""
    order = {}
    for dimension in Dimension.objects.filter(plan=plan, code__in=["sex", "age"]).prefetch_related("options"):
        for option in dimension.options.all():
            order[(dimension.code, option.code)] = (0, f"{option.position:05d}")
    return order


def _participants(
    events: QuerySet[Event],
    *,
    plan: Plan,
    period_id: int | None,
    pillar: int | None,
    agency: int | None,
    district: str | None,
) -> QuerySet[Any]:
    """The participants of ``events`` (of ``plan``, narrowed by the filters) by (pillar, year, sex, age
    band), summed from the events' people: one query, over events x cells."""
    events = events.filter(plan=plan)
    if period_id is not None:
        dates = ReportingPeriod.objects.filter(pk=period_id, plan=plan)
        events = events.filter(
            starts_on__gte=Subquery(dates.values("start")), starts_on__lte=Subquery(dates.values("end"))
        )
    if agency is not None:
        events = events.filter(organiser_id=agency)
    if district is not None:
        events = events.filter(district=district)
    # Listed and counted participants alike, from the events' people by sex and age band.
    return (
        _one_link_per_pillar(events, pillar)
        .values_list(
            "activity__priority_area__pillar_id",
            "event__starts_on__year",
            "event__analytics_people__sex",
            "event__analytics_people__age",
        )
        .annotate(n=Sum("event__analytics_people__value"))
    )


def _one_link_per_pillar(events: QuerySet[Event], pillar: int | None = None) -> QuerySet[Any]:
    """One event-activity link per event and pillar (any: they give the same pillar, year and people),
    chosen before the join to the people so that the database joins each event's people once per
    pillar."""
    links = EventActivity.objects.filter(event__in=events)
    if pillar is not None:
        links = links.filter(activity__priority_area__pillar_id=pillar)
    return EventActivity.objects.filter(
        pk__in=Subquery(
            links.values("event_id", "activity__priority_area__pillar_id")
            .annotate(first=Min("pk"))
            .values("first")  # type: ignore[misc]  # the stubs do not know annotations in values()
        )
    )


# --- the people rollup (``models.PeopleRollup``, kept by ``rollups.py``) ---------------------------------

# The rollup's columns, in the order ``people_sums`` selects them.
ROLLUP_COLUMNS = ("plan", "organiser", "pillar", "year", "period", "sex", "age", "value")


def people_sums(events: QuerySet[Event]) -> QuerySet[Any]:
    """The participants of ``events`` summed by ``PeopleRollup``'s key, in ``ROLLUP_COLUMNS``' order: the
    same links and people as the reads from the events (``_participants``), with the event's organiser
    and the period holding its first day. Not run: a queryset (for ``INSERT ... SELECT``)."""
    period = (
        ReportingPeriod.objects.filter(
            plan_id=OuterRef("event__plan_id"),
            start__lte=OuterRef("event__starts_on"),
            end__gte=OuterRef("event__starts_on"),
        )
        .order_by("start")
        .values("pk")[:1]
    )
    return (
        _one_link_per_pillar(events)
        .filter(event__analytics_people__value__gt=0)
        .values(
            "event__plan_id",
            "event__organiser_id",
            "activity__priority_area__pillar_id",
            year=ExtractYear("event__starts_on"),
            period=Subquery(period),
            sex=F("event__analytics_people__sex"),
            age=F("event__analytics_people__age"),
        )
        .annotate(value=Sum("event__analytics_people__value"))
        .order_by()
    )


def people_digest(plan_id: int) -> str:
    """The digest of what the people rollup's rows depend on besides the events: the plan's activities
    with their pillars, and its periods' dates (two queries)."""
    activities = Activity.objects.filter(plan_id=plan_id).values_list("pk", "priority_area__pillar_id")
    periods = ReportingPeriod.objects.filter(plan_id=plan_id).values_list("pk", "start", "end")
    return _digest(activities, periods)


def _digest(activities: Iterable[tuple[int, int]], periods: Iterable[tuple[int, date, date]]) -> str:
    text = repr(
        (sorted(activities), sorted((pk, start.isoformat(), end.isoformat()) for pk, start, end in periods))
    )
    return hashlib.sha256(text.encode()).hexdigest()


def rollup_current(plan: Plan) -> bool:
    """Whether ``plan``'s people rollup was built under its activities, pillars and periods as they are
    now (two queries: the activities with the stored digest, the periods)."""
    state = PeopleState.objects.filter(plan=plan).values("fingerprint")[:1]
    activities = list(
        Activity.objects.filter(plan=plan)
        .annotate(stored=Subquery(state))
        .values_list("pk", "priority_area__pillar_id", "stored")
        .order_by()
    )
    if not activities or activities[0][2] is None:
        return False
    periods = ReportingPeriod.objects.filter(plan=plan).values_list("pk", "start", "end")
    return bool(activities[0][2] == _digest(((a, p) for a, p, _s in activities), periods))
