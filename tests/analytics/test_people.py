"""People reached by sex x age band, per pillar and year (``analytics.people``): over random reports (on
indicators by sex x age band in three pillars, one by age band only and one without a breakdown, in every
review status) and random events (listed or counted participants, implementing one to three activities,
across and beyond the plan's years), the figures equal what plain Python adds up from what was written,
for every viewer's scope; the queries do not grow with the data."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.analytics.people import people_reached
from wpsnap.analytics.scope import PUBLIC
from wpsnap.registries.models import Event
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import AGENCIES, BANDS, SEX_AGE, SEXES, Happened, Written, write_events, write_reports
from .conftest import agency as agency_of

pytestmark = pytest.mark.django_db

# Three activities whose indicator is by sex x age band (three pillars), one by age band only, one
# without a breakdown: only the first three count as people reached in reports.
CODES = ("5.1.2.3", "5.2.3.2", "5.4.1.1", "5.2.4.1", "5.2.1.1")
BY_SEX_AND_AGE = (0, 1, 2)

written_report = st.builds(
    Written,
    activity=st.integers(0, len(CODES) - 1),
    agency=st.sampled_from(AGENCIES),
    period=st.integers(0, 3),
    status=st.sampled_from([s.value for s in Status]),
    values=st.dictionaries(st.sampled_from(("", *SEX_AGE)), st.integers(0, 30), max_size=5).map(
        lambda d: tuple(sorted(d.items()))
    ),
)
happened = st.builds(
    Happened,
    organiser=st.sampled_from(AGENCIES),
    activities=st.frozensets(st.integers(0, len(CODES) - 1), min_size=1, max_size=3),
    day=st.dates(date(2019, 6, 1), date(2024, 6, 30)),
    participants=st.lists(st.tuples(st.sampled_from(SEXES), st.sampled_from(BANDS)), max_size=6).map(tuple),
)
counted_event = st.builds(
    Happened,
    organiser=st.sampled_from(AGENCIES),
    activities=st.frozensets(st.integers(0, len(CODES) - 1), min_size=1, max_size=3),
    day=st.dates(date(2019, 6, 1), date(2024, 6, 30)),
    counts=st.dictionaries(st.sampled_from(SEX_AGE), st.integers(1, 40), min_size=1, max_size=4).map(
        lambda d: tuple(sorted(d.items()))
    ),
)


def by_hand(written, events, pillars, statuses, agencies) -> dict:
    """{(pillar key, year, sex, age band): (reported, participants)} added up from what was written."""
    reported: Counter = Counter()
    came: Counter = Counter()
    for w in written:
        if (
            w.status in statuses
            and (agencies is None or w.agency in agencies)
            and w.activity in BY_SEX_AND_AGE
        ):
            for cell, value in w.values:
                if cell:
                    sex, age = (part.split(":")[1] for part in cell.split("|"))
                    reported[(pillars[w.activity], 2020 + w.period, sex, age)] += value
    for e in events:
        if agencies is not None and e.organiser not in agencies:
            continue
        people = [(sex, age, 1) for sex, age in e.participants]
        people += [(*(part.split(":")[1] for part in cell.split("|")), n) for cell, n in e.counts]
        for pillar in {pillars[a] for a in e.activities}:
            for sex, age, n in people:
                came[(pillar, e.day.year, sex, age)] += n
    return {
        key: (reported[key], came[key]) for key in reported.keys() | came.keys() if reported[key] or came[key]
    }


def as_found(found) -> dict:
    return {
        (r.pillar, r.year, r.sex, r.age): (int(r.reported), r.participants)
        for r in found
        if r.reported or r.participants
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    written=st.lists(written_report, max_size=10, unique_by=lambda w: (w.activity, w.agency, w.period)),
    events=st.lists(st.one_of(happened, counted_event), max_size=8),
)
def test_people_reached_equal_the_count_by_hand(plan, people, written, events) -> None:
    """The coordinator gets every agency's counted reports and events; MoD's focal point MoD's; the public
    published reports and no events; the anonymous visitor nothing. An event implementing two activities
    of one pillar counts once there, and once in each other pillar it serves."""
    activities = [plan.activities.get(code=code) for code in CODES]
    pillars = [a.priority_area.pillar.key for a in activities]
    counted = {"approved", "published"}
    with transaction.atomic():
        write_reports(plan, activities, written)
        write_events(plan, activities, events)
        assert as_found(people_reached(people["coordinator"], plan=plan)) == by_hand(
            written, events, pillars, counted, None
        )
        assert as_found(people_reached(people["mod"], plan=plan)) == by_hand(
            written, events, pillars, counted, {"mod"}
        )
        assert as_found(people_reached(PUBLIC, plan=plan)) == by_hand(
            written, [], pillars, {"published"}, None
        )
        assert people_reached(AnonymousUser(), plan=plan) == ()
        transaction.set_rollback(True)


def _data(plan, n: int) -> None:
    activities = [plan.activities.get(code=code) for code in CODES]
    write_reports(
        plan,
        activities,
        [
            Written(i % 3, AGENCIES[i // 12], (i // 3) % 4, "approved", values=((SEX_AGE[i % 10], 2),))
            for i in range(n)
        ],
    )
    write_events(
        plan,
        activities,
        [
            Happened("mod", frozenset({i % 3}), date(2021, 1, 1 + i), participants=(("women", "18-24"),))
            for i in range(n)
        ],
    )


def test_the_queries_do_not_grow_with_the_data(plan, people, django_assert_num_queries) -> None:
    """Reported sums (from the figure rollups), whether the people rollup is current (the activities
    with its stored digest, the periods), participants listed and counted (from the people rollup), the
    pillars and the options' order: seven queries for 2 reports and events, and for 20. An agency's
    people read their own events' people instead of the rollup: five."""
    _data(plan, 2)
    with django_assert_num_queries(7):
        few = people_reached(people["coordinator"], plan=plan)
    with django_assert_num_queries(5):
        people_reached(people["mod"], plan=plan)
    ProgressReport.objects.all().delete()
    Event.objects.all().delete()
    _data(plan, 20)
    with django_assert_num_queries(7):
        many = people_reached(people["coordinator"], plan=plan)
    with django_assert_num_queries(5):
        people_reached(people["mod"], plan=plan)
    assert (sum(r.reported for r in few), sum(r.participants for r in few)) == (4, 2)
    assert (sum(r.reported for r in many), sum(r.participants for r in many)) == (40, 20)


