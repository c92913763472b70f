"""The parser of the Azerbaijan National Action Plan document (wpsnap.plan.parsing): no database needed."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pytest

from wpsnap.plan.parsing import parse_source
from wpsnap.plan.schema import Activity, PlanFile, PriorityArea, Role, dump_plan_yaml, reference_errors

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PATH = ROOT / "plans" / "source" / "az-nap-1325-2020-2023.txt"
SHIPPED_PATH = ROOT / "plans" / "az-2020-2023.yaml"


@cache
def source_text() -> str:
    return SOURCE_PATH.read_text(encoding="utf-8")


@cache
def plan() -> PlanFile:
    return parse_source(source_text())


def area(code: str) -> PriorityArea:
    return next(a for a in plan().priority_areas if a.code == code)


def activity(key: str) -> Activity:
    return next(act for act in plan().activities() if act.key == key)


def roles(code: str) -> dict[str, Role]:
    return {assignment.agency: assignment.role for assignment in area(code).agencies}


def test_counts() -> None:
    """The document has 4 pillars, 4 objectives, 4 expected results, 17 priority areas and 35 activities."""
    parsed = plan()
    assert len(parsed.pillars) == 4
    assert len({p.objective.code for p in parsed.pillars}) == 4
    assert len(parsed.expected_results) == 4
    assert len(parsed.priority_areas) == 17
    assert len(parsed.activities()) == 35


def test_plan_metadata() -> None:
    """The plan's identity, title in normal capitalisation, and the source's name and checksum."""
    parsed = plan()
    assert parsed.slug == "az-2020-2023"
    assert parsed.country == "AZ"
    assert parsed.title.startswith("National Action Plan on the implementation in the Republic of Azerbaijan")
    assert parsed.title.endswith("on Women, Peace and Security in 2020-2023")
    assert (parsed.period.start, parsed.period.end) == (2020, 2023)
    assert parsed.status == "adopted"
    assert parsed.languages == ["az", "en", "ru"]
    assert parsed.coordinator == "scfwca"
    assert parsed.source is not None
    assert parsed.source.file == "az-nap-1325-2020-2023.txt"
    assert parsed.source.title == parsed.title + " (English text)"
    assert parsed.source.sha256 == hashlib.sha256(source_text().encode("utf-8")).hexdigest()
    assert reference_errors(parsed) == []


def test_prose_sections() -> None:
    """Introduction paragraphs stop before the a)-d) list; purpose, financing and results keep their codes."""
    parsed = plan()
    assert len(parsed.introduction) == 9
    assert parsed.introduction[0].startswith("Civil population, especially women and children")
    assert parsed.introduction[-1].startswith(
        "Drawing from the principles of UN Security Council Resolution 1325"
    )
    assert not any(p.startswith("- a)") for p in parsed.introduction)
    assert parsed.purpose is not None and parsed.purpose.code == "2.1"
    assert parsed.purpose.text.startswith("The purpose of the National Action Plan is")
    assert parsed.financing is not None and parsed.financing.code == "3"
    assert parsed.financing.text.endswith("other sources not prohibited by law.")
    assert [r.code for r in parsed.expected_results] == ["4.1.1", "4.1.2", "4.1.3", "4.1.4"]
    assert parsed.expected_results[3].text == (
        "Dignified and safe life and return of women and girls during conflict and in post-conflict period ensured"
    )


def test_pillars() -> None:
    """Pillars come from the section 5 tables, with the a)-d) definitions and the 2.2.N objectives."""
    pillars = plan().pillars
    assert [(p.key, p.number, p.title) for p in pillars] == [
        ("prevention", "5.1", "Prevention"),
        ("participation", "5.2", "Participation"),
        ("protection", "5.3", "Protection"),
        ("relief-and-recovery", "5.4", "Relief and recovery"),
    ]
    assert (
        pillars[0].definition
        == "Intervention strategies empowering women should be improved to end violence against women."
    )
    assert [p.objective.code for p in pillars] == ["2.2.1", "2.2.2", "2.2.3", "2.2.4"]
    # Verbatim from section 2.2, without the ";" that ends the list item.
    assert (
        pillars[0].objective.text
        == "Prevent conflicts, as well as all forms of structural and physical violence against women and girls"
    )
    assert pillars[3].objective.text.endswith("during conflict and in post-conflict period")


def test_every_activity_code_and_area() -> None:
    """Every activity keeps its published number (defects included) under the area it stands in."""
    found = [(a.code, act.key, act.code) for a in plan().priority_areas for act in a.activities]
    expected_codes = {
        "5.1.1": ["5.1.1.1", "5.1.1.2"],
        "5.1.2": ["5.1.2.1", "5.1.2.2", "5.1.2.3"],
        "5.1.3": [],
        "5.2.1": ["5.2.1.1", "5.2.1.2"],
        "5.2.2": ["5.2.2.1"],
        "5.2.3": ["5.2.3.1", "5.2.3.2"],
        "5.2.4": ["5.2.4.1"],
        "5.2.5": ["5.2.5.1", "5.2.5.2", "5.2.5.3"],
        "5.2.6": ["5.2.6.1", "5.2.6.2", "5.2.6.3", "5.2.6.4"],
        "5.3.1": ["5.3.1.1"],
        # The document's own numbering under 5.3.2: another area's numbers, and one repeated.
        "5.3.2": ["5.3.1.2", "5.3.1.3", "5.3.1.3"],
        # The fourth activity of 5.3.3 has no number (printed in the Indicators column).
        "5.3.3": ["5.3.3.1", "5.3.3.2", "5.3.3.3", None],
        "5.4.1": ["5.4.1.1", "5.4.1.2", "5.4.1.3"],
        "5.4.2": ["5.4.2.1", "5.4.2.2"],
        "5.4.3": ["5.4.3.1", "5.4.3.2"],
        "5.4.4": ["5.4.4.1"],
        "5.4.5": ["5.4.5.1"],
    }
    expected = [
        (code, f"{code}-{position}", number)
        for code, numbers in expected_codes.items()
        for position, number in enumerate(numbers, start=1)
    ]
    assert found == expected
    assert [a.pillar for a in plan().priority_areas] == ["prevention"] * 3 + ["participation"] * 6 + [
        "protection"
    ] * 3 + ["relief-and-recovery"] * 5


def test_defective_activities_have_notes() -> None:
    """Misnumbered, repeated and unnumbered activities carry a note; well-numbered ones do not."""
    assert "priority area 5.3.1" in (activity("5.3.2-1").note or "")
    assert "5.3.2-2" in (activity("5.3.2-3").note or "")  # the repeated 5.3.1.3 names the first one
    unnumbered = activity("5.3.3-4")
    assert unnumbered.text == (
        "Conduct trainings for women on family budget management, financial literacy and “starting your own business”"
    )
    assert "Indicators column" in (unnumbered.note or "")
    noted = {act.key for act in plan().activities() if act.note}
    assert noted == {"5.3.2-1", "5.3.2-2", "5.3.2-3", "5.3.3-4"}


def test_texts_joined_across_page_breaks() -> None:
    """Titles and activities broken across a page are joined, a trailing hyphen without a space."""
    assert area("5.1.2").title == (
        "Raise awareness of sexual and gender-based violence and of UN Security Council resolutions "
        "among persons studying and operating in the field of military"
    )
    assert area("5.3.2").title == (
        "Provide internally displaced and war/conflict-affected women and girls with access to a fair justice system"
    )
    assert activity("5.1.2-1").text == (
        "Include gender equality principles and information on UN Security Council Resolutions 1325, 1820, "
        "1888, 1889, 1960, 2106, 2122 and 2242 in the curriculum of the Military Academy of the Armed Forces"
    )
    assert activity("5.2.6-3").text.endswith(
        "in particular the Convention on the Elimination of All Forms of Discrimination against Women (CEDAW)"
    )
    assert area("5.1.3").title == "Activities for peacekeepers (to be determined by the Ministry of Defense)"


def test_agency_roles_per_area() -> None:
    """Agencies after "To be recommended:" are recommended, the others implementers, across page breaks too."""
    assert roles("5.1.1") == {
        "scfwca": Role.IMPLEMENTER,
        "scridp": Role.IMPLEMENTER,
        "ombudsman": Role.RECOMMENDED,
        "ngos": Role.RECOMMENDED,
    }
    assert roles("5.2.6") == {
        "scfwca": Role.IMPLEMENTER,
        "all-ministries-and-state-committees": Role.IMPLEMENTER,
        "ngos": Role.RECOMMENDED,
    }
    # "State Committee for" + "Affairs of Refugees ..." is split over two printed rows.
    assert roles("5.3.2") == {
        "moj": Role.IMPLEMENTER,
        "scridp": Role.IMPLEMENTER,
        "scfwca": Role.IMPLEMENTER,
        "local-executive-authorities": Role.IMPLEMENTER,
        "ngos": Role.RECOMMENDED,
    }
    # "Commissioner for Human Rights" + "(Ombudsman) of the Republic of Azerbaijan NGOs".
    assert roles("5.4.1") == {
        "mod": Role.IMPLEMENTER,
        "scridp": Role.IMPLEMENTER,
        "local-executive-authorities": Role.IMPLEMENTER,
        "scfwca": Role.IMPLEMENTER,
        "ombudsman": Role.RECOMMENDED,
        "ngos": Role.RECOMMENDED,
    }
    assert area("5.1.3").agencies == []


def test_plan_agencies_in_order_of_first_appearance() -> None:
    """The plan lists the agencies the document uses, coordinator first, with the spellings found."""
    agencies = plan().agencies
    assert [a.key for a in agencies] == [
        "scfwca",
        "scridp",
        "ombudsman",
        "ngos",
        "mod",
        "moe",
        "mia",
        "scwd",
        "all-ministries-and-state-committees",
        "moj",
        "local-executive-authorities",
        "mlspp",
        "moh",
        "asan",
        "moec",
        "mof",
    ]
    by_key = {a.key: a for a in agencies}
    assert by_key["scfwca"].aliases == ["SCFWCA"]
    # The attested Azerbaijani name is kept; the shipped unofficial translations add the rest (issue 13).
    scfwca = by_key["scfwca"].translations
    assert scfwca["az"]["name"] == "Ailə, Qadın və Uşaq Problemləri üzrə Dövlət Komitəsi"  # noqa: RUF001
    assert scfwca["ru"]["name"] == "Государственный комитет по проблемам семьи, женщин и детей"
    assert by_key["ngos"].member_kinds == ["ngo"]
    assert by_key["ngos"].short_name == "NGOs"


def test_periods() -> None:
    """Periods read "2020" and "2020-2022"; the to-be-determined area 5.1.3 has none."""
    assert area("5.1.1").period is not None
    assert (area("5.1.1").period.start, area("5.1.1").period.end) == (2020, 2020)
    assert area("5.1.2").period is not None
    assert (area("5.1.2").period.start, area("5.1.2").period.end) == (2020, 2022)
    assert area("5.4.5").period is not None
    assert (area("5.4.5").period.start, area("5.4.5").period.end) == (2020, 2023)
    assert area("5.1.3").period is None
    assert area("5.1.3").activities == []
    assert all(act.period is None for act in plan().activities())


def test_indicators_pair_with_activities() -> None:
    """Indicators run together in a cell are split; a later row's leftovers go to the first activity without one."""
    first, second = (activity(key).indicators for key in ("5.2.1-1", "5.2.1-2"))
    assert [i.text for i in first] == [
        "Number of people in the target group of the study, depth of the analysis and comprehensiveness of the recommendations"
    ]
    assert [i.text for i in second] == [
        "Compliance of the strategy with modern standards and number of authorities for which a database "
        "of women candidates has been created"
    ]
    media = activity("5.4.1-3").indicators
    assert [(i.key, i.text) for i in media] == [
        ("5.4.1-3-i1", "Number of media outlets involved, and number and database of articles written")
    ]
    publications = activity("5.2.6-4").indicators
    assert [(i.text, i.kind) for i in publications] == [
        ("Publications and audio/video materials produced", "document")
    ]
    joined = activity("5.3.2-1").indicators
    assert [i.text for i in joined] == [
        "Number of trainings conducted and participants disaggregated by gender and age"
    ]
    assert joined[0].disaggregation == ["sex", "age"]
    assert all(area_.unpaired_indicators == [] for area_ in plan().priority_areas)
    # One indicator per activity (some shared), except the unnumbered activity of 5.3.3.
    assert [act.key for act in plan().activities() if len(act.indicators) != 1] == ["5.3.3-4"]


