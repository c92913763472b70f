"""The filters the selectors share (``period=``, ``pillar=``, ``agency=``: ids, None meaning all), applied
the same way everywhere: an agency filter narrows the viewer's scope and never widens it."""

from __future__ import annotations

from wpsnap.plan.models import Plan
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.selectors import ExpectedActivity, expected_in


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


def expected_grid(
    plan: Plan, periods: list[ReportingPeriod], *, pillar: int | None, agencies: frozenset[int] | None
) -> tuple[list[ExpectedActivity], dict[str, list[int]]]:
    """The activities running in ``periods`` (of ``pillar``, when given) with the agencies expected or
    welcome to report on them (``expected_in``, partners included: three queries), and the filter that
    reads only those activities' and agencies' reports (of ``agencies`` when given; None for all):
    reports nobody expects (an agency assigned nowhere) change no status or compliance figure, so the
    database leaves them out rather than Python."""
    running = [
        r
        for r in expected_in(plan, periods, partners=True)
        if pillar is None or r.activity.priority_area.pillar_id == pillar
    ]
    owners = {owner.pk for r in running for owner, _optional in r.agencies}
    if agencies is not None:
        owners &= agencies
    # Never an empty list: ``__in=[]`` would skip the query, and the count of queries would vary.
    return running, {
        "activity_id__in": sorted({r.activity.pk for r in running}) or [0],
        "agency_id__in": sorted(owners) or [0],
    }
