"""The rollups (``analytics.rollups``) stay equal to a fresh computation from the base tables whatever the
writers do, through the services: random sequences of report steps (saves, submit, endorse, approve,
publish, returns before and after approval, refused steps among them), event creations, edits (date,
activities, district), deletions, participant imports (added or replacing), single deletions, clearing,
and counts; after every step ``rollups_verify`` finds no difference, and at the end the results equal a
sum by hand over the stored figures. Runs on SQLite and, under ``scripts/with-postgres``, on PostgreSQL.
Also: ``rollups_rebuild`` restores rollups a bulk load left stale, and ``wpsnap analytics rebuild
--check`` exits 1 on drift and 0 after a rebuild."""

from __future__ import annotations

import contextlib
import csv
import io
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.permissions import Refusal
from wpsnap.analytics.models import EventPeople, EventTally, ReportFigureRollup
from wpsnap.analytics.results import results
from wpsnap.analytics.rollups import rollups_rebuild, rollups_verify
from wpsnap.core.errors import WpsnapError
from wpsnap.registries.models import Event, Participant, Participation
from wpsnap.registries.services.events import (
    EventInput,
    counts_save,
    event_create,
    event_delete,
    event_update,
)
from wpsnap.registries.services.participants import (
    participant_delete,
    participants_clear,
    participants_import_text,
)
from wpsnap.reporting import services
from wpsnap.reporting.models import Dimension, IndicatorValue, ProgressReport
from wpsnap.reporting.services import ReportInput
from wpsnap.reporting.workflow import COUNTED

from .conftest import BANDS, SEX_AGE, SEXES, Written, write_reports

pytestmark = pytest.mark.django_db

# Two activities both MoD and MIA implement (a count by age band, a count without a breakdown) and one
# only MoD does (a count by sex x age band): reports of two agencies meet in one indicator and period.
CODES = ("5.2.4.1", "5.2.1.1", "5.1.2.3")
IMPLEMENTERS = {0: ("mod", "mia"), 1: ("mod", "mia"), 2: ("mod",)}
CELLS = {0: tuple(f"age:{b}" for b in BANDS), 1: (), 2: SEX_AGE}
# A report step moves one report: forward through the workflow up to a status (saving figures first when
# it is editable), back (a return: by the approver from submitted, the coordinator from endorsed or
# approved; refused from elsewhere), or saves new figures (refused unless editable).
ORDER = ("draft", "submitted", "endorsed", "approved", "published")

report_step = st.tuples(
    st.just("report"),
    st.integers(0, 2),
    st.sampled_from(("mod", "mia")),
    st.integers(0, 1),
    st.sampled_from(("forward", "forward", "back", "save")),
    st.sampled_from((1, 2, 3, 3, 4, 4)),
    st.integers(0, 40),
)
day = st.dates(date(2020, 1, 1), date(2021, 12, 31))
event_create_step = st.tuples(
    st.just("event_create"),
    st.sampled_from(("mod", "mia")),
    st.frozensets(st.integers(0, 2), min_size=1, max_size=3),
    day,
    st.integers(0, 2),
    st.sampled_from((False, False, True)),
)
event_update_step = st.tuples(
    st.just("event_update"),
    st.integers(0, 5),
    day,
    st.integers(0, 2),
    st.frozensets(st.integers(0, 2), min_size=1),
)
person = st.tuples(st.sampled_from(SEXES), st.sampled_from(BANDS), st.integers(0, 2), st.integers(0, 2))
import_step = st.tuples(
    st.just("import"), st.integers(0, 5), st.lists(person, min_size=1, max_size=6), st.booleans()
)
counts_step = st.tuples(
    st.just("counts"),
    st.integers(0, 5),
    st.dictionaries(st.sampled_from(SEX_AGE), st.integers(0, 30), max_size=4),
)
# Uniform over the kinds of step, reports and events most often.
STEPS = {
    "report": report_step,
    "event_create": event_create_step,
    "event_update": event_update_step,
    "event_delete": st.tuples(st.just("event_delete"), st.integers(0, 5)),
    "import": import_step,
    "participant_delete": st.tuples(st.just("participant_delete"), st.integers(0, 5), st.integers(0, 5)),
    "clear": st.tuples(st.just("clear"), st.integers(0, 5)),
    "counts": counts_step,
}
KINDS = ("report", "report", "report", "report", "event_create", "event_create", "import", "import", "counts")
step = st.sampled_from((*KINDS, *STEPS)).flatmap(STEPS.__getitem__)


