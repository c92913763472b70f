"""The route of every figure to the public: ``public_results`` takes the read model's results as the
public may see them (``analytics.results`` with ``scope.PUBLIC``: published reports only) and returns them
through disclosure control (``disclosure.protect``). Public pages, the static site, open data and IATI take
their figures from here and from nowhere else (docs/disclosure.md, "The route"; a test holds every other
module to it).

Per count indicator and period, one family of one table: the breakdown's dimensions and options with every
margin, built from the one cell shape. Counts of people (every count indicator unless the plan file says
``counts_people: false``) are protected: below the threshold suppressed, with complementary suppression
against the table's sums and the previous release's unchanged figures, unless the coordinator marked the
indicator as public statistics. Counts of things are published as reported. Qualitative and document
indicators' answers are not figures and do not pass here: text may name people, and nothing publishes it
yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from wpsnap.accounts.permissions import can
from wpsnap.analytics.results import PeriodResult, last_published, results
from wpsnap.analytics.scope import PUBLIC
from wpsnap.plan.models import Indicator, IndicatorKind, Plan
from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec, parse_cell_key
from wpsnap.reporting.selectors import indicator_specs

from .disclosure import (
    Cell,
    Family,
    Shown,
    cell_from_key,
    default_threshold,
    protect,
    table_from_values,
)
from .models import Release, figures_published

# Why a figure is not shown, beside disclosure's reasons: the period's figures could not be protected
# (a count that is not a whole number), so none of them is published.
WITHHELD = "withheld"

_TABLE = "reported"

# A table's dimensions: (dimension code, its option codes in order), in the table's order.
Dimensions = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class PublicFigure:
    """One figure as the public may see it: its value, or None when suppressed.

    ``reason`` says why (``small``, ``complementary``, ``withheld``) or that it is public statistics
    (``public``); None for a figure published as it is. It is for the coordinator's view and the audit: a
    public page shows every suppressed figure with one and the same mark (docs/disclosure.md, "What a
    reader sees")."""

    cell: str  # "" the total, "sex:women" a margin, "sex:women|age:18-24" an inner cell
    value: Decimal | None
    reason: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class PublicPeriod:
    period_id: int
    period: str  # the period's label
    # How many published reports give a total.
    reports: int
    # The table's dimensions and options; () when only a total is published.
    dimensions: Dimensions
    # None when no published report gives a figure.
    total: PublicFigure | None
    # Every other figure of the table: inner cells and margins, options in their order and each
    # dimension's margin after its options (``disclosure.Table.lattice``).
    cells: tuple[PublicFigure, ...]
    # True when the published reports' cells do not make one table (reports under breakdowns with other
    # dimensions, from before a breakdown changed): only the total is published.
    cells_withheld: bool = False
    # Small figures an earlier release published unprotected and that have not changed: suppressed now,
    # but known (``disclosure.Release.exposed``). Empty when every release came from here.
    exposed: tuple[str, ...] = ()

    def figure(self, cell: str) -> PublicFigure | None:
        if cell == TOTAL:
            return self.total
        return next((figure for figure in self.cells if figure.cell == cell), None)

    def figures(self) -> tuple[PublicFigure, ...]:
        """The total (when there is one) and every other figure."""
        return ((self.total,) if self.total is not None else ()) + self.cells


@dataclass(frozen=True)
class PublicIndicator:
    indicator_id: int
    indicator: str  # the indicator's key
    counts_people: bool
    public_statistics: bool
    # Every period of the plan, in order.
    periods: tuple[PublicPeriod, ...]


@dataclass(frozen=True)
class PublicResults:
    plan: str  # the plan's slug
    threshold: int
    # When the latest published report was published; None when none is.
    last_updated: datetime | None
    # Every count indicator of the plan, in the plan's order.
    indicators: tuple[PublicIndicator, ...]

    def published(self) -> dict[tuple[str, int], dict[str, Decimal]]:
        """What this release shows, by (indicator key, period id), each a ``{cell: value}``: the
        figures the public knows from it (the next release takes the whole object as ``previous``)."""
        return {
            (indicator.indicator, period.period_id): {
                figure.cell: figure.value for figure in period.figures() if figure.value is not None
            }
            for indicator in self.indicators
            for period in indicator.periods
        }


def public_results(
    plan: Plan, *, previous: PublicResults | None = None, threshold: int | None = None
) -> PublicResults:
    """Every count indicator of ``plan`` by every period, as the public may see it: the figures of
    published reports summed by the read model, each indicator-period's table protected by disclosure
    control with ``threshold`` (default ``WPSNAP_DISCLOSURE_THRESHOLD``), holding what ``previous`` (the
    release before this one; by default the plan's latest stored release, ``releases.latest_release``)
    published as known. A plan the public may not see (a draft) gives nothing. Nine queries whatever the
    plan's size (eight with ``previous`` given)."""
    threshold = default_threshold() if threshold is None else threshold
    if threshold < 1:
        raise ValueError(f"the disclosure threshold must be at least 1, not {threshold}")
    if not can(PUBLIC, "plan.view", plan):
        return PublicResults(plan.slug, threshold, None, ())
    figures = results(PUBLIC, plan=plan)
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(plan=plan, kind=IndicatorKind.COUNT).only(
            "id", "key", "counts_people", "public_statistics"
        )
    }
    specs = indicator_specs(list(indicators.values()))
    # What the last release showed is known to the public: the live outputs and the next release hold it
    # as such (docs/disclosure.md, "The previous release"). One query.
    known = previous.published() if previous is not None else latest_published(plan)
    listed = []
    for result in figures.indicators:
        indicator = indicators.get(result.indicator_id)
        if indicator is None:  # qualitative and document indicators: answers, not figures
            continue
        spec = specs[indicator.pk][1]
        periods = tuple(
            _period(
                period,
                spec=spec,
                indicator=indicator,
                previous=known.get((indicator.key, period.period_id), {}),
                threshold=threshold,
            )
            for period in result.periods
        )
        listed.append(
            PublicIndicator(
                indicator.pk, indicator.key, indicator.counts_people, indicator.public_statistics, periods
            )
        )
    return PublicResults(plan.slug, threshold, last_published(PUBLIC, plan=plan), tuple(listed))


