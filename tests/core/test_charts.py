"""Charts (``wpsnap.core.charts``): every builder's spec draws to SVG with vl-convert (print) and, like the
pages, with vega-embed's interpreter in a context that refuses eval (the CSP); its table is its rows; its
summary and notes are shown with it by ``partials/chart.html``; a status keeps its colour. And the district
list the maps draw: 78 shapes, each on a code of plans/az-districts.yaml, Kurdamir included."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import jsonschema
import pytest
import vl_convert
import yaml
from django.template.loader import render_to_string

from wpsnap.core import charts
from wpsnap.core.charts import Chart, Link

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "wpsnap" / "static"
GEO = ROOT / "wpsnap" / "dashboards" / "geo" / "az-adm2.geojson"
DISTRICTS = ROOT / "plans" / "az-districts.yaml"
HARNESS = Path(__file__).with_name("charts_no_eval.js")

SUMMARY = "One sentence that says what the chart shows."


def status() -> Chart:
    return charts.status_bars(
        key="status",
        title="Activities by status",
        summary=SUMMARY,
        rows=[
            ("Pillar 1", "completed", 3),
            (Link("Pillar 2", "/reports/browse/?pillar=2"), "delayed", 2),
            ("Pillar 1", "not_reported", 1),
        ],
        statuses=[("completed", "Completed"), ("delayed", "Delayed"), ("not_reported", "Not reported")],
        group_label="Pillar",
        count_label="Activities",
    )


def grouped() -> Chart:
    return charts.grouped_bars(
        key="financing",
        title="Planned and spent",
        summary=SUMMARY,
        rows=[
            ("State budget", "Planned", Decimal("1200.50")),
            ("State budget", "Spent", Decimal(900)),
            ("Donors", "Planned", None),
        ],
        series=["Planned", "Spent"],
        group_label="Source",
        value_label="AZN",
    )


def pyramid() -> Chart:
    return charts.pyramid(
        key="people",
        title="People reached",
        summary=SUMMARY,
        rows=[
            ("18-24", "women", "Reported", Decimal(10)),
            ("18-24", "men", "Reported", 5),
            ("25-34", "women", "From events", 7),
            ("25-34", "other", "Reported", 1),
        ],
        sexes=[("women", "Women"), ("men", "Men"), ("other", "Other")],
        ages=[("18-24", "18-24"), ("25-34", "25-34")],
        series=["Reported", "From events"],
        age_label="Age band",
        value_label="People",
    )


def bullet() -> Chart:
    return charts.bullet(
        key="indicators",
        title="Indicators against target",
        summary=SUMMARY,
        rows=[("1.1", Decimal(5), 0, 10), ("1.2", 3, 8, 2), ("1.3", None, 1, 2)],
        label="Indicator",
        value_label="Achieved",
        baseline_label="Baseline",
        target_label="Target",
        progress_label="Progress to target (%)",
    )


def timeline() -> Chart:
    return charts.timeline(
        key="periods",
        title="Reporting periods",
        summary=SUMMARY,
        rows=[
            ("2021", date(2021, 1, 1), date(2021, 12, 31), date(2022, 1, 31), 3),
            ("2022", date(2022, 1, 1), date(2022, 12, 31), date(2023, 1, 31), 0),
        ],
        period_label="Period",
        start_label="From",
        end_label="To",
        due_label="Reports due",
        overdue_label="Overdue",
        today=date(2022, 6, 1),
    )


def district_map() -> Chart:
    return charts.district_map(
        key="events-map",
        title="Events by district",
        summary=SUMMARY,
        rows=[
            ("baku", Link("Baku", "/events/?district=baku"), 10, 4),
            ("lankaran", "Lankaran", 3, None),
            ("kurdamir", "Kurdamir", 0, 0),
        ],
        boundaries=json.loads(GEO.read_text(encoding="utf-8")),
        district_label="District",
        value_label="Events",
        extra_columns=("Women",),
        attribution="District boundaries: geoBoundaries, CC BY-SA 3.0.",
    )


BUILDERS = {
    "status": status,
    "grouped": grouped,
    "pyramid": pyramid,
    "bullet": bullet,
    "timeline": timeline,
    "map": district_map,
}
TABLES = {
    "status": (
        ("Pillar", "Completed", "Delayed", "Not reported"),
        (("Pillar 1", 3, None, 1), (Link("Pillar 2", "/reports/browse/?pillar=2"), None, 2, None)),
    ),
    "grouped": (
        ("Source", "Planned", "Spent"),
        (("State budget", Decimal("1200.50"), Decimal(900)), ("Donors", None, None)),
    ),
    "pyramid": (
        (
            "Age band",
            "Women, Reported",
            "Women, From events",
            "Men, Reported",
            "Men, From events",
            "Other, Reported",
            "Other, From events",
        ),
        (("18-24", Decimal(10), None, 5, None, None, None), ("25-34", None, 7, None, None, 1, None)),
    ),
    "bullet": (
        ("Indicator", "Achieved", "Baseline", "Target"),
        (("1.1", Decimal(5), 0, 10), ("1.2", 3, 8, 2), ("1.3", None, 1, 2)),
    ),
    "timeline": (
        ("Period", "From", "To", "Reports due", "Overdue"),
        (
            ("2021", "2021-01-01", "2021-12-31", "2022-01-31", 3),
            ("2022", "2022-01-01", "2022-12-31", "2023-01-31", 0),
        ),
    ),
    "map": (
        ("District", "Events", "Women"),
        ((Link("Baku", "/events/?district=baku"), 10, 4), ("Lankaran", 3, None), ("Kurdamir", 0, 0)),
    ),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_the_table_is_the_rows(name) -> None:
    """Each builder's table has the caller's labels as columns and the rows it was given, cell for cell
    (None where a row gives nothing); the title and summary are the caller's."""
    chart = BUILDERS[name]()
    assert (chart.table.columns, chart.table.rows) == TABLES[name]
    assert (chart.summary, chart.table.caption) == (SUMMARY, chart.title)