# --- filters ---------------------------------------------------------------------------------------------

DISTRICTS = ("", "baku", "ganja")


def filtered_by_hand(written, events, pillars, period, pillar, agency, district) -> dict:
    """``by_hand`` for the coordinator, narrowed: ``period`` an index (2020 + it is the year of the
    reports' period and of the events' first day), ``pillar`` a key, ``agency`` a key, ``district`` a
    code (events only); None for all."""
    kept_reports = [
        w
        for w in written
        if (period is None or w.period == period)
        and (pillar is None or pillars[w.activity] == pillar)
        and (agency is None or w.agency == agency)
    ]
    kept_events = [
        e
        for e in events
        if (period is None or e.day.year == 2020 + period)
        and (agency is None or e.organiser == agency)
        and (district is None or e.district == district)
    ]
    found = by_hand(kept_reports, kept_events, pillars, {"approved", "published"}, None)
    return {key: figures for key, figures in found.items() if pillar is None or key[0] == pillar}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    written=st.lists(written_report, max_size=10, unique_by=lambda w: (w.activity, w.agency, w.period)),
    events=st.lists(
        st.tuples(st.one_of(happened, counted_event), st.sampled_from(DISTRICTS)).map(
            lambda pair: replace(pair[0], district=pair[1])
        ),
        max_size=8,
    ),
    period=st.one_of(st.none(), st.integers(0, 3)),
    pillar=st.one_of(st.none(), st.integers(0, 2)),
    agency=st.one_of(st.none(), st.sampled_from(AGENCIES)),
    district=st.one_of(st.none(), st.sampled_from(DISTRICTS)),
)
def test_the_filters_narrow_the_figures_as_the_count_by_hand(
    plan, people, written, events, period, pillar, agency, district
) -> None:
    """Period (by id), pillar, agency and district each keep what the count by hand keeps: reports of the
    period, pillar and agency; events whose first day is in the period, of the agency, held in the
    district, in the pillar's activities. The district leaves the reported side whole."""
    activities = [plan.activities.get(code=code) for code in CODES]
    pillars = [a.priority_area.pillar.key for a in activities]
    pillar_ids = [a.priority_area.pillar_id for a in activities[:3]]
    periods = list(plan.reporting_periods.order_by("start"))
    with transaction.atomic():
        write_reports(plan, activities, written)
        write_events(plan, activities, events)
        found = people_reached(
            people["coordinator"],
            plan=plan,
            period=None if period is None else periods[period].pk,
            pillar=None if pillar is None else pillar_ids[pillar],
            agency=None if agency is None else agency_of(agency).pk,
            district=district,
        )
        assert as_found(found) == filtered_by_hand(
            written, events, pillars, period, None if pillar is None else pillars[pillar], agency, district
        )
        transaction.set_rollback(True)


