"""The IATI activity XML 2.03 export (``wpsnap.exports.iati``, ``wpsnap export iati``): on the publishing
tests' world of reports (published ones with small cells, one approved but not published, public
statistics, a count of things), the document validates against the official 2.03 schema (vendored in
wpsnap/exports/iati_schema), every code in it is in its IATI codelist, IATI's 2.03 ruleset
(``standard.json``) finds nothing wrong, its actuals are exactly publishing's shown figures (a suppressed
figure is left out), and the command writes a valid file or nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from wpsnap.core.errors import WpsnapError
from wpsnap.exports.iati import (
    SCHEMA_DIR,
    activity_identifier,
    iati_activities,
    iati_code_errors,
    iati_schema_errors,
)
from wpsnap.exports.management.commands.export import Command
from wpsnap.plan.models import Plan, PlanStatus
from wpsnap.publishing.public import public_results
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key

from ..analytics.conftest import people  # noqa: F401 - fixture used by the world
from ..publishing.conftest import NOT_PEOPLE, PUBLIC_STATISTICS, SEX_AND_AGE, world  # noqa: F401 - fixture
from ..registries.conftest import events_plan  # noqa: F401 - fixture used by the world

pytestmark = pytest.mark.django_db

CODELISTS = SCHEMA_DIR / "codelists"
ORG_REF = "XI-IATI-TEST1325"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def plan(events_plan):  # noqa: F811 - the imported fixture, used here
    return events_plan


@pytest.fixture
def exported(world):  # noqa: F811 - the imported fixture, used here
    """The world's document and publishing's release it was made from."""
    release = public_results(world.plan)
    document = iati_activities(world.plan, org_ref=ORG_REF, figures=release)
    return world, release, document, etree.fromstring(document)


# --- codelists ---------------------------------------------------------------------------------------


@cache
def codelist(name: str) -> frozenset[str]:
    """The active codes of an IATI codelist (withdrawn ones are not for new data)."""
    tree = etree.parse(str(CODELISTS / f"{name}.xml"))
    return frozenset(
        item.findtext("code") for item in tree.iter("codelist-item") if item.get("status") != "withdrawn"
    )


# Two short embedded lists are not vendored (iati_schema/README.md): their codes from the standard.
ACTIVITY_DATE_TYPES = frozenset({"1", "2", "3", "4"})
DESCRIPTION_TYPES = frozenset({"1", "2", "3", "4"})
POLICY_MARKER_VOCABULARIES = frozenset({"1", "99"})

# Every coded attribute the export may write: (element, attribute) -> the codes allowed.
CODED = {
    ("iati-activities", "version"): lambda: codelist("Version"),
    ("iati-activity", "default-currency"): lambda: codelist("Currency"),
    ("iati-activity", XML_LANG): lambda: codelist("Language"),
    ("narrative", XML_LANG): lambda: codelist("Language"),
    ("reporting-org", "type"): lambda: codelist("OrganisationType"),
    ("participating-org", "type"): lambda: codelist("OrganisationType"),
    ("participating-org", "role"): lambda: codelist("OrganisationRole"),
    ("activity-status", "code"): lambda: codelist("ActivityStatus"),
    ("activity-date", "type"): lambda: ACTIVITY_DATE_TYPES,
    ("description", "type"): lambda: DESCRIPTION_TYPES,
    ("recipient-country", "code"): lambda: codelist("Country"),
    ("sector", "vocabulary"): lambda: codelist("SectorVocabulary"),
    ("sector", "code"): lambda: codelist("Sector"),
    ("policy-marker", "vocabulary"): lambda: POLICY_MARKER_VOCABULARIES,
    ("policy-marker", "code"): lambda: codelist("PolicyMarker"),
    ("policy-marker", "significance"): lambda: codelist("PolicySignificance"),
    ("result", "type"): lambda: codelist("ResultType"),
    ("indicator", "measure"): lambda: codelist("IndicatorMeasure"),
}
# Attributes that are not codes: identifiers, dates, numbers, booleans and free text.
FREE = {
    ("iati-activities", "generated-datetime"),
    ("iati-activity", "last-updated-datetime"),
    ("reporting-org", "ref"),
    ("participating-org", "ref"),
    ("activity-date", "iso-date"),
    ("indicator", "ascending"),
    ("baseline", "year"),
    ("baseline", "value"),
    ("period-start", "iso-date"),
    ("period-end", "iso-date"),
    ("actual", "value"),
    ("dimension", "name"),
    ("dimension", "value"),
}


def test_codelists_hold_the_codes_the_plan_needs() -> None:
    """The vendored codelists are the real ones: they hold the sectors, the gender marker, AZN, az and ru,
    Azerbaijan, and the result types and measures the export uses."""
    assert {"15160", "15170", "15180", "15220", "73010"} <= codelist("Sector")
    assert "1" in codelist("PolicyMarker") and "2" in codelist("PolicySignificance")
    assert "AZN" in codelist("Currency") and "AZ" in codelist("Country")
    assert {"az", "en", "ru"} <= codelist("Language")
    assert {"1", "5"} <= codelist("IndicatorMeasure") and "1" in codelist("ResultType")
    assert "2.03" in codelist("Version")


# --- the ruleset -------------------------------------------------------------------------------------


@cache
def ruleset() -> dict:
    return json.loads((CODELISTS / "standard.json").read_text(encoding="utf-8"))


# Rules that need a list the ruleset does not carry: the approved organisation identifier prefixes
# (org-id.guide). Named here so that nothing is skipped silently.
NEEDS_ORG_ID_LIST = {"ORG-ID-PREFIX"}


def _values(context: etree._Element, path: str) -> list[str]:
    found = context.xpath(path)
    if not isinstance(found, list):
        return [str(found)]
    return [item if isinstance(item, str) else (item.text or "") for item in found]


def _date(text: str) -> date:
    return date.fromisoformat(text[:10])


def _check(kind: str, case: dict, context: etree._Element, now: datetime) -> bool | None:
    """Whether ``context`` passes one case of a rule (SPEC.rst of IATI-Rulesets); None when the case does
    not apply (its condition is false, or it needs a list this test does not have)."""
    if "condition" in case and not context.xpath(f"boolean({case['condition']})"):
        return None
    paths = case.get("paths", [])
    if kind == "atleast_one":
        return any(context.xpath(path) for path in paths)
    if kind == "no_more_than_one":
        return sum(len(context.xpath(path)) for path in paths) <= 1
    if kind == "one_or_all":
        if context.xpath(case["one"]):
            return True
        every = {"lang": ".//narrative[not(@xml:lang)]", "sector": "transaction[not(sector)]"}
        every["currency"] = ".//value[not(@currency)]"
        return not context.xpath(every[case["all"]])
    if kind == "date_order":
        more = case["more"]
        less = _values(context, case["less"])
        later = [now.date().isoformat()] if more == "NOW" else _values(context, more)
        return all(_date(a) < _date(b) for a in less for b in later)
    if kind == "date_now":
        return all(datetime.fromisoformat(v) <= now for v in _values(context, case["date"]))
    if kind == "regex_matches":
        return all(re.search(case["regex"], v) for path in paths for v in _values(context, path))
    if kind == "startswith":
        if set(case["prefix"]) & NEEDS_ORG_ID_LIST:
            return None
        prefixes = [p for path in case["prefix"] for p in _values(context, path)]
        separator = case.get("separator", "")
        return all(
            any(v.startswith(p + separator) for p in prefixes)
            for path in paths
            for v in _values(context, path)
        )
    if kind == "no_spaces":
        return all(v == v.strip() for path in paths for v in _values(context, path))
    if kind == "unique":
        values = [v for path in paths for v in _values(context, path)]
        return len(values) == len(set(values))
    if kind == "if_then":
        return not context.xpath(f"boolean({case['if']})") or bool(context.xpath(f"boolean({case['then']})"))
    if kind == "strict_sum":
        total = sum(Decimal(v) for path in paths for v in _values(context, path))
        return total == Decimal(str(case["sum"]))
    if kind == "range":
        return all(
            Decimal(str(case["min"])) <= Decimal(v) <= Decimal(str(case["max"]))
            for path in paths
            for v in _values(context, path)
        )
    if kind == "time_limit":
        starts, ends = _values(context, case["start"]), _values(context, case["end"])
        return all((_date(b) - _date(a)).days <= 366 for a, b in zip(starts, ends, strict=False))
    if kind == "between_dates":
        starts, ends = _values(context, case["start"]), _values(context, case["end"])
        return all(
            _date(s) <= _date(d) <= _date(e)
            for d in _values(context, case["date"])
            for s, e in zip(starts, ends, strict=False)
        )
    raise AssertionError(f"a rule kind this evaluator does not know: {kind}")


def ruleset_findings(root: etree._Element, now: datetime) -> tuple[list[str], int]:
    """(the failed rules as "id severity: message", how many rule cases were applied)."""
    failures: list[str] = []
    applied = 0
    for selector, rules in ruleset().items():
        if "iati-organisations" in selector:
            continue  # the organisation file's rules
        for context in root.getroottree().xpath(selector):
            for kind, body in rules.items():
                for case in body["cases"]:
                    if kind == "loop":
                        for value in set(_values(context, case["foreach"])):
                            for inner_kind, inner in case["do"].items():
                                for inner_case in inner["cases"]:
                                    substituted = {
                                        key: (
                                            [p.replace("$1", value) for p in item]
                                            if isinstance(item, list)
                                            else item.replace("$1", value)
                                        )
                                        if key in case["subs"] or key == "condition"
                                        else item
                                        for key, item in inner_case.items()
                                    }
                                    outcome = _check(inner_kind, substituted, context, now)
                                    applied += outcome is not None
                                    if outcome is False:
                                        info = inner_case["ruleInfo"]
                                        failures.append(f"{info['id']} {info['severity']}: {info['message']}")
                        continue
                    outcome = _check(kind, case, context, now)
                    applied += outcome is not None
                    if outcome is False:
                        info = case["ruleInfo"]
                        failures.append(f"{info['id']} {info['severity']}: {info['message']}")
    return failures, applied


# --- the document ------------------------------------------------------------------------------------


def test_document_is_valid_coded_and_passes_the_ruleset(exported) -> None:
    """One document: it validates against the 2.03 activity schema; it has an activity per plan activity
    with the identifier ``<org ref>-<slug>-<key>`` and the reporting organisation; every code in it is in
    its codelist (and no attribute escapes the check); and the ruleset finds nothing, errors or warnings,
    among the many rules that apply to it."""
    made, _release, document, root = exported
    assert iati_schema_errors(document) == []
    assert iati_code_errors(document) == []
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    activities = root.findall("iati-activity")
    plan_activities = list(made.plan.activities.order_by("priority_area__position", "position"))
    assert [a.findtext("iati-identifier") for a in activities] == [
        activity_identifier(ORG_REF, made.plan, a) for a in plan_activities
    ]
    assert all(a.find("reporting-org").get("ref") == ORG_REF for a in activities)
    assert all(a.find("recipient-country").get("code") == "AZ" for a in activities)
    assert {a.find("sector").get("code") for a in activities} == {"15180", "15220", "15160", "73010"}

    unchecked = set()
    for element in root.iter():
        for attribute, value in element.attrib.items():
            key = (element.tag, attribute)
            if key in CODED:
                assert value in CODED[key](), f"{element.tag}/@{attribute}={value!r} is not in its codelist"
            elif key not in FREE:
                unchecked.add(key)
    assert not unchecked, f"attributes neither checked against a codelist nor known to be free: {unchecked}"

    failures, applied = ruleset_findings(root, datetime.now(UTC))
    assert failures == []
    assert applied > 10 * len(activities)


def test_titles_carry_each_language_the_plan_has(exported) -> None:
    """Narratives: the default language (en) untagged, az and ru tagged where the plan has the text; an
    agency's Azerbaijani name from the plan file is there, tagged az."""
    _made, _release, _document, root = exported
    assert root.find("iati-activity").get(XML_LANG) == "en"
    names = root.xpath("//participating-org/narrative[@xml:lang='az']/text()")
    assert "Müdafiə Nazirliyi" in names
    tagged = set(root.xpath("//narrative/@xml:lang"))
    assert tagged <= {"az", "ru"}


