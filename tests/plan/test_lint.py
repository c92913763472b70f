"""The plan quality check (``wpsnap.plan.lint``): each rule fires on its defect and stays quiet on a clean plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wpsnap.plan.lint import RULES, WPS_RESOLUTIONS, Finding, cited_resolutions, lint_plan
from wpsnap.plan.schema import AgencyKind, Dimension, IndicatorKind, PlanFile, Role, read_plan_file

AZ_PLAN = Path(__file__).resolve().parents[2] / "plans" / "az-2020-2023.yaml"


def indicator(key: str, text: str, *dimensions: Dimension) -> dict[str, Any]:
    return {
        "key": key,
        "text": text,
        "kind": IndicatorKind.COUNT,
        "disaggregation": list(dimensions),
        "baseline": "0",
        "target": "10",
    }


def minimal_plan() -> dict[str, Any]:
    """A small plan with no defect at all; each test changes one thing in a fresh copy."""
    trainings = "Number and content of trainings, and number of participants disaggregated by gender and age"
    return {
        "format": "wpsnap-plan/1",
        "slug": "xx-2020-2023",
        "country": "XX",
        "title": "National Action Plan on UN Security Council Resolution 1325 for 2020-2023",
        "period": {"start": 2020, "end": 2023},
        "status": "adopted",
        "default_language": "en",
        "languages": ["en"],
        "coordinator": "mod",
        "introduction": [
            "The Security Council adopted Resolution 1325 on 31 October 2000.",
            "It was followed by Resolutions 1820, 1888, 1889 and 2242.",
        ],
        "purpose": {"code": "2.1", "text": "Increase the participation of women."},
        "financing": {"code": "3", "text": "From the state budget."},
        "pillars": [
            {
                "key": "prevention",
                "number": "5.1",
                "title": "Prevention",
                "definition": "Intervention strategies should be improved.",
                "objective": {"code": "2.2.1", "text": "Prevent conflicts."},
            }
        ],
        "expected_results": [{"code": "4.1.1", "text": "Special needs studied."}],
        "agencies": [
            {"key": "mod", "name": "Ministry of Defense", "kind": AgencyKind.MINISTRY},
            {"key": "ngos", "name": "NGOs", "kind": AgencyKind.NGO},
        ],
        "priority_areas": [
            {
                "code": "5.1.1",
                "pillar": "prevention",
                "title": "Organize assessment and awareness-raising activities",
                "period": {"start": 2020, "end": 2021},
                "agencies": [
                    {"agency": "mod", "role": Role.IMPLEMENTER},
                    {"agency": "ngos", "role": Role.RECOMMENDED},
                ],
                "activities": [
                    {
                        "key": "5.1.1-1",
                        "code": "5.1.1.1",
                        "text": "Perform assessments of challenges faced by the target group",
                        "indicators": [indicator("i1", "Number of assessments")],
                    },
                    {
                        "key": "5.1.1-2",
                        "code": "5.1.1.2",
                        "text": "Conduct trainings on UN Security Council resolution 1325",
                        "period": {"start": 2021, "end": 2021},
                        "indicators": [indicator("i2", trainings, Dimension.SEX, Dimension.AGE)],
                    },
                ],
            },
            {
                "code": "5.1.2",
                "pillar": "prevention",
                "title": "Raise awareness among persons serving in the military",
                "period": {"start": 2020, "end": 2023},
                "agencies": [{"agency": "mod", "role": Role.IMPLEMENTER}],
                "activities": [
                    {
                        "key": "5.1.2-1",
                        "code": "5.1.2.1",
                        "text": "Conduct trainings for persons serving in the army",
                        "indicators": [
                            indicator("i3", trainings, Dimension.AGE, Dimension.SEX),
                            indicator("i4", "New curriculum and teaching materials"),
                        ],
                    },
                ],
            },
        ],
    }


def findings(data: dict[str, Any], rule: str | None = None) -> list[Finding]:
    found = lint_plan(PlanFile.model_validate(data))
    return [f for f in found if rule is None or f.rule == rule]


def refs(data: dict[str, Any], rule: str) -> list[str]:
    return [f.ref for f in findings(data, rule)]


def area(data: dict[str, Any], index: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = data["priority_areas"][index]
    return result


def activity(data: dict[str, Any], area_index: int = 0, index: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = area(data, area_index)["activities"][index]
    return result


# --- the rule table and the shape of a finding ------------------------------------------------------


def test_rule_table_lists_exactly_the_rules_with_their_severities() -> None:
    """RULES names each rule once with the severity the brief gives it and a one-line description."""
    assert {rule: r.severity for rule, r in RULES.items()} == {
        "duplicate-activity-number": "error",
        "activity-number-outside-area": "error",
        "activity-without-number": "warning",
        "empty-priority-area": "warning",
        "priority-area-without-period": "warning",
        "period-outside-plan": "error",
        "activity-without-indicator": "warning",
        "indicator-without-activity": "error",
        "indicator-without-baseline": "warning",
        "indicator-without-target": "warning",
        "disaggregation-differs": "warning",
        "disaggregation-mismatch": "error",
        "unknown-agency": "error",
        "unknown-pillar": "error",
        "unknown-resolution": "error",
        "duplicate-text": "warning",
        "area-without-implementer": "warning",
    }
    for rule in RULES.values():
        _severity, description = rule
        assert description.endswith(".") and "\n" not in description


def test_the_clean_plan_has_no_findings() -> None:
    """A plan without defects yields no error and no warning."""
    found = findings(minimal_plan())
    assert [f for f in found if f.severity == "error"] == []
    assert found == []


def test_finding_as_dict() -> None:
    """A finding turns into the four strings the command line and JSON output use."""
    finding = Finding(rule="empty-priority-area", ref="5.1.3", severity="warning", message="Empty.")
    assert finding.as_dict() == {
        "rule": "empty-priority-area",
        "ref": "5.1.3",
        "severity": "warning",
        "message": "Empty.",
    }


def test_findings_come_in_rule_table_order_then_document_order_with_the_rules_severity() -> None:
    """Findings are sorted by the order of RULES, then by where they are in the document; severities come from RULES."""
    data = minimal_plan()
    for area_data in data["priority_areas"]:
        for act in area_data["activities"]:
            for ind in act["indicators"]:
                del ind["baseline"], ind["target"]
    activity(data, 1)["code"] = None
    found = findings(data)
    order = list(RULES)
    assert [order.index(f.rule) for f in found] == sorted(order.index(f.rule) for f in found)
    assert [f.ref for f in found if f.rule == "indicator-without-baseline"] == [
        "5.1.1.1 indicator 1",
        "5.1.1.2 indicator 1",
        "5.1.2-1 indicator 1",
        "5.1.2-1 indicator 2",
    ]
    assert all(f.severity == RULES[f.rule].severity for f in found)
    assert found == findings(data), "the same plan gives the same findings"


# --- one test per rule -------------------------------------------------------------------------------


def test_duplicate_activity_number() -> None:
    """Two activities with the same published number give one error, on the number, naming both keys."""
    data = minimal_plan()
    assert refs(data, "duplicate-activity-number") == []
    activity(data, 0, 1)["code"] = "5.1.1.1"
    [finding] = findings(data, "duplicate-activity-number")
    assert finding.ref == "5.1.1.1"
    assert finding.severity == "error"
    assert "5.1.1-1" in finding.message and "5.1.1-2" in finding.message


def test_duplicate_activity_number_ignores_a_trailing_dot() -> None:
    """ "5.1.1.1." and "5.1.1.1" are the same published number."""
    data = minimal_plan()
    activity(data, 0, 1)["code"] = "5.1.1.1."
    assert len(findings(data, "duplicate-activity-number")) == 1


def test_activity_number_outside_area() -> None:
    """An activity numbered under another area is flagged: by its number when unique, by its key when repeated."""
    data = minimal_plan()
    assert refs(data, "activity-number-outside-area") == []
    activity(data, 1, 0)["code"] = "5.1.1.3"
    [finding] = findings(data, "activity-number-outside-area")
    assert finding.ref == "5.1.1.3"
    assert "5.1.2-1" in finding.message and "5.1.2" in finding.message
    # Now the number repeats one used in 5.1.1: the ref must tell the two apart.
    activity(data, 1, 0)["code"] = "5.1.1.1"
    [finding] = findings(data, "activity-number-outside-area")
    assert finding.ref == "5.1.2-1"
    assert "5.1.1.1" in finding.message


def test_activity_number_outside_area_needs_a_whole_area_prefix() -> None:
    """5.1.10.1 is not under 5.1.1: the prefix is the area's number followed by a dot."""
    data = minimal_plan()
    activity(data, 0, 0)["code"] = "5.1.10.1"
    assert refs(data, "activity-number-outside-area") == ["5.1.10.1"]


