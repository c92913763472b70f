"""Derived indicator values, checked against an independent count: over random registries (events of
random types, topics, organisers, activities and dates across the 2020-2023 periods; participants
as lists with random sex, age band, population group and district, or as counts by sex x age band)
and random rules (types, topics, what is counted), every value ``derived_values`` gives for every
bound indicator, agency and period equals what plain Python counts from the generated data.

The indicators cover the breakdowns events meet: sex x age band (5.1.2.3), age band only (5.2.4.1),
none (5.2.2.1, the dialogue mechanism: total only), a dimension participants do not record (5.3.3.2,
by service: total only), population group x district with a version that has only some of the
options, and an indicator of a priority area without an activity of its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation
from wpsnap.plan.models import Indicator
from wpsnap.registries.models import (
    DerivationRule,
    Event,
    EventKind,
    Measure,
    Participant,
    ParticipantCount,
    Participation,
    Topic,
)
from wpsnap.registries.selectors import derived_values
from wpsnap.reporting.models import Breakdown, BreakdownDimension, Dimension, IndicatorBreakdown

pytestmark = pytest.mark.django_db

SEXES = ("women", "men")
BANDS = ("0-17", "18-24", "25-34", "35-59", "60-plus")
GROUPS = ("", "idp", "conflict-affected", "host-community")
DISTRICTS = ("", "baku", "ganja", "sumgayit", "shaki")
# The options of the synthetic population group x district breakdown: a version with only some.
SNAPSHOT_GROUPS = ("idp", "host-community")
SNAPSHOT_DISTRICTS = ("baku", "ganja", "sumgayit")
COUNT_CELLS = tuple(f"sex:{s}|age:{b}" for s in SEXES for b in BANDS)
# The activities events implement: four with bound indicators, one sharing 5.1.2.3's priority area,
# one no rule reaches.
ACTIVITIES = ("5.1.2.3", "5.1.2.1", "5.2.4.1", "5.2.2.1", "5.3.3.2", "5.4.5.1")
TOPICS = 4
ORGANISERS = 3

# Each bound indicator's breakdown as this test knows it: (dimension, options) in order.
BREAKDOWNS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "sex-age": (("sex", SEXES), ("age", BANDS)),
    "age": (("age", BANDS),),
    "dialogue": (),
    "service": (("service", ("education", "health", "social", "legal", "employment")),),
    "groups": (("population_group", SNAPSHOT_GROUPS), ("district", SNAPSHOT_DISTRICTS)),
    "area": (),
}
# A participant's value for each dimension, by the field the generated data has it in.
PARTICIPANT_FIELDS = {"sex": 0, "age": 1, "population_group": 2, "district": 3}


@dataclass
class World:
    indicators: dict[str, Indicator]
    # {name: index in ACTIVITIES of the indicator's activity, or None for the priority area's}
    activity_of: dict[str, int | None]
    # indices in ACTIVITIES of the activities of the area indicator's priority area
    area_activities: frozenset[int]
    activity_ids: list[int]
    organiser_ids: list[int]
    topic_ids: list[int]
    periods: list
    plan_id: int


@pytest.fixture
def world(events_plan) -> World:
    """The plan's indicators for the test, and two made here: population group x district (a version
    with some of the options) on 5.1.2.1, and one of 5.1.2's priority area without an activity."""
    plan = events_plan
    activities = [plan.activities.get(code=code) for code in ACTIVITIES]
    by_code = dict(zip(ACTIVITIES, activities, strict=True))
    breakdown = Breakdown.objects.create(plan=plan, code="test-groups-districts")
    BreakdownDimension.objects.bulk_create(
        [
            BreakdownDimension(
                breakdown=breakdown,
                dimension=Dimension.objects.get(plan=plan, code="population_group"),
                position=0,
                options=list(SNAPSHOT_GROUPS),
            ),
            BreakdownDimension(
                breakdown=breakdown,
                dimension=Dimension.objects.get(plan=plan, code="district"),
                position=1,
                options=list(SNAPSHOT_DISTRICTS),
            ),
        ]
    )
    groups = Indicator.objects.create(
        plan=plan,
        priority_area=by_code["5.1.2.1"].priority_area,
        activity=by_code["5.1.2.1"],
        key="test-groups",
        text="Participants by population group and district",
        kind="count",
    )
    IndicatorBreakdown.objects.create(indicator=groups, breakdown=breakdown)
    area = Indicator.objects.create(
        plan=plan,
        priority_area=by_code["5.1.2.3"].priority_area,
        activity=None,
        key="test-area",
        text="Events of the priority area",
        kind="count",
    )
    indicators = {
        "sex-age": by_code["5.1.2.3"].indicators.get(),
        "age": by_code["5.2.4.1"].indicators.get(),
        "dialogue": by_code["5.2.2.1"].indicators.get(),
        "service": by_code["5.3.3.2"].indicators.get(),
        "groups": groups,
        "area": area,
    }
    index = {a.pk: i for i, a in enumerate(activities)}
    return World(
        indicators=indicators,
        activity_of={
            name: index.get(i.activity_id) if i.activity_id else None for name, i in indicators.items()
        },
        area_activities=frozenset(
            i for i, a in enumerate(activities) if a.priority_area_id == area.priority_area_id
        ),
        activity_ids=[a.pk for a in activities],
        organiser_ids=list(Organisation.objects.order_by("pk").values_list("pk", flat=True)[:ORGANISERS]),
        topic_ids=list(Topic.objects.order_by("pk").values_list("pk", flat=True)[:TOPICS]),
        periods=list(plan.reporting_periods.order_by("start")),
        plan_id=plan.pk,
    )