def test_actuals_are_publishings_shown_figures_and_never_a_suppressed_one(exported) -> None:
    """For every count indicator of the world, the actuals of each period are exactly the figures
    publishing shows (the total without a dimension, each cell with its dimensions, the same values), so a
    figure disclosure control suppressed is not there; the world has such figures, and public statistics
    whose small cells are shown."""
    made, release, _document, root = exported
    by_id = {a.findtext("iati-identifier"): a for a in root.findall("iati-activity")}
    suppressed = 0
    periods = {p.pk: p for p in made.plan.reporting_periods.all()}
    for index in (SEX_AND_AGE, PUBLIC_STATISTICS, NOT_PEOPLE):
        activity = made.activities[index]
        indicator = made.indicators[index]
        published = next(i for i in release.indicators if i.indicator_id == indicator.pk)
        element = by_id[activity_identifier(ORG_REF, made.plan, activity)]
        (result,) = element.findall("result")
        assert result.find("indicator").get("measure") == "1"
        expected = set()
        for period in published.periods:
            for figure in period.figures():
                if figure.value is None:
                    suppressed += 1
                    continue
                dims = frozenset(parse_cell_key(figure.cell)) if figure.cell != TOTAL else frozenset()
                expected.add((periods[period.period_id].start.isoformat(), dims, figure.value))
        found = set()
        for period in result.iter("period"):
            start = period.find("period-start").get("iso-date")
            end = period.find("period-end").get("iso-date")
            assert start < end
            for actual in period.findall("actual"):
                dims = frozenset((d.get("name"), d.get("value")) for d in actual.findall("dimension"))
                found.add((start, dims, Decimal(actual.get("value"))))
        assert found == expected
        assert found, "the world publishes figures of this indicator"
    assert suppressed > 0, "the world has suppressed figures, so the test means something"
    public = next(i for i in release.indicators if i.indicator_id == made.indicators[PUBLIC_STATISTICS].pk)
    assert any(f.value is not None and f.value < 10 for p in public.periods for f in p.figures())