def test_activity_without_number() -> None:
    """An activity with no published number is a warning referred to by its key."""
    data = minimal_plan()
    assert refs(data, "activity-without-number") == []
    del activity(data, 0, 1)["code"]
    [finding] = findings(data, "activity-without-number")
    assert (finding.ref, finding.severity) == ("5.1.1-2", "warning")
    assert "5.1.1" in finding.message


def test_empty_priority_area() -> None:
    """A priority area without activities is a warning on the area's code."""
    data = minimal_plan()
    assert refs(data, "empty-priority-area") == []
    area(data, 1)["activities"] = []
    assert refs(data, "empty-priority-area") == ["5.1.2"]


def test_priority_area_without_period() -> None:
    """A priority area with no period is a warning on the area's code."""
    data = minimal_plan()
    assert refs(data, "priority-area-without-period") == []
    del area(data, 1)["period"]
    assert refs(data, "priority-area-without-period") == ["5.1.2"]


def test_period_outside_plan() -> None:
    """An area starting before the plan or an activity ending after it is an error; periods inside are fine."""
    data = minimal_plan()
    assert refs(data, "period-outside-plan") == []
    area(data, 0)["period"] = {"start": 2019, "end": 2021}
    activity(data, 1, 0)["period"] = {"start": 2022, "end": 2024}
    found = findings(data, "period-outside-plan")
    assert [f.ref for f in found] == ["5.1.1", "5.1.2.1"]
    assert "2019-2021" in found[0].message and "2020-2023" in found[0].message
    assert all(f.severity == "error" for f in found)