class World:
    """The plan, its people and the options the steps pick from."""

    def __init__(self, plan, people, make_user) -> None:
        self.plan = plan
        self.activities = [plan.activities.get(code=code) for code in CODES]
        self.indicators = [a.indicators.get() for a in self.activities]
        self.periods = list(plan.reporting_periods.order_by("start"))[:2]
        self.coordinator = people["coordinator"]
        self.focal = {"mod": people["mod"], "mia": people["mia"]}
        self.approver = {"mod": people["mod_approver"], "mia": make_user("approver", "mia", "mia-approver")}
        options = {
            d.code: [o.code for o in d.options.all()]
            for d in Dimension.objects.filter(plan=plan, code__in=("population_group", "district"))
        }
        self.groups = ["", *options["population_group"][:2]]
        self.districts = ["", *options["district"][:2]]

    def event(self, index: int, participation: str | None = None) -> Event | None:
        """The ``index``-th event (modulo their number), of those recording ``participation`` if given."""
        events = Event.objects.filter(plan=self.plan).order_by("pk")
        if participation is not None:
            events = events.filter(participation=participation)
        events = list(events)
        return events[index % len(events)] if events else None


def _figures(world: World, activity: int, seed: int) -> dict[str, str]:
    cells = {cell: (seed + 7 * n) % 41 for n, cell in enumerate(CELLS[activity])}
    total = sum(cells.values()) if cells else seed
    return {"": str(total), **{cell: str(value) for cell, value in cells.items()}}


def _report(world: World, activity: int, agency: str, period: int) -> ProgressReport:
    if agency not in IMPLEMENTERS[activity]:
        agency = "mod"
    report = ProgressReport.objects.filter(
        activity=world.activities[activity], agency__key=agency, period=world.periods[period]
    ).first()
    if report is None:
        focal = world.focal[agency]
        report = services.report_start(
            actor=focal,
            activity=world.activities[activity],
            agency=focal.organisation,
            period=world.periods[period],
        )
    return report


def _save(world: World, report: ProgressReport, activity: int, seed: int) -> None:
    indicator = world.indicators[activity]
    services.report_save(
        actor=world.focal[report.agency.key],
        report=report,
        data=ReportInput(
            progress="in_progress", done="Work done.", values={indicator.pk: _figures(world, activity, seed)}
        ),
    )


def _report_step(
    world: World, activity: int, agency: str, period: int, action: str, target: int, seed: int, check
) -> None:
    """One report step; ``check`` after every service call."""
    report = _report(world, activity, agency, period)
    agency = report.agency.key
    if action == "save":
        _save(world, report, activity, seed)
    elif action == "back":
        returner = world.approver[agency] if report.status == "submitted" else world.coordinator
        services.report_return(actor=returner, report=report, comment="Check the figures.")
    else:
        while report.status not in ORDER or ORDER.index(report.status) < target:
            if report.status in ("draft", "returned"):
                _save(world, report, activity, seed)
                check()
                report = services.report_submit(actor=world.focal[agency], report=report)
            elif report.status == "submitted":
                report = services.report_endorse(actor=world.approver[agency], report=report)
            elif report.status == "endorsed":
                report = services.report_approve(actor=world.coordinator, report=report)
            else:
                report = services.report_publish(actor=world.coordinator, report=report)
            check()
    check()


def _event_input(world: World, event: Event | None, **changed) -> EventInput:
    data = {
        "kind": "training",
        "title": "Training",
        "starts_on": date(2020, 3, 1),
        "ends_on": date(2020, 3, 1),
        "activities": [],
        "district": "",
        "participation": Participation.LIST,
    }
    if event is not None:
        data |= {
            "kind": event.kind,
            "title": event.title,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "activities": list(event.activities.all()),
            "district": event.district,
            "participation": event.participation,
        }
    return EventInput(**(data | changed))


def _allowed(world: World, organiser: str, activities: frozenset[int]) -> list:
    return [world.activities[a] for a in sorted(activities) if organiser in IMPLEMENTERS[a]] or [
        world.activities[0]
    ]