@pytest.mark.parametrize("name", BUILDERS)
def test_the_spec_draws_to_svg_for_print(name) -> None:
    """Each spec is valid Vega-Lite, and vl-convert draws it to SVG with the chart's title in it; the spec
    is a plain dict that JSON can carry (figures as numbers, not Decimals), keeps its $schema, follows the
    container's width, and carries its data inline."""
    chart = BUILDERS[name]()
    spec = chart.spec
    assert spec is not None
    text = json.dumps(spec)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert spec["width"] == "container"
    assert '"url"' not in text
    charts.check_spec(spec)
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.startswith("<svg") and chart.title in svg


def test_the_schema_check_catches_a_bad_spec() -> None:
    """The builders skip altair's schema check for speed; ``check_spec`` (run on every builder above)
    refuses what Vega-Lite would not take."""
    spec = dict(status().spec or {})
    spec["mark"] = {"type": "no-such-mark"}
    with pytest.raises(jsonschema.ValidationError):
        charts.check_spec(spec)


def test_figures_are_json_numbers() -> None:
    """A Decimal figure goes into the spec as a number (1200.5), a whole one as an integer."""
    spec = grouped().spec
    values = (
        [v for d in spec["datasets"].values() for v in d] if "datasets" in spec else spec["data"]["values"]
    )
    assert {v["value"] for v in values} == {1200.5, 900}
    assert all(type(v["value"]) in (int, float) for v in values)


