"""Publishing fixtures: a realistic world of reports on the Azerbaijan plan (set up for reporting, as the
analytics tests have it) and the attacker's view of what a release publishes.

The world: published reports with sex x age figures (some cells below 10), an indicator by age only, one
without a breakdown whose total is small, one the plan marks as not counting people, one the coordinator
marks as public statistics, and a report approved but not published (its figures large and distinctive).
Every expected figure is added up by the test from what it wrote, never by the code under test; the
attacker's view of a release is in ``release.py``."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from wpsnap.plan.models import Activity, Indicator
from wpsnap.publishing.services import indicator_set_public_statistics
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from ..analytics.conftest import (  # noqa: F401 - fixtures used here and by the tests
    BANDS,
    SEX_AGE,
    SEXES,
    Written,
    events_plan,
    people,
    plan,
    write_reports,
)

THRESHOLD = 10
AGE = tuple(f"age:{band}" for band in BANDS)

# The activities of the world, by index: their indicators' breakdowns and what the world makes of them.
CODES = ("5.1.2.3", "5.2.3.2", "5.4.1.1", "5.2.4.1", "5.3.1.1", "5.2.1.1")
SEX_AND_AGE, PUBLIC_STATISTICS, PREVIOUS, BY_AGE, NOT_PEOPLE, TOTAL_ONLY = range(6)


def _cells(rng: random.Random, keys: tuple[str, ...], small_share: float) -> tuple[tuple[str, int], ...]:
    """Every cell of ``keys`` a count, about ``small_share`` of them below the threshold (zeros included),
    and the total their sum, as the report form stores them."""
    values = {
        key: rng.randint(0, THRESHOLD - 1) if rng.random() < small_share else rng.randint(THRESHOLD, 60)
        for key in keys
    }
    return (("", sum(values.values())), *sorted(values.items()))


def world_reports() -> list[Written]:
    rng = random.Random("publishing-world")
    written = [
        # Sex x age: three agencies in 2020, two of them published, one approved but not published.
        Written(SEX_AND_AGE, "mod", 0, Status.PUBLISHED, values=_cells(rng, SEX_AGE, 0.3)),
        Written(SEX_AND_AGE, "mia", 0, Status.PUBLISHED, values=_cells(rng, SEX_AGE, 0.5)),
        Written(
            SEX_AND_AGE,
            "moe",
            0,
            Status.APPROVED,
            values=tuple((k, 1000 + n) for n, k in enumerate(("", *SEX_AGE))),
        ),
        # 2021: one agency, mostly small cells; a draft beside it.
        Written(SEX_AND_AGE, "mod", 1, Status.PUBLISHED, values=_cells(rng, SEX_AGE, 0.7)),
        Written(SEX_AND_AGE, "mia", 1, Status.DRAFT, values=(("", 500),)),
        # Public statistics: small cells shown whole.
        Written(PUBLIC_STATISTICS, "mod", 0, Status.PUBLISHED, values=_cells(rng, SEX_AGE, 0.6)),
        # By age only, one agency a total without a breakdown beside another's cells.
        Written(BY_AGE, "mia", 0, Status.PUBLISHED, values=_cells(rng, AGE, 0.4)),
        Written(BY_AGE, "moe", 0, Status.PUBLISHED, values=(("", 23),)),
        # A count of things (the plan says so): published as reported, small or not.
        Written(NOT_PEOPLE, "mod", 0, Status.PUBLISHED, values=(("", 3),)),
        # A total of people without a breakdown, small.
        Written(TOTAL_ONLY, "mia", 0, Status.PUBLISHED, values=(("", 7),)),
        Written(TOTAL_ONLY, "mod", 1, Status.PUBLISHED, values=(("", 41),)),
    ]
    return written


@dataclass(frozen=True)
class World:
    plan: object
    activities: list[Activity]
    indicators: list[Indicator]
    written: list[Written]
    reports: list[ProgressReport]
    last_published: datetime


def activities_of(the_plan) -> list[Activity]:
    return [Activity.objects.get(plan=the_plan, code=code) for code in CODES]


def publish_dates(reports: list[ProgressReport]) -> datetime:
    """Give the published reports a publication date each (bulk-written reports have none); the latest."""
    latest = None
    for number, report in enumerate(reports):
        if report.status == Status.PUBLISHED:
            latest = datetime(2022, 1, 1 + number, 9, 30, tzinfo=UTC)
            ProgressReport.objects.filter(pk=report.pk).update(published_at=latest)
    assert latest is not None
    return latest


@pytest.fixture
def world(plan, people) -> World:  # noqa: F811 - the imported fixtures, used here
    activities = activities_of(plan)
    indicators = [Indicator.objects.get(activity=a) for a in activities]
    Indicator.objects.filter(pk=indicators[NOT_PEOPLE].pk).update(counts_people=False)
    indicator_set_public_statistics(
        actor=people["coordinator"],
        indicator=indicators[PUBLIC_STATISTICS],
        public=True,
        reason="Staff in posts: published by the State Statistical Committee every year.",
    )
    written = world_reports()
    reports = write_reports(plan, activities, written)
    last = publish_dates(reports)
    return World(plan, activities, indicators, written, reports, last)


def by_hand(written: list[Written], activity: int, period: int, statuses=(Status.PUBLISHED,)) -> Counter:
    """{cell: sum} over the reports written with one of ``statuses``: what the public may be told."""
    sums: Counter = Counter()
    for w in written:
        if w.activity == activity and w.period == period and w.status in statuses:
            for cell, value in w.values:
                sums[cell] += value
    return sums
