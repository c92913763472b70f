"""Issue 13's acceptance: the recovery test of publishing passes on the tables the portal ACTUALLY
publishes. For every indicator and period of the publishing world, the attacker of the proof
(tests/publishing/attacker.py) is given what the portal serves (each indicator's ``figures.json`` in
Azerbaijani, English and Russian, one indicator's HTML table parsed, and the JSON files of a static
build), never ``public_results``; it works out no small figure of the true table. The served values are
also compared with ``public_results``' so that the portal cannot drift from the route."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from wpsnap.portal.static_build import portal_build
from wpsnap.publishing.disclosure import Cell, Family, cell_from_key, make_table
from wpsnap.publishing.public import public_results

from ..publishing.attacker import recoverable_small_cells
from ..publishing.conftest import BY_AGE, CODES, SEX_AND_AGE, THRESHOLD, TOTAL_ONLY, by_hand

pytestmark = pytest.mark.django_db

SLUG = "az-2020-2023"
LANGUAGES = ("az", "en", "ru")
CELL = re.compile(r'<td class="text-end" data-cell="([^"]*)">(.*?)</td>', re.S)
MARK = "\u00d7"


def served_family(period: dict[str, Any], truth: dict[str, int]) -> Family:
    """The true table behind a served period, laid out as the served file says (its dimensions and
    options are public), built the way tests/publishing/release.py builds it."""
    dimensions = [(d["code"], tuple(d["options"])) for d in period["dimensions"]]
    codes = [code for code, _options in dimensions]
    cells = {cell_from_key(key, codes): int(value) for key, value in truth.items()}
    return Family(tables=(make_table("t", dimensions, cells),))


def served_known(period: dict[str, Any]) -> dict[tuple[str, Cell], int]:
    """What a served period tells anyone, in the attacker's terms: every figure with a value."""
    codes = [d["code"] for d in period["dimensions"]]
    known = {}
    for figure in period["figures"]:
        if figure["value"] is not None:
            assert isinstance(figure["value"], int), figure
            known[("t", cell_from_key(figure["cell"], codes))] = figure["value"]
    return known


def route_periods(world) -> dict[str, dict[str, tuple[int, dict[str, int | None]]]]:
    """``public_results``' periods, by indicator key and period label: the period's number in the world
    (as ``by_hand`` counts them) and each figure's value (None: not shown)."""
    release = public_results(world.plan, threshold=THRESHOLD)
    return {
        indicator.indicator: {
            period.period: (
                number,
                {f.cell: None if f.value is None else int(f.value) for f in period.figures()},
            )
            for number, period in enumerate(indicator.periods)
            if period.total is not None
        }
        for indicator in release.indicators
    }


def check_served(world, documents: dict[str, dict[str, Any]]) -> tuple[int, int]:
    """For every indicator of the world and every served period: the served figures equal the route's,
    and the attacker given the served figures recovers no small figure. Returns how many periods were
    checked and how many small true figures they hold."""
    route = route_periods(world)
    periods = small = 0
    for activity, indicator in enumerate(world.indicators):
        document = documents[indicator.key]
        assert document["threshold"] == THRESHOLD
        served = {p["period"]: p for p in document["periods"]}
        assert set(served) == set(route[indicator.key]), indicator.key
        for label, period in served.items():
            number, expected = route[indicator.key][label]
            assert {f["cell"]: f["value"] for f in period["figures"]} == expected, (indicator.key, label)
            truth = dict(by_hand(world.written, activity, number))
            family = served_family(period, truth)
            assert recoverable_small_cells(family, served_known(period), THRESHOLD) == [], (
                indicator.key,
                label,
            )
            periods += 1
            if activity in (SEX_AND_AGE, BY_AGE, TOTAL_ONLY):
                small += sum(value < THRESHOLD for value in family.tables[0].cells.values())
    return periods, small


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_small_figure_recoverable_from_the_served_json(client, world, lang) -> None:
    """Every indicator's ``figures.json`` as the portal serves it in ``lang``."""
    documents = {}
    for indicator in world.indicators:
        response = client.get(f"/{lang}/plans/{SLUG}/indicators/{indicator.key}/figures.json")
        assert response.status_code == 200
        documents[indicator.key] = json.loads(response.content)
    periods, small = check_served(world, documents)
    assert periods >= len(CODES)
    assert small >= 10