def _drawn(specs: dict, *flags: str) -> dict:
    node = shutil.which("node")
    assert node, "node is needed to draw the specs as the pages do (Debian's nodejs)"
    result = subprocess.run(
        [node, str(HARNESS), str(STATIC), *flags],
        input=json.dumps(specs),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_no_spec_needs_eval() -> None:
    """Drawn as the pages draw them (vega-lite, then vega with ast and vega-interpreter, the vendored files)
    in a context where eval and new Function throw, as under the CSP: every spec draws to SVG. The control:
    vega's default code generation fails there, so the context does catch eval."""
    specs = {name: build().spec for name, build in BUILDERS.items()}
    found = _drawn(specs)
    assert found["refuses"] is True
    assert {name: svg[:4] for name, svg in found["drawn"].items()} == dict.fromkeys(specs, "<svg")
    control = _drawn({"status": specs["status"]}, "--codegen")
    assert control["drawn"]["status"].startswith("error: EvalError")


def test_a_status_keeps_its_colour() -> None:
    """Delayed is vermillion and completed bluish green whatever the statuses shown and their order."""
    one = status().spec
    other = charts.status_bars(
        key="other",
        title="t",
        summary=SUMMARY,
        rows=[("a", "delayed", 1)],
        statuses=[("delayed", "Delayed"), ("in_progress", "In progress"), ("completed", "Completed")],
        group_label="g",
        count_label="n",
    ).spec
    for spec in (one, other):
        scale = spec["encoding"]["color"]["scale"]
        colours = dict(zip(scale["domain"], scale["range"], strict=True))
        assert (colours["Delayed"], colours["Completed"]) == ("#D55E00", "#009E73")


def test_left_out_figures_are_noted() -> None:
    """A sex beyond the pyramid's two sides, and an indicator without a target apart from its baseline,
    are in the table and a note says they are not drawn; a map's first note is its attribution."""
    assert pyramid().notes == ("Not drawn, in the table only: Other.",)
    assert bullet().notes == (
        "1 indicator(s) without a value, a baseline or a target are in the table only.",
    )
    assert district_map().notes[0].startswith("District boundaries: geoBoundaries")


def test_a_map_page_spec_fetches_the_boundaries() -> None:
    """Given the boundaries' address, the map's spec names it (the browser fetches and caches the file)
    and carries only the figures."""
    chart = charts.district_map(
        key="m",
        title="t",
        summary=SUMMARY,
        rows=[("baku", "Baku", 1)],
        boundaries="/geo/districts.geojson?v=1",
        district_label="District",
        value_label="Events",
        attribution="a",
    )
    text = json.dumps(chart.spec)
    assert '"url": "/geo/districts.geojson?v=1"' in text and "coordinates" not in text


def test_the_partial_shows_summary_drawing_table_and_notes() -> None:
    """partials/chart.html: the heading, the summary, the drawing's container with the spec as JSON
    (json_script), the table (caption, headers, a Link as a link, None as a dash read as "none", numbers
    grouped) and the notes."""
    chart = district_map()
    html = render_to_string("partials/chart.html", {"chart": chart, "level": 2})
    assert '<h2 class="h4 chart-title" id="chart-events-map-title">Events by district</h2>' in html
    assert f'<p class="chart-summary">{SUMMARY}</p>' in html
    assert 'data-chart-spec="chart-events-map-spec"' in html
    assert '<script id="chart-events-map-spec" type="application/json">' in html
    assert '<caption class="visually-hidden">Events by district</caption>' in html
    assert '<th scope="row"><a href="/events/?district=baku">Baku</a></th>' in html
    assert '<span class="visually-hidden">none</span>' in html
    assert "District boundaries: geoBoundaries, CC BY-SA 3.0." in html
    table_only = Chart("t", "Title", SUMMARY, chart.table)
    html = render_to_string("partials/chart.html", {"chart": table_only})
    assert "data-chart-spec" not in html and "<table" in html and "<h3" in html


# --- the district list ------------------------------------------------------------------------------


def _features() -> list[dict]:
    return json.loads(GEO.read_text(encoding="utf-8"))["features"]


def _codes() -> dict[str, dict]:
    return {d["code"]: d for d in yaml.safe_load(DISTRICTS.read_text(encoding="utf-8"))["districts"]}


def test_every_shape_is_on_a_district_of_the_list() -> None:
    """The 78 shapes each carry the code of a district of plans/az-districts.yaml, and every one of its
    74 districts has a shape: a city and the rayon of its name (Lankaran, Shaki, Yevlakh, Shusha) share
    one code, so the map colours them alike."""
    features = _features()
    codes = _codes()
    assert len(features) == 78 and len(codes) == 74
    on = [f["properties"]["plan_code"] for f in features]
    assert set(on) == set(codes)
    assert sorted(c for c in set(on) if on.count(c) > 1) == ["lankaran", "shaki", "shusha", "yevlakh"]


def test_kurdamir_is_on_the_list_and_the_map() -> None:
    """Kurdamir, missing from the list before, is there in English, Azerbaijani and Russian, with its
    shape."""
    assert _codes()["kurdamir"] == {
        "code": "kurdamir",
        "name": "Kurdamir",
        "az": "Kürdəmir",
        "ru": "Кюрдамир",
    }
    assert [
        f["properties"]["shapeName"] for f in _features() if f["properties"]["plan_code"] == "kurdamir"
    ] == ["Kurdamir District"]


def test_rings_are_wound_for_vega() -> None:
    """Exterior rings run clockwise and holes counter-clockwise (d3-geo's order, which Vega uses), else a
    district is drawn as the whole globe without it."""

    def area(ring: list) -> float:
        return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))

    for feature in _features():
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for exterior, *holes in polygons:
            assert area(exterior) < 0, feature["properties"]["shapeName"]
            assert all(area(h) > 0 for h in holes), feature["properties"]["shapeName"]


def test_a_map_without_figures_draws_the_districts_alone() -> None:
    """No figure: one grey layer, no colour scale (whose legend would read "NaN"); it still draws."""
    chart = charts.district_map(
        key="m",
        title="Nothing",
        summary=SUMMARY,
        rows=[],
        boundaries=json.loads(GEO.read_text(encoding="utf-8")),
        district_label="District",
        value_label="Events",
        attribution="a",
    )
    assert chart.spec is not None and len(chart.spec["layer"]) == 1
    assert "NaN" not in vl_convert.vegalite_to_svg(chart.spec)
