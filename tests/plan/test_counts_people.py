"""Whether a count indicator counts people (``counts_people`` in the plan file): true unless the file says
false; loaded, exported, and changed by a later load with history; never a way to set the coordinator's
``public_statistics``, which the plan file does not carry."""

from __future__ import annotations

import pytest

from wpsnap.plan import schema
from wpsnap.plan.export import plan_export
from wpsnap.plan.models import Indicator
from wpsnap.plan.services import plan_load

from .minimal import MINIMAL_PLAN

pytestmark = pytest.mark.django_db

THINGS = MINIMAL_PLAN.replace(
    "            disaggregation: [sex, age]\n",
    "            disaggregation: [sex, age]\n            counts_people: false\n",
)


def _indicator() -> Indicator:
    return Indicator.objects.get(plan__slug="test-plan", key="1.1.1-1-i1")


def test_an_indicator_counts_people_unless_the_file_says_otherwise() -> None:
    """Omitted: true (the safe default for disclosure control); ``false`` is loaded and exported."""
    plan = plan_load(plan_file=schema.parse_plan_text(MINIMAL_PLAN)).plan
    assert _indicator().counts_people is True
    plan_load(plan_file=schema.parse_plan_text(THINGS))
    indicator = _indicator()
    assert indicator.counts_people is False
    exported = plan_export(plan)["pillars"][0]["priority_areas"][0]["activities"][0]["indicators"][0]
    assert exported["counts_people"] is False
    assert [h.counts_people for h in indicator.history.order_by("history_id")] == [True, False]


def test_a_load_leaves_the_coordinators_public_statistics_alone() -> None:
    """The plan file does not carry public statistics: a load, changed or not, keeps the decision, and a
    file that names it is refused."""
    plan_load(plan_file=schema.parse_plan_text(MINIMAL_PLAN))
    Indicator.objects.filter(pk=_indicator().pk).update(public_statistics=True)
    plan_load(plan_file=schema.parse_plan_text(THINGS))
    assert _indicator().public_statistics is True
    with pytest.raises(schema.PlanFileError, match="public_statistics"):
        schema.parse_plan_text(THINGS.replace("counts_people: false", "public_statistics: true"))
