"""Charts: one Vega-Lite spec for the page and for print, always with its table and a summary sentence.

A builder takes plain rows (numbers, strings, dates: never models), the title and the one-sentence summary
the caller writes (already translated, like every label it passes), and returns a ``Chart``:

- ``table``: the same rows as a ``Table``, the accessible alternative that every page shows (and the whole
  chart when JavaScript is off). A cell is text, a number, None (nothing reported) or a ``Link`` (drill
  down to the records behind the figure);
- ``spec``: a Vega-Lite spec built with altair, as a plain dict with its data inline and its ``$schema``.
  The page draws it with vega-embed and the CSP-safe expression interpreter (``static/charts.js``: no
  ``eval``), print with vl-convert (``render_svg``). Widths follow the container (``width: "container"``),
  so a chart fits a phone's 375 px;
- ``notes``: lines shown under the chart and its table (a map's attribution, what is left out of the
  drawing).

Colours are the Okabe-Ito palette, safe for colour-blind readers; a status keeps its colour on every chart
(``STATUS_COLOURS``). Maps colour districts on a sequential scale (``viridis``) and draw districts without
a figure in light grey.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import altair as alt
from altair.utils import schemapi
from altair.vegalite.v6.schema.core import load_schema
from django.utils.translation import gettext as _

# altair checks every object against Vega-Lite's JSON schema as it is made and again in to_dict: 0.1 s
# for a map, a page's whole budget. The builders' specs are checked by the tests instead (check_spec,
# and each drawn by vl-convert and by vega in tests/core/test_charts.py). Only this module uses altair.
schemapi.disable_debug_mode()

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour vision.
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
GREY = "#8C8C8C"
NO_DATA = "#E9ECEF"

# The one colour of each status code wherever it is drawn (implementation, compliance, timeline).
STATUS_COLOURS: dict[str, str] = {
    "completed": "#009E73",
    "in_progress": "#56B4E9",
    "not_started": "#E69F00",
    "delayed": "#D55E00",
    "cancelled": "#CC79A7",
    "not_reported": GREY,
    "no_agency": "#C8C8C8",
    "on_time": "#009E73",
    "late": "#E69F00",
    "missing": "#D55E00",
    "overdue": "#D55E00",
    "open": "#56B4E9",
    "closed": "#0072B2",
    "upcoming": "#C8C8C8",
}

MAP_HEIGHT = 320
BAR_STEP = 22  # pixels per bar group: the height grows with the rows, the width with the container


@dataclass(frozen=True)
class Link:
    """A table cell that leads to the records behind the figure."""

    text: str
    href: str

    def __str__(self) -> str:
        return self.text


Cell = str | int | Decimal | None | Link


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    summary: str
    table: Table
    spec: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()

    @property
    def element_id(self) -> str:
        """The id of the chart's container in a page (its spec's ``json_script`` id adds ``-spec``)."""
        return f"chart-{self.key}"

    @property
    def spec_id(self) -> str:
        return f"chart-{self.key}-spec"


def text(cell: Any) -> str:
    """A cell or label as plain text (a Link's text)."""
    return cell.text if isinstance(cell, Link) else str(cell)


def number(value: Any) -> int | float | None:
    """A figure as a JSON number (Decimal is not one): whole numbers stay integers."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return int(value) if isinstance(value, int) else float(value)


def _spec(chart: alt.TopLevelMixin, values: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The chart as a plain dict (unchecked: see ``check_spec``), with ``values`` as its inline data: the
    builders give altair an empty data set and put the rows in after, since altair's ``to_dict`` walks
    every value of every row (a fifth of a national overview's time in its status charts)."""
    spec: dict[str, Any] = chart.to_dict(validate=False)
    if values is not None:
        spec["data"] = {"values": values}
    # The page's container decides the size; the view's default size is only vl-convert's fallback.
    spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    return spec


def _filled(skeleton: dict[str, Any], height: int | None = None, **datasets: Any) -> dict[str, Any]:
    """A copy of a cached spec without data (``skeleton``), given its named datasets (and its height).
    altair builds a layered chart in tens of milliseconds, a map in a hundred: the layered builders
    build their spec once per set of labels and fill in the data, which the spec names."""
    spec = copy.deepcopy(skeleton)
    spec["datasets"] = datasets
    if height is not None:
        spec["height"] = height
    return spec


_SCHEMA: dict[str, Any] = {}


def check_spec(spec: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when ``spec`` is not valid Vega-Lite (altair's own check, which
    the builders skip for speed)."""
    if not _SCHEMA:
        _SCHEMA.update(load_schema())
    schemapi.validate_jsonschema(spec, _SCHEMA)


def _colours(codes: Sequence[str]) -> list[str]:
    spare = iter(c for c in OKABE_ITO if c not in STATUS_COLOURS.values())
    return [STATUS_COLOURS.get(code) or next(spare, GREY) for code in codes]


def _height(groups: int, per_group: int = 1) -> int:
    return max(60, groups * per_group * BAR_STEP)


def _pivot(
    rows: Iterable[tuple[Any, str, Any]], groups: Sequence[Any], series: Sequence[str]
) -> tuple[tuple[Any, ...], ...]:
    """(group, series, value) rows as one row per group: the group, then each series' value (None where
    a row does not give it)."""
    cells: dict[tuple[str, str], Any] = {(text(g), s): v for g, s, v in rows}
    return tuple((g, *(cells.get((text(g), s)) for s in series)) for g in groups)


def _ordered(values: Iterable[Any]) -> list[Any]:
    """Each value once, in the order first met (a Link and its text count as one)."""
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(text(value), value)
    return list(seen.values())


def status_bars(
    *,
    key: str,
    title: str,
    summary: str,
    rows: Sequence[tuple[Cell, str, int]],
    statuses: Sequence[tuple[str, str]],
    group_label: str,
    count_label: str,
    notes: Sequence[str] = (),
) -> Chart:
    """Stacked horizontal bars: per group (a pillar, an agency: a str or a Link), how many things are in
    each status. ``rows`` are (group, status code, count); ``statuses`` the (code, label) pairs in the
    order the stack and the table show them, each drawn in its fixed colour (``STATUS_COLOURS``). The
    table has a row per group and a column per status, with the counts (None where a row gives none)."""
    codes = [code for code, _label in statuses]
    labels = dict(statuses)
    groups = _ordered(g for g, _s, _n in rows)
    table = Table(
        caption=title,
        columns=(group_label, *(label for _code, label in statuses)),
        rows=_pivot(rows, groups, codes),
    )
    values = [
        {
            "group": text(g),
            "status": labels.get(s, s),
            "order": codes.index(s) if s in codes else len(codes),
            "n": n,
        }
        for g, s, n in rows
        if n
    ]
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_bar()
        .encode(
            y=alt.Y(
                "group:N", title=group_label, sort=[text(g) for g in groups], axis=alt.Axis(labelLimit=160)
            ),
            x=alt.X("n:Q", title=count_label, stack="zero", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(domain=[labels[c] for c in codes], range=_colours(codes)),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("group:N", title=group_label),
                alt.Tooltip("status:N", title=_("Status")),
                alt.Tooltip("n:Q", title=count_label),
            ],
        )
        .properties(width="container", height=_height(len(groups)), title=title)
    )
    return Chart(key, title, summary, table, _spec(chart, values), tuple(notes))


def grouped_bars(
    *,
    key: str,
    title: str,
    summary: str,
    rows: Sequence[tuple[Cell, str, int | Decimal | None]],
    series: Sequence[str],
    group_label: str,
    value_label: str,
    notes: Sequence[str] = (),
) -> Chart:
    """Horizontal bars side by side: per group (a source of funds, an indicator), one bar per series
    (planned and spent, reported and derived). ``rows`` are (group, series label, value; None when
    nothing was given, which draws no bar); ``series`` the labels in order. The table has a row per group
    and a column per series."""
    groups = _ordered(g for g, _s, _v in rows)
    table = Table(caption=title, columns=(group_label, *series), rows=_pivot(rows, groups, series))
    values = [{"group": text(g), "series": s, "value": number(v)} for g, s, v in rows if v is not None]
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_bar()
        .encode(
            y=alt.Y(
                "group:N", title=group_label, sort=[text(g) for g in groups], axis=alt.Axis(labelLimit=160)
            ),
            yOffset=alt.YOffset("series:N", sort=list(series)),
            x=alt.X("value:Q", title=value_label),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(
                    domain=list(series),
                    range=list(OKABE_ITO[3 : 3 + len(series)])
                    if len(series) <= 2
                    else list(OKABE_ITO[: len(series)]),
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("group:N", title=group_label),
                alt.Tooltip("series:N", title=_("Series")),
                alt.Tooltip("value:Q", title=value_label, format=",.2~f"),
            ],
        )
        .properties(width="container", height=_height(len(groups), max(1, len(series))), title=title)
    )
    return Chart(key, title, summary, table, _spec(chart, values), tuple(notes))


def pyramid(
    *,
    key: str,
    title: str,
    summary: str,
    rows: Sequence[tuple[str, str, str, int | Decimal]],
    sexes: Sequence[tuple[str, str]],
    ages: Sequence[tuple[str, str]],
    series: Sequence[str],
    age_label: str,
    value_label: str,
    notes: Sequence[str] = (),
) -> Chart:
    """A population pyramid: people by age band (``ages``, (code, label) youngest first), the first of
    ``sexes`` to the left and the second to the right, with one bar per series when there are several
    (reported beside from events). ``rows`` are (age code, sex code, series label, value). A sex beyond
    the two sides is in the table only, and a note says so. The table has a row per age band and a column
    per sex x series."""
    sex_labels = dict(sexes)
    age_labels = dict(ages)
    sides = [code for code, _label in sexes[:2]]
    columns = [(sex, s) for sex, _l in sexes for s in series]
    cells: dict[tuple[str, str, str], Any] = {(a, x, s): v for a, x, s, v in rows}
    table = Table(
        caption=title,
        columns=(
            age_label,
            *(f"{sex_labels[x]}, {s}" if len(series) > 1 else sex_labels[x] for x, s in columns),
        ),
        rows=tuple((label, *(cells.get((code, x, s)) for x, s in columns)) for code, label in ages),
    )
    values = [
        {
            "age": age_labels.get(a, a),
            "sex": sex_labels.get(x, x),
            "series": s,
            "value": number(v),
            "signed": -number(v) if x == sides[0] else number(v),  # type: ignore[operator]
        }
        for a, x, s, v in rows
        if x in sides and v
    ]
    left, right = (sex_labels[code] for code in sides) if len(sides) == 2 else (sex_labels[sides[0]], "")
    colour = (
        alt.Color(
            "series:N",
            title=None,
            sort=list(series),
            scale=alt.Scale(
                domain=list(series),
                range=list(OKABE_ITO[3 : 3 + len(series)])
                if len(series) <= 2
                else list(OKABE_ITO[: len(series)]),
            ),
            legend=alt.Legend(orient="bottom"),
        )
        if len(series) > 1
        else alt.Color(
            "sex:N",
            title=None,
            scale=alt.Scale(domain=[left, right], range=[OKABE_ITO[0], OKABE_ITO[3]]),
            legend=alt.Legend(orient="bottom"),
        )
    )
    encoding: dict[str, Any] = {
        "y": alt.Y("age:N", title=age_label, sort=[label for _code, label in reversed(ages)]),
        "x": alt.X(
            "signed:Q",
            title=f"{left} \u2190 {value_label} \u2192 {right}",
            axis=alt.Axis(labelExpr="format(abs(datum.value), ',')"),
        ),
        "color": colour,
        "tooltip": [
            alt.Tooltip("age:N", title=age_label),
            alt.Tooltip("sex:N", title=_("Sex")),
            alt.Tooltip("series:N", title=_("Series")),
            alt.Tooltip("value:Q", title=value_label, format=",.2~f"),
        ],
    }
    if len(series) > 1:
        encoding["yOffset"] = alt.YOffset("series:N", sort=list(series))
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_bar()
        .encode(**encoding)
        .properties(width="container", height=_height(len(ages), max(1, len(series))), title=title)
    )
    extra = [label for code, label in sexes[2:] if any(x == code and v for _a, x, _s, v in rows)]
    left_out = (_("Not drawn, in the table only: %(sexes)s.") % {"sexes": ", ".join(extra)},) if extra else ()
    return Chart(key, title, summary, table, _spec(chart, values), (*notes, *left_out))


def bullet(
    *,
    key: str,
    title: str,
    summary: str,
    rows: Sequence[tuple[Cell, int | Decimal | None, int | Decimal | None, int | Decimal | None]],
    label: str,
    value_label: str,
    baseline_label: str,
    target_label: str,
    progress_label: str,
    notes: Sequence[str] = (),
) -> Chart:
    """Each indicator's value against its baseline and target. ``rows`` are (indicator, value, baseline,
    target). Indicators have different units, so the drawing puts every one on the same scale: progress
    from its baseline (0 %) to its target (100 %), which also serves targets below the baseline (fewer
    cases); a rule marks the target. An indicator without a value, a baseline or a target different from
    the baseline is in the table only, and a note says so. The table gives the figures as given."""
    table = Table(
        caption=title,
        columns=(label, value_label, baseline_label, target_label),
        rows=tuple(tuple(row) for row in rows),
    )
    values = []
    for name, value, baseline, target in rows:
        if value is None or baseline is None or target is None or target == baseline:
            continue
        progress = (Decimal(value) - Decimal(baseline)) / (Decimal(target) - Decimal(baseline)) * 100
        values.append(
            {
                "indicator": text(name),
                "progress": round(float(progress), 1),
                "value": number(value),
                "baseline": number(baseline),
                "target": number(target),
            }
        )
    spec = _filled(
        _bullet_spec(title, label, value_label, baseline_label, target_label, progress_label),
        height=_height(len(values)),
        rows=values,
    )
    skipped = len(rows) - len(values)
    left_out = (
        (
            _("%(count)s indicator(s) without a value, a baseline or a target are in the table only.")
            % {"count": skipped},
        )
        if skipped
        else ()
    )
    return Chart(key, title, summary, table, spec, (*notes, *left_out))


@lru_cache(maxsize=64)
def _bullet_spec(
    title: str, label: str, value_label: str, baseline_label: str, target_label: str, progress_label: str
) -> dict[str, Any]:
    y = alt.Y("indicator:N", title=None, sort=None, axis=alt.Axis(labelLimit=180))  # in the rows' order
    tooltip = [
        alt.Tooltip("indicator:N", title=label),
        alt.Tooltip("value:Q", title=value_label, format=",.2~f"),
        alt.Tooltip("baseline:Q", title=baseline_label, format=",.2~f"),
        alt.Tooltip("target:Q", title=target_label, format=",.2~f"),
        alt.Tooltip("progress:Q", title=progress_label, format=".1f"),
    ]
    base = alt.Chart(alt.NamedData(name="rows"))
    bars = base.mark_bar(color=OKABE_ITO[3], height=12).encode(
        y=y,
        x=alt.X("progress:Q", title=progress_label, scale=alt.Scale(domainMin=0, domainMax=100, nice=True)),
        tooltip=tooltip,
    )
    target = base.mark_tick(color=OKABE_ITO[7], thickness=2, size=18).encode(y=y, x=alt.datum(100))
    return _spec(alt.layer(bars, target).properties(width="container", title=title))


def timeline(
    *,
    key: str,
    title: str,
    summary: str,
    rows: Sequence[tuple[Cell, datetime.date, datetime.date, datetime.date, int]],
    period_label: str,
    start_label: str,
    end_label: str,
    due_label: str,
    overdue_label: str,
    today: datetime.date,
    notes: Sequence[str] = (),
) -> Chart:
    """The reporting periods on a time axis: each period a bar from its first to its last day, a tick at
    the date its reports are due, and the bar in vermillion with its count when reports are overdue.
    ``rows`` are (period, start, end, due date, overdue reports); a rule marks ``today``. The table gives
    the dates (ISO 8601) and the overdue count."""
    table = Table(
        caption=title,
        columns=(period_label, start_label, end_label, due_label, overdue_label),
        rows=tuple((p, s.isoformat(), e.isoformat(), d.isoformat(), n) for p, s, e, d, n in rows),
    )
    state_labels = {"overdue": _("Reports overdue"), "ok": _("Nothing overdue")}
    values = [
        {
            "period": text(p),
            "start": s.isoformat(),
            "end": (e + datetime.timedelta(days=1)).isoformat(),
            "due": d.isoformat(),
            "overdue": n,
            "state": state_labels["overdue" if n else "ok"],
        }
        for p, s, e, d, n in rows
    ]
    spec = _filled(
        _timeline_spec(title, period_label, start_label, due_label, overdue_label, *state_labels.values()),
        height=_height(len(values)),
        rows=values,
        today=[{"today": today.isoformat()}],
    )
    return Chart(key, title, summary, table, spec, tuple(notes))


@lru_cache(maxsize=64)
def _timeline_spec(
    title: str, period_label: str, start_label: str, due_label: str, overdue_label: str, overdue: str, ok: str
) -> dict[str, Any]:
    y = alt.Y("period:N", title=None, sort=None, axis=alt.Axis(labelLimit=140))  # in the rows' order
    base = alt.Chart(alt.NamedData(name="rows"))
    bars = base.mark_bar(height=14).encode(
        y=y,
        x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
        x2="end:T",
        color=alt.Color(
            "state:N",
            title=None,
            scale=alt.Scale(
                domain=[ok, overdue], range=[STATUS_COLOURS["closed"], STATUS_COLOURS["overdue"]]
            ),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("period:N", title=period_label),
            alt.Tooltip("start:T", title=start_label),
            alt.Tooltip("due:T", title=due_label),
            alt.Tooltip("overdue:Q", title=overdue_label),
        ],
    )
    due = base.mark_tick(color=OKABE_ITO[7], thickness=2, size=20).encode(y=y, x=alt.X("due:T"))
    now = (
        alt.Chart(alt.NamedData(name="today"))
        .mark_rule(color=OKABE_ITO[5], strokeDash=[4, 3])
        .encode(x="today:T")
    )
    return _spec(alt.layer(bars, due, now).properties(width="container", title=title))


def district_map(
    *,
    key: str,
    title: str,
    summary: str,
    rows: Sequence[tuple[Any, ...]],
    boundaries: str | Mapping[str, Any],
    district_label: str,
    value_label: str,
    attribution: str,
    extra_columns: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Chart:
    """A choropleth of districts: each district's figure coloured on a sequential scale (viridis), the
    districts without one in light grey. ``rows`` are (district code, its name or a Link, figure, then a
    cell for each of ``extra_columns``: the figure's parts, shown in the table only).
    ``boundaries`` is the boundaries' URL (pages: the browser fetches the file once and caches it) or the
    GeoJSON itself (print: vl-convert needs the geometry inline); every feature carries the district's
    code as ``properties.plan_code`` (two shapes may share one: a city and the rayon of its name). The
    attribution is the first note. The table has a row per row given: the name, the figure, the extra
    cells."""
    table = Table(
        caption=title,
        columns=(district_label, value_label, *extra_columns),
        rows=tuple(tuple(row[1:]) for row in rows),
    )
    figures = [{"code": code, "name": text(name), "value": number(v)} for code, name, v, *_extra in rows if v]
    url = boundaries if isinstance(boundaries, str) else None
    # Without a figure the map is the districts in grey alone (a colour scale of nothing reads "NaN").
    skeleton = _map_spec(title, district_label, value_label, url, bool(figures))
    datasets: dict[str, Any] = {"figures": figures} if figures else {}
    if url is None:
        datasets["districts"] = list(boundaries["features"])  # type: ignore[index]
    spec = _filled(skeleton, **datasets)
    return Chart(key, title, summary, table, spec, (attribution, *notes))


@lru_cache(maxsize=64)
def _map_spec(
    title: str, district_label: str, value_label: str, url: str | None, filled: bool
) -> dict[str, Any]:
    geo = (
        alt.Data(url=url, format=alt.DataFormat(type="json", property="features"))
        if url is not None
        else alt.NamedData(name="districts")  # the features, inline (print)
    )
    ground = (
        alt.Chart(geo).mark_geoshape(fill=NO_DATA, stroke="#FFFFFF", strokeWidth=0.5).project(type="mercator")
    )
    if not filled:
        return _spec(alt.layer(ground).properties(width="container", height=MAP_HEIGHT, title=title))
    coloured = (
        alt.Chart(geo)
        .mark_geoshape(stroke="#FFFFFF", strokeWidth=0.5)
        .transform_lookup(
            lookup="properties.plan_code",
            from_=alt.LookupData(alt.NamedData(name="figures"), key="code", fields=["name", "value"]),
        )
        .transform_filter(alt.FieldValidPredicate(field="value", valid=True))
        .encode(
            color=alt.Color(
                "value:Q",
                title=value_label,
                scale=alt.Scale(scheme="viridis", reverse=True, zero=True),
                legend=alt.Legend(orient="bottom", gradientLength=160),
            ),
            tooltip=[
                alt.Tooltip("name:N", title=district_label),
                alt.Tooltip("value:Q", title=value_label, format=",.2~f"),
            ],
        )
        .project(type="mercator")
    )
    return _spec(alt.layer(ground, coloured).properties(width="container", height=MAP_HEIGHT, title=title))


def render_svg(chart: Chart) -> str:
    """The chart as SVG, drawn by vl-convert (print: PDF and DOCX). The spec's data must be inline."""
    import vl_convert  # imported here: the engine starts on first use and pages never need it

    if chart.spec is None:
        raise ValueError("a chart without a spec has nothing to draw")
    return str(vl_convert.vegalite_to_svg(chart.spec))
