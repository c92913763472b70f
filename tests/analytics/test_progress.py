"""Indicators against their baseline and target (``analytics.progress``): which baselines and targets are
numbers (strictly); over random reports in every review status, with random baselines and targets, each
measured indicator's achievement per period, cumulated up to the period chosen, and its share of the
target equal what plain Python adds up over the reports the test wrote; the filters; the viewer's scope;
the query count."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.analytics.progress import LeftOutReason, indicator_progress, number
from wpsnap.plan.models import Indicator
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import AGENCIES, Written, count_activities, write_reports

pytestmark = pytest.mark.django_db

N_ACTIVITIES = 4


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", Decimal(0)),
        ("250", Decimal(250)),
        (" 12.5 ", Decimal("12.5")),
        ("007", Decimal(7)),
        ("25%", None),
        ("1,200", None),
        ("1 200", None),
        ("1e3", None),
        ("-5", None),
        (".5", None),
        ("5.", None),
        ("١٢", None),
        ("²", None),
        ("about 40", None),
        ("all districts", None),
        ("", None),
    ],
)
def test_a_number_is_written_as_one(text, value) -> None:
    """Only ASCII digits with at most one decimal point are a number; percentages, separators, exponents,
    signs, other scripts' digits and words are not."""
    assert number(text) == value


baseline_or_target = st.sampled_from(["", "0", "10", "40", "12.5", "25%", "all districts"])
written_report = st.builds(
    Written,
    activity=st.integers(0, N_ACTIVITIES - 1),
    agency=st.sampled_from(AGENCIES),
    period=st.integers(0, 3),
    status=st.sampled_from([s.value for s in Status]),
    values=st.one_of(
        st.just(()),
        st.tuples(st.integers(0, 500)).map(lambda v: (("", v[0]),)),
    ),
)


def by_hand(plan, activities, written, marks, agencies, upto: int | None) -> tuple[dict, dict]:
    """({indicator key: (baseline, target, [(label, achieved, reports, cumulative)], achieved, share)},
    {indicator key: reason}) over the indicators of ``activities``, from what the test wrote."""
    labels = [p.label for p in plan.reporting_periods.order_by("start")]
    last = len(labels) - 1 if upto is None else upto
    measured, left_out = {}, {}
    for index, activity in enumerate(activities):
        key = Indicator.objects.get(activity=activity).key
        baseline_text, target_text = marks[index]
        baseline = Decimal(baseline_text) if baseline_text.replace(".", "", 1).isdigit() else None
        target = Decimal(target_text) if target_text.replace(".", "", 1).isdigit() else None
        if not baseline_text and not target_text:
            left_out[key] = "none_given"
            continue
        if baseline is None and target is None:
            left_out[key] = "not_a_number"
            continue
        rows, cumulative = [], None
        for period in range(last + 1):
            totals = [
                Decimal(value)
                for w in written
                if w.activity == index
                and w.period == period
                and w.status in ("approved", "published")
                and (agencies is None or w.agency in agencies)
                for cell, value in w.values
                if cell == ""
            ]
            achieved = sum(totals, Decimal(0)) if totals else None
            if achieved is not None:
                cumulative = (cumulative or Decimal(0)) + achieved
            rows.append((labels[period], achieved, len(totals), cumulative))
        share = None
        if cumulative is not None and target is not None and target > 0:
            share = (cumulative / target).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        measured[key] = (baseline, target, rows, cumulative, share)
    return measured, left_out