def test_ruleset_evaluator_catches_what_it_checks(exported) -> None:
    """The evaluator is not vacuous: a period ending before it starts, an actual of a unit measure without
    a value, and an identifier not starting with the reporting organisation's are each found."""
    _made, _release, document, _root = exported
    root = etree.fromstring(document)
    period = root.find(".//period")
    period.find("period-end").set("iso-date", "2000-01-01")
    actual = root.find(".//actual")
    del actual.attrib["value"]
    root.find(".//iati-identifier").text = "XX-OTHER-1"
    failures, _applied = ruleset_findings(root, datetime.now(UTC))
    ids = {failure.split()[0] for failure in failures}
    assert {"8.6.1", "8.10.1", "1.1.21"} <= ids


def test_a_draft_plan_has_no_iati_document(world) -> None:  # noqa: F811 - the imported fixture
    """A draft is not public: the export refuses it, naming the plan."""
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.DRAFT)
    world.plan.refresh_from_db()
    with pytest.raises(WpsnapError, match=world.plan.slug):
        iati_activities(world.plan, org_ref=ORG_REF)


# --- the command -------------------------------------------------------------------------------------


def test_command_writes_a_valid_file_or_nothing(world, tmp_path: Path) -> None:  # noqa: F811 - fixture
    """``wpsnap export iati SLUG -o FILE`` writes a document that validates and names the reporting
    organisation given; a plan that is not loaded is a clear error and writes nothing, and so is a draft;
    no temporary file is left beside the output."""
    out = tmp_path / "plan.xml"
    call_command("export", "iati", world.plan.slug, "-o", str(out), "--org-ref", ORG_REF)
    document = out.read_bytes()
    assert iati_schema_errors(document) == []
    assert etree.fromstring(document).find(".//reporting-org").get("ref") == ORG_REF

    missing = tmp_path / "missing.xml"
    with pytest.raises(CommandError, match="no-such-plan"):
        call_command("export", "iati", "no-such-plan", "-o", str(missing))
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.DRAFT)
    with pytest.raises(CommandError, match="draft"):
        call_command("export", "iati", world.plan.slug, "-o", str(missing))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xml"]


