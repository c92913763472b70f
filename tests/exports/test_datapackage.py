"""The Frictionless data package (``wpsnap.exports.opendata``, ``wpsnap export datapackage``): on the
publishing tests' world of reports, the package validates with frictionless, each indicator's CSV holds
exactly publishing's figures (a suppressed figure is the one mark, never its value), and a write that fails
leaves no folder, not even half of one."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from frictionless import validate

from wpsnap.core.errors import WpsnapError
from wpsnap.exports.opendata import SUPPRESSED, datapackage_write, resource_name
from wpsnap.plan.models import Plan, PlanStatus
from wpsnap.publishing.public import PublicFigure, public_results
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key

from ..analytics.conftest import people  # noqa: F401 - fixture used by the world
from ..publishing.conftest import SEX_AND_AGE, by_hand, world  # noqa: F401 - fixture
from ..registries.conftest import events_plan  # noqa: F401 - fixture used by the world

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(events_plan):  # noqa: F811 - the imported fixture, used here
    return events_plan


@pytest.fixture
def package(world, tmp_path: Path):  # noqa: F811 - the imported fixture, used here
    """The world's package, written by the command, with publishing's release."""
    release = public_results(world.plan)
    out = tmp_path / "package"
    call_command("export", "datapackage", world.plan.slug, "-o", str(out))
    return world, release, out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_package_validates_with_frictionless(package) -> None:
    """frictionless finds no error in the package (schemas, types, enum constraints, the periods foreign
    key); it names the licence (CC-BY-4.0 by default) and a resource per count indicator plus the periods."""
    _made, release, out = package
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    names = [resource["name"] for resource in descriptor["resources"]]
    assert names == ["periods", *(resource_name(i.indicator) for i in release.indicators)]
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(f"{name}.csv" for name in names)
    assert [p.name for p in out.parent.iterdir()] == ["package"], "no temporary folder is left"


def test_values_are_publishings_and_suppressed_is_only_a_mark(package) -> None:
    """Every indicator's rows are exactly publishing's figures, period by period: the total with empty
    dimension cells, each cell with its options, the same value; a suppressed figure's row says
    ``suppressed``; the world has suppressed figures, and the true value of none of the sex x age small
    cells is in its place."""
    made, release, out = package
    labels = {p.pk: p.label for p in made.plan.reporting_periods.all()}
    suppressed = 0
    for indicator in release.indicators:
        rows = _rows(out / "data" / f"{resource_name(indicator.indicator)}.csv")
        columns = [c for c in (rows[0].keys() if rows else []) if c not in ("period", "value")]
        expected = []
        for period in indicator.periods:
            for figure in period.figures():
                fixed = dict(parse_cell_key(figure.cell)) if figure.cell != TOTAL else {}
                value = SUPPRESSED if figure.value is None else str(int(figure.value))
                suppressed += figure.value is None
                expected.append((labels[period.period_id], tuple(fixed.get(c, "") for c in columns), value))
        found = [(row["period"], tuple(row[c] for c in columns), row["value"]) for row in rows]
        assert found == expected, indicator.indicator
    assert suppressed > 0

    sex_age = next(i for i in release.indicators if i.indicator_id == made.indicators[SEX_AND_AGE].pk)
    rows = _rows(out / "data" / f"{resource_name(sex_age.indicator)}.csv")
    assert list(rows[0]) == ["period", "sex", "age", "value"]
    truth = by_hand(made.written, SEX_AND_AGE, 0)
    period_2020 = sex_age.periods[0]
    for figure in period_2020.cells:
        if figure.value is None and figure.cell in truth:
            fixed = dict(parse_cell_key(figure.cell))
            (row,) = [
                r
                for r in rows
                if r["period"] == period_2020.period
                and r["sex"] == fixed.get("sex", "")
                and r["age"] == fixed.get("age", "")
            ]
            assert row["value"] == SUPPRESSED
            assert row["value"] != str(truth[figure.cell])


def test_a_failed_write_leaves_nothing(world, tmp_path: Path) -> None:  # noqa: F811 - the imported fixture
    """A write that fails half-way (a figure that is not a number, after other files were written) raises
    and leaves neither the folder nor its temporary one; a folder that already holds files is refused and
    left as it was; a draft plan is refused."""
    release = public_results(world.plan)
    broken_indicator = release.indicators[-1]
    period = broken_indicator.periods[0]
    broken = replace(
        release,
        indicators=(
            *release.indicators[:-1],
            replace(
                broken_indicator,
                periods=(
                    replace(period, total=PublicFigure("", "not a number")),
                    *broken_indicator.periods[1:],
                ),  # type: ignore[arg-type]
            ),
        ),
    )
    out = tmp_path / "package"
    with pytest.raises(AttributeError):
        datapackage_write(world.plan, out, figures=broken)
    assert list(tmp_path.iterdir()) == []

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(WpsnapError, match="occupied"):
        datapackage_write(world.plan, occupied, figures=release)
    assert [p.name for p in occupied.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["occupied"]

    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.DRAFT)
    world.plan.refresh_from_db()
    with pytest.raises(WpsnapError, match="draft"):
        datapackage_write(world.plan, tmp_path / "draft")
    assert not (tmp_path / "draft").exists()


def test_command_refuses_an_unknown_plan_and_writes_nothing(world, tmp_path: Path) -> None:  # noqa: F811
    """``wpsnap export datapackage`` with a slug that is not loaded is a clear error naming it, and no
    folder appears; into an empty folder it writes the package."""
    with pytest.raises(CommandError, match="no-such-plan"):
        call_command("export", "datapackage", "no-such-plan", "-o", str(tmp_path / "out"))
    assert list(tmp_path.iterdir()) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    call_command("export", "datapackage", world.plan.slug, "-o", str(empty))
    assert (empty / "datapackage.json").is_file()


def test_queries_do_not_grow_with_the_plan(world, tmp_path: Path, django_assert_max_num_queries) -> None:  # noqa: F811
    """Given publishing's release, writing the package takes a handful of queries whatever the plan's size:
    periods, dimensions and their options, indicators with their activities, the coordinating body."""
    release = public_results(world.plan)
    with django_assert_max_num_queries(6):
        datapackage_write(world.plan, tmp_path / "package", figures=release)
