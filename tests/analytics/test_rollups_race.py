"""Two approvals of reports on the same indicator and period, run at the same moment from separate
connections on PostgreSQL (READ COMMITTED), lose no sum in the figure rollups.

The race is held open without any hook in the platform's code, as in ``tests/registries/
test_lock_race.py``: a deferred constraint trigger, installed in the test's database only, sleeps at each
approval's COMMIT (``pg_sleep``), after its rollup has been recomputed. Without the lock on the touched
indicators each approval recomputes the sums seeing only its own report, and the second either loses the
first's figures or collides with its rows (a unique violation); with it the second waits for the first's
COMMIT and recomputes from what it committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and triggers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

# One round per period of the plan (2020-2023).
ROUNDS = 4
# How long an approval's COMMIT is held open: wide enough for the other approval to run inside it.
HOLD_SECONDS = 0.2


@pytest.fixture
def slow_commits() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION rollup_race_hold() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM pg_sleep({HOLD_SECONDS}); RETURN NULL; END $$"
        )
        cursor.execute(
            "CREATE CONSTRAINT TRIGGER rollup_race AFTER UPDATE ON reporting_progressreport "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'approved') "
            "EXECUTE FUNCTION rollup_race_hold()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER rollup_race ON reporting_progressreport")
        cursor.execute("DROP FUNCTION rollup_race_hold()")


def _together(calls: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run the calls at the same moment, each in its own thread and database connection; returns each
    call's result or the error it raised."""
    start = threading.Barrier(len(calls))
    outcome: dict[str, Any] = {}

    def run(name: str, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcome[name] = call()
        except Exception as error:
            outcome[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def test_two_approvals_of_one_indicator_and_period_lose_nothing(
    plan, people, make_user, slow_commits
) -> None:
    """Each round, MoD's and MIA's endorsed reports on 5.2.1.1 (one count indicator) for a period are
    approved at the same moment: both approvals go through, and the rollup holds both totals and two
    reports, equal to a fresh computation."""
    from wpsnap.analytics.models import ReportFigureRollup
    from wpsnap.analytics.rollups import rollups_verify
    from wpsnap.reporting import services
    from wpsnap.reporting.services import ReportInput

    activity = plan.activities.get(code="5.2.1.1")
    indicator = activity.indicators.get()
    approvers = {"mod": people["mod_approver"], "mia": make_user("approver", "mia", "mia-approver")}
    focal = {"mod": people["mod"], "mia": people["mia"]}
    periods = list(plan.reporting_periods.order_by("start"))
    totals = {"mod": 11, "mia": 31}
    rounds = []
    for round_ in range(ROUNDS):
        period = periods[round_]
        reports = {}
        for key in ("mod", "mia"):
            report = services.report_start(
                actor=focal[key], activity=activity, agency=focal[key].organisation, period=period
            )
            services.report_save(
                actor=focal[key],
                report=report,
                data=ReportInput(
                    progress="in_progress",
                    done="Work.",
                    values={indicator.pk: {"": str(totals[key] + round_)}},
                ),
            )
            report = services.report_submit(actor=focal[key], report=report)
            reports[key] = services.report_endorse(actor=approvers[key], report=report)
        outcome = _together(
            {
                key: lambda r=report: services.report_approve(actor=people["coordinator"], report=r)
                for key, report in reports.items()
            }
        )
        assert not any(isinstance(o, Exception) for o in outcome.values()), outcome
        row = ReportFigureRollup.objects.get(indicator=indicator, period=period, cell="", status="approved")
        rounds.append((int(row.value), row.reports))
        assert rollups_verify(plan) == []
    assert rounds == [(11 + 31 + 2 * r, 2) for r in range(ROUNDS)]


@pytest.fixture
def slow_people_commits() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION people_race_hold() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM pg_sleep({HOLD_SECONDS}); RETURN NULL; END $$"
        )
        cursor.execute(
            "CREATE CONSTRAINT TRIGGER people_race AFTER INSERT ON analytics_peoplerollup "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION people_race_hold()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER people_race ON analytics_peoplerollup")
        cursor.execute("DROP FUNCTION people_race_hold()")


def test_two_events_of_one_organiser_counted_at_once_lose_nothing(plan, people, slow_people_commits) -> None:
    """Each round, MoD's focal point saves the counts of two of its events (same activity, year and cell) at
    the same moment from two connections: both go through, and MoD's people rollup holds both, equal to a
    fresh computation. Without the organiser's lock each recomputes MoD's rows seeing only its own event's
    people, and the rows of the one that commits last leave the other's out."""
    from datetime import date

    from wpsnap.analytics.models import PeopleRollup
    from wpsnap.analytics.rollups import rollups_verify
    from wpsnap.registries.models import Participation
    from wpsnap.registries.services.events import EventInput, counts_save, event_create

    activity = plan.activities.get(code="5.2.1.1")
    focal = people["mod"]
    expected = 0
    for round_ in range(ROUNDS):
        events = [
            event_create(
                actor=focal,
                plan=plan,
                data=EventInput(
                    kind="training",
                    title=f"Training {round_}-{n}",
                    starts_on=date(2021, 3, 1 + n),
                    ends_on=date(2021, 3, 1 + n),
                    activities=[activity],
                    participation=Participation.COUNTS,
                ),
            )
            for n in range(2)
        ]
        outcome = _together(
            {
                str(n): lambda e=event, v=str(3 + n + round_): counts_save(
                    actor=focal, event=e, counts={"sex:women|age:18-24": v}
                )
                for n, event in enumerate(events)
            }
        )
        assert not any(isinstance(o, Exception) for o in outcome.values()), outcome
        expected += 3 + 4 + 2 * round_
        assert rollups_verify(plan) == []
        rows = PeopleRollup.objects.filter(plan=plan, organiser=focal.organisation)
        assert [(r.sex, r.age, r.value) for r in rows] == [("women", "18-24", expected)]
