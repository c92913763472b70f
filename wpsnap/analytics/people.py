"""People reached by sex x age band, per pillar and year: what agencies reported beside what their events
recorded.

- **Reported**: the cells of count indicators reported by a breakdown that has both a sex and an age
  dimension, summed over the reports that count (approved and published), per pillar of the indicator and
  year of the period (its first day's), with any further dimension (a population group) summed over. Two
  indicators may count the same person: this is a sum of figures, not a count of distinct people.
- **Participants**: the events' participants, listed (one row per person) or counted by sex x age band,
  per pillar of the activities an event implements (once per pillar, however many of its activities are
  in it) and year of the event's first day.

Both are summed by the database: three queries whatever the number of reports, events or people, plus
the plan's pillars and the order of the sex and age options.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum

from wpsnap.plan.models import IndicatorKind, Pillar, Plan
from wpsnap.registries.models import Event
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key
from wpsnap.reporting.models import Breakdown, Dimension, IndicatorValue
from wpsnap.reporting.workflow import COUNTED

from . import scope
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
    viewer: Viewer, *, plan: Plan, statuses: Iterable[str] = COUNTED
) -> tuple[PeopleReached, ...]:
    """Every (pillar, year, sex, age band) of ``plan`` that reports or events give people for, by the
    pillar's position, year, then the options' order. The reports and events are those of ``viewer``'s
    scope; reports count when their status is in ``statuses``."""
    said: dict[Key, Decimal] = defaultdict(Decimal)
    came: dict[Key, int] = defaultdict(int)
    sex_and_age = Breakdown.objects.filter(plan=plan, parts__dimension__code="sex").filter(
        parts__dimension__code="age"
    )
    reports = scope.reports(viewer).filter(plan=plan, status__in=sorted(str(s) for s in statuses))
    reported = (
        IndicatorValue.objects.filter(
            report__in=reports, indicator__kind=IndicatorKind.COUNT, breakdown__in=sex_and_age
        )
        .exclude(cell=TOTAL)
        .values_list("indicator__priority_area__pillar_id", "report__period__start__year", "cell")
        .annotate(value=Sum("value"))
        .order_by()
    )
    for pillar_id, year, cell, value in reported:
        options = dict(parse_cell_key(cell))
        said[(pillar_id, year, options["sex"], options["age"])] += value
    # Each event once per pillar: the link to its first activity in the pillar.
    earlier_in_pillar = EventActivity.objects.filter(
        event_id=OuterRef("event_id"),
        activity__priority_area__pillar_id=OuterRef("activity__priority_area__pillar_id"),
        activity_id__lt=OuterRef("activity_id"),
    )
    links = EventActivity.objects.filter(event__in=scope.events(viewer).filter(plan=plan)).filter(
        ~Exists(earlier_in_pillar)
    )
    where = ("activity__priority_area__pillar_id", "event__starts_on__year")
    listed = links.values_list(*where, "event__participants__sex", "event__participants__age_band").annotate(
        n=Count("event__participants__id")
    )
    for pillar_id, year, sex, age, n in listed.order_by():
        if n:
            came[(pillar_id, year, sex, age)] += n
    counted = links.values_list(*where, "event__counts__cell").annotate(n=Sum("event__counts__value"))
    for pillar_id, year, cell, n in counted.order_by():
        if cell is not None and n:
            options = dict(parse_cell_key(cell))
            came[(pillar_id, year, options.get("sex", ""), options.get("age", ""))] += n
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
