"""People reached by sex x age band, per pillar and year (``analytics.people``): over random reports (on
indicators by sex x age band in three pillars, one by age band only and one without a breakdown, in every
review status) and random events (listed or counted participants, implementing one to three activities,
across and beyond the plan's years), the figures equal what plain Python adds up from what was written,
for every viewer's scope; the queries do not grow with the data."""

from __future__ import annotations

from collections import Counter
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
    """Reported sums (from the figure rollups), participants listed and counted (from the events'
    tallies), the pillars and the options' order (two): five queries for 2 reports and events, and for
    20."""
    _data(plan, 2)
    with django_assert_num_queries(5):
        few = people_reached(people["coordinator"], plan=plan)
    ProgressReport.objects.all().delete()
    Event.objects.all().delete()
    _data(plan, 20)
    with django_assert_num_queries(5):
        many = people_reached(people["coordinator"], plan=plan)
    assert (sum(r.reported for r in few), sum(r.participants for r in few)) == (4, 2)
    assert (sum(r.reported for r in many), sum(r.participants for r in many)) == (40, 20)