# --- the random registries ---------------------------------------------------------------------------

# The periods' first and last days (and the days just outside), where an off-by-one would show.
EDGES = tuple(day for year in range(2019, 2025) for day in (date(year, 1, 1), date(year, 12, 31)))
participant = st.tuples(
    st.sampled_from(SEXES), st.sampled_from(BANDS), st.sampled_from(GROUPS), st.sampled_from(DISTRICTS)
)
event = st.fixed_dictionaries(
    {
        "organiser": st.integers(0, ORGANISERS - 1),
        "kind": st.sampled_from(EventKind.values),
        "topics": st.frozensets(st.integers(0, TOPICS - 1), max_size=3),
        "activities": st.frozensets(st.integers(0, len(ACTIVITIES) - 1), min_size=1, max_size=4),
        # A little either side of the plan's periods (those events count nowhere), and its edges.
        "day": st.one_of(st.dates(date(2019, 11, 1), date(2024, 2, 28)), st.sampled_from(EDGES)),
        "participation": st.sampled_from(Participation.values),
        "participants": st.lists(participant, max_size=10),
        # counts_save keeps no zero cells
        "counts": st.dictionaries(st.sampled_from(COUNT_CELLS), st.integers(1, 40), max_size=6),
    }
)
rule = st.fixed_dictionaries(
    {
        "measure": st.sampled_from(Measure.values),
        "kinds": st.one_of(
            st.just(frozenset()), st.frozensets(st.sampled_from(EventKind.values), max_size=4)
        ),
        "topics": st.one_of(st.just(frozenset()), st.frozensets(st.integers(0, TOPICS - 1), max_size=2)),
    }
)
# The dialogue mechanism's own rule (consultations and surveys, people counted), among the random ones.
DIALOGUE = {
    "measure": Measure.PARTICIPANTS,
    "kinds": frozenset({EventKind.CONSULTATION, EventKind.SURVEY}),
    "topics": frozenset(),
}
rules = st.fixed_dictionaries(
    {
        name: st.one_of(st.none(), rule, st.just(DIALOGUE))
        if name == "dialogue"
        else st.one_of(st.none(), rule)
        for name in BREAKDOWNS
    }
)


def insert(world: World, events: list[dict], bound: dict[str, dict | None]) -> None:
    """The registry and the rules, in bulk."""
    DerivationRule.objects.filter(indicator__in=world.indicators.values()).delete()
    made = DerivationRule.objects.bulk_create(
        DerivationRule(indicator=world.indicators[name], measure=r["measure"], kinds=sorted(r["kinds"]))
        for name, r in bound.items()
        if r is not None
    )
    by_indicator = {m.indicator_id: m for m in made}
    DerivationRule.topics.through.objects.bulk_create(
        DerivationRule.topics.through(
            derivationrule_id=by_indicator[world.indicators[name].pk].pk, topic_id=world.topic_ids[t]
        )
        for name, r in bound.items()
        if r is not None
        for t in r["topics"]
    )
    stored = Event.objects.bulk_create(
        Event(
            plan_id=world.plan_id,
            organiser_id=world.organiser_ids[e["organiser"]],
            kind=e["kind"],
            title=f"Event {i}",
            starts_on=e["day"],
            ends_on=e["day"],
            participation=e["participation"],
        )
        for i, e in enumerate(events)
    )
    Event.activities.through.objects.bulk_create(
        Event.activities.through(event_id=s.pk, activity_id=world.activity_ids[a])
        for s, e in zip(stored, events, strict=True)
        for a in e["activities"]
    )
    Event.topics.through.objects.bulk_create(
        Event.topics.through(event_id=s.pk, topic_id=world.topic_ids[t])
        for s, e in zip(stored, events, strict=True)
        for t in e["topics"]
    )
    Participant.objects.bulk_create(
        Participant(event_id=s.pk, sex=sex, age_band=band, population_group=group, district=district)
        for s, e in zip(stored, events, strict=True)
        if e["participation"] == Participation.LIST
        for sex, band, group, district in e["participants"]
    )
    ParticipantCount.objects.bulk_create(
        ParticipantCount(event_id=s.pk, cell=cell, value=value)
        for s, e in zip(stored, events, strict=True)
        if e["participation"] == Participation.COUNTS
        for cell, value in e["counts"].items()
    )


# --- the independent count -----------------------------------------------------------------------------


