"""Each indicator against its baseline and target, where the plan gives them as numbers.

The plan file holds an indicator's baseline and target as text ("0", "250", but also "25%", "all
districts", "a law adopted"). A value counts as a number only when it is written as one, strictly: ASCII
digits with at most one decimal point ("250", "12.5"), nothing else around them but spaces. Everything
else is left out, and said so: ``IndicatorProgress.left_out`` lists each indicator that is not measured
and why (no baseline or target, one that is not a number, or an indicator whose reports give no figure).

What is **achieved** is the sum of the totals the counted reports (approved and published) give, period
by period and cumulated from the plan's first period up to the one chosen (else the last); the **share**
of the target reached is that cumulated sum divided by the target (None without a numeric target above
zero). The baseline is shown beside them, as the plan gives it; it is not added to what is achieved.

The sums are the database's: one ``GROUP BY`` over the figure rollups (``models.ReportFigureRollup``,
bounded by indicators x periods) where the viewer sees the whole plan, else over the totals of the
agency's own reports. Three queries whatever the number of reports (periods, indicators, sums).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from wpsnap.plan.models import Indicator, IndicatorKind, Plan
from wpsnap.reporting.disaggregation import TOTAL
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.workflow import COUNTED

from . import scope
from .models import ReportFigureRollup
from .results import rolled_up
from .scope import Viewer

# A number as a plan writes one: ASCII digits, at most one decimal point. "1,200", "25%", "1e3", "١٢",
# "about 40" are not numbers here: each could mean something else, and a wrong target misleads.
_NUMBER = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?", re.ASCII)
# The share of the target reached, to four decimal places (0.4567: 45.67 %).
SHARE_PLACES = Decimal("0.0001")


def number(text: str) -> Decimal | None:
    """``text`` as a number when it is written as one (see the module's docstring), else None."""
    stripped = text.strip()
    return Decimal(stripped) if _NUMBER.fullmatch(stripped) else None


def share(achieved: Decimal | None, target: Decimal | None) -> Decimal | None:
    """``achieved`` / ``target`` to four places, half up; None without an achievement or a target above 0."""
    if achieved is None or target is None or target <= 0:
        return None
    return (achieved / target).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


class LeftOutReason(StrEnum):
    NONE_GIVEN = "none_given"
    NOT_A_NUMBER = "not_a_number"
    NOT_A_COUNT = "not_a_count"


LEFT_OUT_LABELS = {
    LeftOutReason.NONE_GIVEN: _("The plan gives no baseline or target."),
    LeftOutReason.NOT_A_NUMBER: _("The plan's baseline and target are not numbers."),
    LeftOutReason.NOT_A_COUNT: _("Its reports give a text or a list, not a figure to add up."),
}


@dataclass(frozen=True)
class PeriodAchieved:
    period_id: int
    period: str  # the period's label
    # The sum of the counted reports' totals in the period; None when none gives one.
    achieved: Decimal | None
    # How many counted reports give a total.
    reports: int
    # The sum from the plan's first period up to this one; None while no period has given one.
    cumulative: Decimal | None


@dataclass(frozen=True)
class IndicatorAgainstTarget:
    indicator_id: int
    indicator: str  # the indicator's key
    text: str  # in the active language
    unit: str
    pillar_id: int
    priority_area_id: int
    activity: str | None  # its activity's key (None when the plan pairs it with none)
    # As the plan writes them, and as numbers (None where they are not numbers or not given).
    baseline_text: str
    target_text: str
    baseline: Decimal | None
    target: Decimal | None
    # From the plan's first period up to the period chosen (or every period), in order.
    periods: tuple[PeriodAchieved, ...]
    # The cumulated sum up to the period chosen (or over every period); None when no report gives one.
    achieved: Decimal | None
    # achieved / target, to four places; None without a numeric target above zero or an achievement.
    share: Decimal | None


@dataclass(frozen=True)
class LeftOut:
    indicator_id: int
    indicator: str  # the indicator's key
    baseline_text: str
    target_text: str
    reason: LeftOutReason


@dataclass(frozen=True)
class IndicatorProgress:
    plan: str  # the plan's slug
    # The period chosen; None for every period.
    period_id: int | None
    # The statuses of the reports whose totals are summed, sorted.
    counted: tuple[str, ...]
    # Indicators with a numeric baseline or target, in the plan's order.
    indicators: tuple[IndicatorAgainstTarget, ...]
    # The others, in the plan's order, each with the reason.
    left_out: tuple[LeftOut, ...]


def indicator_progress(
    viewer: Viewer,
    *,
    plan: Plan,
    period: ReportingPeriod | int | None = None,
    pillar: int | None = None,
    agency: int | None = None,
    statuses: Iterable[str] = COUNTED,
) -> IndicatorProgress:
    """Every indicator of ``plan`` (of ``pillar``, a pillar's id, when given) against its baseline and
    target, achieved by the reports of ``viewer``'s scope (of ``agency``, an organisation's id, when given)
    whose status is in ``statuses``, up to ``period`` (a period or its id; an id not of this plan gives
    no period). Three queries whatever the number of reports."""
    counted = tuple(sorted(str(s) for s in statuses))
    period_id = period.pk if isinstance(period, ReportingPeriod) else period
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    if period_id is not None:
        chosen = [p for p in periods if p.pk == period_id]
        periods = [p for p in periods if chosen and p.start <= chosen[0].start]
    indicators = Indicator.objects.filter(plan=plan)
    if pillar is not None:
        indicators = indicators.filter(priority_area__pillar_id=pillar)
    sums = _totals(viewer, plan, counted, [p.pk for p in periods], pillar, agency)
    measured, left_out = [], []
    for indicator in (
        indicators.select_related("priority_area", "activity")
        .order_by("priority_area__position", "position")
        .only(
            "id",
            "key",
            "kind",
            "text",
            "unit",
            "baseline",
            "target",
            "translations",
            "priority_area",
            "priority_area__pillar_id",
            "activity",
            "activity__key",
        )
    ):
        baseline, target = number(indicator.baseline), number(indicator.target)
        reason = None
        if not (indicator.baseline.strip() or indicator.target.strip()):
            reason = LeftOutReason.NONE_GIVEN
        elif baseline is None and target is None:
            reason = LeftOutReason.NOT_A_NUMBER
        elif indicator.kind != IndicatorKind.COUNT:
            reason = LeftOutReason.NOT_A_COUNT
        if reason is not None:
            left_out.append(
                LeftOut(indicator.pk, indicator.key, indicator.baseline, indicator.target, reason)
            )
            continue
        rows, cumulative = [], None
        for p in periods:
            achieved, given = sums.get((indicator.pk, p.pk), (None, 0))
            if achieved is not None:
                cumulative = achieved + (cumulative or 0)
            rows.append(PeriodAchieved(p.pk, p.label, achieved, given, cumulative))
        measured.append(
            IndicatorAgainstTarget(
                indicator_id=indicator.pk,
                indicator=indicator.key,
                text=indicator.tr("text"),
                unit=indicator.unit,
                pillar_id=indicator.priority_area.pillar_id,
                priority_area_id=indicator.priority_area_id,
                activity=indicator.activity.key if indicator.activity is not None else None,
                baseline_text=indicator.baseline,
                target_text=indicator.target,
                baseline=baseline,
                target=target,
                periods=tuple(rows),
                achieved=cumulative,
                share=share(cumulative, target),
            )
        )
    return IndicatorProgress(plan.slug, period_id, counted, tuple(measured), tuple(left_out))


def _totals(
    viewer: Viewer,
    plan: Plan,
    counted: tuple[str, ...],
    periods: list[int],
    pillar: int | None,
    agency: int | None,
) -> dict[tuple[int, int], tuple[Decimal, int]]:
    """{(indicator id, period id): (sum of the totals, reports giving one)} over the reports ``viewer``
    sees (of ``agency``, of indicators of ``pillar``) whose status is in ``counted``, in ``periods``. From
    the figure rollups where the viewer sees the whole plan and no agency narrows it (a read bounded by
    indicators x periods, whatever the number of reports); else from the reports' side, one join to
    their figures, bounded by the agency's reports."""
    rolled = rolled_up(viewer, counted, agency)
    rows: QuerySet[Any, Any]
    if rolled is not None:
        rollups = ReportFigureRollup.objects.filter(
            plan=plan, status__in=rolled, cell=TOTAL, period_id__in=periods
        )
        if pillar is not None:
            rollups = rollups.filter(indicator__priority_area__pillar_id=pillar)
        rows = rollups.values_list("indicator_id", "period_id").annotate(
            value=Sum("value"), given=Sum("reports")
        )
    else:
        # The figures' conditions in one filter(): one join to them, which the sums reuse.
        figures: dict[str, object] = {"values__cell": TOTAL}
        if pillar is not None:
            figures["values__indicator__priority_area__pillar_id"] = pillar
        reports = scope.reports(viewer).filter(plan=plan, status__in=counted, period__in=periods, **figures)
        if agency is not None:
            reports = reports.filter(agency_id=agency)
        rows = reports.values_list("values__indicator_id", "period_id").annotate(
            value=Sum("values__value"), given=Count("values__id")
        )
    return {
        (indicator_id, period_id): (value, given) for indicator_id, period_id, value, given in rows.order_by()
    }
