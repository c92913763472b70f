"""The filters the selectors share (``period=``, ``pillar=``, ``agency=``: ids, None meaning all), applied
the same way everywhere: an agency filter narrows the viewer's scope and never widens it."""

from __future__ import annotations

from wpsnap.plan.models import Plan
from wpsnap.reporting.models import ReportingPeriod


def narrowed(agencies: frozenset[int] | None, agency: int | None) -> frozenset[int] | None:
    """The agencies a viewer who sees ``agencies`` (None: every one) sees of ``agency`` (None: all of
    them): the one agency when the viewer may see it, else none."""
    if agency is None:
        return agencies
    if agencies is None:
        return frozenset({agency})
    return agencies & {agency}


def periods_of(plan: Plan, period: ReportingPeriod | int | None) -> list[ReportingPeriod]:
    """``period`` (a period, or its id) as a list, or every period of ``plan``, in order: one query,
    none when given the period itself. An id of another plan's period gives none."""
    if isinstance(period, ReportingPeriod):
        return [period]
    periods = ReportingPeriod.objects.filter(plan=plan).order_by("start")
    return list(periods if period is None else periods.filter(pk=period))
