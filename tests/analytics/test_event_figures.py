"""The events' stored figures (``analytics.models.EventFigure``): what each event gives each indicator bound
to event data, kept by the registries' services through ``rollups.events_changed`` and read by
``reported_and_derived`` instead of matching every event to the indicators on each request.

- Written through the services (events created, edited, deleted, participants imported), the stored rows
  equal what a rebuild writes, and the figures read from them equal the figures counted from the events.
- A rule changed since the rows were built (``rule_set``) sends the reads back to the events, with the new
  rule's figures, until ``rollups_rebuild`` builds them again under it.

The hypothesis test of ``test_figures`` (figures against a count by hand) and the random write sequences of
``test_rollups`` (``rollups_verify`` after every service call, which compares these rows too) read them
as well."""

from __future__ import annotations

from datetime import date

import pytest

from wpsnap.analytics import derived as derived_module
from wpsnap.analytics.derived import derived_figures, setup_of, stored_figures
from wpsnap.analytics.figures import reported_and_derived
from wpsnap.analytics.models import DerivedState, EventFigure
from wpsnap.analytics.rollups import rollups_rebuild, rollups_verify
from wpsnap.analytics.scope import events as scoped_events
from wpsnap.registries.models import DerivationRule, Event
from wpsnap.registries.selectors import rules_for
from wpsnap.registries.services.rules import rule_set
from wpsnap.reporting.selectors import indicator_specs

from .test_rollups import World, _do

pytestmark = pytest.mark.django_db


def _rows(plan) -> set[tuple]:
    return set(
        EventFigure.objects.filter(plan=plan).values_list(
            "event_id", "indicator_id", "organiser_id", "period_id", "cell", "value", "total_only"
        )
    )


def _both(viewer, plan):
    """(figures from the stored rows or None, figures counted from the events), for the whole plan."""
    setup = setup_of(plan)
    indicators = setup.bound
    specs = indicator_specs(indicators)
    rules = rules_for(indicators)
    events = scoped_events(viewer)
    stored = stored_figures(
        plan=plan,
        periods=setup.periods,
        every_period=setup.periods,
        indicators=indicators,
        specs=specs,
        rules=rules,
        events=events,
    )
    live = derived_figures(
        events=events, plan=plan, periods=setup.periods, indicators=indicators, specs=specs
    )
    return stored, live


def _writes(world: World) -> None:
    """Trainings of MoD and MIA with participants listed and counted, one edited, one deleted."""
    _do(world, ("event_create", "mod", frozenset({2}), date(2020, 5, 1), 1, False))
    _do(world, ("event_create", "mia", frozenset({0, 1}), date(2021, 2, 3), 0, True))
    _do(world, ("event_create", "mod", frozenset({0, 2}), date(2020, 9, 9), 2, False))
    _do(
        world,
        ("import", 0, [("women", "18-24", 1, 1), ("men", "25-34", 0, 0), ("women", "60-plus", 2, 2)], False),
    )
    _do(world, ("import", 1, [("men", "0-17", 0, 1)] * 3, False))
    _do(world, ("counts", 0, {"sex:women|age:18-24": 4, "sex:men|age:60-plus": 2}))
    _do(world, ("event_update", 1, date(2021, 6, 1), 1, frozenset({0})))
    _do(world, ("event_create", "mia", frozenset({1}), date(2020, 1, 1), 0, False))
    _do(world, ("event_delete", 3))


def test_the_services_keep_the_rows_a_rebuild_writes(plan, people, make_user) -> None:
    """After creations, imports, counts, an edit and a deletion through the services, the stored rows
    equal a rebuild's, the figures read from them equal the figures counted from the events (for a
    coordinator and for an agency's focal point), and a deleted event leaves no row."""
    rollups_rebuild(plan=plan)  # the set-up's digests, as after the upgrade's rebuild
    world = World(plan, people, make_user)
    _writes(world)
    assert rollups_verify(plan) == []
    kept = _rows(plan)
    assert kept, "the trainings count for some indicator bound to events"
    assert {row[0] for row in kept} <= set(Event.objects.filter(plan=plan).values_list("pk", flat=True))
    for viewer in (people["coordinator"], people["mod"]):
        stored, live = _both(viewer, plan)
        assert stored is not None
        assert stored == live
    assert any(d.cells for d in live.values())
    rollups_rebuild(plan=plan)
    assert _rows(plan) == kept


def test_a_rule_changed_since_the_rebuild_is_read_from_the_events(plan, people, make_user) -> None:
    """A rule changed through its service: the stored rows are no longer read (the figures come from the
    events, with the new rule); after a rebuild they are read again, and say the same."""
    rollups_rebuild(plan=plan)
    world = World(plan, people, make_user)
    _writes(world)
    coordinator = people["coordinator"]
    before = reported_and_derived(coordinator, plan=plan)
    stored, _live = _both(coordinator, plan)
    assert stored is not None
    rule = (
        DerivationRule.objects.filter(indicator__plan=plan, indicator__in=[i.pk for i in world.indicators])
        .select_related("indicator")
        .order_by("pk")
        .first()
    )
    assert rule is not None
    rule_set(actor=coordinator, indicator=rule.indicator, measure="events", kinds=["training"], topics=[])
    stored, live = _both(coordinator, plan)
    assert stored is None
    after = reported_and_derived(coordinator, plan=plan)
    changed = [f for f in after if f.indicator_id == rule.indicator_id]
    assert changed and all(f.measure == "events" for f in changed)
    assert after != before
    # An event written meanwhile does not make the older rows current again.
    _do(world, ("event_create", "mod", frozenset({2}), date(2020, 7, 1), 1, False))
    assert _both(coordinator, plan)[0] is None
    rollups_rebuild(plan=plan)
    stored, live = _both(coordinator, plan)
    assert stored is not None and stored == live
    assert DerivedState.objects.filter(plan=plan).count() == 1


def test_without_a_rebuild_the_figures_come_from_the_events(plan, people, make_user) -> None:
    """A plan whose stored figures were never built (no rebuild since the upgrade) is read from the events,
    with the same figures."""
    DerivedState.objects.filter(plan=plan).delete()
    world = World(plan, people, make_user)
    _writes(world)
    stored, live = _both(people["coordinator"], plan)
    assert stored is None
    assert live
    assert derived_module.stored_figures is stored_figures  # the read path this test exercises
