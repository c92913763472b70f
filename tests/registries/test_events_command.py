"""`wpsnap events setup|rules`: setting a plan up for events from the command line, and listing the
indicators bound to event data."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import wpsnap_help
from wpsnap.registries.models import DerivationRule
from wpsnap.reporting.models import DimensionOption

pytestmark = pytest.mark.django_db

SLUG = "az-2020-2023"


def events(*args: str) -> str:
    out = StringIO()
    call_command("events", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def reporting_plan(az_plan):
    """The plan set up for reporting (dimensions, periods), not yet for events."""
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    return az_plan


def districts(plan) -> list[str]:
    return list(
        DimensionOption.objects.filter(dimension__plan=plan, dimension__code="district").values_list(
            "code", flat=True
        )
    )


def test_setup_adds_the_countrys_districts_and_binds_indicators_once(reporting_plan):
    """Without --districts the file shipped for the plan's country (plans/az-districts.yaml) is
    read: every district of Azerbaijan becomes an option and the suggested indicators are bound. A
    second run adds nothing and says so."""
    before = len(districts(reporting_plan))
    output = events("setup", SLUG)
    in_all = len(districts(reporting_plan))
    rules = DerivationRule.objects.filter(indicator__plan=reporting_plan).count()
    # 73 rayons and cities, and Kurdamir (added with the district boundaries, issue 11).
    assert in_all == 74 and {"baku", "fuzuli", "khankendi", "kurdamir", "nakhchivan"} <= set(
        districts(reporting_plan)
    )
    assert rules >= 9
    assert output.startswith(
        f"{in_all - before} districts added, {rules} indicators bound to event data. "
        f"The plan now has {in_all} districts and {rules} bound indicators."
    )
    again = events("setup", SLUG)
    assert again.startswith("0 districts added, 0 indicators bound to event data.")
    assert len(districts(reporting_plan)) == in_all
    assert DerivationRule.objects.filter(indicator__plan=reporting_plan).count() == rules


def test_setup_reads_the_districts_file_given(reporting_plan, tmp_path):
    """--districts FILE adds the districts that file names, with their translations."""
    path = tmp_path / "few.yaml"
    path.write_text(
        "format: wpsnap-districts/1\ncountry: AZ\ndistricts:\n"
        "  - {code: shusha, name: Shusha, az: Şuşa, ru: Шуша}\n"
        "  - {code: baku, name: Baku}\n",
        encoding="utf-8",
    )
    known = set(districts(reporting_plan))
    output = events("setup", SLUG, "--districts", str(path))
    added = set(districts(reporting_plan)) - known
    assert added == ({"shusha", "baku"} - known)
    assert output.startswith(f"{len(added)} district")
    shusha = DimensionOption.objects.get(dimension__plan=reporting_plan, code="shusha")
    assert shusha.translations == {"az": {"name": "Şuşa"}, "ru": {"name": "Шуша"}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("format: something-else\ndistricts: []\n", "format: Expected wpsnap-districts/1"),
        ("format: wpsnap-districts/1\ndistricts:\n  - {code: x}\n", "districts[0]: Give a code and a name"),
        ("format: wpsnap-districts/1\ncountry: GE\ndistricts: []\n", "the districts are of the country GE"),
        ("format: [unclosed\n", "cannot be read"),
    ],
)
def test_a_bad_districts_file_is_refused_by_name(reporting_plan, tmp_path, content, message):
    """A file that is not a districts file of the plan's country is refused with a message naming
    the file and what is wrong; nothing is added."""
    path = tmp_path / "districts.yaml"
    path.write_text(content, encoding="utf-8")
    before = districts(reporting_plan)
    with pytest.raises(CommandError, match=r"districts\.yaml") as refused:
        events("setup", SLUG, "--districts", str(path))
    assert message in str(refused.value)
    assert districts(reporting_plan) == before
    assert not DerivationRule.objects.filter(indicator__plan=reporting_plan).exists()


def test_a_missing_file_an_unknown_plan_and_a_plan_not_set_up_are_refused(az_plan, tmp_path):
    """Each mistake gets a message that names it."""
    with pytest.raises(CommandError, match="No plan with the slug 'nope'"):
        events("setup", "nope")
    with pytest.raises(CommandError, match="no such file"):
        events("setup", SLUG, "--districts", str(tmp_path / "absent.yaml"))
    with pytest.raises(CommandError, match=r"wpsnap reports setup"):
        events("setup", SLUG)
    with pytest.raises(CommandError, match="No plan with the slug 'nope'"):
        events("rules", "nope")


def test_rules_lists_the_bound_indicators(reporting_plan):
    """`events rules --json` gives each binding: indicator key, activity code, measure, event types,
    topics and the indicator's text; the table shows the same rows."""
    events("setup", SLUG)
    rows = json.loads(events("rules", SLUG, "--json"))
    assert len(rows) == DerivationRule.objects.filter(indicator__plan=reporting_plan).count()
    by_key = {row["indicator"]: row for row in rows}
    assert by_key["5.1.2-3-i1"] == {
        "indicator": "5.1.2-3-i1",
        "activity": "5.1.2.3",
        "measure": "participants",
        "kinds": ["training"],
        "topics": [],
        "text": by_key["5.1.2-3-i1"]["text"],
    }
    assert "trainings" in by_key["5.1.2-3-i1"]["text"]
    assert by_key["5.2.2-1-i1"]["kinds"] == ["consultation", "survey"]
    table = events("rules", SLUG).splitlines()
    assert table[0].split() == ["Indicator", "Activity", "Counts", "Event", "types", "Topics"]
    assert len(table) == 2 + len(rows)
    assert any(line.startswith("5.2.2-1-i1") and "Consultation or meeting, Survey" in line for line in table)


def test_rules_of_a_plan_without_bindings_says_how_to_make_them(reporting_plan):
    """Before `events setup`, the list is empty and the command says what to run."""
    assert json.loads(events("rules", SLUG, "--json")) == []
    assert "wpsnap events setup az-2020-2023" in events("rules", SLUG)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["events"], "{setup,rules}"),
        (["events", "setup"], "plans/<country>-districts.yaml"),
        (["events", "rules"], "--json"),
    ],
)
def test_help_describes_the_command(args, expected) -> None:
    """`wpsnap events --help` and each subcommand's --help answer with their usage."""
    assert expected in wpsnap_help(*args)
