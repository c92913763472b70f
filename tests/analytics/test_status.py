"""Implementation status per activity and period (``analytics.status``): the rule that combines the
agencies' parts, case by case; then over random reports on the plan's expected (activity, agency,
period) rows, every activity's status, expected and reported parts equal what the test works out from
``reporting.selectors.expected_reports`` and the rule restated; the viewer's scope; the query count."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.analytics.status import ActivityStatus, activity_status, combine
from wpsnap.reporting.models import ProgressReport, ProgressStatus
from wpsnap.reporting.selectors import activities_in_period, expected_in, expected_reports
from wpsnap.reporting.workflow import Status

pytestmark = pytest.mark.django_db

N, S, P, D, C, X = None, "not_started", "in_progress", "delayed", "completed", "cancelled"


@pytest.mark.parametrize(
    ("parts", "status"),
    [
        ((), "no_agency"),
        ((N,), "not_reported"),
        ((N, N), "not_reported"),
        ((S,), "not_started"),
        ((S, S), "not_started"),
        ((S, N), "not_started"),
        ((P, N), "in_progress"),
        ((P, S), "in_progress"),
        ((C, N), "in_progress"),
        ((C, S), "in_progress"),
        ((C, P), "in_progress"),
        ((C,), "completed"),
        ((C, C, C), "completed"),
        ((C, X), "completed"),
        ((D, C, C), "delayed"),
        ((D, N), "delayed"),
        ((X,), "cancelled"),
        ((X, X), "cancelled"),
        ((X, N), "not_started"),
        ((X, S), "not_started"),
        ((X, P), "in_progress"),
    ],
)
def test_the_rule_combines_the_parts(parts, status) -> None:
    """Delayed if any part is; completed only when every part is reported completed (cancelled parts
    aside); in progress when some part is under way or done; not started when the parts reported are not
    started or cancelled; not reported when none is; no agency when nobody is expected."""
    assert combine(parts) == status
    assert combine(tuple(reversed(parts))) == status


def by_hand(parts: list[str | None]) -> str:
    """The rule restated over counts of the parts."""
    got = Counter(p for p in parts if p is not None)
    reported = sum(got.values())
    if not parts:
        return "no_agency"
    if not reported:
        return "not_reported"
    if got["delayed"]:
        return "delayed"
    if got["cancelled"] == len(parts):
        return "cancelled"
    if reported == len(parts) and got["completed"] + got["cancelled"] == len(parts):
        return "completed"
    if got["in_progress"] or got["completed"]:
        return "in_progress"
    return "not_started"


def expected_rows(plan) -> list:
    """(period, row) for every expected row of every period, optional contributions included, from
    reporting's own per-period selector."""
    return [
        (period, row)
        for period in plan.reporting_periods.order_by("start")
        for row in expected_reports(period, partners=True)
    ]


written = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.sampled_from([s.value for s in Status]),
        st.sampled_from(ProgressStatus.values),
    ),
    max_size=40,
    unique_by=lambda t: t[0],
)


def write(plan, rows, written) -> dict:
    """Reports on random expected rows; {(activity id, agency id, period id): (status, progress)}."""
    chosen = {}
    for n, status, progress in written:
        period, row = rows[n % len(rows)]
        chosen[(row.activity.pk, row.agency.pk, period.pk)] = (row, period, status, progress)
    ProgressReport.objects.bulk_create(
        ProgressReport(
            plan=plan, activity=row.activity, agency=row.agency, period=period, status=s, progress=p
        )
        for row, period, s, p in chosen.values()
    )
    return {key: (s, p) for key, (_row, _period, s, p) in chosen.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=written)
def test_every_activitys_status_is_the_rule_over_its_agencies_reports(plan, people, written) -> None:
    """For the coordinator, every activity running in each period, with the status the counted reports
    of its expected agencies give (for the evaluator with ``include_submitted``, submitted and endorsed
    ones too); for MoD's focal point, the activities MoD owes, from MoD's part alone; for the anonymous
    visitor, nothing."""
    rows = expected_rows(plan)
    counted = {"approved", "published"}
    with transaction.atomic():
        reports = write(plan, rows, written)
        _check(rows, reports, activity_status(people["coordinator"], plan=plan), None, counted)
        _check(rows, reports, activity_status(people["mod"], plan=plan), {"mod"}, counted)
        found = activity_status(people["evaluator"], plan=plan, include_submitted=True)
        _check(rows, reports, found, None, counted | {"submitted", "endorsed"})
        assert activity_status(AnonymousUser(), plan=plan) == ()
        transaction.set_rollback(True)


def _check(rows, reports, found, agencies, statuses) -> None:
    parts: dict = {}
    for period, row in rows:
        if agencies is not None and row.agency.key not in agencies:
            continue
        status, progress = reports.get((row.activity.pk, row.agency.pk, period.pk), (None, None))
        if not row.optional:
            parts.setdefault((row.activity.key, period.label), []).append(
                progress if status in statuses else None
            )
    got = {(f.activity, f.period): f for f in found}
    if agencies is None:
        # Every activity running in a period is listed, whoever reports on it.
        assert set(got) >= set(parts)
        assert {got[key].status for key in set(got) - set(parts)} <= {ActivityStatus.NO_AGENCY}
    else:
        assert set(got) == set(parts)
    for key, mine in parts.items():
        assert got[key].status == by_hand(mine), key
        assert (got[key].expected, got[key].reported) == (len(mine), sum(p is not None for p in mine)), key


def _reports(plan, n: int) -> None:
    owed = [pair for pair in expected_rows(plan) if not pair[1].optional]
    write(plan, owed, [(i * 7, "approved", "completed") for i in range(n)])


def test_the_queries_do_not_grow_with_the_reports(plan, people, django_assert_num_queries) -> None:
    """Periods, reports, activities, assignments and collective members: five queries for 2 reports and
    for 20."""
    _reports(plan, 2)
    with django_assert_num_queries(5):
        few = activity_status(people["coordinator"], plan=plan)
    ProgressReport.objects.all().delete()
    _reports(plan, 20)
    with django_assert_num_queries(5):
        many = activity_status(people["coordinator"], plan=plan)
    assert (sum(f.reported for f in few), sum(f.reported for f in many)) == (2, 20)


def test_the_activities_running_in_a_period_are_reportings(plan) -> None:
    """``expected_in`` (all periods at once) lists, period by period, the activities ``activities_in_period``
    finds in the database, each with the organisations ``expected_reports`` lists for it."""
    periods = list(plan.reporting_periods.order_by("start"))
    grouped = expected_in(plan, periods, partners=True)
    for period in periods:
        running = [g for g in grouped if g.period == period]
        assert [g.activity.pk for g in running] == [a.pk for a in activities_in_period(plan, period)]
        rows = {(r.activity.pk, r.agency.pk, r.optional) for r in expected_reports(period, partners=True)}
        assert {(g.activity.pk, org.pk, optional) for g in running for org, optional in g.agencies} == rows
