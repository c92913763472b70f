"""Analytics fixtures: the Azerbaijan plan set up for reporting and events, people of every role at two
ministries, and helpers that write reports and events straight into the database (these tests are about
reading them; like any bulk load that bypasses the services, they rebuild the rollups after). Every expected figure in these tests is counted by the test itself, in plain Python over
the data it wrote, never by the selectors under test."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from wpsnap.accounts.models import Organisation
from wpsnap.analytics.rollups import rollups_rebuild
from wpsnap.plan.models import Activity, Indicator
from wpsnap.registries.models import Event, Participant, ParticipantCount, Participation
from wpsnap.reporting.models import FinancingLine, IndicatorValue, ProgressReport

from ..registries.conftest import events_plan  # noqa: F401 - the plan with dimensions, periods, districts, rules

SEXES = ("women", "men")
BANDS = ("0-17", "18-24", "25-34", "35-59", "60-plus")
SEX_AGE = tuple(f"sex:{s}|age:{a}" for s in SEXES for a in BANDS)
AGENCIES = ("mod", "mia", "moe")


@pytest.fixture
def plan(events_plan):  # noqa: F811 - the imported fixture, used here
    return events_plan


@pytest.fixture
def people(make_user) -> dict:
    """A coordinator, an evaluator, MoD's focal point, approver, MIA's focal point and an NGO contributor."""
    return {
        "coordinator": make_user("coordinator", "scfwca", "coord"),
        "evaluator": make_user("evaluator", "test-evaluators", "eval"),
        "mod": make_user("focal_point", "mod", "mod-focal"),
        "mod_approver": make_user("approver", "mod", "mod-approver"),
        "mia": make_user("focal_point", "mia", "mia-focal"),
        "ngo": make_user("ngo_contributor", "test-ngo", "ngo"),
    }


def agency(key: str) -> Organisation:
    return Organisation.objects.get(country="AZ", key=key)


def count_activities(plan, n: int) -> list[Activity]:
    """``n`` activities with exactly one indicator, a count, in the plan's order."""
    found = []
    for activity in Activity.objects.filter(plan=plan).order_by("priority_area__position", "position"):
        indicators = list(activity.indicators.all())
        if len(indicators) == 1 and indicators[0].kind == "count":
            found.append(activity)
    assert len(found) >= n
    return found[:n]


@dataclass(frozen=True)
class Written:
    """A report as a test wrote it."""

    activity: int  # index into the activities the test chose
    agency: str  # key
    period: int  # index into the plan's periods
    status: str
    progress: str = "in_progress"
    # {cell: value}; "" the total
    values: tuple[tuple[str, int], ...] = ()
    # (source, planned, spent)
    financing: tuple[tuple[str, int | None, int | None], ...] = ()


def write_reports(plan, activities: list[Activity], written: Iterable[Written]) -> list[ProgressReport]:
    """The reports, their figures (on each activity's one indicator) and financing, in bulk, then the
    rollups rebuilt."""
    written = list(written)
    periods = list(plan.reporting_periods.order_by("start"))
    agencies = {
        o.key: o for o in Organisation.objects.filter(country="AZ", key__in={w.agency for w in written})
    }
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(
            plan=plan,
            activity=activities[w.activity],
            agency=agencies[w.agency],
            period=periods[w.period],
            status=w.status,
            progress=w.progress,
        )
        for w in written
    )
    indicator = {a.pk: Indicator.objects.get(activity=a) for a in activities}
    breakdowns = {i.pk: getattr(getattr(i, "reporting", None), "breakdown", None) for i in indicator.values()}
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            report=r,
            indicator=indicator[r.activity_id],
            breakdown=breakdowns[indicator[r.activity_id].pk],
            cell=cell,
            value=Decimal(value),
        )
        for r, w in zip(reports, written, strict=True)
        for cell, value in w.values
    )
    FinancingLine.objects.bulk_create(
        FinancingLine(report=r, source=source, planned=planned, spent=spent)
        for r, w in zip(reports, written, strict=True)
        for source, planned, spent in w.financing
    )
    rollups_rebuild(plan=plan)
    return reports


@dataclass(frozen=True)
class Happened:
    """An event as a test wrote it."""

    organiser: str  # key
    activities: frozenset[int]  # indices into the activities the test chose
    day: date
    kind: str = "training"
    # (sex, age band) per listed person, or {cell: n} counts
    participants: tuple[tuple[str, str], ...] = ()
    counts: tuple[tuple[str, int], ...] = ()
    district: str = ""  # an option code of the plan's districts; "" national


def write_events(plan, activities: list[Activity], happened: Iterable[Happened]) -> list[Event]:
    happened = list(happened)
    organisers = {
        o.key: o for o in Organisation.objects.filter(country="AZ", key__in={h.organiser for h in happened})
    }
    events = Event.objects.bulk_create(
        Event(
            plan=plan,
            organiser=organisers[h.organiser],
            kind=h.kind,
            title=f"Event {n}",
            starts_on=h.day,
            ends_on=h.day,
            participation=Participation.COUNTS if h.counts else Participation.LIST,
            district=h.district,
        )
        for n, h in enumerate(happened)
    )
    Event.activities.through.objects.bulk_create(
        Event.activities.through(event_id=e.pk, activity_id=activities[a].pk)
        for e, h in zip(events, happened, strict=True)
        for a in h.activities
    )
    Participant.objects.bulk_create(
        Participant(event=e, sex=sex, age_band=band)
        for e, h in zip(events, happened, strict=True)
        for sex, band in h.participants
    )
    ParticipantCount.objects.bulk_create(
        ParticipantCount(event=e, cell=cell, value=n)
        for e, h in zip(events, happened, strict=True)
        for cell, n in h.counts
    )
    rollups_rebuild(plan=plan)
    return events
