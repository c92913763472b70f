"""Figures derived from events, for any number of agencies and periods at once, summed by the database.

The rule is the registries' (``DerivationRule``, applied to one agency and one period for the report form by
``registries.selectors.derived_values``; tests hold the two to the same figures): the events an agency
organised whose first day falls in the period, of the rule's types and topics, that implement the
indicator's activity (or, for an indicator without one, any activity of its priority area), count for the
indicator; what counts is the events themselves or their participants in the indicator's cells. A
participant whose breakdown the indicator's cells do not have counts in the total only.

Here the matching is done in SQL on the event-activity link: each link row is joined to the indicators of
its activity's priority area and kept when the indicator is the activity's, or (for an indicator of the
priority area) when the link is the event's first in that area, so that every event counts once for each
indicator it serves. Two ``GROUP BY`` queries then count the events, and sum the events' tallies (their
listed and counted participants by sex, age band, population group and district, kept by ``rollups.py``)
by the columns the indicators' breakdowns need (from the events' people by sex and age band when those are all they need);
only those sums, at most one row per cell, reach Python.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)

from wpsnap.plan.models import Activity, Indicator, Plan
from wpsnap.registries.models import DerivationRule, Event, Measure
from wpsnap.registries.selectors import PARTICIPANT_COLUMNS, rules_for
from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec, cell_key
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.selectors import indicator_specs

from .models import DerivedState, EventFigure, EventFigureSum

EventActivity = Event.activities.through
EventTopic = Event.topics.through

# The columns of the events' people (``EventPeople``): the tallies summed over the others.
PEOPLE_COLUMNS = frozenset({"sex", "age"})

# (indicator id, agency id, period id)
Key = tuple[int, int, int]


@dataclass(frozen=True)
class Derived:
    """What the events say for one indicator, one agency (the events' organiser) and one period."""

    indicator_id: int
    agency_id: int
    period_id: int
    measure: str
    # The events that count for the indicator.
    events: int
    # Participants counted in the total only: their breakdown is not the indicator's.
    total_only: int
    # {cell key: value}; "" is the total. A cell no participant falls in is left out.
    cells: dict[str, int]


def derived_figures(
    *,
    events: QuerySet[Event],
    plan: Plan,
    periods: list[ReportingPeriod],
    indicators: list[Indicator],
    specs: dict[int, tuple[Any, BreakdownSpec]],
    rules: dict[int, DerivationRule] | None = None,
) -> dict[Key, Derived]:
    """The figures of every indicator of ``indicators`` bound to event data, for every organiser and
    every period of ``periods`` that has events among ``events`` (the viewer's scope). ``specs`` is
    ``reporting.selectors.indicator_specs(indicators)``. Four queries (rules, their topics, and two sums)
    whatever the number of events and participants; two when given the ``rules`` (``rules_for``)."""
    rules = rules_for(indicators) if rules is None else rules
    bound = [i for i in indicators if i.pk in rules]
    if not bound or not periods:
        return {}
    matched = _matched(events, plan, periods, bound, rules)
    counts, tally = _derive(matched, rules, bound, specs, ("indicator", "event__organiser_id", "period"))
    found: dict[Key, Derived] = {}
    for (indicator_id, agency_id, period_id), count in counts.items():
        key = (indicator_id, agency_id, period_id)
        measure = rules[indicator_id].measure
        cells = {TOTAL: count} if measure == Measure.EVENTS else {}
        total_only = 0
        if key in tally.cells or key in tally.total_only:
            cells, total_only = dict(tally.cells.get(key, {})), tally.total_only.get(key, 0)
        found[key] = Derived(indicator_id, agency_id, period_id, measure, count, total_only, cells)
    return found


def _derive(
    matched: QuerySet[Any],
    rules: dict[int, DerivationRule],
    bound: list[Indicator],
    specs: dict[int, tuple[Any, BreakdownSpec]],
    keys: tuple[str, ...],
) -> tuple[dict[tuple[int, ...], int], _Tally]:
    """The events counted by ``keys`` (the indicator first) and their participants in the indicators'
    cells: two ``GROUP BY`` queries (one when no indicator counts participants)."""
    counts: dict[tuple[int, ...], int] = {
        tuple(row[:-1]): row[-1]
        for row in matched.values_list(*keys).annotate(n=Count("event_id", distinct=True)).order_by()
    }
    counted = [i.pk for i in bound if rules[i.pk].measure == Measure.PARTICIPANTS]
    tally = _Tally({pk: specs[pk][1] for pk in counted})
    if not counted or not counts:
        return counts, tally
    # The tally's columns are named after the dimensions they answer for.
    columns = sorted({d for pk in counted for d in tally.dimensions[pk] if d in PARTICIPANT_COLUMNS})
    people = matched.filter(indicator__in=counted)
    # By sex and age band alone, the events' people hold the same sums in a third of the tallies' rows.
    source = "analytics_people" if set(columns) <= PEOPLE_COLUMNS else "analytics_tally"
    tallied = people.values_list(*keys, *(f"event__{source}__{c}" for c in columns)).annotate(
        n=Sum(f"event__{source}__value")
    )
    width = len(keys)
    for row in tallied.order_by():
        if row[-1]:
            recorded = dict(zip(columns, row[width:-1], strict=True))
            options = {d: recorded.get(d, "") for d in tally.dimensions[row[0]]}
            tally.add(tuple(row[:width]), options, row[-1])
    return counts, tally


def _matched(
    events: QuerySet[Event],
    plan: Plan,
    periods: list[ReportingPeriod],
    bound: list[Indicator],
    rules: dict[int, DerivationRule],
) -> QuerySet[Any]:
    """Event-activity link rows, each with the indicator it makes its event count for (``indicator``)
    and the period of the event's first day (``period``)."""
    in_scope = events.filter(
        plan=plan,
        starts_on__gte=min(p.start for p in periods),
        starts_on__lte=max(p.end for p in periods),
    )
    # Periods of a plan do not overlap (annual, as reporting_setup makes them): the first that holds the
    # event's first day is its period.
    period = Case(
        *(
            When(event__starts_on__gte=p.start, event__starts_on__lte=p.end, then=Value(p.pk))
            for p in periods
        ),
        default=None,
        output_field=IntegerField(),
    )
    earlier_in_area = EventActivity.objects.filter(
        event_id=OuterRef("event_id"),
        activity__priority_area_id=OuterRef("activity__priority_area_id"),
        activity_id__lt=OuterRef("activity_id"),
    )
    # One join to the indicators of the link's priority area, shared by both annotations (an annotation
    # reuses the joins there are; a filter on the relation would add its own).
    links = EventActivity.objects.filter(event__in=in_scope).annotate(
        indicator=F("activity__priority_area__indicators__id"),
        indicator_activity=F("activity__priority_area__indicators__activity_id"),
        period=period,
    )
    serves = Q(indicator_activity=F("activity_id")) | Q(indicator_activity__isnull=True, first_in_area=True)
    return (
        links.annotate(first_in_area=~Exists(earlier_in_area))
        .filter(Q(period__isnull=False) & Q(indicator__in=[i.pk for i in bound]))
        .filter(serves)
        .filter(reduce(operator.or_, (_rule(i.pk, rules[i.pk]) for i in bound)))
    )


def _rule(indicator_id: int, rule: DerivationRule) -> Q:
    """The link rows the rule of ``indicator_id`` lets count: its event types and topics."""
    condition = Q(indicator=indicator_id)
    if rule.kinds:
        condition &= Q(event__kind__in=list(rule.kinds))
    topics = [t.pk for t in rule.topics.all()]
    if topics:
        condition &= Q(Exists(EventTopic.objects.filter(event_id=OuterRef("event_id"), topic_id__in=topics)))
    return condition


class _Tally:
    """Participants added into the indicators' cells (and totals), by key."""

    def __init__(self, specs: dict[int, BreakdownSpec]) -> None:
        self.dimensions = {pk: tuple(d.code for d in spec.dimensions) for pk, spec in specs.items()}
        self.allowed = {
            pk: {d.code: frozenset(o.code for o in d.options) for d in spec.dimensions}
            for pk, spec in specs.items()
        }
        self.cells: dict[tuple[int, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.total_only: dict[tuple[int, ...], int] = defaultdict(int)

    def add(self, key: tuple[int, ...], options: dict[str, str], n: int) -> None:
        cells = self.cells[key]
        cells[TOTAL] += n
        dimensions = self.dimensions[key[0]]
        if not dimensions:
            return
        allowed = self.allowed[key[0]]
        pairs = [(d, options.get(d, "")) for d in dimensions]
        if all(option in allowed[d] for d, option in pairs):
            cells[cell_key(pairs)] += n
        else:
            self.total_only[key] += n


# --- the stored figures (``models.EventFigure``) -------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What a plan's derived figures depend on besides the events: its bound indicators with their
    rules and breakdowns, the activities' priority areas and the periods, with their digests."""

    bound: list[Indicator]
    rules: dict[int, DerivationRule]
    specs: dict[int, tuple[Any, BreakdownSpec]]
    periods: list[ReportingPeriod]
    fingerprint: str  # the activities' priority areas and the periods' dates
    indicators: dict[str, str]  # {indicator id: digest of its rule, breakdown, activity and area}


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def plan_digest(activities: Iterable[tuple[int, int]], periods: Iterable[ReportingPeriod]) -> str:
    """The digest of the plan's parts every indicator's figures depend on: ``activities`` as (id,
    priority area id) and the periods' dates."""
    return _digest(
        (sorted(activities), sorted((p.pk, p.start.isoformat(), p.end.isoformat()) for p in periods))
    )


def indicator_digests(
    bound: Iterable[Indicator], rules: dict[int, DerivationRule], specs: dict[int, tuple[Any, BreakdownSpec]]
) -> dict[str, str]:
    """{indicator id: the digest of what its figures depend on of its own}."""
    return {
        str(i.pk): _digest(
            (
                i.activity_id,
                i.priority_area_id,
                str(rules[i.pk].measure),
                sorted(rules[i.pk].kinds),
                sorted(t.pk for t in rules[i.pk].topics.all()),
                [(d.code, [o.code for o in d.options]) for d in specs[i.pk][1].dimensions],
            )
        )
        for i in bound
    }


def setup_of(plan: Plan) -> Setup:
    """``plan``'s set-up as the stored figures are computed under it (seven queries)."""
    indicators = list(Indicator.objects.filter(plan=plan, derivation__isnull=False).order_by("pk"))
    rules = rules_for(indicators)
    bound = [i for i in indicators if i.pk in rules]
    specs = indicator_specs(bound)
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    activities = Activity.objects.filter(plan=plan).values_list("pk", "priority_area_id")
    return Setup(
        bound, rules, specs, periods, plan_digest(activities, periods), indicator_digests(bound, rules, specs)
    )


def event_figure_rows(*, plan: Plan, events: QuerySet[Event], setup: Setup) -> list[tuple[Any, ...]]:
    """What ``events`` (of ``plan``) give its bound indicators, one row per event, indicator and cell, as
    ``EventFigure`` holds them: (event, indicator, organiser, period, cell, value, total_only). The same
    rule and sums as ``derived_figures``, by event instead of by organiser (two queries)."""
    if not setup.bound or not setup.periods:
        return []
    matched = _matched(events, plan, setup.periods, setup.bound, setup.rules)
    keys = ("indicator", "event_id", "period", "event__organiser_id")
    counts, tally = _derive(matched, setup.rules, setup.bound, setup.specs, keys)
    rows = []
    for key in counts:
        indicator_id, event_id, period_id, organiser_id = key
        head = (event_id, indicator_id, organiser_id, period_id)
        if setup.rules[indicator_id].measure == Measure.EVENTS:
            rows.append((*head, TOTAL, 1, 0))
            continue
        cells = tally.cells.get(key, {})
        rows.append((*head, TOTAL, cells.get(TOTAL, 0), tally.total_only.get(key, 0)))
        rows += [(*head, cell, n, 0) for cell, n in cells.items() if cell != TOTAL]
    return rows


def stored_figures(
    *,
    plan: Plan,
    periods: list[ReportingPeriod],
    every_period: list[ReportingPeriod],
    indicators: list[Indicator],
    specs: dict[int, tuple[Any, BreakdownSpec]],
    rules: dict[int, DerivationRule],
    events: QuerySet[Event],
) -> dict[Key, Derived] | None:
    """``derived_figures`` for ``events`` (the viewer's scope, narrowed) in ``periods``, summed from the
    stored ``EventFigure`` rows; None when they are not current for these indicators (the set-up changed
    since they were built, or they never were): the caller then counts from the events. ``every_period``
    is every period of the plan; ``rules`` is ``rules_for(indicators)``. Two queries (the activities with
    the stored digests, the sums)."""
    bound = [i for i in indicators if i.pk in rules]
    if not bound or not periods:
        return {}
    if not stored_current(plan=plan, every_period=every_period, bound=bound, rules=rules, specs=specs):
        return None
    sums = stored_sums(plan=plan, periods=periods, bound=bound, events=events)
    found: dict[Key, Derived] = {}
    for indicator_id, organiser_id, period_id, cell, value, total_only, given in sums:
        key = (indicator_id, organiser_id, period_id)
        measure = rules[indicator_id].measure
        derived = found.get(key) or Derived(*key, measure, 0, 0, {})
        if cell == TOTAL:
            derived = Derived(*key, measure, given, total_only, derived.cells)
        if value and (measure == Measure.PARTICIPANTS or cell == TOTAL):
            derived.cells[cell] = value
        found[key] = derived
    return found


def stored_current(
    *,
    plan: Plan,
    every_period: list[ReportingPeriod],
    bound: list[Indicator],
    rules: dict[int, DerivationRule],
    specs: dict[int, tuple[Any, BreakdownSpec]],
) -> bool:
    """Whether the stored ``EventFigure`` rows are current for ``bound`` (indicators with a rule): the
    plan's activities and periods and each indicator's rule and breakdown as at the last rebuild. One
    query (the activities with the stored digests)."""
    state = DerivedState.objects.filter(plan=plan)
    activities = list(
        Activity.objects.filter(plan=plan)
        .annotate(
            stored=Subquery(state.values("fingerprint")[:1]), digests=Subquery(state.values("indicators")[:1])
        )
        .values_list("pk", "priority_area_id", "stored", "digests")
        .order_by()
    )
    if not activities or activities[0][2] != plan_digest(
        ((a, p) for a, p, _s, _d in activities), every_period
    ):
        return False
    stored = activities[0][3]
    if isinstance(stored, str):  # a JSON column read through a subquery comes back as text on some backends
        stored = json.loads(stored)
    digests = indicator_digests(bound, rules, specs)
    return all(stored.get(pk) == digest for pk, digest in digests.items())


def stored_sums(
    *, plan: Plan, periods: list[ReportingPeriod], bound: list[Indicator], events: QuerySet[Event]
) -> QuerySet[Any]:
    """The stored ``EventFigure`` rows of ``events`` for ``bound`` in ``periods``, summed by (indicator,
    organiser, period, cell): (indicator id, organiser id, period id, cell, value, total_only, events);
    read from ``EventFigureSum`` when ``events`` is every event. Not run: a queryset."""
    keys = {"plan": plan, "indicator__in": [i.pk for i in bound], "period__in": [p.pk for p in periods]}
    if not events.query.has_filters():
        # Every event (a coordinator's scope): the sums kept by organiser (``EventFigureSum``), which
        # always equal the events' rows summed.
        return (
            EventFigureSum.objects.filter(**keys)
            .values_list("indicator_id", "organiser_id", "period_id", "cell", "value", "total_only", "events")
            .order_by()
        )
    return (
        EventFigure.objects.filter(**keys, event__in=events)
        .values_list("indicator_id", "organiser_id", "period_id", "cell")
        .annotate(value=Sum("value"), total_only=Sum("total_only"), events=Count("id"))
        .order_by()
    )