def test_command_help_names_each_subcommand() -> None:
    """``wpsnap export --help`` lists iati and datapackage; each has its own help naming its output."""
    parser = Command().create_parser("wpsnap", "export")
    assert "iati" in parser.format_help() and "datapackage" in parser.format_help()
    subparsers = next(a for a in parser._actions if a.dest == "action")
    assert "--output" in subparsers.choices["iati"].format_help()
    assert "--output" in subparsers.choices["datapackage"].format_help()


def test_queries_do_not_grow_with_the_plan(exported, django_assert_max_num_queries) -> None:
    """Given publishing's release, the document takes a handful of queries whatever the plan's size (no
    query per activity or indicator): periods, activities with their areas, pillars and objectives,
    indicators, assignments with their agencies, the coordinating body."""
    made, release, document, _root = exported
    with django_assert_max_num_queries(6):
        again = iati_activities(made.plan, org_ref=ORG_REF, figures=release)
    assert again.count(b"<iati-activity ") == document.count(b"<iati-activity ") > 30


def test_command_refuses_codes_out_of_their_lists_and_warns_of_the_placeholder(
    world,  # noqa: F811 - the imported fixture
    settings,
    tmp_path: Path,
) -> None:
    """An organisation type or a pillar's sector that IATI's codelists do not have is refused, naming the
    code and its list, and nothing is written; with the placeholder identifier (the default) the file is
    written and a warning says to set WPSNAP_IATI_ORG_REF."""
    out = tmp_path / "plan.xml"
    settings.WPSNAP_IATI_ORG_TYPE = "99"
    settings.WPSNAP_IATI_SECTORS = {"prevention": "99999"}
    with pytest.raises(CommandError, match="OrganisationType") as refused:
        call_command("export", "iati", world.plan.slug, "-o", str(out), "--org-ref", ORG_REF)
    assert "'99999' is not a code of IATI's Sector list" in str(refused.value)
    assert not out.exists()

    settings.WPSNAP_IATI_ORG_TYPE = "10"
    settings.WPSNAP_IATI_SECTORS = {}
    settings.WPSNAP_IATI_ORG_REF = "AZ-GOV-SCFWCA"
    warned = StringIO()
    call_command("export", "iati", world.plan.slug, "-o", str(out), stderr=warned, stdout=StringIO())
    assert "WPSNAP_IATI_ORG_REF" in warned.getvalue()
    assert iati_code_errors(out.read_bytes()) == []
