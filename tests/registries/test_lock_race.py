"""The period lock and the writes in its period serialise on PostgreSQL: run at the same moment from
separate connections, a write either commits before the lock or is refused, never after it.

How the race is made visible without any hook in the platform's code: the test installs, in its own
database only, deferred constraint triggers. They fire at each transaction's COMMIT, on the tables the
writes and the lock change, and note the commit's clock time in a side table; the writes' triggers
first sleep a little (``pg_sleep``), which holds each write's COMMIT open. A lock check made before
the writing transaction (or without the period's row lock) lets the lock commit inside that sleep, so
the write lands after the lock: the old code failed every round. With the period's row lock taken
inside the writing transaction, the lock waits for the write (or the write waits for the lock, and
is refused).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection, connections

from wpsnap.core.errors import WpsnapError

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and triggers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 30
# How long a write's COMMIT is held open: wide enough for the lock to fit in, were it allowed to.
HOLD_SECONDS = 0.05

_TRIGGERS = {
    # table: (what is noted, seconds the COMMIT is held, the rows that count)
    "reporting_progressreport": ("report", HOLD_SECONDS, "UPDATE", "TRUE"),
    "registries_event": ("event", HOLD_SECONDS, "UPDATE", "TRUE"),
    "registries_participantimport": ("import", HOLD_SECONDS, "INSERT", "TRUE"),
    "reporting_reportingperiod": ("lock", 0, "UPDATE", "NEW.locked_at IS NOT NULL AND OLD.locked_at IS NULL"),
}


@pytest.fixture
def commit_log() -> Iterator[Callable[[], dict[str, Any]]]:
    """Deferred triggers noting when each write and each lock commits; returns a reader of the notes."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE race_log (what text NOT NULL, at timestamptz NOT NULL)")
        cursor.execute(
            """
            CREATE FUNCTION race_note() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM pg_sleep(TG_ARGV[1]::float);
              INSERT INTO race_log (what, at) VALUES (TG_ARGV[0], clock_timestamp());
              RETURN NULL;
            END $$
            """
        )
        for table, (what, hold, event, when) in _TRIGGERS.items():
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER race_{what} AFTER {event} ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({when}) "
                f"EXECUTE FUNCTION race_note('{what}', '{hold}')"
            )

    def read() -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT what, max(at) FROM race_log GROUP BY what")
            notes = dict(cursor.fetchall())
            cursor.execute("DELETE FROM race_log")
        return notes

    yield read
    with connection.cursor() as cursor:
        for table, (what, *_rest) in _TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER race_{what} ON {table}")
        cursor.execute("DROP FUNCTION race_note()")
        cursor.execute("DROP TABLE race_log")


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


def _after(seconds: float, call: Callable[..., Any], **kwargs: Any) -> Any:
    """``call`` after a pause: the rounds start the lock from 0 to 45 ms after the writes, so that it
    meets them at every stage (before their check, during their transaction, at their COMMIT)."""
    time.sleep(seconds)
    return call(**kwargs)