def _csv(world: World, people: list[tuple[str, str, int, int]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sex", "age_band", "population_group", "district"])
    for sex, band, group, district in people:
        writer.writerow([sex, band, world.groups[group], world.districts[district]])
    return out.getvalue()


def _do(world: World, move: tuple, check=lambda: None) -> None:
    kind = move[0]
    if kind == "report":
        _report_step(world, *move[1:], check=check)
        return
    if kind == "event_create":
        _kind, organiser, activities, when, district, counted = move
        event_create(
            actor=world.focal[organiser],
            plan=world.plan,
            data=_event_input(
                world,
                None,
                starts_on=when,
                ends_on=when,
                activities=_allowed(world, organiser, activities),
                district=world.districts[district],
                participation=Participation.COUNTS if counted else Participation.LIST,
            ),
        )
        return
    recorded = {
        "import": Participation.LIST,
        "participant_delete": Participation.LIST,
        "clear": Participation.LIST,
    }
    event = world.event(move[1], Participation.COUNTS if kind == "counts" else recorded.get(kind))
    if event is None:
        return
    actor = world.focal[event.organiser.key]
    if kind == "event_update":
        _kind, _index, when, district, activities = move
        event_update(
            actor=actor,
            event=event,
            data=_event_input(
                world,
                event,
                starts_on=when,
                ends_on=when,
                district=world.districts[district],
                activities=_allowed(world, event.organiser.key, activities),
            ),
        )
    elif kind == "event_delete":
        event_delete(actor=actor, event=event)
    elif kind == "import":
        participants_import_text(actor=actor, event=event, text=_csv(world, move[2]), replace=move[3])
    elif kind == "participant_delete":
        listed = list(Participant.objects.filter(event=event).order_by("pk"))
        if listed:
            participant_delete(actor=actor, participant=listed[move[2] % len(listed)])
    elif kind == "clear":
        participants_clear(actor=actor, event=event)
    else:
        counts_save(actor=actor, event=event, counts={cell: str(n) for cell, n in move[2].items()})


def results_by_hand(plan) -> dict:
    """{(indicator id, period id): (total or None, reports with a total, {cell: sum})} added up in Python
    from every stored figure of a counted report."""
    totals: Counter = Counter()
    given: Counter = Counter()
    cells: dict = defaultdict(Counter)
    for value in IndicatorValue.objects.filter(report__plan=plan).select_related("report"):
        if value.report.status not in COUNTED:
            continue
        where = (value.indicator_id, value.report.period_id)
        if value.cell == "":
            totals[where] += value.value
            given[where] += 1
        else:
            cells[where][value.cell] += value.value
    return {w: (totals[w] if given[w] else None, given[w], dict(cells[w])) for w in set(given) | set(cells)}


def results_found(found) -> dict:
    return {
        (i.indicator_id, p.period_id): (p.total, p.reports, {c.cell: c.value for c in p.cells})
        for i in found.indicators
        for p in i.periods
        if p.total is not None or p.cells
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(step, min_size=6, max_size=20))
def test_the_rollups_equal_a_fresh_computation_after_every_write(plan, people, make_user, moves) -> None:
    """Whatever the services do, in any order, refused steps included, the stored rollups equal what the
    base tables say after each step; the coordinator's results equal the sum by hand."""
    with transaction.atomic():
        world = World(plan, people, make_user)
        seen = {"counted": False, "tallied": False, "people": False}
        # Two events to start with, one with a list (MoD's) and one with counts (MIA's).
        _do(world, ("event_create", "mod", frozenset({0, 2}), date(2020, 6, 1), 1, False))
        _do(world, ("event_create", "mia", frozenset({0, 1}), date(2021, 2, 1), 2, True))
        for move in moves:

            def check(move=move) -> None:
                assert rollups_verify(plan) == [], move

            # A refused step changes nothing, the rollups included.
            with contextlib.suppress(WpsnapError, PermissionDenied, Refusal):
                _do(world, move, check)
            check()
            seen["counted"] |= ProgressReport.objects.filter(status__in=COUNTED).exists()
            seen["tallied"] |= EventTally.objects.exists()
            seen["people"] |= EventPeople.objects.exists()
        event(f"counted reports and tallies on the way: {seen}")
        assert results_found(results(world.coordinator, plan=plan)) == results_by_hand(plan)
        transaction.set_rollback(True)


def test_a_step_out_of_the_counted_statuses_takes_the_figures_out(plan, people, make_user) -> None:
    """Approved, a report's figures are in the rollups under "approved"; published, under "published";
    returned after approval, nowhere; the other agency's approved figures for the same indicator and
    period stay."""
    world = World(plan, people, make_user)
    seeds = {"mod": 3, "mia": 5}
    reports = {}
    for agency in ("mod", "mia"):
        _report_step(
            world, 0, agency, 0, "forward", ORDER.index("approved"), seeds[agency], check=lambda: None
        )
        reports[agency] = ProgressReport.objects.get(agency__key=agency, activity=world.activities[0])
    indicator, period = world.indicators[0], world.periods[0]

    def stored() -> dict:
        rows = ReportFigureRollup.objects.filter(indicator=indicator, period=period, cell="")
        return {
            status: (int(value), n) for status, value, n in rows.values_list("status", "value", "reports")
        }

    assert stored() == {"approved": (180, 2)}
    services.report_publish(actor=world.coordinator, report=reports["mod"])
    assert stored() == {"approved": (95, 1), "published": (85, 1)}
    services.report_return(actor=world.coordinator, report=reports["mia"], comment="Check the total.")
    assert stored() == {"published": (85, 1)}
    assert rollups_verify(plan) == []


def test_participants_reach_the_tally_as_they_are_imported_and_removed(plan, people, make_user) -> None:
    """An import adds the event's people to its tally by sex, age band, group and district; deleting one
    takes them out; clearing the list empties it; counts saved fill it (not listed)."""
    world = World(plan, people, make_user)
    _do(world, ("event_create", "mod", frozenset({2}), date(2020, 5, 1), 1, False))
    event = world.event(0)
    group, district = world.groups[1], world.districts[1]
    _do(
        world,
        ("import", 0, [("women", "18-24", 1, 1), ("women", "18-24", 1, 1), ("men", "60-plus", 0, 0)], False),
    )

    def tally() -> set:
        return set(
            EventTally.objects.filter(event=event).values_list(
                "listed", "sex", "age", "population_group", "district", "value"
            )
        )

    def people() -> set:
        return set(EventPeople.objects.filter(event=event).values_list("sex", "age", "value"))

    assert tally() == {(True, "women", "18-24", group, district, 2), (True, "men", "60-plus", "", "", 1)}
    assert people() == {("women", "18-24", 2), ("men", "60-plus", 1)}
    _do(world, ("participant_delete", 0, 0))
    assert tally() == {(True, "women", "18-24", group, district, 1), (True, "men", "60-plus", "", "", 1)}
    assert people() == {("women", "18-24", 1), ("men", "60-plus", 1)}
    _do(world, ("clear", 0))
    assert tally() == set()
    assert people() == set()
    _do(world, ("event_create", "mia", frozenset({0}), date(2021, 5, 1), 0, True))
    counted = Event.objects.get(participation=Participation.COUNTS)
    counts_save(
        actor=world.focal["mia"], event=counted, counts={"sex:women|age:0-17": "4", "sex:men|age:0-17": "0"}
    )
    assert set(EventTally.objects.filter(event=counted).values_list("listed", "sex", "age", "value")) == {
        (False, "women", "0-17", 4)
    }
    assert set(EventPeople.objects.filter(event=counted).values_list("sex", "age", "value")) == {
        ("women", "0-17", 4)
    }
    event_delete(actor=world.focal["mia"], event=counted)
    assert not EventTally.objects.filter(event_id=counted.pk).exists()
    assert not EventPeople.objects.filter(event_id=counted.pk).exists()
    assert rollups_verify(plan) == []


def test_a_rebuild_repairs_what_a_bulk_load_left_stale_and_the_command_checks_it(plan, people) -> None:
    """Reports written in bulk, past the services, leave the rollups behind: the check names the drift
    and exits 1; ``wpsnap analytics rebuild`` recomputes them; the check then passes."""
    activities = [plan.activities.get(code=code) for code in CODES]
    write_reports(plan, activities, [Written(0, "mod", 0, "approved", values=(("", 7), ("age:0-17", 7)))])
    assert rollups_verify(plan) == []
    IndicatorValue.objects.filter(cell="").update(value=9)
    drift = rollups_verify(plan)
    # The sums, and the alert's comparison (the indicator is bound to event data; no event says 7 or 9).
    assert [(d.table, d.key[3], d.stored, d.fresh) for d in drift] == [
        ("figures", "", (7, 1), (9, 1)),
        ("mismatch", "", (None, None, None, 7), (None, None, None, 9)),
    ]
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("analytics", "rebuild", "--check", "--plan", plan.slug, stdout=out)
    assert exited.value.code == 1
    assert "2 rollup rows differ" in out.getvalue()
    out = io.StringIO()
    call_command("analytics", "rebuild", "--plan", plan.slug, stdout=out)
    assert "rollups rebuilt" in out.getvalue()
    call_command("analytics", "rebuild", "--check", stdout=(out := io.StringIO()))
    assert "the rollups agree with the data" in out.getvalue()
    assert rollups_rebuild(plan=plan)[0].figures == ReportFigureRollup.objects.filter(plan=plan).count() == 2


def test_the_check_names_people_that_drift_and_a_rebuild_repairs_them(plan, people, make_user) -> None:
    """An event's people by sex and age band changed past the services (or missing) is a drift of table
    "people" with what is stored and what the participants say; a rebuild puts it right."""
    world = World(plan, people, make_user)
    _do(world, ("event_create", "mod", frozenset({2}), date(2020, 5, 1), 1, False))
    _do(world, ("import", 0, [("women", "18-24", 1, 1), ("women", "18-24", 0, 0)], False))
    event = world.event(0)
    assert rollups_verify(plan) == []
    EventPeople.objects.filter(event=event).update(value=5)
    assert [(d.table, d.key, d.stored, d.fresh) for d in rollups_verify(plan)] == [
        ("people", (event.pk, "women", "18-24"), (5,), (2,))
    ]
    EventPeople.objects.filter(event=event).delete()
    assert [(d.table, d.stored, d.fresh) for d in rollups_verify(plan)] == [("people", None, (2,))]
    assert rollups_rebuild(plan=plan)[0].people == 1
    assert rollups_verify(plan) == []


def test_keeping_the_rollups_costs_the_same_for_few_and_many(plan) -> None:
    """Keeping the rollups takes as many queries for 2 reports and 2 events of 2 people as for 12 reports
    and 20 events of 20. Recomputing reports: three for their figures (lock the indicators, delete, insert
    from a sum), three for their financing (lock the activities, delete, insert from a sum) and four for
    the alert's comparison (the reports' agencies and periods, lock the agencies, delete, insert). Recomputing
    events: seven for the tallies (lock the events, delete the tallies and the people, insert from a count
    of the listed people, read the counts, insert them, insert the people from the tallies), then 11 to 14
    for the events' figures (delete them, the events' plan, its set-up: bound indicators, rules and their
    topics, breakdowns in three, periods, activities; the rule's sums, one or two as the rules count
    events or people, and the insert when any event counts; the stored set-up's digests), then ten for
    people reached (the events' former organisers, delete them, the events' organisers now, insert them,
    lock the organisers; delete their rows of the people rollup, insert from a sum, the stored digest,
    the activities and the periods it is compared with; without a stored digest, one more to see whether
    every event has its organiser's row and one to store it), then five for the district rollup (delete,
    insert the events, insert their people) and the alert's comparison (delete, insert)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wpsnap.analytics import rollups

    from .conftest import AGENCIES, Happened, write_events

    activities = [plan.activities.get(code=code) for code in CODES]
    queries = []
    for reports, events, people_each in ((2, 2, 2), (12, 20, 20)):
        made = write_reports(
            plan,
            activities,
            [
                Written(0, AGENCIES[i % 3], i // 3, "approved", values=(("", i), ("age:0-17", i)))
                for i in range(reports)
            ],
        )
        happened = write_events(
            plan,
            activities,
            [
                Happened(
                    "mod",
                    frozenset({2}),
                    date(2021, 1, 1 + i),
                    participants=(("women", "18-24"),) * people_each,
                )
                if i % 2
                else Happened(
                    "mia", frozenset({0}), date(2021, 1, 1 + i), counts=(("sex:men|age:0-17", people_each),)
                )
                for i in range(events)
            ],
        )
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            rollups.reports_changed([r.pk for r in made])
            rollups.events_changed([e.pk for e in happened])
        queries.append(len(captured))
        assert rollups_verify(plan) == []
        ProgressReport.objects.all().delete()
        Event.objects.all().delete()
    assert queries[0] == queries[1]
    assert 6 + 4 + 7 + 11 + 10 + 5 <= queries[0] <= 6 + 4 + 7 + 14 + 12 + 5