def test_the_filters_cost_no_query(plan, people, django_assert_num_queries) -> None:
    """Filtered by a period's id, a pillar, an agency and a district, people reached still take five
    queries (a district is read from the events' people), for 2 reports and events and for 20; without
    the district, seven (from the people rollup)."""
    filters = {
        "period": plan.reporting_periods.order_by("start")[1].pk,
        "pillar": plan.activities.get(code=CODES[0]).priority_area.pillar_id,
        "district": "",
    }
    mod = agency_of("mod").pk
    _data(plan, 2)
    with django_assert_num_queries(5):
        people_reached(people["coordinator"], plan=plan, **filters)
    with django_assert_num_queries(5):
        people_reached(people["coordinator"], plan=plan, agency=mod, **filters)
    ProgressReport.objects.all().delete()
    Event.objects.all().delete()
    _data(plan, 20)
    with django_assert_num_queries(5):
        people_reached(people["coordinator"], plan=plan, **filters)
    with django_assert_num_queries(5):
        found = people_reached(people["coordinator"], plan=plan, agency=mod, **filters)
    assert sum(r.participants for r in found) == 7  # the events for the first activity (every third)
    del filters["district"]
    with django_assert_num_queries(7):
        rolled = people_reached(people["coordinator"], plan=plan, agency=mod, **filters)
    assert rolled == found


# --- the people rollup ------------------------------------------------------------------------------------