def as_found(found, keys) -> tuple[dict, dict]:
    measured = {
        i.indicator: (
            i.baseline,
            i.target,
            [(p.period, p.achieved, p.reports, p.cumulative) for p in i.periods],
            i.achieved,
            i.share,
        )
        for i in found.indicators
        if i.indicator in keys
    }
    left_out = {o.indicator: str(o.reason) for o in found.left_out if o.indicator in keys}
    return measured, left_out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    written=st.lists(written_report, max_size=16, unique_by=lambda w: (w.activity, w.agency, w.period)),
    marks=st.lists(st.tuples(baseline_or_target, baseline_or_target), min_size=N_ACTIVITIES, max_size=4),
    upto=st.one_of(st.none(), st.integers(0, 3)),
)
def test_achievement_equals_the_sums_by_hand(plan, people, written, marks, upto) -> None:
    """For the coordinator every agency's counted totals, for MoD's focal point MoD's, for the coordinator
    asking for MIA, MIA's: per period up to the one chosen, cumulated, and the share of a numeric target;
    indicators without a numeric baseline or target left out, with the reason. The anonymous visitor gets
    the indicators with no achievement."""
    activities = count_activities(plan, N_ACTIVITIES)
    keys = {Indicator.objects.get(activity=a).key for a in activities}
    periods = list(plan.reporting_periods.order_by("start"))
    period = periods[upto] if upto is not None else None
    with transaction.atomic():
        for activity, (baseline, target) in zip(activities, marks, strict=True):
            Indicator.objects.filter(activity=activity).update(baseline=baseline, target=target)
        write_reports(plan, activities, written)
        for viewer, agency, agencies in (
            (people["coordinator"], None, None),
            (people["mod"], None, {"mod"}),
            (people["evaluator"], _pk("mia"), {"mia"}),
        ):
            found = indicator_progress(viewer, plan=plan, period=period, agency=agency)
            assert as_found(found, keys) == by_hand(plan, activities, written, marks, agencies, upto)
        anonymous = indicator_progress(AnonymousUser(), plan=plan, period=period)
        assert all(i.achieved is None for i in anonymous.indicators)
        transaction.set_rollback(True)


def _pk(key: str) -> int:
    from .conftest import agency

    return agency(key).pk


def test_a_pillar_narrows_the_indicators_and_the_sums(plan, people) -> None:
    """Asked for one pillar, only that pillar's indicators are measured or left out."""
    activities = count_activities(plan, N_ACTIVITIES)
    for activity in activities:
        Indicator.objects.filter(activity=activity).update(baseline="0", target="100")
    write_reports(plan, activities, [Written(i, "mod", 0, "approved", values=(("", 10),)) for i in range(4)])
    pillar = activities[0].priority_area.pillar
    found = indicator_progress(people["coordinator"], plan=plan, pillar=pillar.pk)
    listed = {i.indicator for i in found.indicators} | {o.indicator for o in found.left_out}
    assert listed == set(
        Indicator.objects.filter(plan=plan, priority_area__pillar=pillar).values_list("key", flat=True)
    )
    in_pillar = [a for a in activities if a.priority_area.pillar_id == pillar.pk]
    assert {i.indicator: i.achieved for i in found.indicators} == {
        Indicator.objects.get(activity=a).key: Decimal(10) for a in in_pillar
    }


def test_text_indicators_are_left_out_and_said_so(plan, people) -> None:
    """A qualitative indicator with a numeric target is left out: its reports give no figure to add."""
    indicator = Indicator.objects.filter(plan=plan).exclude(kind="count").first()
    Indicator.objects.filter(pk=indicator.pk).update(target="3")
    found = indicator_progress(people["coordinator"], plan=plan)
    assert {o.indicator: o.reason for o in found.left_out}[indicator.key] == LeftOutReason.NOT_A_COUNT
    assert indicator.key not in {i.indicator for i in found.indicators}


def _reports(plan, n: int) -> None:
    activities = count_activities(plan, N_ACTIVITIES)
    for activity in activities:
        Indicator.objects.filter(activity=activity).update(baseline="0", target="1000")
    write_reports(
        plan,
        activities,
        [Written(i % 4, AGENCIES[i // 16], (i // 4) % 4, "published", values=(("", 5),)) for i in range(n)],
    )


def test_the_queries_do_not_grow_with_the_reports(plan, people, django_assert_num_queries) -> None:
    """Periods, indicators and the sums: three queries for 2 reports and for 20."""
    _reports(plan, 2)
    with django_assert_num_queries(3):
        few = indicator_progress(people["coordinator"], plan=plan)
    ProgressReport.objects.all().delete()
    _reports(plan, 20)
    with django_assert_num_queries(3):
        many = indicator_progress(people["coordinator"], plan=plan)
    assert (sum(i.achieved or 0 for i in few.indicators), sum(i.achieved or 0 for i in many.indicators)) == (
        10,
        100,
    )
