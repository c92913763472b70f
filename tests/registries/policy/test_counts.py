"""What each count of the policy, workforce and resources registries counts, for generated registries: the
value the platform derives (``kinds.figures.count_records``, from the ``Count`` declared) equals an
independent count over the generated rows, per agency and plan-wide, in every reporting period of the
plan."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation
from wpsnap.registries.kinds.base import Count, RegistryKind
from wpsnap.registries.kinds.figures import count_records
from wpsnap.registries.policy.kinds import POLICY_RECOMMENDATIONS, POLICY_REVIEWS
from wpsnap.registries.resources.kinds import IDP_SETTLEMENTS, PROJECTS
from wpsnap.registries.workforce.kinds import WORKFORCE_COUNTS, WORKFORCE_REVIEWS
from wpsnap.reporting.models import ReportingPeriod

pytestmark = pytest.mark.django_db

AGENCIES = ("mod", "mia", "scfwca")
days = st.dates(min_value=date(2019, 6, 1), max_value=date(2024, 6, 30))


def declared(kind: RegistryKind, count: Count, plan, period, owner=None) -> int:
    """The count as the platform derives it (``kinds.figures.count_records``, what reports show)."""
    records = kind.model._default_manager.filter(plan=plan)
    if owner is not None:
        records = records.filter(owner=owner)
    return count_records(kind, count, records, start=period.start, end=period.end).total


def within(day, period) -> bool:
    return day is not None and period.start <= day <= period.end


# The independent counts, written from the plan's words, not from the declarations.
EXPECTED = {
    ("policy-reviews", "reviewed"): lambda rows, p: sum(within(r.reviewed_on, p) for r in rows),
    ("policy-reviews", "modified"): lambda rows, p: sum(
        within(r.reviewed_on, p) and r.outcome == "modified" for r in rows
    ),
    ("policy-recommendations", "recommendations"): lambda rows, p: sum(within(r.state_on, p) for r in rows),
    ("policy-recommendations", "implemented"): lambda rows, p: sum(
        within(r.state_on, p) and r.state == "implemented" for r in rows
    ),
    ("workforce-reviews", "results"): lambda rows, p: sum(within(r.completed_on, p) for r in rows),
    ("workforce-reviews", "agencies"): lambda rows, p: len(
        {r.owner for r in rows if within(r.completed_on, p)}
    ),
    ("workforce-counts", "agencies"): lambda rows, p: len(
        {r.owner for r in rows if p.start.year <= r.year <= p.end.year}
    ),
    ("projects", "projects"): lambda rows, p: sum(within(r.starts_on, p) for r in rows),
    ("idp-settlements", "settlements"): lambda rows, p: sum(within(r.completed_on, p) for r in rows),
    ("idp-settlements", "settlements_to_standards"): lambda rows, p: sum(
        within(r.completed_on, p) and r.to_new_standards for r in rows
    ),
}


def test_every_count_has_an_independent_count() -> None:
    declared_keys = {
        (k.name, c.key)
        for k in (
            POLICY_REVIEWS,
            POLICY_RECOMMENDATIONS,
            WORKFORCE_COUNTS,
            WORKFORCE_REVIEWS,
            PROJECTS,
            IDP_SETTLEMENTS,
        )
        for c in k.counts
    }
    assert declared_keys == set(EXPECTED)


reviews = st.lists(
    st.builds(
        SimpleNamespace,
        owner=st.sampled_from(AGENCIES),
        reviewed_on=days,
        outcome=st.sampled_from(("reviewed", "modified")),
        recommendations=st.lists(
            st.builds(
                SimpleNamespace,
                state=st.sampled_from(("proposed", "accepted", "implemented", "rejected")),
                after=st.integers(0, 400),
            ),
            max_size=3,
        ),
    ),
    max_size=10,
)
staff_counts = st.dictionaries(
    st.tuples(st.sampled_from(AGENCIES), st.integers(2018, 2024), st.sampled_from(("senior", "junior"))),
    st.integers(0, 50),
    max_size=8,
)
# Several results of one keeper for one year may exist (the State Committee's over several agencies).
monitoring = st.lists(
    st.tuples(st.sampled_from(AGENCIES), st.integers(2019, 2023), st.integers(0, 200)), max_size=8
)
projects = st.lists(st.builds(SimpleNamespace, owner=st.sampled_from(AGENCIES), starts_on=days), max_size=8)
settlements = st.lists(
    st.builds(
        SimpleNamespace,
        owner=st.sampled_from(AGENCIES),
        completed_on=st.none() | days,
        to_new_standards=st.booleans(),
    ),
    max_size=8,
)


def _insert(plan, orgs, reviews, staff_counts, monitoring, projects, settlements):
    """The generated registries, saved; returns {kind name: [rows as the independent counts read them]}."""
    from wpsnap.registries.policy.models import PolicyRecommendation, PolicyReview
    from wpsnap.registries.resources.models import IdpSettlement, Project
    from wpsnap.registries.workforce.models import WorkforceCount, WorkforceReview

    rows: dict[str, list[SimpleNamespace]] = {name: [] for name, _key in EXPECTED}
    for number, generated in enumerate(reviews):
        review = PolicyReview.objects.create(
            plan=plan,
            owner=orgs[generated.owner],
            document=f"Document {number}",
            document_type="law",
            reviewed_on=generated.reviewed_on,
            outcome=generated.outcome,
        )
        rows["policy-reviews"].append(generated)
        for made in generated.recommendations:
            state_on = generated.reviewed_on + timedelta(days=made.after)
            PolicyRecommendation.objects.create(
                plan=plan,
                owner=review.owner,
                review=review,
                text="Do it.",
                state=made.state,
                state_on=state_on,
            )
            rows["policy-recommendations"].append(
                SimpleNamespace(state=made.state, state_on=state_on, owner=generated.owner)
            )
    for (owner, year, level), women in staff_counts.items():
        WorkforceCount.objects.create(
            plan=plan, owner=orgs[owner], year=year, level=level, women=women, men=3
        )
        rows["workforce-counts"].append(SimpleNamespace(owner=owner, year=year))
    for owner, year, after in monitoring:
        completed_on = date(year, 1, 1) + timedelta(days=after + 300)
        WorkforceReview.objects.create(
            plan=plan, owner=orgs[owner], year=year, completed_on=completed_on, result="Done."
        )
        rows["workforce-reviews"].append(SimpleNamespace(owner=owner, completed_on=completed_on))
    for generated in projects:
        Project.objects.create(
            plan=plan, owner=orgs[generated.owner], title="Project", starts_on=generated.starts_on
        )
        rows["projects"].append(generated)
    for number, generated in enumerate(settlements):
        IdpSettlement.objects.create(
            plan=plan,
            owner=orgs[generated.owner],
            district="barda",
            name=f"Settlement {number}",
            units=10,
            completed_on=generated.completed_on,
            to_new_standards=generated.to_new_standards,
        )
        rows["idp-settlements"].append(generated)
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    reviews=reviews,
    staff_counts=staff_counts,
    monitoring=monitoring,
    projects=projects,
    settlements=settlements,
)
def test_every_count_equals_an_independent_count(
    events_plan, reviews, staff_counts, monitoring, projects, settlements
) -> None:
    orgs = {key: Organisation.objects.get(key=key) for key in AGENCIES}
    periods = list(ReportingPeriod.objects.filter(plan=events_plan).order_by("start"))
    assert periods
    kinds = {
        k.name: k
        for k in (
            POLICY_REVIEWS,
            POLICY_RECOMMENDATIONS,
            WORKFORCE_COUNTS,
            WORKFORCE_REVIEWS,
            PROJECTS,
            IDP_SETTLEMENTS,
        )
    }
    with transaction.atomic():
        rows = _insert(events_plan, orgs, reviews, staff_counts, monitoring, projects, settlements)
        for (name, key), expected in EXPECTED.items():
            kind = kinds[name]
            count = next(c for c in kind.counts if c.key == key)
            for period in periods:
                where = (name, key, period.label)
                assert declared(kind, count, events_plan, period) == expected(rows[name], period), where
                for agency in AGENCIES:
                    theirs = [r for r in rows[name] if r.owner == agency]
                    assert declared(kind, count, events_plan, period, orgs[agency]) == expected(
                        theirs, period
                    ), (
                        *where,
                        agency,
                    )
        transaction.set_rollback(True)
