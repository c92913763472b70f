"""Reading plan files: malformed files give an error naming the place."""

from __future__ import annotations

import pytest

from wpsnap.plan import schema

from .minimal import MINIMAL_PLAN


def _problems(text: str) -> list[str]:
    with pytest.raises(schema.PlanFileError) as info:
        schema.parse_plan_text(text, source="plan.yaml")
    return info.value.problems


def test_minimal_plan_reads() -> None:
    """The minimal plan is valid and keeps its structure."""
    plan = schema.parse_plan_text(MINIMAL_PLAN)
    assert [a.code for a in plan.priority_areas] == ["1.1.1", "1.2.1"]
    assert [act.key for act in plan.activities()] == ["1.1.1-1", "1.2.1-1"]
    assert schema.reference_errors(plan) == []


def test_bad_yaml_names_the_line() -> None:
    """A YAML syntax error names its line and column."""
    problems = _problems(MINIMAL_PLAN.replace("title: Raise awareness", "title: [Raise awareness"))
    assert len(problems) == 1
    assert problems[0].startswith("line ")
    assert "not valid YAML" in problems[0]


def test_unknown_field_is_refused_with_its_place() -> None:
    """A field the format does not know is an error naming the item and its line."""
    text = MINIMAL_PLAN.replace("    title: Legal aid\n", "    title: Legal aid\n    budget: 100\n")
    problems = _problems(text)
    assert problems == [
        f"line {_line_of(text, 'budget: 100')}: priority_areas[1] (1.2.1) > budget: Extra inputs are not permitted"
    ]


def test_duplicate_key_is_refused() -> None:
    """A key written twice in one mapping is an error, with both lines."""
    text = MINIMAL_PLAN.replace("    title: Legal aid\n", "    title: Legal aid\n    title: Legal help\n")
    problems = _problems(text)
    second = _line_of(text, "title: Legal help")
    assert problems == [
        f"line {second}: duplicate key 'title' in priority_areas[1] (first at line {second - 1})"
    ]


def test_wrong_type_is_refused() -> None:
    """A value of the wrong type (a number where text is needed) names the field."""
    problems = _problems(MINIMAL_PLAN.replace("text: Provide legal aid.", "text: 42"))
    assert len(problems) == 1
    assert (
        "priority_areas[1] (1.2.1) > activities[0] (1.2.1-1) > text: Input should be a valid string"
        in problems[0]
    )


def test_wrong_enum_is_refused() -> None:
    """An unknown indicator kind is refused, naming the indicator."""
    problems = _problems(MINIMAL_PLAN.replace("kind: count", "kind: percentage"))
    assert len(problems) == 1
    assert "indicators[0] (1.1.1-1-i1) > kind" in problems[0]


def test_period_backwards_is_refused() -> None:
    """A period that ends before it starts is refused."""
    problems = _problems(
        MINIMAL_PLAN.replace("period: {start: 2024, end: 2025}", "period: {start: 2025, end: 2024}")
    )
    assert problems and "ends (2024) before it starts (2025)" in problems[0]


def test_duplicate_activity_keys_are_refused() -> None:
    """Activity keys must be unique across the plan."""
    problems = _problems(MINIMAL_PLAN.replace("key: 1.2.1-1", "key: 1.1.1-1"))
    assert any("activities: key '1.1.1-1' is used more than once" in p for p in problems)


def test_priority_area_pointing_at_no_pillar_is_a_reference_error() -> None:
    """A priority area whose pillar is not defined is reported with the area's code."""
    plan = schema.parse_plan_text(MINIMAL_PLAN.replace("pillar: protection", "pillar: recovery"))
    errors = schema.reference_errors(plan)
    assert [(e.rule, e.ref) for e in errors] == [("unknown-pillar", "1.2.1")]


def test_unknown_agency_is_a_reference_error() -> None:
    """An assignment to an agency the plan does not define is reported with the area's code."""
    plan = schema.parse_plan_text(
        MINIMAL_PLAN.replace("{agency: moi, role: implementer}", "{agency: mod, role: implementer}")
    )
    assert [(e.rule, e.ref) for e in schema.reference_errors(plan)] == [("unknown-agency", "1.2.1")]


def test_empty_and_non_mapping_files_are_refused() -> None:
    """An empty file, or one that is a list, is refused with a plain message."""
    assert _problems("") == ["the file is empty"]
    assert _problems("- a\n- b\n") == ["line 1: the file must be a mapping of plan fields"]


def test_dump_reads_back_equal() -> None:
    """Writing a plan file and reading it back gives the same plan."""
    plan = schema.parse_plan_text(MINIMAL_PLAN)
    assert schema.parse_plan_text(schema.dump_plan_yaml(plan)) == plan


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)