def test_merged_cells_share_indicators() -> None:
    """An activity without its own indicator shares its predecessor's, under its own key, with a note."""
    shared = activity("5.1.1-2").indicators
    assert [i.key for i in shared] == ["5.1.1-2-i1"]
    assert shared[0].text == activity("5.1.1-1").indicators[0].text
    assert (
        shared[0].note == "Shares the indicator of activity 5.1.1.1 in the document's table (a merged cell)."
    )
    assert activity("5.2.6-3").indicators[0].note == (
        "Shares the indicator of activity 5.2.6.2 in the document's table (a merged cell)."
    )
    # The unnumbered activity stands alone in its row: nothing to share.
    assert activity("5.3.3-4").indicators == []


def test_disaggregation_and_kind() -> None:
    """Disaggregation reads "by age", "by service", "by gender and age"/"by age and gender"; kinds follow the text."""
    assert activity("5.2.4-1").indicators[0].disaggregation == ["age"]
    services = activity("5.3.3-2").indicators[0]
    assert services.text == "Number of women who received relevant services, disaggregated by service"
    assert services.disaggregation == ["service"]
    assert activity("5.3.2-3").indicators[0].disaggregation == ["sex", "age"]  # "by age and gender"
    assert activity("5.4.2-1").indicators[0].disaggregation == []
    assert activity("5.1.2-1").indicators[0].kind == "document"  # "New curriculum and teaching materials"
    assert activity("5.4.3-1").indicators[0].kind == "count"  # "Assessment tools, and number ..."
    assert all(i.baseline is None and i.target is None and i.unit is None for i in plan().indicators())


