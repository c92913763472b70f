"""Financing planned and spent by source (``FinancingLine``, in the plan's currency), per pillar or activity
and year, summed by the database over the reports that count (approved and published): from the financing
rollups (``models.FinancingRollup``, kept by ``rollups.py``) where the viewer sees the whole plan and no
agency narrows it, else from the lines of the reports in the viewer's scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.db.models import Count, Sum

from wpsnap.plan.models import Activity, Pillar, Plan
from wpsnap.reporting.models import FinancingLine, FundingSource, ReportingPeriod
from wpsnap.reporting.workflow import COUNTED

from . import scope
from .models import FinancingRollup
from .results import rolled_up
from .scope import Viewer


@dataclass(frozen=True)
class Financing:
    pillar_id: int
    pillar: str  # the pillar's key
    # None in the figures by pillar.
    activity_id: int | None
    activity: str | None  # the activity's key
    year: int  # of the period's first day
    source: str  # a FundingSource value
    # Sums of the amounts given; None when no report gives one.
    planned: Decimal | None
    spent: Decimal | None
    # How many reports' lines are summed.
    lines: int


def financing(
    viewer: Viewer,
    *,
    plan: Plan,
    by: Literal["pillar", "activity"] = "activity",
    statuses: Iterable[str] = COUNTED,
    period: ReportingPeriod | int | None = None,
    pillar: int | None = None,
    agency: int | None = None,
) -> tuple[Financing, ...]:
    """Money planned and spent on ``plan`` by source, per activity (or pillar, ``by``) and year, over the
    reports of ``viewer``'s scope whose status is in ``statuses``: in the plan's order, then year and
    source. ``period`` (a period or its id), ``pillar`` (a pillar's id) and ``agency`` (an organisation's
    id) narrow the reports summed. Three queries whatever the number of reports."""
    period_id = getattr(period, "pk", period)
    rolled = rolled_up(viewer, statuses, agency)
    if rolled is not None:
        # The whole plan's financing from the rollups: bounded by activities x periods x sources.
        rollups = FinancingRollup.objects.filter(plan=plan, status__in=rolled)
        if period_id is not None:
            rollups = rollups.filter(period_id=period_id)
        if pillar is not None:
            rollups = rollups.filter(activity__priority_area__pillar_id=pillar)
        keys = ["activity__priority_area__pillar_id"]
        if by == "activity":
            keys.append("activity_id")
        sums = list(
            rollups.values_list(*keys, "period__start__year", "source")
            .annotate(planned=Sum("planned"), spent=Sum("spent"), lines=Sum("lines"))
            .order_by()
        )
    else:
        reports = scope.reports(viewer).filter(plan=plan, status__in=sorted(str(s) for s in statuses))
        if period_id is not None:
            reports = reports.filter(period_id=period_id)
        if pillar is not None:
            reports = reports.filter(activity__priority_area__pillar_id=pillar)
        if agency is not None:
            reports = reports.filter(agency_id=agency)
        keys = ["report__activity__priority_area__pillar_id"]
        if by == "activity":
            keys.append("report__activity_id")
        sums = list(
            FinancingLine.objects.filter(report__in=reports)
            .values_list(*keys, "report__period__start__year", "source")
            .annotate(planned=Sum("planned"), spent=Sum("spent"), lines=Count("id"))
            .order_by()
        )
    if not sums:
        return ()
    pillars = {p.pk: p for p in Pillar.objects.filter(plan=plan)}
    activities = {}
    if by == "activity":
        activities = {
            a.pk: (position, a)
            for position, a in enumerate(
                Activity.objects.filter(plan=plan).order_by("priority_area__position", "position")
            )
        }
    sources = {s: position for position, s in enumerate(FundingSource.values)}
    rows = []
    for row in sums:
        pillar_id, *rest = row
        activity_id = rest.pop(0) if by == "activity" else None
        year, source, planned, spent, lines = rest
        activity = activities[activity_id][1] if activity_id is not None else None
        rows.append(
            Financing(
                pillar_id,
                pillars[pillar_id].key,
                activity_id,
                activity.key if activity is not None else None,
                year,
                source,
                planned,
                spent,
                lines,
            )
        )
    return tuple(
        sorted(
            rows,
            key=lambda f: (
                pillars[f.pillar_id].position,
                activities[f.activity_id][0] if f.activity_id is not None else -1,
                f.year,
                sources.get(f.source, len(sources)),
            ),
        )
    )