def test_a_write_commits_before_the_lock_or_is_refused(events_plan, people, training, commit_log) -> None:
    """Thirty rounds of a report save, an event change and a participant import racing the period's
    lock: every write that succeeded committed before the lock did; the others were refused as locked."""
    from wpsnap.registries.models import Event
    from wpsnap.registries.services.events import EventInput, event_update
    from wpsnap.registries.services.participants import participants_import_text
    from wpsnap.reporting.models import ReportingPeriod
    from wpsnap.reporting.services import ReportInput, period_lock, report_save, report_start

    focal, coordinator = people["focal"], people["coordinator"]
    period = ReportingPeriod.objects.get(plan=events_plan, label="2021")
    activity = events_plan.activities.get(code="5.1.2.3")
    report = report_start(actor=focal, activity=activity, agency=focal.organisation, period=period)
    activities = list(training.activities.all())
    writes = ("report", "event", "import")
    commit_log()
    late: list[str] = []
    refusals: list[Exception] = []
    saved: list[str] = []
    for round_ in range(ROUNDS):
        ReportingPeriod.objects.filter(pk=period.pk).update(locked_at=None, locked_by=None)
        data = EventInput(
            kind=training.kind,
            title=f"UNSCR 1325 for officers, round {round_}",
            starts_on=training.starts_on,
            ends_on=training.ends_on,
            activities=activities,
            district=training.district,
        )
        outcome = _together(
            {
                "report": lambda r=round_: report_save(
                    actor=focal, report=report, data=ReportInput(done=f"Trainings, round {r}.")
                ),
                "event": lambda d=data: event_update(
                    actor=focal, event=Event.objects.get(pk=training.pk), data=d
                ),
                # Each round a different person: the same rows again would be refused as a duplicate import.
                "import": lambda r=round_: participants_import_text(
                    actor=focal, event=Event.objects.get(pk=training.pk), text=f"sex,age\nwomen,{18 + r}\n"
                ),
                "lock": lambda r=round_: _after(
                    r % 10 * 0.005, period_lock, actor=coordinator, period=period
                ),
            }
        )
        notes = commit_log()
        assert not isinstance(outcome["lock"], Exception), outcome["lock"]
        ok = [w for w in writes if not isinstance(outcome[w], Exception)]
        saved += ok
        late += [f"round {round_}: {w}" for w in ok if notes[w] > notes["lock"]]
        refusals += [outcome[w] for w in writes if w not in ok]
    assert late == []
    others = [repr(e) for e in refusals if not (isinstance(e, WpsnapError) and "locked" in str(e))]
    assert others == []
    # Both outcomes happened: the race was run, not won by one side every time.
    assert saved
    assert refusals


