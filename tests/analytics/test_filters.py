"""The filters ``period=``, ``pillar=`` and ``agency=`` on implementation status, reporting compliance and
financing: over random reports and random filters, each selector's figures equal what the test counts by
hand over the rows the filters keep (the helpers of each selector's own test, given only those rows);
an agency filter narrows a viewer's scope and never widens it; the query counts stay those without
filters."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.analytics.compliance import reporting_compliance
from wpsnap.analytics.financing import financing
from wpsnap.analytics.status import activity_status
from wpsnap.plan.models import Pillar
from wpsnap.reporting.models import ProgressReport

from . import test_compliance, test_financing, test_status
from .conftest import agency, write_reports

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 1)
filters = st.fixed_dictionaries(
    {
        "period": st.one_of(st.none(), st.integers(0, 3)),
        "pillar": st.one_of(st.none(), st.integers(0, 3)),
        "agency": st.one_of(st.none(), st.sampled_from(["mod", "mia", "moe"])),
    }
)


def _chosen(plan, chosen: dict) -> dict:
    """The filters as the selectors take them (ids), from indices and keys."""
    periods = list(plan.reporting_periods.order_by("start"))
    pillars = list(Pillar.objects.filter(plan=plan).order_by("position"))
    return {
        "period": periods[chosen["period"]].pk if chosen["period"] is not None else None,
        "pillar": pillars[chosen["pillar"]].pk if chosen["pillar"] is not None else None,
        "agency": agency(chosen["agency"]).pk if chosen["agency"] is not None else None,
    }


def _kept(rows, ids: dict) -> list:
    """The expected (period, row) pairs the period and pillar filters keep."""
    return [
        (period, row)
        for period, row in rows
        if (ids["period"] is None or period.pk == ids["period"])
        and (ids["pillar"] is None or row.activity.priority_area.pillar_id == ids["pillar"])
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=test_status.written, chosen=filters)
def test_status_and_compliance_keep_what_the_filters_say(plan, people, written, chosen) -> None:
    """For the coordinator, the activities and agencies the filters keep, counted as without filters;
    for MoD's approver asking for another agency, nothing, and asking for MoD, MoD's."""
    rows = test_status.expected_rows(plan)
    ids = _chosen(plan, chosen)
    kept = _kept(rows, ids)
    wanted = {chosen["agency"]} if chosen["agency"] is not None else None
    counted = {"approved", "published"}
    with transaction.atomic():
        reports = test_status.write(plan, rows, written)
        found = activity_status(people["coordinator"], plan=plan, **ids)
        if wanted is None:
            test_status._check(kept, reports, found, None, counted)
            assert {(f.period_id, f.activity_id) for f in found} == {
                (p.pk, r.activity.pk) for p, r in kept
            } | {(f.period_id, f.activity_id) for f in found if f.status == "no_agency"}
        else:
            test_status._check(kept, reports, found, wanted, counted)
        compliance = reporting_compliance(people["coordinator"], plan=plan, today=TODAY, **ids)
        assert test_compliance.as_found(compliance) == test_compliance.by_hand(kept, reports, TODAY, wanted)
        mod = people["mod_approver"]
        own = {"mod"} if wanted in (None, {"mod"}) else set()
        assert test_compliance.as_found(
            reporting_compliance(mod, plan=plan, today=TODAY, **ids)
        ) == test_compliance.by_hand(kept, reports, TODAY, own)
        test_status._check(kept, reports, activity_status(mod, plan=plan, **ids), own, counted)
        transaction.set_rollback(True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    written=st.lists(
        test_financing.written_report, max_size=12, unique_by=lambda w: (w.activity, w.agency, w.period)
    ),
    chosen=filters,
)
def test_financing_keeps_what_the_filters_say(plan, people, written, chosen) -> None:
    """The coordinator's sums over the reports of the period, pillar and agency chosen, by hand."""
    activities = [plan.activities.get(code=code) for code in test_financing.CODES]
    keys = [a.key for a in activities]
    ids = _chosen(plan, chosen)
    kept = [
        w
        for w in written
        if (chosen["period"] is None or w.period == chosen["period"])
        and (ids["pillar"] is None or activities[w.activity].priority_area.pillar_id == ids["pillar"])
        and (chosen["agency"] is None or w.agency == chosen["agency"])
    ]
    with transaction.atomic():
        write_reports(plan, activities, written)
        found = financing(people["coordinator"], plan=plan, **ids)
        assert test_financing.as_found(found, "activity") == test_financing.by_hand(kept, keys, None)
        transaction.set_rollback(True)


def test_the_filters_cost_no_query(plan, people, django_assert_num_queries) -> None:
    """With every filter given as an id, status and compliance still take five queries and financing
    (with lines to sum) three, for 2 reports and for 20."""
    ids = _chosen(plan, {"period": 1, "pillar": 0, "agency": "mod"})
    owed = [pair for pair in test_status.expected_rows(plan) if not pair[1].optional]
    for n in (2, 20):
        ProgressReport.objects.all().delete()
        test_status.write(plan, owed, [(i * 7, "approved", "completed") for i in range(n)])
        with django_assert_num_queries(5):
            activity_status(people["coordinator"], plan=plan, **ids)
        with django_assert_num_queries(5):
            reporting_compliance(people["coordinator"], plan=plan, **ids)
    pillar = plan.activities.get(code=test_financing.CODES[0]).priority_area.pillar_id
    ids = {**ids, "period": _chosen(plan, {"period": 0, "pillar": None, "agency": None})["period"]}
    for n in (2, 20):
        ProgressReport.objects.all().delete()
        test_financing._reports(plan, n)
        with django_assert_num_queries(3):
            found = financing(people["coordinator"], plan=plan, **{**ids, "pillar": pillar})
        assert found