def test_activity_without_indicator() -> None:
    """An activity with no indicator is a warning on the activity."""
    data = minimal_plan()
    assert refs(data, "activity-without-indicator") == []
    activity(data, 0, 0)["indicators"] = []
    assert refs(data, "activity-without-indicator") == ["5.1.1.1"]


def test_indicator_without_activity() -> None:
    """Every unpaired indicator of a priority area is an error."""
    data = minimal_plan()
    assert refs(data, "indicator-without-activity") == []
    area(data, 0)["unpaired_indicators"] = [indicator("u1", "Number of reports")]
    [finding] = findings(data, "indicator-without-activity")
    assert finding.ref == "5.1.1 unpaired indicator 1"
    assert finding.severity == "error"
    assert "Number of reports" in finding.message


def test_indicator_without_baseline() -> None:
    """An indicator without a baseline is a warning on that indicator only."""
    data = minimal_plan()
    assert refs(data, "indicator-without-baseline") == []
    del activity(data, 1, 0)["indicators"][1]["baseline"]
    assert refs(data, "indicator-without-baseline") == ["5.1.2.1 indicator 2"]
    assert refs(data, "indicator-without-target") == []


def test_indicator_without_target() -> None:
    """An indicator without a target is a warning on that indicator only."""
    data = minimal_plan()
    assert refs(data, "indicator-without-target") == []
    del activity(data, 0, 0)["indicators"][0]["target"]
    assert refs(data, "indicator-without-target") == ["5.1.1.1 indicator 1"]
    assert refs(data, "indicator-without-baseline") == []


def test_disaggregation_differs() -> None:
    """Of indicators worded alike (disaggregation clause aside), the one disaggregated unlike the rest is flagged."""
    data = minimal_plan()
    assert refs(data, "disaggregation-differs") == []
    # A third sibling, worded with different case and punctuation, disaggregated by age only.
    area(data, 1)["activities"].append(
        {
            "key": "5.1.2-2",
            "code": "5.1.2.2",
            "text": "Conduct trainings for mediators",
            "indicators": [
                indicator(
                    "i5",
                    "number and content of trainings and number of participants, disaggregated by age",
                    Dimension.AGE,
                )
            ],
        }
    )
    [finding] = findings(data, "disaggregation-differs")
    assert finding.ref == "5.1.2.2 indicator 1"
    assert finding.severity == "warning"
    assert "sex and age" in finding.message
    assert "5.1.1.2 indicator 1" in finding.message and "5.1.2.1 indicator 1" in finding.message


def test_disaggregation_differs_with_no_majority_flags_every_sibling() -> None:
    """When siblings split evenly there is no common disaggregation to prefer, so each of them is flagged."""
    data = minimal_plan()
    activity(data, 1, 0)["indicators"][0] = indicator(
        "i3", "Number and content of trainings, and number of participants", Dimension.AGE
    )
    assert refs(data, "disaggregation-differs") == ["5.1.1.2 indicator 1", "5.1.2.1 indicator 1"]