def latest_published(plan: Plan) -> dict[tuple[str, int], dict[str, Decimal]]:
    """The figures the plan's latest release showed (``releases``), as ``PublicResults.published()``
    gives them; nothing before the first release. One query."""
    figures = Release.objects.filter(plan=plan).order_by("-number").values_list("figures", flat=True).first()
    return figures_published(figures) if figures else {}


def _period(
    period: PeriodResult,
    *,
    spec: BreakdownSpec,
    indicator: Indicator,
    previous: Mapping[str, Decimal],
    threshold: int,
) -> PublicPeriod:
    values = {cell.cell: cell.value for cell in period.cells}
    if period.total is not None:
        values[TOTAL] = period.total
    dimensions = table_dimensions(spec, values)
    withheld_cells = dimensions is None
    if dimensions is None:
        # Cells of several breakdowns do not add up to one table: the total alone (summed over every
        # report, whatever its breakdown) is still one figure of one population.
        dimensions = ()
        values = {TOTAL: period.total} if period.total is not None else {}
    if not values:
        return PublicPeriod(period.period_id, period.period, period.reports, (), None, (), withheld_cells)
    if any(value != value.to_integral_value() for value in values.values()):
        # Never on data that passed review (counts are whole numbers to be submitted); a figure that is
        # not a count cannot be protected as one, so none of the period's figures goes out.
        keys = [TOTAL, *sorted(key for key in values if key != TOTAL)]
        hidden = tuple(PublicFigure(key, None, WITHHELD) for key in keys)
        return PublicPeriod(
            period.period_id, period.period, period.reports, dimensions, hidden[0], hidden[1:], withheld_cells
        )
    table = table_from_values(_TABLE, {key: int(value) for key, value in values.items()}, dimensions)
    exposed: tuple[str, ...] = ()
    if indicator.counts_people:
        family = Family(
            tables=(table,),
            previous=_known(previous, table.dimensions, table.cells),
            public_statistics=indicator.public_statistics,
        )
        release = protect(family, threshold=threshold)
        shown = release.tables[0].shown
        exposed = tuple(table.key(cell) for _name, cell in release.exposed)
    else:
        shown = {cell: Shown(value) for cell, value in table.cells.items()}
    figures = [_figure(table.key(cell), shown[cell]) for cell in table.lattice()]
    # The lattice ends with the grand total.
    return PublicPeriod(
        period.period_id,
        period.period,
        period.reports,
        dimensions,
        figures[-1],
        tuple(figures[:-1]),
        withheld_cells,
        exposed,
    )


def _figure(key: str, shown: Shown) -> PublicFigure:
    value = None if shown.value is None else Decimal(shown.value)
    return PublicFigure(key, value, None if shown.reason is None else str(shown.reason))


def table_dimensions(spec: BreakdownSpec, cells: Iterable[str]) -> Dimensions | None:
    """The dimensions and options of the table that ``cells`` (keys in the one cell shape) fill: those of
    the indicator's breakdown ``spec``, in its order, with any option a report used that the breakdown no
    longer has after its own. () when no cell is given (a total only); None when the cells do not make one
    table (reports under breakdowns of different dimensions)."""
    shapes: set[frozenset[str]] = set()
    used: dict[str, set[str]] = {}
    for key in cells:
        if key == TOTAL:
            continue
        pairs = parse_cell_key(key)
        shapes.add(frozenset(dimension for dimension, _option in pairs))
        for dimension, option in pairs:
            used.setdefault(dimension, set()).add(option)
    if not shapes:
        return ()
    if len(shapes) > 1:
        return None
    (shape,) = shapes
    known = {dimension.code: tuple(o.code for o in dimension.options) for dimension in spec.dimensions}
    order = [code for code in known if code in shape] + sorted(shape - set(known))
    return tuple(
        (code, known.get(code, ()) + tuple(sorted(used[code] - set(known.get(code, ()))))) for code in order
    )


def _known(
    previous: Mapping[str, Decimal], dimensions: tuple[str, ...], cells: Mapping[Cell, int]
) -> dict[tuple[str, Cell], int]:
    """The previous release's figures of this table. One it published that this table does not have (its
    breakdown has changed since) cannot be related to today's figures and is left out (docs/disclosure.md,
    "The route")."""
    known: dict[tuple[str, Cell], int] = {}
    for key, value in previous.items():
        try:
            cell = cell_from_key(key, dimensions)
        except ValueError:
            continue
        if cell in cells and value == value.to_integral_value():
            known[(_TABLE, cell)] = int(value)
    return known
