"""Reported figures beside event-derived figures (``analytics.figures.reported_and_derived``).

The derived side is checked on the registries' random worlds (``tests/registries/test_derived_property``:
events of random types, topics, organisers, activities and dates, participants listed or counted, random
rules on six indicators with every kind of breakdown): for every agency and period, each bound
indicator's events, cells, total and total-only participants equal that module's count by hand, and
the registries' own ``derived_values`` (which the report form uses) agrees. The reported side, the
viewer's scope and the query count are checked on written reports and events.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wpsnap.analytics.figures import differing, reported_and_derived
from wpsnap.analytics.rollups import rollups_rebuild
from wpsnap.analytics.scope import PUBLIC
from wpsnap.registries.models import DerivationRule, Event, Measure
from wpsnap.registries.selectors import derived_values

from ..registries.test_derived_property import (
    EXAMPLE_EVENTS,
    EXAMPLE_RULES,
    expected,
    insert,
    nonzero,
    rules,
    world,  # noqa: F401 - the fixture
)
from ..registries.test_derived_property import event as random_event
from .conftest import Happened, Written, agency, write_events, write_reports

pytestmark = pytest.mark.django_db


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(random_event, max_size=14), bound=rules)
@example(events=EXAMPLE_EVENTS, bound=EXAMPLE_RULES)
def test_derived_figures_equal_the_count_by_hand(world, people, events, bound) -> None:  # noqa: F811
    """Asked once for the whole plan, every (indicator, agency, period) with events says what the count by
    hand says, and what ``derived_values`` says for that agency and period; nothing else is listed."""
    with transaction.atomic():
        insert(world, events, bound)
        plan = world.indicators["sex-age"].plan
        rollups_rebuild(plan=plan)  # the events went in in bulk, past the services that keep the tallies
        found = {
            (f.indicator_id, f.agency_id, f.period_id): f
            for f in reported_and_derived(people["coordinator"], plan=plan)
        }
        listed = set()
        for organiser, organiser_id in enumerate(world.organiser_ids):
            for period in world.periods:
                theirs = derived_values(
                    indicators=list(world.indicators.values()), agency_id=organiser_id, period=period
                )
                for name, r in bound.items():
                    if r is None:
                        continue
                    indicator = world.indicators[name]
                    count, cells, total_only = expected(world, events, name, r, organiser, period)
                    if not count:
                        continue
                    key = (indicator.pk, organiser_id, period.pk)
                    listed.add(key)
                    figures = found[key]
                    derived = {c.cell: c.derived for c in figures.cells}
                    where = (name, r, organiser, period.label)
                    assert figures.measure == r["measure"], where
                    assert figures.events == count == theirs[indicator.pk].events, where
                    assert nonzero(derived) == nonzero(cells) == nonzero(theirs[indicator.pk].cells), where
                    assert figures.total_only == total_only == theirs[indicator.pk].total_only, where
                    assert {c.reported for c in figures.cells} == {None}, where
        assert set(found) == listed
        transaction.set_rollback(True)


@pytest.fixture
def written(plan):
    """MoD's and MIA's reports on 5.1.2.3 (MoD's training indicator, bound to training participants) for
    2021, and their trainings that year: MoD's with MIA as a partner."""
    activity = plan.activities.get(code="5.1.2.3")
    write_reports(
        plan,
        [activity],
        [
            Written(0, "mod", 1, "approved", values=(("", 9), ("sex:women|age:18-24", 4))),
            Written(0, "mia", 1, "draft", values=(("", 5),)),
        ],
    )
    made = write_events(
        plan,
        [activity],
        [
            Happened("mod", frozenset({0}), date(2021, 5, 1), participants=(("women", "18-24"),) * 3),
            Happened("mia", frozenset({0}), date(2021, 6, 1), counts=(("sex:men|age:25-34", 2),)),
        ],
    )
    made[0].partners.add(agency("mia"))
    return plan.indicators.get(activity=activity)


def test_figures_beside_each_other_by_cell(plan, people, written) -> None:
    """For MoD in 2021: the total and every cell either side gives, derived beside reported (None where the
    reports say nothing, 0 where the events do); any status counts unless statuses are named."""
    period = plan.reporting_periods.get(label="2021")
    found = reported_and_derived(people["coordinator"], plan=plan, period=period, agency=agency("mod"))
    mine = next(f for f in found if f.indicator_id == written.pk)
    assert [(c.cell, c.derived, c.reported) for c in mine.cells] == [
        ("", 3, Decimal(9)),
        ("sex:women|age:18-24", 3, Decimal(4)),
    ]
    assert (mine.measure, mine.events, mine.total_only) == (Measure.PARTICIPANTS, 1, 0)
    # Every bound indicator is listed for one agency and period, with zeros where nothing was recorded.
    bound = DerivationRule.objects.filter(indicator__plan=plan).count()
    assert len(found) == bound
    assert all(c.derived == 0 and c.reported is None for f in found if f is not mine for c in f.cells)
    mia = reported_and_derived(
        people["coordinator"], plan=plan, period=period, agency=agency("mia"), statuses={"approved"}
    )
    theirs = next(f for f in mia if f.indicator_id == written.pk)
    assert [(c.cell, c.derived, c.reported) for c in theirs.cells] == [
        ("", 2, None),
        ("sex:men|age:25-34", 2, None),
    ]


def test_an_agencys_people_see_their_own_figures_only(plan, people, written) -> None:
    """MIA's focal point gets MIA's figures only: MoD's training, where MIA was a partner, counts for MoD.
    MoD's approver gets MoD's; the anonymous visitor and the public nothing (events are not published)."""
    mia = reported_and_derived(people["mia"], plan=plan)
    assert {f.agency_id for f in mia} == {agency("mia").pk}
    assert sum(f.events for f in mia) == 1
    everyone = reported_and_derived(people["evaluator"], plan=plan)
    assert {f.agency_id for f in everyone} == {agency("mod").pk, agency("mia").pk}
    assert {f.agency_id for f in reported_and_derived(people["mod_approver"], plan=plan)} == {
        agency("mod").pk
    }
    assert reported_and_derived(AnonymousUser(), plan=plan) == ()
    assert reported_and_derived(PUBLIC, plan=plan) == ()


def _events(plan, n: int) -> None:
    activity = plan.activities.get(code="5.1.2.3")
    write_events(
        plan,
        [activity],
        [
            Happened(
                ("mod", "mia")[i % 2],
                frozenset({0}),
                date(2020 + i % 4, 3, 1 + i),
                participants=(("women", "18-24"), ("men", "60-plus")),
                counts=(("sex:women|age:0-17", 1),) if i % 3 == 0 else (),
            )
            for i in range(n)
        ],
    )


def test_the_queries_do_not_grow_with_the_events(plan, people, django_assert_num_queries) -> None:
    """Indicators, periods, breakdowns (three), rules and their topics, two sums for the events (the events
    that count, their tallies of participants) and one for the reports: ten queries for 2 events and for
    20."""
    _events(plan, 2)
    with django_assert_num_queries(10):
        few = reported_and_derived(people["coordinator"], plan=plan)
    Event.objects.all().delete()
    _events(plan, 20)
    with django_assert_num_queries(10):
        many = reported_and_derived(people["coordinator"], plan=plan)
    people_in = Counter()
    for found, name in ((few, "few"), (many, "many")):
        people_in[name] = sum(c.derived for f in found for c in f.cells if c.cell == "")
    assert people_in == {"few": 5, "many": 47}


def test_the_district_and_pillar_filters_keep_their_events_and_indicators(plan, people) -> None:
    """Filtered by district, the derived figures are those of the events held there (the others deleted
    give the same figures unfiltered); the reported ones stay whole. Filtered by a pillar, only that
    pillar's bound indicators are listed. Period and agency may be ids."""
    activity = plan.activities.get(code="5.1.2.3")
    write_reports(plan, [activity], [Written(0, "mod", 1, "approved", values=(("", 9),))])
    write_events(
        plan,
        [activity],
        [
            Happened(
                "mod",
                frozenset({0}),
                date(2021, 5, 1),
                participants=(("women", "18-24"),) * 3,
                district="baku",
            ),
            Happened(
                "mod",
                frozenset({0}),
                date(2021, 6, 1),
                participants=(("men", "25-34"),) * 2,
                district="ganja",
            ),
            Happened("mod", frozenset({0}), date(2021, 7, 1), counts=(("sex:men|age:60-plus", 4),)),
        ],
    )
    period, mod = plan.reporting_periods.get(label="2021"), agency("mod")

    def shown(found) -> list:
        return [(f.indicator, f.events, [(c.cell, c.derived, c.reported) for c in f.cells]) for f in found]

    in_baku = reported_and_derived(people["coordinator"], plan=plan, district="baku")
    by_ids = reported_and_derived(
        people["coordinator"], plan=plan, period=period.pk, agency=mod.pk, district="baku"
    )
    Event.objects.exclude(district="baku").delete()
    rollups_rebuild(plan=plan)
    assert shown(in_baku) == shown(reported_and_derived(people["coordinator"], plan=plan))
    assert [f for f in by_ids if f.events] == [f for f in in_baku if f.events]
    assert [(c.cell, c.derived, c.reported) for f in in_baku if f.events for c in f.cells] == [
        ("", 3, Decimal(9)),
        ("sex:women|age:18-24", 3, None),
    ]
    pillar = activity.priority_area.pillar
    bound = DerivationRule.objects.filter(indicator__plan=plan)
    listed = reported_and_derived(
        people["coordinator"], plan=plan, period=period, agency=mod, pillar=pillar.pk
    )
    assert len(listed) == bound.filter(indicator__priority_area__pillar=pillar).count() < bound.count()


def test_the_filters_cost_no_query(plan, people, django_assert_num_queries) -> None:
    """With a pillar, a district, and a period and an agency given by id, still ten queries for 2 events
    and for 20 (MIA has events in 2021 either way)."""
    pillar = plan.activities.get(code="5.1.2.3").priority_area.pillar_id
    period, mia = plan.reporting_periods.get(label="2021").pk, agency("mia").pk
    _events(plan, 2)
    with django_assert_num_queries(10):
        reported_and_derived(
            people["coordinator"], plan=plan, pillar=pillar, district="", period=period, agency=mia
        )
    Event.objects.all().delete()
    _events(plan, 20)
    with django_assert_num_queries(10):
        found = reported_and_derived(
            people["coordinator"], plan=plan, pillar=pillar, district="", period=period, agency=mia
        )
    # MIA's five events of 2021 (every other event, one year in four): two people each, one counted.
    assert sum(c.derived for f in found for c in f.cells if c.cell == "") == 11


def _differing_by_hand(found) -> tuple:
    """What the alert names, from ``reported_and_derived``'s full list: a reported figure, and a cell whose
    report (0 where empty) differs from its events."""
    return tuple(
        f
        for f in found
        if any(c.reported is not None for c in f.cells)
        and any((c.reported or Decimal(0)) != c.derived for c in f.cells)
    )


def test_differing_is_the_full_list_filtered_stored_or_not(plan, people, written) -> None:
    """``differing`` (compared by the database from the stored event figures) lists exactly the figures of
    ``reported_and_derived`` that differ, cell for cell and in the same order, for each viewer and filter;
    and the same when the stored figures are out of date (a rule changed since the last rebuild), where
    it counts from the events. A report that matches its events is not listed."""
    activity = plan.activities.get(code="5.1.2.3")
    write_reports(
        plan, [activity], [Written(0, "mod", 0, "approved", values=(("", 2), ("sex:women|age:18-24", 1)))]
    )
    _events(plan, 9)
    rollups_rebuild(plan=plan)
    period = plan.reporting_periods.get(label="2021")
    pillar = activity.priority_area.pillar_id
    asked = [
        {},
        {"statuses": {"approved", "published"}},
        {"period": period, "statuses": {"approved"}},
        {"agency": agency("mod").pk, "pillar": pillar},
        {"district": "baku"},
        # The counted reports for a whole plan's viewer: read from the stored comparison (FigureMismatch).
        {"period": period, "statuses": {"approved", "published"}},
        {"agency": agency("mod").pk, "pillar": pillar, "statuses": {"approved", "published"}},
    ]
    for viewer in ("coordinator", "evaluator", "mod_approver", "mia"):
        for kwargs in asked:
            full = reported_and_derived(people[viewer], plan=plan, **kwargs)
            assert differing(people[viewer], plan=plan, **kwargs) == _differing_by_hand(full), (
                viewer,
                kwargs,
            )
    named = differing(people["coordinator"], plan=plan)
    # MoD's 2021 report says 9 where its events say 3; MIA's draft 5 where its events say 2 (any status).
    assert {(f.agency_id, f.period_id) for f in named} >= {
        (agency("mod").pk, period.pk),
        (agency("mia").pk, period.pk),
    }
    rule = DerivationRule.objects.get(indicator=written)
    rule.kinds = ["workshop"]
    rule.save()
    for viewer in ("coordinator", "mia"):
        full = reported_and_derived(people[viewer], plan=plan)
        assert differing(people[viewer], plan=plan) == _differing_by_hand(full), viewer