def test_disaggregation_mismatch() -> None:
    """An indicator whose text says "disaggregated by gender" but whose recorded disaggregation differs is an error."""
    data = minimal_plan()
    assert refs(data, "disaggregation-mismatch") == []
    activity(data, 0, 0)["indicators"][0] = indicator(
        "i1", "Number of women who received relevant services, disaggregated by service"
    )
    activity(data, 1, 0)["indicators"][0]["disaggregation"] = [Dimension.AGE]
    found = findings(data, "disaggregation-mismatch")
    assert [f.ref for f in found] == ["5.1.1.1 indicator 1", "5.1.2.1 indicator 1"]
    assert all(f.severity == "error" for f in found)
    assert "service" in found[0].message
    assert "sex and age" in found[1].message


def test_disaggregation_mismatch_ignores_dimensions_the_format_cannot_record() -> None:
    """A clause naming nothing the plan format knows ("by ethnicity") is not a mismatch."""
    data = minimal_plan()
    activity(data, 0, 0)["indicators"][0]["text"] = "Number of assessments, disaggregated by ethnicity"
    assert refs(data, "disaggregation-mismatch") == []


def test_unknown_agency_and_unknown_pillar_come_from_the_schema_reference_check() -> None:
    """References to undefined agencies (also the coordinator) and pillars are errors on the place that makes them."""
    data = minimal_plan()
    assert refs(data, "unknown-agency") == [] and refs(data, "unknown-pillar") == []
    data["coordinator"] = "cabinet"
    area(data, 1)["agencies"].append({"agency": "mof", "role": Role.RECOMMENDED})
    area(data, 1)["pillar"] = "protection"
    assert refs(data, "unknown-agency") == ["coordinator", "5.1.2"]
    [pillar] = findings(data, "unknown-pillar")
    assert (pillar.ref, pillar.severity) == ("5.1.2", "error")
    assert "protection" in pillar.message


def test_unknown_resolution() -> None:
    """A resolution number that is not a WPS resolution is an error on the paragraph; a permutation suggests the real one."""
    data = minimal_plan()
    assert refs(data, "unknown-resolution") == []
    data["introduction"][0] = (
        "On 31 October 2000 the Security Council adopted Resolution 3125, drawing attention."
    )
    activity(data, 0, 1)["text"] = "Train staff on resolutions 1325, 1820, 1999 and 2242"
    found = findings(data, "unknown-resolution")
    assert [f.ref for f in found] == ["introduction[1]", "5.1.1.2"]
    assert "3125" in found[0].message and "1325" in found[0].message
    assert "1999" in found[1].message and "Did you mean" not in found[1].message


def test_cited_resolutions() -> None:
    """Numbers after "Resolution(s)" are found, lists included; years and unrelated numbers are not."""
    assert cited_resolutions("adopted Resolution 3125, drawing attention") == ["3125"]
    assert cited_resolutions("Resolutions 1325, 1820, 1888, 1889, 1960, 2106, 2122 and 2242") == [
        "1325",
        "1820",
        "1888",
        "1889",
        "1960",
        "2106",
        "2122",
        "2242",
    ]
    assert cited_resolutions("resolution 1325 (2000) and 1820 (2008)") == ["1325", "1820"]
    assert cited_resolutions("UNSCR 2467 and S/RES/2493") == ["2467", "2493"]
    assert cited_resolutions("RESOLUTION 1325 ON WOMEN, PEACE AND SECURITY IN 2020-2023") == ["1325"]
    assert cited_resolutions("Coalition 1325 operated from 2002 to 2006; Order #2457") == []
    assert cited_resolutions("the resolution of conflicts in 2020") == []
    assert len(WPS_RESOLUTIONS) == 10


def test_duplicate_text() -> None:
    """Two activities with the same text, or two indicators of one activity with the same text, are warnings."""
    data = minimal_plan()
    assert refs(data, "duplicate-text") == []
    activity(data, 1, 0)["text"] = "perform assessments of challenges faced by the target group."
    indicators = activity(data, 1, 0)["indicators"]
    indicators.append(indicator("i6", indicators[1]["text"]))
    found = findings(data, "duplicate-text")
    assert [f.ref for f in found] == ["5.1.2.1", "5.1.2.1 indicator 3"]
    assert "5.1.1.1" in found[0].message
    assert all(f.severity == "warning" for f in found)


