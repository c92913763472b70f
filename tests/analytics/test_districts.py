"""Figures by district (``analytics.districts.by_district``): over random events (in a district or none,
listed or counted participants, implementing activities of different pillars, across the plan's years) and
random reports (figures in district cells and others, every review status), the events, participants by
sex and reported sums per district equal what plain Python adds up from what was written, for every
viewer's scope and filter; the queries do not grow with the data."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation
from wpsnap.analytics.districts import by_district
from wpsnap.analytics.rollups import rollups_rebuild
from wpsnap.plan.models import Activity
from wpsnap.registries.models import Event, Participant, ParticipantCount, Participation
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import COUNTED, Status

from .conftest import AGENCIES, BANDS, SEXES, Written, write_reports

pytestmark = pytest.mark.django_db

# Count indicators in two pillars (5.1, 5.2) and a third (5.4).
CODES = ("5.1.2.3", "5.2.3.2", "5.4.1.1")
DISTRICTS = ("baku", "ganja", "kurdamir", "lankaran")
DISTRICT_CELLS = tuple(f"sex:{s}|district:{d}" for s in SEXES for d in DISTRICTS)
OTHER_CELLS = ("", "sex:women|age:18-24")


@dataclass(frozen=True)
class Held:
    """An event as a test wrote it."""

    organiser: str
    activities: frozenset[int]  # indices into CODES
    day: date
    district: str  # "" for none
    participants: tuple[str, ...] = ()  # each listed person's sex
    counts: tuple[tuple[str, int], ...] = ()  # {cell: n}


def activities(plan) -> list[Activity]:
    return [Activity.objects.get(plan=plan, code=code) for code in CODES]


def write_events(plan, chosen: list[Activity], held: list[Held]) -> list[Event]:
    organisers = {o.key: o for o in Organisation.objects.filter(country="AZ", key__in=AGENCIES)}
    events = Event.objects.bulk_create(
        Event(
            plan=plan,
            organiser=organisers[h.organiser],
            kind="training",
            title=f"Event {n}",
            starts_on=h.day,
            ends_on=h.day,
            district=h.district,
            participation=Participation.COUNTS if h.counts else Participation.LIST,
        )
        for n, h in enumerate(held)
    )
    Event.activities.through.objects.bulk_create(
        Event.activities.through(event_id=e.pk, activity_id=chosen[a].pk)
        for e, h in zip(events, held, strict=True)
        for a in h.activities
    )
    Participant.objects.bulk_create(
        Participant(event=e, sex=sex, age_band=BANDS[1])
        for e, h in zip(events, held, strict=True)
        for sex in h.participants
    )
    ParticipantCount.objects.bulk_create(
        ParticipantCount(event=e, cell=cell, value=n)
        for e, h in zip(events, held, strict=True)
        for cell, n in h.counts
    )
    return events


def expected(plan, chosen, held, written, *, agencies=None, period=None, pillar=None) -> dict:
    """{district: (events, {sex: people}, reported sum or None, figures)}, added up by hand."""
    periods = list(plan.reporting_periods.order_by("start"))
    window = periods[period] if period is not None else None
    events: Counter = Counter()
    people: dict[str, Counter] = defaultdict(Counter)
    for h in held:
        if agencies is not None and h.organiser not in agencies:
            continue
        if window is not None and not window.start <= h.day <= window.end:
            continue
        if pillar is not None and not any(chosen[a].priority_area.pillar_id == pillar for a in h.activities):
            continue
        events[h.district] += 1
        for sex in h.participants:
            people[h.district][sex] += 1
        for cell, n in h.counts:
            people[h.district][dict(p.split(":") for p in cell.split("|"))["sex"]] += n
    reported: dict[str, Decimal] = defaultdict(Decimal)
    figures: Counter = Counter()
    for w in written:
        if w.status not in COUNTED or (agencies is not None and w.agency not in agencies):
            continue
        if period is not None and w.period != period:
            continue
        if pillar is not None and chosen[w.activity].priority_area.pillar_id != pillar:
            continue
        for cell, value in w.values:
            options = dict(p.split(":") for p in cell.split("|")) if cell else {}
            if "district" in options:
                reported[options["district"]] += value
                figures[options["district"]] += 1
    codes = events.keys() | {d for d, c in people.items() if c} | reported.keys()
    return {
        d: (events[d], {s: n for s, n in people[d].items() if n}, reported.get(d), figures[d]) for d in codes
    }


def found(rows) -> dict:
    return {r.district: (r.events, dict(r.participants_by_sex), r.reported, r.figures) for r in rows}


held_event = st.builds(
    Held,
    organiser=st.sampled_from(AGENCIES),
    activities=st.frozensets(st.integers(0, len(CODES) - 1), min_size=1, max_size=2),
    day=st.dates(date(2019, 6, 1), date(2024, 6, 30)),
    district=st.sampled_from(("", *DISTRICTS)),
    participants=st.lists(st.sampled_from(SEXES), max_size=5).map(tuple),
)
counted_event = st.builds(
    Held,
    organiser=st.sampled_from(AGENCIES),
    activities=st.frozensets(st.integers(0, len(CODES) - 1), min_size=1, max_size=2),
    day=st.dates(date(2019, 6, 1), date(2024, 6, 30)),
    district=st.sampled_from(DISTRICTS),
    counts=st.dictionaries(
        st.sampled_from(tuple(f"sex:{s}|age:{b}" for s in SEXES for b in BANDS)),
        st.integers(1, 40),
        min_size=1,
        max_size=3,
    ).map(lambda d: tuple(sorted(d.items()))),
)
written_report = st.builds(
    Written,
    activity=st.integers(0, len(CODES) - 1),
    agency=st.sampled_from(AGENCIES),
    period=st.integers(0, 3),
    status=st.sampled_from([s.value for s in Status]),
    values=st.dictionaries(st.sampled_from(DISTRICT_CELLS + OTHER_CELLS), st.integers(0, 30), max_size=4).map(
        lambda d: tuple(sorted(d.items()))
    ),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    held=st.lists(st.one_of(held_event, counted_event), max_size=10),
    written=st.lists(written_report, max_size=8, unique_by=lambda w: (w.activity, w.agency, w.period)),
    period=st.one_of(st.none(), st.integers(0, 3)),
    pillar_index=st.one_of(st.none(), st.integers(0, len(CODES) - 1)),
)
def test_figures_equal_a_count_by_hand(plan, people, held, written, period, pillar_index) -> None:
    """For a coordinator (the rollups), an evaluator, and two agencies' focal points (their own events and
    reports from the base tables), with and without a period and a pillar: every district's events,
    participants by sex and reported sum are the hand count's."""
    with transaction.atomic():
        chosen = activities(plan)
        write_events(plan, chosen, held)
        write_reports(plan, chosen, written)
        rollups_rebuild(plan=plan)
        periods = list(plan.reporting_periods.order_by("start"))
        pillar = chosen[pillar_index].priority_area.pillar_id if pillar_index is not None else None
        period_id = periods[period].pk if period is not None else None
        for viewer, agencies in (
            ("coordinator", None),
            ("evaluator", None),
            ("mod", {"mod"}),
            ("mia", {"mia"}),
        ):
            rows = by_district(people[viewer], plan=plan, period=period_id, pillar=pillar)
            assert found(rows) == expected(
                plan, chosen, held, written, agencies=agencies, period=period, pillar=pillar
            )
        mod = Organisation.objects.get(country="AZ", key="mod").pk
        rows = by_district(people["coordinator"], plan=plan, agency=mod)
        assert found(rows) == expected(plan, chosen, held, written, agencies={"mod"})
        transaction.set_rollback(True)


