"""What an annual progress report or an end-of-plan review holds, as plain frozen dataclasses that the
renderers (HTML, PDF, DOCX) lay out, and the parts both versions read alike: the plan's structure and the
disaggregation's labels (models only, never analytics' selectors: ``wpsnap.exports.public_report`` builds
the same content from publishing, and may import this module but nothing that reads analytics).

Figures arrive here already formatted as text (numbers grouped for the language, a suppressed public
figure as its mark), so the renderers never decide what a figure shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import product
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from wpsnap.core.charts import Chart
from wpsnap.plan.models import Activity, Assignment, Indicator, IndicatorKind, Pillar, Plan, PriorityArea
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key
from wpsnap.reporting.models import Dimension, ReportingPeriod

FORMATS = ("html", "pdf", "docx")
LANGUAGES = ("az", "en", "ru")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# --- the content -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextTable:
    """A table as the reader sees it: every cell already text. ``header_rows`` of ``rows`` are headings."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Column widths as shares of the table's width (they sum to 1); () for equal widths.
    widths: tuple[float, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def cells(self) -> tuple[tuple[tuple[str, bool], ...], ...]:
        """Each row's cells with whether it is a figure (set right-aligned)."""
        return tuple(tuple((cell, _is_figure(cell)) for cell in row) for row in self.rows)


def _is_figure(text: str) -> bool:
    return bool(text) and all(ch.isdigit() or ch in " \u00a0\u202f.,%\u2013\u00d7-" for ch in text)


@dataclass(frozen=True)
class Figure:
    """A chart drawn for print: its title, summary sentence, table and Vega-Lite spec (``core.charts``)."""

    chart: Chart

    @property
    def title(self) -> str:
        return self.chart.title

    @property
    def summary(self) -> str:
        return self.chart.summary


@dataclass(frozen=True)
class IndicatorBlock:
    """A count indicator: its totals period by period and its disaggregated tables."""

    key: str
    number: str  # the activity's published number, or the priority area's code
    text: str
    unit: str
    baseline: str
    target: str
    totals: TextTable  # a row per period: the period, the total, how many reports give it
    tables: tuple[TextTable, ...]  # sex x age (or whatever the breakdown is), per period or summed
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActivityBlock:
    key: str
    code: str
    text: str
    years: str  # the years it runs, as the plan says
    agencies: tuple[str, ...]  # by name, as the plan assigns them
    status: str | None  # its status at the end of the report's years (None: not told, the public report)
    status_code: str | None
    statuses: TextTable | None  # period by period: its status, its indicators (review; None in public)
    indicators: TextTable | None  # its count indicators' totals period by period (review)
    note: str  # the coordinator's note on it ("activity:<key>"), or ""


@dataclass(frozen=True)
class PillarBlock:
    key: str
    number: str
    title: str
    objective: str
    note: str  # the coordinator's note on it ("pillar:<key>"), or ""
    status_counts: tuple[tuple[str, str, int], ...]  # (status code, label, activities); () when not told
    activities: tuple[ActivityBlock, ...]
    activity_table: TextTable | None  # the annual report's table of activities and their status
    indicators: tuple[IndicatorBlock, ...]


@dataclass(frozen=True)
class Report:
    plan_slug: str
    plan_title: str
    language: str
    first_year: int
    last_year: int
    public: bool
    built_on: str  # the date, formatted for the language
    title: str
    kind: str  # "annual" | "review"
    version_label: str  # "Internal version" / "Public version"
    about: tuple[str, ...]  # where the figures come from, what is left out
    summary: str  # the coordinator's narrative
    status_summary: TextTable | None  # activities by status (None in the public report)
    status_chart: Figure | None
    pillars: tuple[PillarBlock, ...]
    charts: tuple[Figure, ...]  # figures beside the tables (people reached, progress against targets)
    financing: TextTable | None
    financing_chart: Figure | None
    challenges: str
    conclusions: str
    recommendations: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_review(self) -> bool:
        return self.kind == "review"

    @property
    def years_label(self) -> str:
        return years_label(self.first_year, self.last_year)


# --- shared helpers ----------------------------------------------------------------------------------


def years_label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}\N{EN DASH}{last}"


def amount(value: Decimal | int | None) -> str:
    """A figure as a person reads it in the active language: grouped digits, no trailing zeros; a dash
    for nothing reported."""
    if value is None:
        return "\N{EN DASH}"
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    return number_format(value, use_l10n=True, force_grouping=True)


def built_on(today: date) -> str:
    return date_format(today, "DATE_FORMAT", use_l10n=True)


