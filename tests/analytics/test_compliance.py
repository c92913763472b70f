"""Reporting compliance per agency and period (``analytics.compliance``): over random reports on the plan's
expected rows, in every review status, each agency's expected, submitted, approved, overdue and missing
reports and its contributions equal what the test counts from ``reporting.selectors.expected_reports``
for the day given; the viewer's scope; the query count."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.analytics.compliance import reporting_compliance
from wpsnap.analytics.scope import PUBLIC
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from .test_status import expected_rows, write

pytestmark = pytest.mark.django_db

IN_REVIEW_OR_LATER = {"submitted", "endorsed", "approved", "published"}

written = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from([s.value for s in Status]), st.just("in_progress")),
    max_size=40,
    unique_by=lambda t: t[0],
)


def by_hand(rows, reports, today: date, agencies) -> dict:
    """{(agency key, period label): Counter of the six figures}."""
    found: dict = defaultdict(Counter)
    for period, row in rows:
        if agencies is not None and row.agency.key not in agencies:
            continue
        status = reports.get((row.activity.pk, row.agency.pk, period.pk), (None, None))[0]
        count = found[(row.agency.key, period.label)]
        if row.optional:
            count["contributions"] += status in IN_REVIEW_OR_LATER
            continue
        count["expected"] += 1
        count["submitted"] += status in IN_REVIEW_OR_LATER
        count["approved"] += status in ("approved", "published")
        count["missing"] += status is None
        count["overdue"] += today > period.due_on and status not in IN_REVIEW_OR_LATER
    return {key: +count for key, count in found.items() if count["expected"] or count["contributions"]}


def as_found(found) -> dict:
    figures = ("expected", "submitted", "approved", "overdue", "missing", "contributions")
    return {(c.agency, c.period): +Counter({f: getattr(c, f) for f in figures}) for c in found}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=written, today=st.sampled_from([date(2021, 1, 31), date(2021, 2, 1), date(2026, 1, 1)]))
def test_compliance_equals_the_count_by_hand(plan, people, written, today) -> None:
    """Every agency owing or contributing a report, period by period: the coordinator sees all of them, MoD's
    approver MoD's; the anonymous visitor and the public nothing. A report is overdue only after the
    period's due date (2020's is 31 January 2021)."""
    rows = expected_rows(plan)
    with transaction.atomic():
        reports = write(plan, rows, written)
        everyone = reporting_compliance(people["coordinator"], plan=plan, today=today)
        assert as_found(everyone) == by_hand(rows, reports, today, None)
        mine = reporting_compliance(people["mod_approver"], plan=plan, today=today)
        assert as_found(mine) == by_hand(rows, reports, today, {"mod"})
        assert reporting_compliance(AnonymousUser(), plan=plan, today=today) == ()
        assert reporting_compliance(PUBLIC, plan=plan, today=today) == ()
        transaction.set_rollback(True)


def test_a_period_is_overdue_the_day_after_its_due_date(plan, people) -> None:
    """Nothing reported for 2020: on its due date nothing is overdue, the day after every owed report is."""
    period = plan.reporting_periods.get(label="2020")
    on_the_day = reporting_compliance(people["coordinator"], plan=plan, period=period, today=period.due_on)
    after = reporting_compliance(
        people["coordinator"], plan=plan, period=period, today=date.fromordinal(period.due_on.toordinal() + 1)
    )
    assert {c.overdue for c in on_the_day} == {0}
    assert (
        sum(c.overdue for c in after) == sum(c.expected for c in after) == sum(c.missing for c in after) > 0
    )


def test_the_queries_do_not_grow_with_the_reports(plan, people, django_assert_num_queries) -> None:
    """Periods, reports, activities, assignments and collective members: five queries for 2 reports and
    for 20."""
    owed = [pair for pair in expected_rows(plan) if not pair[1].optional]
    write(plan, owed, [(i * 7, "approved", "completed") for i in range(2)])
    with django_assert_num_queries(5):
        few = reporting_compliance(people["coordinator"], plan=plan)
    ProgressReport.objects.all().delete()
    write(plan, owed, [(i * 7, "submitted", "completed") for i in range(20)])
    with django_assert_num_queries(5):
        many = reporting_compliance(people["coordinator"], plan=plan)
    assert (sum(c.approved for c in few), sum(c.submitted for c in many)) == (2, 20)
