"""The loaded Azerbaijan plan, the export contract, and the `wpsnap plan` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wpsnap.plan.export import plan_export
from wpsnap.plan.models import (
    Activity,
    Assignment,
    ExpectedResult,
    Indicator,
    Objective,
    Pillar,
    PriorityArea,
)

from ..conftest import AZ_PLAN_PATH, AZ_SOURCE_PATH, ROOT
from .minimal import MINIMAL_PLAN

WPSNAP = str(Path(sys.executable).parent / "wpsnap")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WPSNAP, *args], capture_output=True, text=True, cwd=ROOT, check=False, timeout=120)


@pytest.mark.django_db
def test_loaded_plan_has_the_documents_structure(az_plan) -> None:
    """4 pillars, 4 objectives, 4 expected results, 17 priority areas and 35 activities, as in the document."""
    assert Pillar.objects.filter(plan=az_plan).count() == 4
    assert Objective.objects.filter(pillar__plan=az_plan).count() == 4
    assert ExpectedResult.objects.filter(plan=az_plan).count() == 4
    assert PriorityArea.objects.filter(plan=az_plan).count() == 17
    assert Activity.objects.filter(plan=az_plan).count() == 35
    assert Activity.objects.filter(plan=az_plan, code="").get().priority_area.code == "5.3.3"
    assert not Indicator.objects.filter(plan=az_plan, activity__isnull=True).exists()


@pytest.mark.django_db
def test_agencies_and_roles_as_in_the_document(az_plan) -> None:
    """Implementing and recommended agencies per priority area, collectives included."""

    def roles(code: str) -> set[tuple[str, str]]:
        rows = Assignment.objects.filter(plan=az_plan, priority_area__code=code)
        return set(rows.values_list("agency__key", "role"))

    assert roles("5.1.1") == {
        ("scfwca", "implementer"),
        ("scridp", "implementer"),
        ("ombudsman", "recommended"),
        ("ngos", "recommended"),
    }
    assert ("all-ministries-and-state-committees", "implementer") in roles("5.2.6")
    assert ("local-executive-authorities", "implementer") in roles("5.3.2")
    assert roles("5.4.5") == {("scridp", "implementer"), ("mof", "implementer")}
    assert roles("5.1.3") == set()
    assert az_plan.coordinator.short_name == "SCFWCA"


@pytest.mark.django_db
def test_export_shape(az_plan, django_assert_max_num_queries) -> None:
    """The export has the documented keys; roles are implementer or recommended; keys are unique."""
    with django_assert_max_num_queries(12):
        data = plan_export(az_plan)
    assert data["slug"] == "az-2020-2023"
    assert data["period"]["start"] == 2020 and data["period"]["end"] == 2023
    assert [p["code"] for p in data["pillars"]] == ["5.1", "5.2", "5.3", "5.4"]
    assert [p["objective"]["code"] for p in data["pillars"]] == ["2.2.1", "2.2.2", "2.2.3", "2.2.4"]
    areas = [a for p in data["pillars"] for a in p["priority_areas"]]
    activities = [act for a in areas for act in a["activities"]]
    assert len(areas) == 17 and len(activities) == 35
    assert len({act["key"] for act in activities}) == 35
    assert {ag["role"] for a in areas for ag in a["agencies"]} == {"implementer", "recommended"}
    assert [act["code"] for act in activities].count(None) == 1
    assert [act["code"] for act in activities].count("5.3.1.3") == 2
    first = areas[0]
    assert first["code"] == "5.1.1" and first["period"]["start"] == 2020 and first["period"]["end"] == 2020
    assert set(first["agencies"][0]) >= {"name", "short_name", "role"}
    assert activities[0]["indicators"][0]["disaggregation"] == ["sex", "age"]
    area_524 = next(a for a in areas if a["code"] == "5.2.4")
    assert area_524["activities"][0]["indicators"][0]["disaggregation"] == ["age"]
    assert next(a for a in areas if a["code"] == "5.1.3")["period"] is None


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_the_plan(az_plan, django_assert_num_queries) -> None:
    """The export reads the 35-activity plan in the same 9 queries as the 2-activity test plan."""
    from wpsnap.plan import schema
    from wpsnap.plan.services import plan_load

    small = plan_load(plan_file=schema.parse_plan_text(MINIMAL_PLAN)).plan
    with django_assert_num_queries(9):
        plan_export(small)
    with django_assert_num_queries(9):
        plan_export(az_plan)


@pytest.mark.django_db
def test_export_command_prints_json(az_plan, capsys) -> None:
    """`wpsnap plan export SLUG --json` prints the export; an unknown slug is a clear error."""
    call_command("plan", "export", "az-2020-2023", "--json")
    assert json.loads(capsys.readouterr().out)["slug"] == "az-2020-2023"
    with pytest.raises(CommandError, match="No plan with the slug 'nope'"):
        call_command("plan", "export", "nope")


@pytest.mark.django_db
def test_load_command_refuses_a_malformed_file_and_loads_nothing(tmp_path) -> None:
    """A malformed file is refused with its line, and no plan is created."""
    from wpsnap.plan.models import Plan

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINIMAL_PLAN.replace("title: Legal aid", "title: Legal aid\n    budget: 5"), encoding="utf-8"
    )
    with pytest.raises(CommandError, match=r"bad.yaml: line \d+: priority_areas\[1\] \(1.2.1\) > budget"):
        call_command("plan", "load", str(bad))
    assert not Plan.objects.filter(slug="test-plan").exists()


def test_parse_command_output_equals_the_shipped_plan() -> None:
    """`wpsnap plan parse` on the published text prints exactly the shipped plans/az-2020-2023.yaml."""
    result = _run("plan", "parse", str(AZ_SOURCE_PATH))
    assert result.returncode == 0, result.stderr
    assert result.stdout == AZ_PLAN_PATH.read_text(encoding="utf-8")


def test_lint_command_reports_the_documents_defects() -> None:
    """`wpsnap plan lint --json` lists the document's known defects and exits 1 (it has errors)."""
    result = _run("plan", "lint", str(AZ_PLAN_PATH), "--json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    pairs = {(f["rule"], f["ref"]) for f in findings}
    assert ("duplicate-activity-number", "5.3.1.3") in pairs
    assert {ref for rule, ref in pairs if rule == "activity-number-outside-area"} == {
        "5.3.1.2",
        "5.3.2-2",
        "5.3.2-3",
    }
    assert ("activity-without-number", "5.3.3-4") in pairs
    assert ("empty-priority-area", "5.1.3") in pairs
    assert ("disaggregation-differs", "5.2.4.1 indicator 1") in pairs
    assert ("unknown-resolution", "introduction[1]") in pairs
    assert sum(rule == "indicator-without-baseline" for rule, _ in pairs) == 34
    assert sum(rule == "indicator-without-target" for rule, _ in pairs) == 34
    assert all(set(f) == {"rule", "ref", "severity", "message"} for f in findings)


def test_lint_exits_0_on_warnings_only(tmp_path) -> None:
    """A plan with warnings only (missing baselines and targets) exits 0."""
    plan = tmp_path / "ok.yaml"
    plan.write_text(MINIMAL_PLAN, encoding="utf-8")
    result = _run("plan", "lint", str(plan), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert {f["severity"] for f in json.loads(result.stdout)} == {"warning"}


@pytest.mark.parametrize("sub", ["parse", "lint", "load", "export"])
def test_every_subcommand_has_help(sub: str) -> None:
    """Each `wpsnap plan` subcommand answers --help."""
    result = _run("plan", sub, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: wpsnap plan {sub}")


def test_lint_of_a_malformed_file_names_the_line(tmp_path) -> None:
    """Linting a file that is not valid YAML exits non-zero with the line in the message."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: [x\n", encoding="utf-8")
    result = _run("plan", "lint", str(bad))
    assert result.returncode != 0
    assert "line 2, column 1: not valid YAML" in result.stderr