def test_a_known_world(plan, people) -> None:
    """Two events in Baku (three women and a man listed; 5 women and 2 men counted), one in Kurdamir, one
    national; an approved report with 7 and 4 in Baku's cells and a draft with 100: Baku has 2 events, 8
    women and 3 men, 11 reported from 2 figures; the draft is not counted; the national event is under ""."""
    chosen = activities(plan)
    write_events(
        plan,
        chosen,
        [
            Held("mod", frozenset({0}), date(2021, 3, 1), "baku", ("women", "women", "women", "men")),
            Held(
                "mod",
                frozenset({1}),
                date(2021, 4, 1),
                "baku",
                counts=(("sex:women|age:18-24", 5), ("sex:men|age:18-24", 2)),
            ),
            Held("mia", frozenset({0}), date(2022, 4, 1), "kurdamir", ("men",)),
            Held("mia", frozenset({2}), date(2022, 5, 1), ""),
        ],
    )
    write_reports(
        plan,
        chosen,
        [
            Written(
                0,
                "mod",
                1,
                Status.APPROVED,
                values=(("sex:women|district:baku", 7), ("sex:men|district:baku", 4), ("", 11)),
            ),
            Written(0, "mia", 1, Status.DRAFT, values=(("sex:women|district:baku", 100),)),
        ],
    )
    rollups_rebuild(plan=plan)
    rows = {r.district: r for r in by_district(people["coordinator"], plan=plan)}
    assert set(rows) == {"", "baku", "kurdamir"}
    baku = rows["baku"]
    assert (baku.events, baku.participants_by_sex, baku.participants) == (2, (("men", 3), ("women", 8)), 11)
    assert (baku.reported, baku.figures) == (Decimal(11), 2)
    assert (rows["kurdamir"].events, rows["kurdamir"].participants, rows["kurdamir"].reported) == (1, 1, None)
    assert (rows[""].events, rows[""].participants) == (1, 0)
    # MIA's focal point sees MIA's events only, and no counted report.
    mia = {r.district: r for r in by_district(people["mia"], plan=plan)}
    assert set(mia) == {"", "kurdamir"}