def html_periods(page: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """The indicator page's figure table, parsed, in the shape of the JSON's periods: the cells come in
    the served periods' order, each period's figures together; a suppressed one is the mark and no digit."""
    shown = CELL.findall(page)
    parsed, at = [], 0
    for period in document["periods"]:
        chunk = shown[at : at + len(period["figures"])]
        at += len(period["figures"])
        figures = []
        for cell, content in chunk:
            if MARK in content:
                assert not re.search(r"[0-9]", content), (cell, content)
                figures.append({"cell": cell, "value": None})
            else:
                figures.append({"cell": cell, "value": int(re.sub(r"[^0-9]", "", content))})
        parsed.append({**period, "figures": figures})
    assert at == len(shown), "the page shows figures the JSON does not"
    return parsed


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_small_figure_recoverable_from_the_html_table(client, world, lang) -> None:
    """The sex x age indicator's page (small cells in both years), its table parsed: the same figures as
    the JSON and the route, and nothing small recoverable from them."""
    indicator = world.indicators[SEX_AND_AGE]
    base = f"/{lang}/plans/{SLUG}/indicators/{indicator.key}/"
    document = json.loads(client.get(base + "figures.json").content)
    response = client.get(base)
    assert response.status_code == 200
    periods = html_periods(response.content.decode(), document)
    route = route_periods(world)[indicator.key]
    small = 0
    for period in periods:
        number, expected = route[period["period"]]
        assert {f["cell"]: f["value"] for f in period["figures"]} == expected, period["period"]
        family = served_family(period, dict(by_hand(world.written, SEX_AND_AGE, number)))
        assert recoverable_small_cells(family, served_known(period), THRESHOLD) == []
        small += sum(value < THRESHOLD for value in family.tables[0].cells.values())
    assert len(periods) == 2 and small >= 5


def test_no_small_figure_recoverable_from_the_static_build(world, tmp_path) -> None:
    """A static build of every indicator's JSON (the crawl started at them, in Azerbaijani: a whole
    build takes about 40 s), read back from the written files."""
    out = tmp_path / "site"
    start = [f"/az/plans/{SLUG}/indicators/{i.key}/figures.json" for i in world.indicators]
    portal_build(outdir=out, languages=["az"], plan=world.plan, start=start)
    documents = {}
    for indicator in world.indicators:
        written = [
            p for p in out.rglob("*.json") if f"/indicators/{indicator.key}/" in p.as_posix() and p.is_file()
        ]
        assert len(written) == 1, (indicator.key, written)
        documents[indicator.key] = json.loads(Path(written[0]).read_text(encoding="utf-8"))
    periods, small = check_served(world, documents)
    assert periods >= len(CODES)
    assert small >= 10


def test_the_check_is_not_blind(client, world) -> None:
    """Served figures with every withheld one filled in from the truth but one small cell: the attacker
    recovers that cell, so the checks above would catch a served file that gave too much."""
    indicator = world.indicators[SEX_AND_AGE]
    document = json.loads(client.get(f"/en/plans/{SLUG}/indicators/{indicator.key}/figures.json").content)
    route = route_periods(world)[indicator.key]
    for period in document["periods"]:
        truth = dict(by_hand(world.written, SEX_AND_AGE, route[period["period"]][0]))
        family = served_family(period, truth)
        codes = [d["code"] for d in period["dimensions"]]
        values = family.tables[0].cells
        withheld = [f["cell"] for f in period["figures"] if f["value"] is None]
        small = [cell for cell in withheld if values[cell_from_key(cell, codes)] < THRESHOLD]
        if small:
            break
    kept = small[0]
    leaked = [
        {**f, "value": values[cell_from_key(f["cell"], codes)]} if f["cell"] != kept else f
        for f in period["figures"]
    ]
    found = recoverable_small_cells(family, served_known({**period, "figures": leaked}), THRESHOLD)
    assert [(cell, value) for _t, cell, value, _range in found] == [
        (cell_from_key(kept, codes), values[cell_from_key(kept, codes)])
    ]
