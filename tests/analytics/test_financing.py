"""Financing planned and spent by source (``analytics.financing``): over random reports with random
financing lines (amounts given or left empty, in every review status), the sums per activity and per
pillar and year equal what plain Python adds up; the viewer's scope; the query count."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.analytics.financing import financing
from wpsnap.reporting.models import FundingSource, ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import AGENCIES, Written, write_reports

pytestmark = pytest.mark.django_db

CODES = ("5.1.2.3", "5.1.1.1", "5.2.3.2", "5.4.1.1")
amount = st.one_of(st.none(), st.integers(0, 100_000))
written_report = st.builds(
    Written,
    activity=st.integers(0, len(CODES) - 1),
    agency=st.sampled_from(AGENCIES),
    period=st.integers(0, 3),
    status=st.sampled_from([s.value for s in Status]),
    financing=st.dictionaries(
        st.sampled_from(FundingSource.values), st.tuples(amount, amount), max_size=3
    ).map(lambda d: tuple((source, planned, spent) for source, (planned, spent) in sorted(d.items()))),
)


def by_hand(written, keys, agencies) -> dict:
    """{(where, year, source): (planned or None, spent or None, lines)} of the counted reports; ``keys``
    names each activity index's place (its key, or its pillar's)."""
    sums: dict = defaultdict(lambda: [None, None, 0])
    for w in written:
        if w.status not in ("approved", "published") or (agencies is not None and w.agency not in agencies):
            continue
        for source, planned, spent in w.financing:
            entry = sums[(keys[w.activity], 2020 + w.period, source)]
            for i, value in ((0, planned), (1, spent)):
                if value is not None:
                    entry[i] = (entry[i] or 0) + value
            entry[2] += 1
    return {key: tuple(value) for key, value in sums.items()}


def as_found(found, by: str) -> dict:
    def number(value: Decimal | None) -> int | None:
        return None if value is None else int(value)

    return {
        (f.activity if by == "activity" else f.pillar, f.year, f.source): (
            number(f.planned),
            number(f.spent),
            f.lines,
        )
        for f in found
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=st.lists(written_report, max_size=12, unique_by=lambda w: (w.activity, w.agency, w.period)))
def test_financing_equals_the_sums_by_hand(plan, people, written) -> None:
    """By activity and by pillar for the coordinator, by activity for MoD's focal point (MoD's reports only);
    nothing for the anonymous visitor."""
    activities = [plan.activities.get(code=code) for code in CODES]
    keys = [a.key for a in activities]
    pillars = [a.priority_area.pillar.key for a in activities]
    with transaction.atomic():
        write_reports(plan, activities, written)
        coordinator = people["coordinator"]
        assert as_found(financing(coordinator, plan=plan), "activity") == by_hand(written, keys, None)
        assert as_found(financing(coordinator, plan=plan, by="pillar"), "pillar") == by_hand(
            written, pillars, None
        )
        assert as_found(financing(people["mod"], plan=plan), "activity") == by_hand(written, keys, {"mod"})
        assert financing(AnonymousUser(), plan=plan) == ()
        transaction.set_rollback(True)


def _reports(plan, n: int) -> None:
    activities = [plan.activities.get(code=code) for code in CODES]
    write_reports(
        plan,
        activities,
        [
            Written(
                i % 4, AGENCIES[i // 16], (i // 4) % 4, "published", financing=(("state_budget", 100, 90),)
            )
            for i in range(n)
        ],
    )


def test_the_queries_do_not_grow_with_the_reports(plan, people, django_assert_num_queries) -> None:
    """The sums, the pillars and the activities: three queries for 2 reports and for 20."""
    _reports(plan, 2)
    with django_assert_num_queries(3):
        few = financing(people["coordinator"], plan=plan)
    ProgressReport.objects.all().delete()
    _reports(plan, 20)
    with django_assert_num_queries(3):
        many = financing(people["coordinator"], plan=plan)
    assert (sum(f.lines for f in few), sum(f.spent for f in many)) == (2, 1800)
