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

import operator
from collections import defaultdict
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
    Sum,
    Value,
    When,
)

from wpsnap.plan.models import Indicator, Plan
from wpsnap.registries.models import DerivationRule, Event, Measure
from wpsnap.registries.selectors import PARTICIPANT_COLUMNS, rules_for
from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec, cell_key
from wpsnap.reporting.models import ReportingPeriod

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
) -> dict[Key, Derived]:
    """The figures of every indicator of ``indicators`` bound to event data, for every organiser and
    every period of ``periods`` that has events among ``events`` (the viewer's scope). ``specs`` is
    ``reporting.selectors.indicator_specs(indicators)``. Four queries (rules, their topics, and two sums)
    whatever the number of events and participants."""
    rules = rules_for(indicators)
    bound = [i for i in indicators if i.pk in rules]
    if not bound or not periods:
        return {}
    matched = _matched(events, plan, periods, bound, rules)
    keys = ("indicator", "event__organiser_id", "period")
    found: dict[Key, Derived] = {}
    for indicator_id, agency_id, period_id, count in (
        matched.values_list(*keys).annotate(n=Count("event_id", distinct=True)).order_by()
    ):
        rule = rules[indicator_id]
        cells = {TOTAL: count} if rule.measure == Measure.EVENTS else {}
        found[(indicator_id, agency_id, period_id)] = Derived(
            indicator_id, agency_id, period_id, rule.measure, count, 0, cells
        )
    counted = [i.pk for i in bound if rules[i.pk].measure == Measure.PARTICIPANTS]
    if not counted or not found:
        return found
    tally = _Tally({pk: specs[pk][1] for pk in counted})
    # The tally's columns are named after the dimensions they answer for.
    columns = sorted({d for pk in counted for d in tally.dimensions[pk] if d in PARTICIPANT_COLUMNS})
    people = matched.filter(indicator__in=counted)
    # By sex and age band alone, the events' people hold the same sums in a third of the tallies' rows.
    source = "analytics_people" if set(columns) <= PEOPLE_COLUMNS else "analytics_tally"
    tallied = people.values_list(*keys, *(f"event__{source}__{c}" for c in columns)).annotate(
        n=Sum(f"event__{source}__value")
    )
    for row in tallied.order_by():
        if row[-1]:
            recorded = dict(zip(columns, row[3:-1], strict=True))
            options = {d: recorded.get(d, "") for d in tally.dimensions[row[0]]}
            tally.add(row[:3], options, row[-1])
    for key, derived in found.items():
        if key in tally.cells or key in tally.total_only:
            found[key] = Derived(
                *key,
                derived.measure,
                derived.events,
                tally.total_only.get(key, 0),
                dict(tally.cells.get(key, {})),
            )
    return found


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
        self.cells: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.total_only: dict[Key, int] = defaultdict(int)

    def add(self, key: Key, options: dict[str, str], n: int) -> None:
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
