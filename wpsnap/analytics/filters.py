"""The filters the selectors share (``period=``, ``pillar=``, ``agency=``: ids, None meaning all), applied
the same way everywhere: an agency filter narrows the viewer's scope and never widens it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.plan.models import Activity, Assignment, Plan, Role
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


# --- the grid of reports owed ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Owner:
    """An organisation that reports on an activity: what status and compliance need of it."""

    pk: int
    key: str


@dataclass(frozen=True, slots=True)
class Owed:
    """An activity of the grid: what status and compliance need of it."""

    pk: int
    key: str
    code: str
    pillar_id: int


@dataclass(frozen=True, slots=True)
class Running:
    """An activity running in a period, with the organisations that report on it, by name, each with
    whether its report is optional (a recommended partner's): ``reporting.selectors.ExpectedActivity``'s
    content, read as rows."""

    period: ReportingPeriod
    activity: Owed
    agencies: tuple[tuple[Owner, bool], ...]


def running_in(plan: Plan, periods: list[ReportingPeriod]) -> list[Running]:
    """``reporting.selectors.expected_in(plan, periods, partners=True)`` read as plain rows: the same
    three queries (activities, assignments, collectives' members) and the same rule (an activity's own
    assignments, else its priority area's; collectives expanded to the organisations of their member kinds
    in the plan's country; an organisation named by an implementer's assignment owes its report, one
    named only by a recommended partner's may contribute; by name), without building a model instance
    per activity, assignment and organisation (at national scale about 900 of them per read, most of the
    selectors' time). By period, then the plan's order of activities. ``tests/analytics/test_grid.py``
    holds the two to the same answer."""
    activities = list(
        Activity.objects.filter(plan=plan)
        .order_by("priority_area__position", "position")
        .values_list(
            "pk",
            "key",
            "code",
            "priority_area_id",
            "priority_area__pillar_id",
            "start_year",
            "end_year",
            "priority_area__start_year",
            "priority_area__end_year",
        )
    )
    assignments = list(
        Assignment.objects.filter(plan=plan, role__in=[Role.IMPLEMENTER, Role.RECOMMENDED])
        .order_by("priority_area__position", "position", "pk")
        .values_list(
            "activity_id",
            "priority_area_id",
            "role",
            "agency_id",
            "agency__key",
            "agency__name",
            "agency__kind",
            "agency__member_kinds",
        )
    )
    kinds = sorted(
        {
            k
            for *_a, kind, member_kinds in assignments
            if kind == OrganisationKind.COLLECTIVE
            for k in member_kinds or []
        }
    )
    members: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    if kinds:
        for pk, key, name, kind in (
            Organisation.objects.filter(country=plan.country, kind__in=kinds)
            .order_by("name")
            .values_list("pk", "key", "name", "kind")
        ):
            members[kind].append((pk, key, name))
    by_activity: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    by_area: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for a in assignments:
        (by_activity[a[0]] if a[0] else by_area[a[1]]).append(a)
    owners: dict[int, Owner] = {}

    def reporting(activity_id: int, area_id: int) -> tuple[tuple[Owner, bool], ...]:
        named: dict[int, tuple[int, str, str]] = {}
        implementers: set[int] = set()
        for _activity, _area, role, pk, key, name, kind, member_kinds in by_activity.get(
            activity_id
        ) or by_area.get(area_id, []):
            orgs = (
                [org for k in member_kinds or [] for org in members.get(k, [])]
                if kind == OrganisationKind.COLLECTIVE
                else [(pk, key, name)]
            )
            for org in orgs:
                named.setdefault(org[0], org)
                if role == Role.IMPLEMENTER:
                    implementers.add(org[0])
        return tuple(
            (owners.setdefault(pk, Owner(pk, key)), pk not in implementers)
            for pk, key, name in sorted(named.values(), key=lambda org: org[2])
        )

    listed = []
    for pk, key, code, area_id, pillar_id, start, end, area_start, area_end in activities:
        start = start if start is not None else area_start
        end = end if end is not None else area_end
        listed.append((Owed(pk, key, code, pillar_id), reporting(pk, area_id), start, end))
    return [
        Running(period, activity, agencies)
        for period in sorted(periods, key=lambda p: p.start)
        for activity, agencies, start, end in listed
        if start is not None and end is not None and start <= period.end.year and end >= period.start.year
    ]


# The grids read inside ``grids_shared()``, by (plan, periods, pillar, agencies); None outside it.
_grids: ContextVar[dict[tuple[Any, ...], tuple[list[Running], Q]] | None] = ContextVar(
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
) -> tuple[list[Running], Q]:
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
) -> tuple[list[Running], Q]:
    """The activities running in ``periods`` (of ``pillar``, when given) with the agencies expected or
    welcome to report on them (``running_in``, partners included: three queries), and the filter that
    reads only the reports of those activities and agencies (of ``agencies`` when given; None for all):
    the reports nobody expects (an agency assigned nowhere) change no status or compliance figure, so the
    database leaves them out, through the index on (activity, agency, period), rather than Python. Two
    lists of ids (the grid's activities and agencies), bounded by the plan, whatever the number of
    reports; a report of a grid agency on a grid activity it does not owe is read and left out by the
    selectors' look-up (before 2026-12-03 the filter paired each group of activities with its owners:
    exact, but compiling it cost more than the rows it saved)."""
    running = [r for r in running_in(plan, periods) if pillar is None or r.activity.pillar_id == pillar]
    activity_ids: set[int] = set()
    agency_ids: set[int] = set()
    for r in running:
        owned = [owner.pk for owner, _optional in r.agencies if agencies is None or owner.pk in agencies]
        if owned:
            activity_ids.add(r.activity.pk)
            agency_ids.update(owned)
    # Never an empty filter: ``__in=[]`` would skip the query, and the count of queries would vary.
    return running, Q(activity_id__in=sorted(activity_ids) or [0], agency_id__in=sorted(agency_ids) or [0])