def paragraphs(text: str) -> tuple[str, ...]:
    """Plain text as its paragraphs (separated by blank lines), each with its lines joined."""
    blocks = [" ".join(line.strip() for line in block.splitlines()).strip() for block in text.split("\n\n")]
    return tuple(block for block in blocks if block)


def file_name(plan: Plan, first_year: int, last_year: int, *, public: bool, language: str, fmt: str) -> str:
    kind = "annual-report" if first_year == last_year else "review"
    years = str(first_year) if first_year == last_year else f"{first_year}-{last_year}"
    version = "public" if public else "internal"
    return f"wpsnap-{plan.slug}-{kind}-{years}-{version}-{language}.{fmt}"


@dataclass(frozen=True)
class Structure:
    """The plan's structure as the report reads it: five queries whatever the data."""

    plan: Plan
    periods: tuple[ReportingPeriod, ...]  # those whose first day falls in the report's years
    pillars: tuple[Pillar, ...]
    areas: dict[int, PriorityArea]
    activities: tuple[Activity, ...]  # in the plan's order
    indicators: tuple[Indicator, ...]  # count indicators, in the plan's order
    agencies: dict[int, tuple[str, ...]]  # activity id -> its agencies' names, as the plan assigns them
    dimensions: dict[str, tuple[str, dict[str, str]]]  # code -> (its name, {option code: name})
    option_order: dict[tuple[str, str], int]

    def activities_of(self, pillar: Pillar) -> list[Activity]:
        return [a for a in self.activities if self.areas[a.priority_area_id].pillar_id == pillar.pk]

    def indicators_of(self, pillar: Pillar) -> list[Indicator]:
        return [i for i in self.indicators if self.areas[i.priority_area_id].pillar_id == pillar.pk]

    def indicators_of_activity(self, activity: Activity) -> list[Indicator]:
        return [i for i in self.indicators if i.activity_id == activity.pk]

    def number_of(self, indicator: Indicator) -> str:
        activity = next((a for a in self.activities if a.pk == indicator.activity_id), None)
        if activity is not None and activity.code:
            return activity.code
        return self.areas[indicator.priority_area_id].code

    def runs_in(self, activity: Activity, year: int) -> bool:
        area = self.areas[activity.priority_area_id]
        start = activity.start_year if activity.start_year is not None else area.start_year
        end = activity.end_year if activity.end_year is not None else area.end_year
        return start is None or end is None or start <= year <= end

    def years_of(self, activity: Activity) -> str:
        if activity.start_year is not None:
            return activity.period_label
        return self.areas[activity.priority_area_id].period_label

    def cell_label(self, cell: str) -> str:
        if cell == TOTAL:
            return _("Total")
        return ", ".join(self.option_label(d, o) for d, o in parse_cell_key(cell))

    def option_label(self, dimension: str, option: str) -> str:
        return self.dimensions.get(dimension, (dimension, {}))[1].get(option, option)

    def dimension_label(self, dimension: str) -> str:
        return self.dimensions.get(dimension, (dimension, {}))[0]


def structure(plan: Plan, first_year: int, last_year: int) -> Structure:
    """The plan's periods in the years, pillars and objectives, priority areas, activities, count
    indicators, assignments and dimensions, in the active language. Eight queries."""
    periods = tuple(
        p
        for p in ReportingPeriod.objects.filter(plan=plan).order_by("start")
        if first_year <= p.start.year <= last_year
    )
    pillars = tuple(Pillar.objects.filter(plan=plan).select_related("objective").order_by("position"))
    areas = {a.pk: a for a in PriorityArea.objects.filter(plan=plan).order_by("position")}
    activities = tuple(Activity.objects.filter(plan=plan).order_by("priority_area__position", "position"))
    indicators = tuple(
        Indicator.objects.filter(plan=plan, kind=IndicatorKind.COUNT).order_by(
            "priority_area__position", "position"
        )
    )
    by_area: dict[int, list[str]] = defaultdict(list)
    by_activity: dict[int, list[str]] = defaultdict(list)
    for assignment in (
        Assignment.objects.filter(plan=plan).select_related("agency").order_by("position", "pk")
    ):
        name = assignment.agency.short_name or assignment.agency.name
        target = (
            by_activity[assignment.activity_id]
            if assignment.activity_id
            else by_area[assignment.priority_area_id]
        )
        if name not in target:
            target.append(name)
    agencies = {
        a.pk: tuple(by_activity.get(a.pk) or by_area.get(a.priority_area_id) or ()) for a in activities
    }
    dimensions: dict[str, tuple[str, dict[str, str]]] = {}
    order: dict[tuple[str, str], int] = {}
    for dimension in Dimension.objects.filter(plan=plan).prefetch_related("options"):
        options = {}
        for option in dimension.options.all():
            options[option.code] = str(option.tr("name"))
            order[(dimension.code, option.code)] = option.position
        dimensions[dimension.code] = (str(dimension.tr("name")), options)
    return Structure(plan, periods, pillars, areas, activities, indicators, agencies, dimensions, order)


