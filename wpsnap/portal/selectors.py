"""Reads of the public portal: the plan's structure (adopted plans only, as anyone may see them) and its
figures, which come from ``publishing.public.public_results`` and from nowhere else.

Figures are cached (``public_results`` costs about half a second on the demo plan) under a key that is a
digest of the published state: the published reports (count, ids, latest publication and change), the
indicators' publishing flags, the breakdowns, the threshold and the latest stored release. A report
published or unpublished, a flag turned, a release made: the key changes and the next page computes
afresh. Three queries for the digest, one for the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, QuerySet, Sum
from django.http import Http404

from wpsnap.plan.models import (
    Activity,
    Assignment,
    Indicator,
    IndicatorKind,
    Pillar,
    Plan,
    PriorityArea,
    Role,
)
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.publishing.disclosure import default_threshold
from wpsnap.publishing.public import PublicIndicator, PublicPeriod, PublicResults, public_results
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key
from wpsnap.reporting.models import Dimension, DimensionOption, IndicatorBreakdown, ProgressReport
from wpsnap.reporting.workflow import Status

CACHE_SECONDS = 24 * 3600

# --- plans -------------------------------------------------------------------------------------------


def public_plans() -> QuerySet[Plan]:
    """The plans the public may see (adopted ones), whoever is asking: a coordinator reading the portal
    sees what the public sees, never a draft."""
    return plans_visible_to(AnonymousUser()).select_related("coordinator").order_by("-start_year", "slug")


def public_plan(slug: str) -> Plan:
    plan = public_plans().filter(slug=slug).first()
    if plan is None:
        raise Http404
    return plan


# --- the plan's structure ----------------------------------------------------------------------------


@dataclass
class Structure:
    """A plan's pillars, priority areas, activities and indicators, each list in the plan's order; five
    queries whatever the plan's size."""

    plan: Plan
    pillars: list[Pillar]
    areas: list[PriorityArea]
    activities: list[Activity]
    indicators: list[Indicator]
    areas_of: dict[int, list[PriorityArea]] = field(default_factory=dict)
    activities_of: dict[int, list[Activity]] = field(default_factory=dict)
    indicators_of: dict[int, list[Indicator]] = field(default_factory=dict)  # by activity
    area_indicators: dict[int, list[Indicator]] = field(default_factory=dict)  # by area, no activity
    agencies_of: dict[int, list[Any]] = field(default_factory=dict)  # implementers by activity

    def pillar(self, key: str) -> Pillar:
        return _one(p for p in self.pillars if p.key == key)

    def area(self, code: str) -> PriorityArea:
        return _one(a for a in self.areas if a.code == code)

    def activity(self, key: str) -> Activity:
        return _one(a for a in self.activities if a.key == key)

    def indicator(self, key: str) -> Indicator:
        return _one(i for i in self.indicators if i.key == key)


def _one[T](found: Iterable[T]) -> T:
    for item in found:
        return item
    raise Http404


def plan_structure(plan: Plan) -> Structure:
    pillars = list(Pillar.objects.filter(plan=plan).select_related("objective").order_by("position"))
    areas = list(PriorityArea.objects.filter(plan=plan).order_by("position"))
    activities = list(Activity.objects.filter(plan=plan).order_by("priority_area__position", "position"))
    indicators = list(Indicator.objects.filter(plan=plan).order_by("priority_area__position", "position"))
    assignments = list(
        Assignment.objects.filter(plan=plan, role=Role.IMPLEMENTER)
        .select_related("agency")
        .order_by("position")
    )
    structure = Structure(plan, pillars, areas, activities, indicators)
    for area in areas:
        structure.areas_of.setdefault(area.pillar_id, []).append(area)
    for activity in activities:
        structure.activities_of.setdefault(activity.priority_area_id, []).append(activity)
    for indicator in indicators:
        if indicator.activity_id is None:
            structure.area_indicators.setdefault(indicator.priority_area_id, []).append(indicator)
        else:
            structure.indicators_of.setdefault(indicator.activity_id, []).append(indicator)
    # An activity's implementers: its own, else its priority area's (as the plan assigns them).
    own: dict[int, list[Any]] = {}
    by_area: dict[int, list[Any]] = {}
    for assignment in assignments:
        if assignment.activity_id is not None:
            own.setdefault(assignment.activity_id, []).append(assignment.agency)
        else:
            by_area.setdefault(assignment.priority_area_id, []).append(assignment.agency)
    for activity in activities:
        structure.agencies_of[activity.pk] = own.get(activity.pk) or by_area.get(
            activity.priority_area_id, []
        )
    return structure


# --- figures -----------------------------------------------------------------------------------------


