"""The grid of reports owed as analytics reads it (``filters.running_in``: plain rows) against reporting's
own rule (``reporting.selectors.expected_in``, model instances): the same activities in the same order,
period by period, each with the same organisations in the same order and the same optional flags, on the
plan as loaded and after random changes to its set-up (organisations joining collectives, assignments on
activities and priority areas, implementers and recommended partners, activities' own years); in the same
three queries."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.analytics.filters import expected_grid, running_in
from wpsnap.plan.models import Activity, Assignment, PriorityArea, Role
from wpsnap.reporting.selectors import expected_in

pytestmark = pytest.mark.django_db

KINDS = [k for k in OrganisationKind.values if k != OrganisationKind.COLLECTIVE]


def _reporting(grid) -> list:
    return [
        (
            r.period.pk,
            r.activity.pk,
            r.activity.key,
            r.activity.code,
            r.activity.pillar_id,
            tuple((owner.pk, owner.key, optional) for owner, optional in r.agencies),
        )
        for r in grid
    ]


def _expected(plan, periods) -> list:
    return [
        (
            e.period.pk,
            e.activity.pk,
            e.activity.key,
            e.activity.code,
            e.activity.priority_area.pillar_id,
            tuple((org.pk, org.key, optional) for org, optional in e.agencies),
        )
        for e in expected_in(plan, periods, partners=True)
    ]


def test_the_grid_is_reportings_on_the_plan(plan, django_assert_num_queries) -> None:
    periods = list(plan.reporting_periods.order_by("start"))
    with django_assert_num_queries(3):
        grid = running_in(plan, periods)
    assert grid and _reporting(grid) == _expected(plan, periods)
    for one in periods:
        assert _reporting(running_in(plan, [one])) == _expected(plan, [one])


changes = st.fixed_dictionaries(
    {
        # (kind index, name suffix): new organisations, which collectives of their kind take in
        "organisations": st.lists(st.tuples(st.integers(0, len(KINDS) - 1), st.integers(0, 999)), max_size=6),
        # (activity or area index, on the activity?, organisation index, implementer?)
        "assignments": st.lists(
            st.tuples(st.integers(0, 40), st.booleans(), st.integers(0, 80), st.booleans()), max_size=12
        ),
        # (activity index, start year or None, years it runs)
        "years": st.lists(
            st.tuples(st.integers(0, 40), st.one_of(st.none(), st.integers(2018, 2024)), st.integers(0, 3)),
            max_size=4,
        ),
        "removed": st.lists(st.integers(0, 400), max_size=5),
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changed=changes)
def test_the_grid_is_reportings_after_any_change(plan, changed) -> None:
    """Whatever the set-up, the rows are reporting's, in its order."""
    periods = list(plan.reporting_periods.order_by("start"))
    with transaction.atomic():
        for kind, suffix in changed["organisations"]:
            Organisation.objects.get_or_create(
                country=plan.country,
                key=f"grid-{kind}-{suffix}",
                defaults={"name": f"Grid test {suffix:03d} {kind}", "kind": KINDS[kind]},
            )
        activities = list(Activity.objects.filter(plan=plan).order_by("pk"))
        areas = list(PriorityArea.objects.filter(plan=plan).order_by("pk"))
        orgs = list(Organisation.objects.filter(country=plan.country).order_by("pk"))
        for index, on_activity, org, implementer in changed["assignments"]:
            agency = orgs[org % len(orgs)]
            role = Role.IMPLEMENTER if implementer else Role.RECOMMENDED
            if on_activity:
                activity = activities[index % len(activities)]
                if not Assignment.objects.filter(activity=activity, agency=agency).exists():
                    Assignment.objects.create(
                        plan=plan,
                        priority_area_id=activity.priority_area_id,
                        activity=activity,
                        agency=agency,
                        role=role,
                    )
            else:
                area = areas[index % len(areas)]
                if not Assignment.objects.filter(priority_area=area, agency=agency, activity=None).exists():
                    Assignment.objects.create(plan=plan, priority_area=area, agency=agency, role=role)
        for index, start, years in changed["years"]:
            activity = activities[index % len(activities)]
            activity.start_year = start
            activity.end_year = None if start is None else start + years
            activity.save(update_fields=["start_year", "end_year"])
        assignments = list(Assignment.objects.filter(plan=plan).order_by("pk"))
        for index in changed["removed"]:
            if assignments:
                assignments.pop(index % len(assignments)).delete()
        assert _reporting(running_in(plan, periods)) == _expected(plan, periods)
        transaction.set_rollback(True)


def test_the_filter_reads_the_grids_activities_and_agencies(plan) -> None:
    """The reports' filter names the grid's activities and the agencies that report on them (of those
    asked for), never an empty list."""
    periods = list(plan.reporting_periods.order_by("start"))
    grid, where = expected_grid(plan, periods, pillar=None, agencies=None)
    children = dict(where.children)
    assert children["activity_id__in"] == sorted({r.activity.pk for r in grid if r.agencies})
    assert children["agency_id__in"] == sorted({o.pk for r in grid for o, _optional in r.agencies})
    _grid, nobody = expected_grid(plan, periods, pillar=None, agencies=frozenset({-1}))
    assert dict(nobody.children) == {"activity_id__in": [0], "agency_id__in": [0]}