def test_keys_are_unique() -> None:
    """Activity and indicator keys are unique even where the document repeats activity numbers."""
    activity_keys = [act.key for act in plan().activities()]
    indicator_keys = [i.key for i in plan().indicators()]
    assert len(activity_keys) == len(set(activity_keys)) == 35
    assert len(indicator_keys) == len(set(indicator_keys))


def test_parse_is_deterministic() -> None:
    """Two parses of the same text give the same YAML, byte for byte."""
    assert dump_plan_yaml(parse_source(source_text())) == dump_plan_yaml(parse_source(source_text()))


def test_shipped_plan_file_is_the_parse() -> None:
    """plans/az-2020-2023.yaml is exactly what the parser makes of the source: regenerate it, never edit it."""
    assert SHIPPED_PATH.read_text(encoding="utf-8") == dump_plan_yaml(plan())


def test_source_name_is_recorded() -> None:
    """The source file name given to the parser is the one recorded in the plan."""
    source = parse_source(source_text(), source_name="other.txt").source
    assert source is not None
    assert source.file == "other.txt"


def test_unknown_agency_names_the_priority_area() -> None:
    """An Implementing-agencies cell naming no known agency is an error naming the area and the text."""
    row_start = "<p>5.4.5. Take into account"
    text = source_text()
    start = text.index(row_start)
    row = text[start : text.index("\n", start) if "\n" in text[start:] else len(text)]
    broken = text.replace(row, row.replace("Ministry of Finance", "Ministry of Magic"))
    with pytest.raises(ValueError, match=r"5\.4\.5.*Ministry of Magic"):
        parse_source(broken)


def test_other_title_is_refused() -> None:
    """The parser refuses a document whose title is not this plan's."""
    with pytest.raises(ValueError, match="title"):
        parse_source(source_text().replace("IN 2020-2023", "IN 2024-2027", 1))