def test_writes_in_one_period_do_not_wait_for_each_other(events_plan, people) -> None:
    """The lock check of a write does not make the other writes of its period queue behind it: while
    one write's transaction holds the period, a report in the same period saves (PostgreSQL's shared
    row lock; the period's lock takes the exclusive one)."""
    from django.db import transaction

    from wpsnap.reporting.models import ReportingPeriod
    from wpsnap.reporting.services import ReportInput, report_save, report_start
    from wpsnap.reporting.services.reports import ensure_writable

    focal = people["focal"]
    period = ReportingPeriod.objects.get(plan=events_plan, label="2021")
    activity = events_plan.activities.get(code="5.1.2.3")
    report = report_start(actor=focal, activity=activity, agency=focal.organisation, period=period)
    holding, done = threading.Event(), threading.Event()

    def hold_the_period() -> None:
        try:
            with transaction.atomic():
                ensure_writable(period)
                holding.set()
                done.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_period)
    holder.start()
    holding.wait(timeout=10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        saved = report_save(actor=focal, report=report, data=ReportInput(done="Saved alongside."))
    finally:
        done.set()
        holder.join(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert saved.ok
    assert saved.report.done == "Saved alongside."


def _waiting_for_a_lock(seconds: float = 5.0) -> bool:
    """Whether some connection waits for a lock, within ``seconds``."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_every_write_waits_for_a_lock_being_taken_and_is_refused(events_plan, people, training) -> None:
    """While a coordinator's lock of the period is being committed, every write path of reporting and
    registries waits for it (it asks for the period's row inside its own transaction) and is then
    refused as locked. A check made before the transaction, or without the row, would not wait: it
    would see the period still open and write."""
    from wpsnap.registries.models import Event, EventFile, Participant
    from wpsnap.registries.services import events as event_services
    from wpsnap.registries.services import participants as participant_services
    from wpsnap.reporting import services as report_services
    from wpsnap.reporting.models import Evidence, ProgressReport, ReportingPeriod

    focal, coordinator = people["focal"], people["coordinator"]
    period = ReportingPeriod.objects.get(plan=events_plan, label="2021")
    activity = events_plan.activities.get(code="5.1.2.3")
    report = report_services.report_start(
        actor=focal, activity=activity, agency=focal.organisation, period=period
    )
    evidence = report_services.evidence_add(actor=focal, report=report, name="a.pdf", content=b"%PDF-1.7\n")
    participant_services.participants_import_text(actor=focal, event=training, text="sex,age\nwomen,30\n")
    event_services.event_file_add(actor=focal, event=training, name="agenda.pdf", content=b"%PDF-1.7\n")
    data = event_services.EventInput(
        kind="training",
        title="Counted training",
        starts_on=training.starts_on,
        ends_on=training.ends_on,
        activities=[activity],
        participation="counts",
    )
    counted = event_services.event_create(actor=focal, plan=events_plan, data=data)

    def event() -> Event:
        return Event.objects.select_related("plan").get(pk=training.pk)

    def a_report() -> ProgressReport:
        return ProgressReport.objects.select_related("period").get(pk=report.pk)

    writes: dict[str, Callable[[], Any]] = {
        "report_start": lambda: report_services.report_start(
            actor=focal,
            activity=events_plan.activities.get(code="5.1.2.2"),
            agency=focal.organisation,
            period=period,
        ),
        "report_save": lambda: report_services.report_save(
            actor=focal, report=a_report(), data=report_services.ReportInput(done="Late.")
        ),
        "report_submit": lambda: report_services.report_submit(actor=focal, report=a_report()),
        "evidence_add": lambda: report_services.evidence_add(
            actor=focal, report=a_report(), name="b.pdf", content=b"%PDF-1.7\n"
        ),
        "evidence_delete": lambda: report_services.evidence_delete(
            actor=focal, evidence=Evidence.objects.select_related("report").get(pk=evidence.pk)
        ),
        "event_create": lambda: event_services.event_create(actor=focal, plan=events_plan, data=data),
        "event_update": lambda: event_services.event_update(
            actor=focal, event=event(), data=replace(data, title="Renamed", participation="list")
        ),
        "event_delete": lambda: event_services.event_delete(actor=focal, event=event()),
        "event_file_add": lambda: event_services.event_file_add(
            actor=focal, event=event(), name="late.pdf", content=b"%PDF-1.7\n"
        ),
        "event_file_delete": lambda: event_services.event_file_delete(
            actor=focal, event_file=EventFile.objects.filter(event=training).get()
        ),
        "counts_save": lambda: event_services.counts_save(
            actor=focal, event=Event.objects.get(pk=counted.pk), counts={"sex:women|age:25-34": "3"}
        ),
        "participants_import_text": lambda: participant_services.participants_import_text(
            actor=focal, event=event(), text="sex,age\nmen,40\n"
        ),
        "participants_import_file": lambda: participant_services.participants_import_file(
            actor=focal, event=event(), name="p.csv", content=b"sex,age\nmen,41\n"
        ),
        "participants_add_rows": lambda: participant_services.participants_add_rows(
            actor=focal, event=event(), rows=[{"sex": "men", "age": 42}]
        ),
        "participant_delete": lambda: participant_services.participant_delete(
            actor=focal, participant=Participant.objects.filter(event=training).select_related("event").get()
        ),
        "participants_clear": lambda: participant_services.participants_clear(actor=focal, event=event()),
    }
    not_waiting: list[str] = []
    not_refused: list[str] = []
    for name, write in writes.items():
        ReportingPeriod.objects.filter(pk=period.pk).update(locked_at=None, locked_by=None)
        waited, outcome = _write_while_a_lock_commits(write, coordinator, period)
        not_waiting += [] if waited else [name]
        refused = isinstance(outcome, WpsnapError) and "locked" in str(outcome)
        not_refused += [] if refused else [f"{name}: {outcome!r}"]
    assert not_waiting == []
    assert not_refused == []


def _write_while_a_lock_commits(write: Callable[[], Any], coordinator: Any, period: Any) -> tuple[bool, Any]:
    """Run ``write`` while another connection has locked ``period`` and not yet committed; returns
    whether the write waited for a lock, and its result or error once the lock committed."""
    from django.db import transaction

    from wpsnap.reporting.services import period_lock

    holding, release = threading.Event(), threading.Event()

    def lock_and_hold() -> None:
        try:
            with transaction.atomic():
                period_lock(actor=coordinator, period=period)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    outcome: dict[str, Any] = {}
    locker = threading.Thread(target=lock_and_hold)
    locker.start()
    holding.wait(timeout=30)
    writer = threading.Thread(target=lambda: outcome.update(_together({"write": write})))
    writer.start()
    waited = _waiting_for_a_lock()
    release.set()
    locker.join(timeout=30)
    writer.join(timeout=30)
    return waited, outcome["write"]
