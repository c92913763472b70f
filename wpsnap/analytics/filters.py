"""The filters the selectors share (``period=``, ``pillar=``, ``agency=``: ids, None meaning all), applied
the same way everywhere: an agency filter narrows the viewer's scope and never widens it."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import reduce
from typing import Any

from django.db.models import Q

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


# The grids read inside ``grids_shared()``, by (plan, periods, pillar, agencies); None outside it.
_grids: ContextVar[dict[tuple[Any, ...], tuple[list[ExpectedActivity], Q]] | None] = ContextVar(
    "wpsnap_expected_grids", default=None
)


@contextmanager
def grids_shared() -> Iterator[None]:
    """Within the block, ``expected_grid`` reads each grid once: a page that shows status and compliance
    (the dashboards' overview) reads the plan's activities, assignments and collectives' members once,
    not once per selector. Only around reads: a write inside the block would not be seen."""
    token = _grids.set({})
    try:
        yield
    finally:
        _grids.reset(token)


def expected_grid(
    plan: Plan, periods: list[ReportingPeriod], *, pillar: int | None, agencies: frozenset[int] | None
) -> tuple[list[ExpectedActivity], Q]:
    """``_expected_grid``, read once per block of ``grids_shared()``."""
    shared = _grids.get()
    if shared is None:
        return _expected_grid(plan, periods, pillar=pillar, agencies=agencies)
    key = (plan.pk, frozenset(p.pk for p in periods), pillar, agencies)
    if key not in shared:
        shared[key] = _expected_grid(plan, periods, pillar=pillar, agencies=agencies)
    return shared[key]


def _expected_grid(
    plan: Plan, periods: list[ReportingPeriod], *, pillar: int | None, agencies: frozenset[int] | None
) -> tuple[list[ExpectedActivity], Q]:
    """The activities running in ``periods`` (of ``pillar``, when given) with the agencies expected or
    welcome to report on them (``expected_in``, partners included: three queries), and the filter that
    reads only the reports of those (activity, agency) pairs (of ``agencies`` when given; None for all):
    the reports nobody expects (an agency assigned elsewhere, or nowhere) change no status or compliance
    figure, so the database leaves them out, through the index on (activity, agency, period), rather than
    Python. The filter groups the activities owed by the same agencies: about one clause per priority
    area, whatever the number of reports."""
    running = [
        r
        for r in expected_in(plan, periods, partners=True)
        if pillar is None or r.activity.priority_area.pillar_id == pillar
    ]
    owners: dict[int, set[int]] = defaultdict(set)
    for r in running:
        owners[r.activity.pk].update(
            owner.pk for owner, _optional in r.agencies if agencies is None or owner.pk in agencies
        )
    by_owners: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for activity_id, owned in owners.items():
        if owned:
            by_owners[tuple(sorted(owned))].append(activity_id)
    pairs = [
        Q(activity_id__in=sorted(activity_ids), agency_id__in=list(owned))
        for owned, activity_ids in sorted(by_owners.items(), key=lambda item: min(item[1]))
    ]
    # Never an empty filter: ``__in=[]`` would skip the query, and the count of queries would vary.
    return running, reduce(operator.or_, pairs, Q(activity_id__in=[0]))
