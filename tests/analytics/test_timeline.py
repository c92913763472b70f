"""The periods' timeline (``analytics.timeline``): over random reports on the plan's expected rows, in
every review status, each period's expected, submitted, approved, overdue and missing reports equal what
the test counts from ``reporting.selectors.expected_reports`` for the day given, for the whole plan, one
agency's people and one agency asked for; the stage of each period on that day; the query count."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.analytics.scope import PUBLIC
from wpsnap.analytics.timeline import period_timeline
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import agency
from .test_status import expected_rows, write

pytestmark = pytest.mark.django_db

SUBMITTED = {"submitted", "endorsed", "approved", "published"}

written = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from([s.value for s in Status]), st.just("in_progress")),
    max_size=40,
    unique_by=lambda t: t[0],
)


def by_hand(plan, rows, reports, today: date, agencies) -> list[tuple]:
    """Per period in order: (label, expected, submitted, approved, overdue, missing, is overdue)."""
    counts: dict[str, Counter] = {p.label: Counter() for p in plan.reporting_periods.all()}
    for period, row in rows:
        if row.optional or (agencies is not None and row.agency.key not in agencies):
            continue
        status = reports.get((row.activity.pk, row.agency.pk, period.pk), (None, None))[0]
        count = counts[period.label]
        count["expected"] += 1
        count["submitted"] += status in SUBMITTED
        count["approved"] += status in ("approved", "published")
        count["overdue"] += today > period.due_on and status not in SUBMITTED
        count["missing"] += status is None
    figures = ("expected", "submitted", "approved", "overdue", "missing")
    return [
        (p.label, *(counts[p.label][f] for f in figures), counts[p.label]["overdue"] > 0)
        for p in plan.reporting_periods.order_by("start")
    ]


def as_found(found) -> list[tuple]:
    return [
        (p.period, p.expected, p.submitted, p.approved, p.overdue, p.missing, p.is_overdue) for p in found
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=written, today=st.sampled_from([date(2021, 1, 31), date(2021, 2, 1), date(2026, 1, 1)]))
def test_the_timeline_equals_the_count_by_hand(plan, people, written, today) -> None:
    """Every period, in order: the coordinator's counts over every agency, MoD's approver's over MoD's
    reports, the coordinator's asking for MIA over MIA's; the anonymous visitor and the public get
    nothing (compliance is internal)."""
    rows = expected_rows(plan)
    with transaction.atomic():
        reports = write(plan, rows, written)
        everyone = period_timeline(people["coordinator"], plan=plan, today=today)
        assert as_found(everyone) == by_hand(plan, rows, reports, today, None)
        mine = period_timeline(people["mod_approver"], plan=plan, today=today)
        assert as_found(mine) == by_hand(plan, rows, reports, today, {"mod"})
        asked = period_timeline(people["coordinator"], plan=plan, today=today, agency=agency("mia").pk)
        assert as_found(asked) == by_hand(plan, rows, reports, today, {"mia"})
        assert period_timeline(AnonymousUser(), plan=plan, today=today) == ()
        assert period_timeline(PUBLIC, plan=plan, today=today) == ()
        transaction.set_rollback(True)


def test_each_period_says_where_it_stands(plan, people) -> None:
    """Before reporting opens a period is upcoming, then open until its due date, past due after it,
    locked once a coordinator locks it whatever the day; its dates are the period's."""
    period = plan.reporting_periods.get(label="2021")
    days = {
        "upcoming": date.fromordinal(period.opens_on.toordinal() - 1),
        "open": period.due_on,
        "past_due": date.fromordinal(period.due_on.toordinal() + 1),
    }
    for stage, today in days.items():
        found = {p.period: p for p in period_timeline(people["coordinator"], plan=plan, today=today)}
        assert found["2021"].stage == stage
        assert (found["2021"].opens_on, found["2021"].due_on, found["2021"].locked_at) == (
            period.opens_on,
            period.due_on,
            None,
        )
    period.locked_at = timezone.now()
    period.save(update_fields=["locked_at"])
    found = {p.period: p for p in period_timeline(people["coordinator"], plan=plan, today=days["open"])}
    assert found["2021"].stage == "locked"
    assert found["2021"].locked_at is not None


def _reports(plan, n: int) -> None:
    owed = [pair for pair in expected_rows(plan) if not pair[1].optional]
    write(plan, owed, [(i * 7, "approved", "completed") for i in range(n)])


def test_the_queries_do_not_grow_with_the_reports(plan, people, django_assert_num_queries) -> None:
    """Periods, reports, activities, assignments and collective members: five queries for 2 reports and
    for 20."""
    _reports(plan, 2)
    with django_assert_num_queries(5):
        few = period_timeline(people["coordinator"], plan=plan)
    ProgressReport.objects.all().delete()
    _reports(plan, 20)
    with django_assert_num_queries(5):
        many = period_timeline(people["coordinator"], plan=plan)
    assert (sum(p.approved for p in few), sum(p.approved for p in many)) == (2, 20)