def cell_of(breakdown: tuple[tuple[str, tuple[str, ...]], ...], values: dict[str, str]) -> str | None:
    """The cell a person falls in, or None when the breakdown has no cell for them."""
    if not breakdown or any(values.get(d, "") not in options for d, options in breakdown):
        return None
    return "|".join(f"{d}:{values[d]}" for d, _options in breakdown)


def expected(
    world: World, events: list[dict], name: str, r: dict, organiser: int, period
) -> tuple[int, Counter[str], int]:
    """(events, {cell: people} with "" the total, people in the total only), counted by hand."""
    activity = world.activity_of[name]
    matching = [
        e
        for e in events
        if e["organiser"] == organiser
        and period.start <= e["day"] <= period.end
        and (not r["kinds"] or e["kind"] in r["kinds"])
        and (not r["topics"] or r["topics"] & e["topics"])
        and (activity in e["activities"] if activity is not None else e["activities"] & world.area_activities)
    ]
    cells: Counter[str] = Counter()
    total_only = 0
    if r["measure"] == Measure.EVENTS:
        cells[""] = len(matching)
        return len(matching), cells, 0
    breakdown = BREAKDOWNS[name]
    for e in matching:
        people: list[tuple[dict[str, str], int]] = []
        if e["participation"] == Participation.LIST:
            people = [({d: p[i] for d, i in PARTICIPANT_FIELDS.items()}, 1) for p in e["participants"]]
        else:
            people = [
                (dict(part.split(":") for part in cell.split("|")), n) for cell, n in e["counts"].items()
            ]
        for values, n in people:
            cells[""] += n
            key = cell_of(breakdown, values)
            if key is not None:
                cells[key] += n
            elif breakdown:
                total_only += n
    return len(matching), cells, total_only


def nonzero(cells: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in cells.items() if v}


def _event(organiser: int, kind: str, day: date, activities: set[int], **more) -> dict:
    return {
        "organiser": organiser,
        "kind": kind,
        "topics": frozenset(more.get("topics", ())),
        "activities": frozenset(activities),
        "day": day,
        "participation": Participation.COUNTS if "counts" in more else Participation.LIST,
        "participants": more.get("participants", []),
        "counts": more.get("counts", {}),
    }


EVERYONE = {"measure": Measure.PARTICIPANTS, "kinds": frozenset(), "topics": frozenset()}
# Every path at least once, whatever the random examples hit: lists and counts under each breakdown,
# people outside a breakdown's options, a topic filter, events counted, and the periods' edges.
EXAMPLE_EVENTS = [
    _event(
        0,
        EventKind.TRAINING,
        date(2021, 1, 1),
        {0, 1, 2, 4},
        topics={1},
        participants=[
            ("women", "18-24", "idp", "baku"),
            ("men", "60-plus", "", "ganja"),
            ("women", "25-34", "host-community", "shaki"),
            ("women", "18-24", "conflict-affected", "sumgayit"),
        ],
    ),
    _event(
        0,
        EventKind.AWARENESS,
        date(2021, 12, 31),
        {0, 2, 4},
        counts={"sex:women|age:0-17": 5, "sex:men|age:35-59": 7},
    ),
    _event(0, EventKind.CONSULTATION, date(2022, 1, 1), {3, 1}, participants=[("women", "35-59", "idp", "")]),
    _event(1, EventKind.SURVEY, date(2020, 6, 1), {3}, counts={"sex:women|age:18-24": 3}),
    _event(1, EventKind.TRAINING, date(2019, 12, 31), {0, 4}, participants=[("men", "18-24", "", "")]),
]
EXAMPLE_RULES = {
    "sex-age": EVERYONE,
    "age": EVERYONE,
    "dialogue": DIALOGUE,
    "service": EVERYONE,
    "groups": {"measure": Measure.PARTICIPANTS, "kinds": frozenset(), "topics": frozenset({1})},
    "area": {"measure": Measure.EVENTS, "kinds": frozenset(), "topics": frozenset()},
}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(event, max_size=14), bound=rules)
@example(events=EXAMPLE_EVENTS, bound=EXAMPLE_RULES)
def test_every_derived_value_equals_an_independent_count(world, events, bound) -> None:
    """For every agency and period, each bound indicator's events, cells, total and total-only
    participants are what the generated registry says; indicators without a rule get nothing."""
    with transaction.atomic():
        insert(world, events, bound)
        for organiser, organiser_id in enumerate(world.organiser_ids):
            for period in world.periods:
                found = derived_values(
                    indicators=list(world.indicators.values()), agency_id=organiser_id, period=period
                )
                assert set(found) == {world.indicators[n].pk for n, r in bound.items() if r is not None}
                for name, r in bound.items():
                    if r is None:
                        continue
                    derived = found[world.indicators[name].pk]
                    count, cells, total_only = expected(world, events, name, r, organiser, period)
                    where = (name, r, organiser, period.label)
                    assert derived.measure == r["measure"], where
                    assert derived.events == count, where
                    assert nonzero(derived.cells) == nonzero(cells), where
                    assert derived.total == cells[""], where
                    assert derived.total_only == total_only, where
        transaction.set_rollback(True)
