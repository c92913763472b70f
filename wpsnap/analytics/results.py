"""Results by indicator x period x cell: the sums of the figures agencies reported, over the reports
whose status counts (approved and published, ``reporting.workflow.COUNTED``, unless asked otherwise).

Three queries whatever the number of reports (periods, indicators, and one ``GROUP BY`` that the database
sums); anonymous viewers get every indicator and period with no figures. Viewers who see the whole plan
(coordinators, evaluators, ``PUBLIC``'s published reports) read the rollups (``rollups.py``), bounded by
indicators x periods x cells; an agency's people read their own agency's figures, bounded by one agency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from wpsnap.plan.models import Indicator, Plan
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.workflow import COUNTED, Status

from . import scope
from .models import ReportFigureRollup
from .scope import Viewer


@dataclass(frozen=True)
class CellSum:
    """One cell's sum ("sex:women|age:18-24"); never the total, which its period carries."""

    cell: str
    value: Decimal

    @property
    def cell_options(self) -> dict[str, str]:
        return dict(parse_cell_key(self.cell))


@dataclass(frozen=True)
class PeriodResult:
    period_id: int
    period: str  # the period's label
    # How many counted reports give a total.
    reports: int
    # None when no counted report gives one.
    total: Decimal | None
    # In the order of their keys.
    cells: tuple[CellSum, ...]


@dataclass(frozen=True)
class IndicatorResult:
    indicator_id: int
    indicator: str  # the indicator's key
    kind: str
    # Every period of the plan, in order.
    periods: tuple[PeriodResult, ...]


@dataclass(frozen=True)
class PlanResults:
    plan: str  # the plan's slug
    # The statuses whose reports are summed, sorted.
    counted: tuple[str, ...]
    # Every indicator of the plan, in the plan's order.
    indicators: tuple[IndicatorResult, ...]


def results(viewer: Viewer, *, plan: Plan, statuses: Iterable[str] = COUNTED) -> PlanResults:
    """Every indicator of ``plan`` by every period: totals and cells summed over the reports ``viewer``
    may see whose status is in ``statuses``. ``plan`` is one the caller found through
    ``plans_visible_to``."""
    counted = tuple(sorted(str(s) for s in statuses))
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .order_by("priority_area__position", "position")
        .only("id", "key", "kind")
    )
    sums = _sums(viewer, plan, counted)
    totals: dict[tuple[int, int], tuple[Decimal, int]] = {}
    cells: dict[tuple[int, int], list[CellSum]] = defaultdict(list)
    for indicator_id, period_id, cell, value, reports in sums:
        if cell == TOTAL:
            totals[(indicator_id, period_id)] = (value, reports)
        else:
            cells[(indicator_id, period_id)].append(CellSum(cell, value))
    listed = []
    for indicator in indicators:
        rows = []
        for period in periods:
            total, reports = totals.get((indicator.pk, period.pk), (None, 0))
            found = sorted(cells.get((indicator.pk, period.pk), ()), key=lambda c: c.cell)
            rows.append(PeriodResult(period.pk, period.label, reports, total, tuple(found)))
        listed.append(IndicatorResult(indicator.pk, indicator.key, indicator.kind, tuple(rows)))
    return PlanResults(plan.slug, counted, tuple(listed))


def _sums(viewer: Viewer, plan: Plan, counted: tuple[str, ...]) -> QuerySet[Any, Any]:
    """(indicator id, period id, cell, sum, reports) of the figures ``viewer`` sees in reports whose status
    is in ``counted``."""
    rolled = rolled_up(viewer, counted)
    if rolled is not None:
        return (
            ReportFigureRollup.objects.filter(plan=plan, status__in=rolled)
            .values_list("indicator_id", "period_id", "cell")
            .annotate(value=Sum("value"), reports=Sum("reports"))
            .order_by()
        )
    # From the reports' side: one join to their figures. (Figures filtered by ``report__in=`` the scope
    # join the reports twice, once for the scope and once for the period: a fifth slower on PostgreSQL.)
    return (
        scope.reports(viewer)
        .filter(plan=plan, status__in=counted, values__isnull=False)
        .values_list("values__indicator_id", "period_id", "values__cell")
        .annotate(value=Sum("values__value"), reports=Count("values__id"))
        .order_by()
    )


def rolled_up(viewer: Viewer, statuses: Iterable[str], agency: int | None = None) -> list[str] | None:
    """The statuses to read from the figure rollups when ``viewer`` sees the whole plan's reports in
    ``statuses`` (coordinators and evaluators; ``PUBLIC`` the published ones) and no ``agency`` narrows
    them; None when the rollups cannot answer (an agency's viewer or filter, a status that does not
    count), and the base tables, bounded by one agency or by the statuses asked, are read instead."""
    wanted = {str(s) for s in statuses}
    if agency is not None or not wanted <= COUNTED or scope.agencies(viewer) is not None:
        return None
    if scope.is_public(viewer):
        wanted &= {Status.PUBLISHED}
    return sorted(wanted)


def last_published(viewer: Viewer, *, plan: Plan) -> datetime | None:
    """When the latest of ``plan``'s published reports that ``viewer`` sees was published (what a public
    page gives as "last updated"); None when none is. One query."""
    latest: datetime | None = (
        scope.reports(viewer)
        .filter(plan=plan, status=Status.PUBLISHED)
        .aggregate(latest=Max("published_at"))["latest"]
    )
    return latest