def _world(plan, n: int) -> None:
    chosen = activities(plan)
    write_events(
        plan,
        chosen,
        [
            Held(AGENCIES[i % 3], frozenset({i % 3}), date(2021, 1 + i % 12, 1), DISTRICTS[i % 4], ("women",))
            for i in range(n)
        ],
    )
    write_reports(
        plan,
        chosen,
        [
            Written(
                i % 3,
                AGENCIES[(i // 3) % 3],
                (i // 9) % 4,
                Status.APPROVED,
                values=((DISTRICT_CELLS[i % 8], 2),),
            )
            for i in range(n)
        ],
    )
    rollups_rebuild(plan=plan)


@pytest.mark.parametrize(
    ("viewer", "filtered", "queries"),
    [
        # the district rollup's state (two), its rows (events and participants), reported figures (from
        # the rollups)
        ("coordinator", False, 4),
        # and the period's dates
        ("coordinator", True, 5),
        # an agency's figures from the base tables: events, participants, reported figures
        ("mod", False, 3),
    ],
)
def test_the_queries_do_not_grow_with_the_data(
    plan, people, django_assert_num_queries, viewer, filtered, queries
) -> None:
    """A fixed number of queries for 2 events and reports and for 20."""
    periods = list(plan.reporting_periods.order_by("start"))
    period = periods[1].pk if filtered else None
    user = people[viewer]
    user.organisation  # noqa: B018 - the viewer's organisation is loaded with the session in a request
    _world(plan, 2)
    with django_assert_num_queries(queries):
        few = by_district(user, plan=plan, period=period)
    ProgressReport.objects.all().delete()
    Event.objects.all().delete()
    _world(plan, 20)
    with django_assert_num_queries(queries):
        many = by_district(user, plan=plan, period=period)
    assert sum(r.events for r in many) > sum(r.events for r in few) > 0
