"""The demo's policy, workforce and resources records (wpsnap/demo/registries_policy.py): written through the
generic services by the demo writers, dated in open periods, a trend in the workforce summary; a second
load writes nothing."""

from __future__ import annotations

from random import Random

import pytest

from wpsnap.demo.registries_policy import load
from wpsnap.registries.policy.models import PolicyRecommendation, PolicyReview
from wpsnap.registries.resources.models import IdpSettlement, Project
from wpsnap.registries.workforce.kinds import summary
from wpsnap.registries.workforce.models import WorkforceCount, WorkforceReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def writers(make_user):
    return [
        make_user("coordinator", "scfwca", "coordinator"),
        make_user("focal_point", "mod", "mod.focal"),
        make_user("focal_point", "mia", "mia.focal"),
        make_user("focal_point", "moe", "moe.focal"),
        make_user("focal_point", "mlspp", "mlspp.focal"),
        make_user("focal_point", "scridp", "scridp.focal"),
    ]


def test_demo_records(events_plan, writers) -> None:
    result = load(events_plan, Random(7))
    assert result.skipped == 0
    assert (result.reviews, result.recommendations) == (
        PolicyReview.objects.count(),
        PolicyRecommendation.objects.count(),
    )
    assert result.reviews == 9
    assert result.recommendations >= result.reviews
    assert set(PolicyReview.objects.values_list("owner__key", flat=True)) == {"scfwca", "mod", "mia"}
    assert all(
        r.state_on >= r.review.reviewed_on for r in PolicyRecommendation.objects.select_related("review")
    )
    # Five agencies, five levels, four years.
    assert result.workforce_counts == WorkforceCount.objects.count() == 100
    assert result.workforce_reviews == WorkforceReview.objects.count() > 0
    assert result.projects == Project.objects.count() > 0
    assert result.settlements == IdpSettlement.objects.count() > 0
    assert all(record.activities.exists() for record in PolicyReview.objects.all())
    rows = summary(WorkforceCount.objects.all())
    assert len(rows) == 4 * 6
    assert {row.trend for row in rows if row.year > 2020} <= {"up", "down", "same"}

    again = load(events_plan, Random(7))
    assert (again.reviews, again.recommendations, again.workforce_counts, again.workforce_reviews) == (
        0,
        0,
        0,
        0,
    )
    assert (again.projects, again.settlements) == (0, 0)
