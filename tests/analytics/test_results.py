"""Results by indicator x period x cell (``analytics.results.results``): over random reports of three
agencies on three activities across the plan's periods, in every review status, the sums equal what plain
Python adds up from the reports written, for every viewer's scope; the queries do not grow with the data;
the API's representation is the serializer's declared fields'."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from wpsnap.analytics.results import results
from wpsnap.analytics.scope import PUBLIC
from wpsnap.analytics.serializers import ResultsSerializer
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import COUNTED, Status

from .conftest import AGENCIES, SEX_AGE, Written, count_activities, write_reports

pytestmark = pytest.mark.django_db

written_report = st.builds(
    Written,
    activity=st.integers(0, 2),
    agency=st.sampled_from(AGENCIES),
    period=st.integers(0, 3),
    status=st.sampled_from([s.value for s in Status]),
    values=st.tuples(
        st.one_of(st.just(()), st.tuples(st.tuples(st.just(""), st.integers(0, 60)))),
        st.dictionaries(st.sampled_from(SEX_AGE), st.integers(0, 30), max_size=4),
    ).map(lambda both: both[0] + tuple(sorted(both[1].items()))),
)
reports = st.lists(written_report, max_size=12, unique_by=lambda w: (w.activity, w.agency, w.period))


def by_hand(written, keys, labels, agencies, statuses) -> dict:
    """{(indicator key, period label): (total or None, reports with a total, {cell: sum})} of the reports
    of ``agencies`` (None: all) whose status is in ``statuses``."""
    totals: Counter = Counter()
    counted: Counter = Counter()
    cells: dict = defaultdict(Counter)
    for w in written:
        if w.status not in statuses or (agencies is not None and w.agency not in agencies):
            continue
        where = (keys[w.activity], labels[w.period])
        for cell, value in w.values:
            if cell == "":
                totals[where] += value
                counted[where] += 1
            else:
                cells[where][cell] += value
    return {
        where: (totals[where] if counted[where] else None, counted[where], dict(cells[where]))
        for where in set(counted) | set(cells)
    }


def as_found(found) -> dict:
    """The selector's figures in ``by_hand``'s shape, leaving out indicator-periods with none."""
    shaped = {}
    for indicator in found.indicators:
        for period in indicator.periods:
            if period.total is not None or period.cells:
                cells = {c.cell: int(c.value) for c in period.cells}
                total = int(period.total) if period.total is not None else None
                shaped[(indicator.indicator, period.period)] = (total, period.reports, cells)
    return shaped


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=reports)
def test_results_equal_the_sums_by_hand_in_every_scope(plan, people, written) -> None:
    """Coordinators and evaluators get every agency's counted reports summed; MoD's focal point and approver
    only MoD's; PUBLIC only published reports; the anonymous visitor no figures at all. Asked for every
    status, the coordinator gets drafts summed too. Every indicator and period of the plan is listed."""
    activities = count_activities(plan, 3)
    keys = [a.indicators.get().key for a in activities]
    labels = [p.label for p in plan.reporting_periods.order_by("start")]
    counted = {str(s) for s in COUNTED}
    with transaction.atomic():
        write_reports(plan, activities, written)
        everything = results(people["coordinator"], plan=plan)
        assert as_found(everything) == by_hand(written, keys, labels, None, counted)
        assert as_found(results(people["evaluator"], plan=plan)) == as_found(everything)
        mod = by_hand(written, keys, labels, {"mod"}, counted)
        assert as_found(results(people["mod"], plan=plan)) == mod
        assert as_found(results(people["mod_approver"], plan=plan)) == mod
        assert as_found(results(PUBLIC, plan=plan)) == by_hand(written, keys, labels, None, {"published"})
        assert as_found(results(AnonymousUser(), plan=plan)) == {}
        every = {s.value for s in Status}
        assert as_found(results(people["coordinator"], plan=plan, statuses=every)) == by_hand(
            written, keys, labels, None, every
        )
        assert everything.counted == ("approved", "published")
        assert len(everything.indicators) == plan.indicators.count()
        assert {len(i.periods) for i in everything.indicators} == {len(labels)}
        transaction.set_rollback(True)


def _reports(plan, n: int) -> None:
    activities = count_activities(plan, 5)
    written = [
        Written(
            activity=i % 5,
            agency=AGENCIES[(i // 5) % 3],
            period=i // 15,
            status="approved",
            values=(("", 3), (SEX_AGE[i % 10], 2)),
        )
        for i in range(n)
    ]
    write_reports(plan, activities, written)


def test_results_take_three_queries_for_2_reports_and_for_20(plan, people, django_assert_num_queries) -> None:
    """Periods, indicators and one GROUP BY, whatever the number of reports."""
    _reports(plan, 2)
    with django_assert_num_queries(3):
        few = results(people["coordinator"], plan=plan)
    ProgressReport.objects.all().delete()
    _reports(plan, 20)
    with django_assert_num_queries(3):
        many = results(people["mod"], plan=plan)
    assert sum(p.reports for i in few.indicators for p in i.periods) == 2
    # MoD's focal point sees MoD's 10 of the 20 (the first and the fourth five).
    assert sum(p.reports for i in many.indicators for p in i.periods) == 10


def test_the_apis_representation_is_the_declared_fields(plan, people) -> None:
    """ResultsSerializer builds its output directly; it is exactly what its declared fields give."""
    _reports(plan, 20)
    found = results(people["coordinator"], plan=plan)
    serializer = ResultsSerializer(found)
    assert serializer.data == serializers.Serializer.to_representation(serializer, found)
    assert any(p["cells"] for i in serializer.data["indicators"] for p in i["periods"])