def test_duplicate_text_allows_the_same_indicator_under_different_activities() -> None:
    """The same indicator wording under two activities is common and not a duplicate."""
    data = minimal_plan()
    activity(data, 0, 0)["indicators"][0]["text"] = "New curriculum and teaching materials"
    assert refs(data, "duplicate-text") == []


def test_area_without_implementer() -> None:
    """An area with activities and only recommended agencies (or none) is a warning; an empty area is not."""
    data = minimal_plan()
    assert refs(data, "area-without-implementer") == []
    area(data, 0)["agencies"] = [{"agency": "ngos", "role": Role.RECOMMENDED}]
    area(data, 1)["agencies"] = []
    assert refs(data, "area-without-implementer") == ["5.1.1", "5.1.2"]
    area(data, 1)["activities"] = []
    assert refs(data, "area-without-implementer") == ["5.1.1"]


# --- the Azerbaijan plan -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def az_findings() -> tuple[PlanFile, list[Finding]]:
    if not AZ_PLAN.exists():
        pytest.skip(f"{AZ_PLAN} has not been produced yet")
    plan = read_plan_file(AZ_PLAN)
    return plan, lint_plan(plan)


def _az(az_findings: tuple[PlanFile, list[Finding]], rule: str) -> list[Finding]:
    return [f for f in az_findings[1] if f.rule == rule]


def test_az_plan_numbering_defects(az_findings: tuple[PlanFile, list[Finding]]) -> None:
    """The AZ plan repeats 5.3.1.3, numbers the three activities of 5.3.2 under 5.3.1 and leaves one of 5.3.3 unnumbered."""
    [duplicate] = _az(az_findings, "duplicate-activity-number")
    assert duplicate.ref == "5.3.1.3"
    assert "5.3.2-2" in duplicate.message and "5.3.2-3" in duplicate.message

    outside = _az(az_findings, "activity-number-outside-area")
    assert [f.ref for f in outside] == ["5.3.1.2", "5.3.2-2", "5.3.2-3"]
    for key, finding in zip(["5.3.2-1", "5.3.2-2", "5.3.2-3"], outside, strict=True):
        assert key in finding.message and "5.3.2" in finding.message

    assert [f.ref for f in _az(az_findings, "activity-without-number")] == ["5.3.3-4"]


def test_az_plan_empty_area(az_findings: tuple[PlanFile, list[Finding]]) -> None:
    """Priority area 5.1.3 ("to be determined by the Ministry of Defense") has no activities and no period."""
    assert [f.ref for f in _az(az_findings, "empty-priority-area")] == ["5.1.3"]
    assert [f.ref for f in _az(az_findings, "priority-area-without-period")] == ["5.1.3"]


def test_az_plan_disaggregation(az_findings: tuple[PlanFile, list[Finding]]) -> None:
    """5.2.4.1's trainings indicator is by age only, where its siblings in 5.1.2, 5.2.3 and 5.2.5 are by gender and age."""
    [differs] = _az(az_findings, "disaggregation-differs")
    assert differs.ref.startswith("5.2.4.1 indicator ")
    assert "sex and age" in differs.message
    assert _az(az_findings, "disaggregation-mismatch") == []


def test_az_plan_resolution_3125(az_findings: tuple[PlanFile, list[Finding]]) -> None:
    """The introduction's "Resolution 3125" is the only unknown resolution, and 1325 is suggested."""
    [unknown] = _az(az_findings, "unknown-resolution")
    assert unknown.ref.startswith("introduction[")
    assert "3125" in unknown.message and "1325" in unknown.message


def test_az_plan_every_indicator_lacks_baseline_and_target(
    az_findings: tuple[PlanFile, list[Finding]],
) -> None:
    """The AZ plan gives no baseline or target for any indicator: one warning of each per indicator."""
    plan, _ = az_findings
    count = len(plan.indicators())
    assert count > 0
    baseline = _az(az_findings, "indicator-without-baseline")
    target = _az(az_findings, "indicator-without-target")
    assert len(baseline) == len(target) == count
    assert len({f.ref for f in baseline}) == count
    assert [f.ref for f in baseline] == [f.ref for f in target]


def test_az_plan_references_and_periods_are_sound(az_findings: tuple[PlanFile, list[Finding]]) -> None:
    """The AZ plan's agencies, pillars and periods are all consistent: none of those errors appear."""
    for rule in ("unknown-agency", "unknown-pillar", "period-outside-plan"):
        assert _az(az_findings, rule) == [], rule