def test_the_rollup_is_read_only_while_the_activities_and_periods_are_those_it_was_built_under(
    plan, people
) -> None:
    """An activity moved to a priority area of another pillar, or a period's dates changed, past a
    rebuild: people reached are counted from the events again (the moved activity's people in its new
    pillar), an event written meanwhile drops the stored digest, and a rebuild makes the rollup current
    again with the same figures."""
    from wpsnap.analytics.models import PeopleState
    from wpsnap.analytics.people import rollup_current
    from wpsnap.analytics.rollups import events_changed, rollups_rebuild
    from wpsnap.plan.models import Activity

    activities = [plan.activities.get(code=code) for code in CODES]
    moved, elsewhere = activities[0], activities[1].priority_area
    assert moved.priority_area.pillar_id != elsewhere.pillar_id
    (event,) = write_events(
        plan,
        activities,
        [Happened("mod", frozenset({0}), date(2021, 3, 1), participants=(("women", "18-24"),) * 3)],
    )
    coordinator = people["coordinator"]

    def reached() -> set:
        return {
            (r.pillar_id, r.year, r.sex, r.age, r.participants)
            for r in people_reached(coordinator, plan=plan)
        }

    assert rollup_current(plan)
    assert reached() == {(moved.priority_area.pillar_id, 2021, "women", "18-24", 3)}
    Activity.objects.filter(pk=moved.pk).update(priority_area=elsewhere)
    assert not rollup_current(plan)
    assert reached() == {(elsewhere.pillar_id, 2021, "women", "18-24", 3)}
    with transaction.atomic():
        events_changed([event.pk])
    assert PeopleState.objects.get(plan=plan).fingerprint == ""  # blanked: not current again by itself
    with transaction.atomic():
        events_changed([event.pk])
    assert not rollup_current(plan)
    assert reached() == {(elsewhere.pillar_id, 2021, "women", "18-24", 3)}
    rollups_rebuild(plan=plan)
    assert rollup_current(plan)
    assert reached() == {(elsewhere.pillar_id, 2021, "women", "18-24", 3)}
    period = plan.reporting_periods.get(start__year=2021)
    period.end = date(2021, 2, 28)
    period.save(update_fields=["end"])
    assert not rollup_current(plan)
    assert people_reached(coordinator, plan=plan, period=period.pk) == ()  # 1 March is past its end now
    rollups_rebuild(plan=plan)
    assert rollup_current(plan)
    assert people_reached(coordinator, plan=plan, period=period.pk) == ()


def test_a_deleted_event_leaves_its_organisers_sums(plan, people) -> None:
    """Deleting an event through the service takes its people out of the rollup (the event's organiser is
    remembered past its deletion), and the check finds a row changed past the services."""
    from wpsnap.analytics.models import PeopleRollup
    from wpsnap.analytics.rollups import rollups_verify
    from wpsnap.registries.services.events import event_delete

    activities = [plan.activities.get(code=code) for code in CODES]
    first, _second = write_events(
        plan,
        activities,
        [
            Happened("mod", frozenset({0}), date(2021, 3, 1), participants=(("women", "18-24"),) * 3),
            Happened("mod", frozenset({0}), date(2021, 4, 1), participants=(("women", "18-24"),) * 2),
        ],
    )
    assert sum(r.participants for r in people_reached(people["coordinator"], plan=plan)) == 5
    event_delete(actor=people["mod"], event=Event.objects.get(pk=first.pk))
    assert sum(r.participants for r in people_reached(people["coordinator"], plan=plan)) == 2
    assert rollups_verify(plan) == []
    PeopleRollup.objects.filter(plan=plan).update(value=7)
    assert [(d.table, d.stored, d.fresh) for d in rollups_verify(plan)] == [("reached", (7,), (2,))]


def test_a_plan_whose_events_all_came_through_the_services_needs_no_rebuild(plan, people) -> None:
    """Without a stored digest (no rebuild yet), the rollup becomes current once every event of the plan
    was written through the services: the first event created sets it, and the figures are the events'."""
    from wpsnap.analytics.models import PeopleState
    from wpsnap.analytics.people import rollup_current
    from wpsnap.registries.models import Participation
    from wpsnap.registries.services.events import EventInput, counts_save, event_create

    assert not Event.objects.filter(plan=plan).exists()
    PeopleState.objects.filter(plan=plan).delete()
    assert not rollup_current(plan)
    activity = plan.activities.get(code=CODES[0])
    event = event_create(
        actor=people["mod"],
        plan=plan,
        data=EventInput(
            kind="training",
            title="Training",
            starts_on=date(2021, 3, 1),
            ends_on=date(2021, 3, 1),
            activities=[activity],
            participation=Participation.COUNTS,
        ),
    )
    assert rollup_current(plan)
    counts_save(actor=people["mod"], event=event, counts={"sex:women|age:18-24": "4"})
    assert rollup_current(plan)
    assert [
        (r.pillar_id, r.year, r.sex, r.age, r.participants)
        for r in people_reached(people["coordinator"], plan=plan)
    ] == [(activity.priority_area.pillar_id, 2021, "women", "18-24", 4)]
