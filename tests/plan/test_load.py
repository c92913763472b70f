"""Loading plan files: idempotent, updates in place with history, all or nothing."""

from __future__ import annotations

import pytest

from wpsnap.accounts.models import Organisation
from wpsnap.core.errors import InvalidInput
from wpsnap.plan import schema
from wpsnap.plan.models import Activity, Assignment, Indicator, Pillar, Plan, PriorityArea
from wpsnap.plan.services import plan_load

from .minimal import MINIMAL_PLAN

pytestmark = pytest.mark.django_db


def _load(text: str):
    return plan_load(plan_file=schema.parse_plan_text(text))


def _history_rows() -> int:
    models = (Plan, Pillar, PriorityArea, Activity, Indicator, Assignment, Organisation)
    return sum(m.history.count() for m in models)  # type: ignore[attr-defined]


def test_load_creates_the_plan() -> None:
    """A new plan file creates the plan with its pillars, areas, activities, indicators and roles."""
    result = _load(MINIMAL_PLAN)
    plan = result.plan
    assert plan.slug == "test-plan"
    assert (plan.start_year, plan.end_year) == (2024, 2026)
    assert plan.coordinator is not None and plan.coordinator.key == "coord"
    assert list(plan.pillars.values_list("key", flat=True)) == ["prevention", "protection"]
    assert list(plan.activities.order_by("key").values_list("key", flat=True)) == ["1.1.1-1", "1.2.1-1"]
    indicator = Indicator.objects.get(plan=plan, key="1.1.1-1-i1")  # the AZ plan is loaded beside it
    assert indicator.disaggregation == ["sex", "age"]
    assert indicator.activity is not None and indicator.activity.key == "1.1.1-1"
    roles = sorted(
        Assignment.objects.filter(plan=plan).values_list("priority_area__code", "agency__key", "role")
    )
    assert roles == [
        ("1.1.1", "coord", "implementer"),
        ("1.1.1", "ngos", "recommended"),
        ("1.2.1", "moi", "implementer"),
    ]
    assert result.created > 0 and result.updated == 0 and result.deleted == 0


def test_loading_twice_changes_nothing() -> None:
    """Loading the same file again writes no row and no history."""
    _load(MINIMAL_PLAN)
    history = _history_rows()
    again = _load(MINIMAL_PLAN)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert again.unchanged > 0
    assert _history_rows() == history


def test_changed_file_updates_in_place_keeping_history() -> None:
    """A changed text updates the same row (same id) and the old text stays in its history."""
    _load(MINIMAL_PLAN)
    activity = Activity.objects.get(plan__slug="test-plan", key="1.2.1-1")
    result = _load(MINIMAL_PLAN.replace("text: Provide legal aid.", "text: Provide free legal aid."))
    assert (result.created, result.updated, result.deleted) == (0, 1, 0)
    activity.refresh_from_db()
    assert activity.text == "Provide free legal aid."
    assert [h.text for h in activity.history.order_by("history_date")] == [
        "Provide legal aid.",
        "Provide free legal aid.",
    ]


def test_removed_items_are_deleted_with_history() -> None:
    """An activity and an assignment no longer in the file are removed; history records the deletion."""
    _load(MINIMAL_PLAN)
    smaller = MINIMAL_PLAN.replace("      - {agency: ngos, role: recommended}\n", "")
    smaller = smaller[: smaller.index("    activities:\n      - key: 1.2.1-1")]
    result = _load(smaller)
    assert result.deleted == 2
    assert not Activity.objects.filter(plan__slug="test-plan", key="1.2.1-1").exists()
    assert Activity.history.filter(plan__slug="test-plan", key="1.2.1-1", history_type="-").count() == 1
    assert not Assignment.objects.filter(plan__slug="test-plan", agency__key="ngos").exists()


def test_reference_errors_refuse_the_file_and_load_nothing() -> None:
    """A priority area pointing at no pillar is refused, naming the area, and nothing is written."""
    with pytest.raises(InvalidInput) as info:
        _load(MINIMAL_PLAN.replace("pillar: protection", "pillar: recovery"))
    assert [str(p) for p in info.value.problems] == [
        "1.2.1: priority area 1.2.1 points at pillar 'recovery', which the plan does not define"
    ]
    assert not Plan.objects.filter(slug="test-plan").exists()
    assert not Organisation.objects.filter(country="ZZ").exists()


def test_a_failure_midway_leaves_the_previous_plan_whole() -> None:
    """If a row is refused midway (here a pillar title longer than the database allows, in a file built
    without the schema's checks), the error names the row and the earlier version stays whole."""
    _load(MINIMAL_PLAN)
    valid = schema.parse_plan_text(
        MINIMAL_PLAN.replace("text: Conduct trainings.", "text: Conduct more trainings.")
    )
    long_pillar = valid.pillars[1].model_construct(
        **{**dict(valid.pillars[1]), "key": "recovery", "title": "R" * 250}
    )
    plan_file = valid.model_construct(**{**dict(valid), "pillars": [*valid.pillars, long_pillar]})
    with pytest.raises(InvalidInput) as info:
        plan_load(plan_file=plan_file)
    assert [str(p) for p in info.value.problems] == [
        "pillar[recovery].title: Ensure this value has at most 200 characters (it has 250)."
    ]
    assert Activity.objects.get(plan__slug="test-plan", key="1.1.1-1").text == "Conduct trainings."
    assert not Pillar.objects.filter(plan__slug="test-plan", key="recovery").exists()