def published_state(plan: Plan) -> str:
    """A digest of everything the public figures depend on besides the plan's text: it changes when a
    report is published or unpublished, an indicator's publishing flags or breakdown change, the threshold
    changes or a release is made."""
    reports = ProgressReport.objects.filter(plan=plan, status=Status.PUBLISHED).aggregate(
        count=Count("pk"), ids=Sum("pk"), published=Max("published_at"), changed=Max("updated_at")
    )
    flags = list(
        Indicator.objects.filter(plan=plan, kind=IndicatorKind.COUNT)
        .exclude(public_statistics=False, counts_people=True)
        .order_by("pk")
        .values_list("pk", "public_statistics", "counts_people")
    )
    breakdowns = IndicatorBreakdown.objects.filter(indicator__plan=plan).aggregate(
        count=Count("pk"), ids=Sum("breakdown_id"), changed=Max("updated_at")
    )
    release = _latest_release(plan)
    parts = [
        plan.pk,
        sorted(reports.items()),
        flags,
        sorted(breakdowns.items()),
        default_threshold(),
        release,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _latest_release(plan: Plan) -> int | None:
    """The id of the plan's latest stored release (publishing's releases), None before the first or
    where releases are not installed: public_results holds the latest release's figures as known."""
    try:
        release = apps.get_model("publishing", "Release")
    except LookupError:
        return None
    found: int | None = release.objects.filter(plan=plan).order_by("-pk").values_list("pk", flat=True).first()
    return found


def plan_results(plan: Plan) -> PublicResults:
    """``public_results(plan)``, cached under the digest of the published state."""
    key = f"portal:results:{published_state(plan)}"
    found = cache.get(key)
    if isinstance(found, PublicResults):
        return found
    computed = public_results(plan)
    cache.set(key, computed, CACHE_SECONDS)
    return computed


def results_by_key(results: PublicResults) -> dict[str, PublicIndicator]:
    return {indicator.indicator: indicator for indicator in results.indicators}


def latest(indicator: PublicIndicator | None) -> PublicPeriod | None:
    """The latest period for which published reports give the indicator a figure."""
    if indicator is None:
        return None
    with_figures = [period for period in indicator.periods if period.total is not None]
    return with_figures[-1] if with_figures else None


# --- tables of figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    cell: str
    labels: tuple[str, ...]  # one per dimension: the option's name, or "all" for a margin
    value: Decimal | None  # None: not shown

    @property
    def is_total(self) -> bool:
        return self.cell == TOTAL


@dataclass(frozen=True)
class PeriodTable:
    period: PublicPeriod
    columns: tuple[str, ...]  # the dimensions' names
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Labels:
    dimensions: dict[str, str]
    options: dict[tuple[str, str], str]

    def dimension(self, code: str) -> str:
        return self.dimensions.get(code, code)

    def option(self, dimension: str, code: str) -> str:
        return self.options.get((dimension, code), code)


def labels(plan: Plan) -> Labels:
    """The names of the plan's dimensions and options in the active language; two queries."""
    dimensions = list(
        Dimension.objects.filter(plan=plan).prefetch_related(
            Prefetch("options", queryset=DimensionOption.objects.order_by("position"))
        )
    )
    return Labels(
        {d.code: d.tr("name") for d in dimensions},
        {(d.code, o.code): o.tr("name") for d in dimensions for o in d.options.all()},
    )


def period_table(period: PublicPeriod, names: Labels, all_label: str) -> PeriodTable:
    """One period's figures as rows: each figure with its option per dimension ("all" for a margin), the
    total last."""
    codes = tuple(code for code, _options in period.dimensions)
    rows = []
    for figure in (*period.cells, *((period.total,) if period.total is not None else ())):
        options = dict(parse_cell_key(figure.cell)) if figure.cell else {}
        row_labels = tuple(
            names.option(code, options[code]) if code in options else all_label for code in codes
        )
        rows.append(Row(figure.cell, row_labels, figure.value))
    return PeriodTable(period, tuple(names.dimension(code) for code in codes), tuple(rows))


def figure_value(value: Decimal | None) -> int | float | None:
    """A figure as a JSON number: whole numbers as integers."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# --- published reports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedReport:
    period: str
    activity: Activity
    agency: Any
    published_at: Any


def published_reports(plan: Plan, activities: dict[int, Activity]) -> list[PublishedReport]:
    """The plan's published progress reports (which activity, which agency, which period, when): no
    figure and no text of a report, which reach the public through ``public_results`` only. One query."""
    reports = (
        ProgressReport.objects.filter(plan=plan, status=Status.PUBLISHED)
        .select_related("period", "agency")
        .order_by("-period__start", "activity_id", "agency__name")
    )
    return [
        PublishedReport(
            report.period.label, activities[report.activity_id], report.agency, report.published_at
        )
        for report in reports
        if report.activity_id in activities
    ]