def crosstab(
    s: Structure,
    *,
    caption: str,
    dimensions: Sequence[tuple[str, Sequence[str]]],
    values: Mapping[str, str],
    notes: Iterable[str] = (),
) -> TextTable | None:
    """A table of one indicator's cells (``values``: cell key -> text, margins included where known):
    the first dimension across (its options, then the total), every combination of the others down (then
    their total). None without a dimension."""
    if not dimensions:
        return None
    (across, across_options), *down = dimensions
    columns = ("", *(s.option_label(across, o) for o in across_options), _("Total"))
    down_rows: list[tuple[tuple[str, str | None], ...]] = [
        tuple(zip([d for d, _o in down], combo, strict=True))
        for combo in product(*([*opts, None] for _d, opts in down))
    ]
    rows = []
    for pairs in down_rows:
        fixed = [(d, o) for d, o in pairs if o is not None]
        label = ", ".join(s.option_label(d, o) for d, o in fixed) or _("Total")
        cells = []
        for option in [*across_options, None]:
            key_pairs = sorted([*fixed, *([(across, option)] if option is not None else [])])
            key = "|".join(f"{d}:{o}" for d, o in _in_order(key_pairs, dimensions))
            cells.append(values.get(key, "\N{EN DASH}"))
        rows.append((label, *cells))
    return TextTable(caption, columns, tuple(rows), notes=tuple(notes))


def _in_order(
    pairs: Iterable[tuple[str, str]], dimensions: Sequence[tuple[str, Any]]
) -> list[tuple[str, str]]:
    """Cell keys name their dimensions in the breakdown's order (``reporting.disaggregation.cell_key``)."""
    rank = {d: i for i, (d, _o) in enumerate(dimensions)}
    return sorted(pairs, key=lambda pair: rank.get(pair[0], len(rank)))


# --- what both versions frame alike ------------------------------------------------------------------

# Activity statuses (``analytics.status.ActivityStatus`` codes), in the order the report lists them.
STATUS_ORDER = (
    "completed",
    "in_progress",
    "delayed",
    "not_started",
    "not_reported",
    "cancelled",
    "no_agency",
)


def status_label(code: str) -> str:
    labels = {
        "completed": _("Completed"),
        "in_progress": _("In progress"),
        "delayed": _("Delayed"),
        "not_started": _("Not started"),
        "not_reported": _("Not reported"),
        "cancelled": _("Cancelled"),
        "no_agency": _("No agency"),
    }
    return str(labels.get(code, code))


def report_title(plan: Plan, first_year: int, last_year: int) -> str:
    if first_year == last_year:
        return _("Annual progress report %(year)d") % {"year": first_year}
    return _("End-of-plan review %(years)s") % {"years": years_label(first_year, last_year)}


def frame(
    s: Structure,
    *,
    first_year: int,
    last_year: int,
    language: str,
    public: bool,
    about: Sequence[str],
    narratives: Mapping[str, str],
    pillars: tuple[PillarBlock, ...],
    status_summary: TextTable | None = None,
    status_chart: Figure | None = None,
    charts: tuple[Figure, ...] = (),
    financing: TextTable | None = None,
    financing_chart: Figure | None = None,
    today: date | None = None,
) -> Report:
    """The report around its content: title, date, version and the coordinator's narratives."""
    return Report(
        plan_slug=s.plan.slug,
        plan_title=str(s.plan.tr("title")),
        language=language,
        first_year=first_year,
        last_year=last_year,
        public=public,
        built_on=built_on(today or timezone.localdate()),
        title=report_title(s.plan, first_year, last_year),
        kind="annual" if first_year == last_year else "review",
        version_label=_("Public version") if public else _("Internal version"),
        about=tuple(about),
        summary=narratives.get("summary", ""),
        status_summary=status_summary,
        status_chart=status_chart,
        pillars=pillars,
        charts=charts,
        financing=financing,
        financing_chart=financing_chart,
        challenges=narratives.get("challenges", ""),
        conclusions=narratives.get("conclusions", ""),
        recommendations=narratives.get("recommendations", ""),
    )
