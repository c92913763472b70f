"""Reads of the plan for the public pages. Each page's data is loaded by a small, fixed number of
queries (the tests pin them), whatever the size of the plan.

Querysets returned here are meant for ``get_object_or_404``; the ``*_page`` functions return plain
dataclasses the templates walk without touching the database again.

Text in several languages: the templates read ``obj.t.<field>`` (the field in the active language,
see :meth:`TranslatedModel.tr`); every object these functions return carries that ``t``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.core.models import TranslatedModel

from .models import (
    Activity,
    Assignment,
    ExpectedResult,
    Indicator,
    Pillar,
    Plan,
    PriorityArea,
    Role,
)
from .permissions import plans_visible_to

# The timeline's CSS (static/wpsnap.css) has classes for periods of up to this many years.
TIMELINE_MAX_YEARS = 10


class Translated:
    """``{{ obj.t.title }}`` in a template: the field in the active language."""

    __slots__ = ("_obj",)

    def __init__(self, obj: TranslatedModel) -> None:
        self._obj = obj

    def __getitem__(self, field_name: str) -> Any:
        return self._obj.tr(field_name)


def _tr(objects: Iterable[TranslatedModel | None]) -> None:
    for obj in objects:
        if obj is not None:
            obj.t = Translated(obj)  # type: ignore[attr-defined]


# --- querysets for get_object_or_404 -------------------------------------------------------------


def plans(user: Any) -> QuerySet[Plan]:
    """The plans ``user`` may see (the permission gate's scope): adopted plans for everyone, drafts
    for coordinators and evaluators."""
    return plans_visible_to(user).select_related("coordinator")


def plan_list(user: Any) -> list[Plan]:
    found = list(plans(user))
    _tr(found)
    return found


def plan_get_with_text(plan: Plan) -> Plan:
    _tr([plan])
    return plan


def plan_agencies(plan: Plan) -> QuerySet[Organisation]:
    return plan.agencies.all()


def plan_activities(plan: Plan) -> QuerySet[Activity]:
    """The plan's activities with everything the activity page shows, two queries in all."""
    return (
        Activity.objects.filter(plan=plan)
        .select_related("priority_area__pillar__objective")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
            Prefetch(
                "priority_area__assignments",
                queryset=Assignment.objects.select_related("agency").order_by("position"),
            ),
            Prefetch(
                "assignments", queryset=Assignment.objects.select_related("agency").order_by("position")
            ),
            Prefetch(
                "priority_area__indicators",
                queryset=Indicator.objects.filter(activity__isnull=True).order_by("position"),
                to_attr="unpaired_indicators",
            ),
        )
    )


# --- collectives -----------------------------------------------------------------------------------


def collectives_of(agency: Organisation, agencies: Iterable[Organisation]) -> list[Organisation]:
    """The collective implementers among ``agencies`` that ``agency`` belongs to."""
    if agency.kind == OrganisationKind.COLLECTIVE:
        return []
    return [
        org
        for org in agencies
        if org.kind == OrganisationKind.COLLECTIVE
        and org.country == agency.country
        and agency.kind in (org.member_kinds or [])
    ]


def member_kind_labels(collective: Organisation) -> list[str]:
    labels = dict(OrganisationKind.choices)
    return [str(labels.get(kind, kind)) for kind in collective.member_kinds or []]


def disaggregation_text(indicator: Indicator) -> str:
    """The dimensions as a phrase ("sex and age"); empty when the indicator is not disaggregated."""
    return str(get_text_list(indicator.disaggregation_labels, _("and")))


# --- the plan page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFilters:
    agency: Organisation | None = None
    year: int | None = None
    pillar: Pillar | None = None
    # The collectives the filtered agency belongs to (it takes part in their areas too).
    agency_collectives: tuple[Organisation, ...] = ()

    @property
    def active(self) -> bool:
        return self.agency is not None or self.year is not None or self.pillar is not None


@dataclass
class AreaRow:
    area: PriorityArea
    activities: list[Activity]
    assignments: list[Assignment]
    # Set when filtering by agency: the collectives through which it takes part here (empty: directly).
    through: list[Organisation] = field(default_factory=list)


@dataclass
class PillarBlock:
    pillar: Pillar
    areas: list[AreaRow]


@dataclass
class PlanPage:
    plan: Plan
    pillars: list[Pillar]
    agencies: list[Organisation]
    expected_results: list[ExpectedResult]
    blocks: list[PillarBlock]
    filters: PlanFilters
    total_areas: int
    total_activities: int

    @property
    def shown_areas(self) -> int:
        return sum(len(block.areas) for block in self.blocks)

    @property
    def shown_activities(self) -> int:
        return sum(len(row.activities) for block in self.blocks for row in block.areas)


def plan_pillars(plan: Plan) -> list[Pillar]:
    pillars = list(Pillar.objects.filter(plan=plan).select_related("objective").order_by("position"))
    _tr(pillars)
    _tr(getattr(p, "objective", None) for p in pillars)
    return pillars


def plan_agency_list(plan: Plan) -> list[Organisation]:
    """The plan's agencies, ordered by name (in the active language)."""
    return sorted(plan_agencies(plan), key=lambda org: str(org).casefold())


def plan_filters(
    *, agencies: Sequence[Organisation], agency: Organisation | None, year: int | None, pillar: Pillar | None
) -> PlanFilters:
    collectives = tuple(collectives_of(agency, agencies)) if agency is not None else ()
    return PlanFilters(agency=agency, year=year, pillar=pillar, agency_collectives=collectives)


def plan_page(
    plan: Plan,
    *,
    pillars: list[Pillar],
    agencies: list[Organisation],
    filters: PlanFilters | None,
) -> PlanPage:
    """The plan's pillars, priority areas and activities, filtered; ``filters=None`` (the filter
    form was invalid) shows no areas. Four queries beyond ``pillars`` and ``agencies``."""
    areas = list(
        PriorityArea.objects.filter(plan=plan)
        .order_by("position")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.order_by("position")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("agency").order_by("position"),
            ),
        )
    )
    expected_results = list(ExpectedResult.objects.filter(plan=plan).order_by("position"))
    _tr([plan, *expected_results, *areas])
    _tr(act for area in areas for act in area.activities.all())

    pillars_by_id = {p.pk: p for p in pillars}
    rows_by_pillar: dict[int, list[AreaRow]] = defaultdict(list)
    for area in areas:
        area.pillar = pillars_by_id[area.pillar_id]  # no query: the pillars are loaded
        row = _area_row(area, filters) if filters is not None else None
        if row is not None:
            rows_by_pillar[area.pillar_id].append(row)
    blocks = [
        PillarBlock(pillar=p, areas=rows_by_pillar[p.pk])
        for p in pillars
        if rows_by_pillar[p.pk] or (filters is not None and not filters.active)
    ]
    return PlanPage(
        plan=plan,
        pillars=pillars,
        agencies=agencies,
        expected_results=expected_results,
        blocks=blocks,
        filters=filters or PlanFilters(),
        total_areas=len(areas),
        total_activities=sum(len(area.activities.all()) for area in areas),
    )


def _area_row(area: PriorityArea, filters: PlanFilters) -> AreaRow | None:
    """The area as the filters show it, or None when they leave nothing of it."""
    activities = list(area.activities.all())
    assignments = list(area.assignments.all())
    area_level = [a for a in assignments if a.activity_id is None]
    if filters.pillar is not None and area.pillar_id != filters.pillar.pk:
        return None
    if filters.year is not None:
        if area.start_year is None and not any(act.start_year is not None for act in activities):
            return None
        activities = [act for act in activities if filters.year in _effective_years(act, area)]
        if not activities and filters.year not in area.years():
            return None
    through: list[Organisation] = []
    if filters.agency is not None:
        agency_ids = {filters.agency.pk}
        collective_ids = {c.pk for c in filters.agency_collectives}
        matched = [a for a in assignments if a.agency_id in agency_ids | collective_ids]
        if not matched:
            return None
        if not any(a.activity_id is None for a in matched):
            # Only activity-level assignments match: show those activities alone.
            wanted = {a.activity_id for a in matched}
            activities = [act for act in activities if act.pk in wanted]
        if not any(a.agency_id in agency_ids for a in matched):
            through = [a.agency for a in matched if a.agency_id in collective_ids]
    return AreaRow(area=area, activities=activities, assignments=area_level, through=through)


def _effective_years(activity: Activity, area: PriorityArea) -> range:
    if activity.start_year is not None and activity.end_year is not None:
        return range(activity.start_year, activity.end_year + 1)
    return area.years()


# --- the activity page ---------------------------------------------------------------------------


@dataclass
class ActivityPage:
    activity: Activity
    area: PriorityArea
    pillar: Pillar
    indicators: list[Indicator]
    area_indicators: list[Indicator]
    assignments: list[Assignment]


def activity_page(activity: Activity) -> ActivityPage:
    """Everything the activity page shows, from an activity fetched through :func:`plan_activities`."""
    area = activity.priority_area
    pillar = area.pillar
    indicators = list(activity.indicators.all())
    area_indicators = list(getattr(area, "unpaired_indicators", []))
    own = list(activity.assignments.all())
    own_agencies = {a.agency_id for a in own}
    area_level = [
        a for a in area.assignments.all() if a.activity_id is None and a.agency_id not in own_agencies
    ]
    _tr([activity, area, pillar, getattr(pillar, "objective", None), *indicators, *area_indicators])
    for indicator in [*indicators, *area_indicators]:
        indicator.disaggregation_text = disaggregation_text(indicator)
    return ActivityPage(
        activity=activity,
        area=area,
        pillar=pillar,
        indicators=indicators,
        area_indicators=area_indicators,
        assignments=[*area_level, *own],
    )


# --- agencies ------------------------------------------------------------------------------------


@dataclass
class AgencyRow:
    agency: Organisation
    implementer_areas: int
    recommended_areas: int
    collectives: list[Organisation]


def agency_list_page(plan: Plan) -> list[AgencyRow]:
    """The plan's agencies with how many priority areas each has, by role. Two queries."""
    agencies = plan_agency_list(plan)
    counts: dict[tuple[int, str], set[int]] = defaultdict(set)
    for agency_id, role, area_id in Assignment.objects.filter(plan=plan).values_list(
        "agency_id", "role", "priority_area_id"
    ):
        counts[(agency_id, role)].add(area_id)
    return [
        AgencyRow(
            agency=org,
            implementer_areas=len(counts[(org.pk, Role.IMPLEMENTER)]),
            recommended_areas=len(counts[(org.pk, Role.RECOMMENDED)]),
            collectives=collectives_of(org, agencies),
        )
        for org in agencies
    ]


@dataclass
class AgencyArea:
    area: PriorityArea
    activities: list[Activity]
    # Empty: assigned directly; otherwise the collectives it takes part through.
    through: list[Organisation]


@dataclass
class AgencyPage:
    agency: Organisation
    implementer: list[AgencyArea]
    recommended: list[AgencyArea]
    collectives: list[Organisation]
    # For a collective: the kinds it stands for and the plan's agencies of those kinds.
    member_kinds: list[str]
    members: list[Organisation]

    @property
    def is_collective(self) -> bool:
        return self.agency.kind == OrganisationKind.COLLECTIVE


def agency_page(plan: Plan, agency: Organisation) -> AgencyPage:
    """The agency's priority areas and activities in the plan, by role, including those it has
    through a collective implementer. Three queries."""
    agencies = plan_agency_list(plan)
    collectives = collectives_of(agency, agencies)
    ids = {agency.pk, *(c.pk for c in collectives)}
    assignments = list(
        Assignment.objects.filter(plan=plan, agency_id__in=ids)
        .select_related("priority_area__pillar", "activity", "agency")
        .prefetch_related(
            Prefetch("priority_area__activities", queryset=Activity.objects.order_by("position"))
        )
        .order_by("priority_area__position", "position")
    )
    by_role: dict[str, dict[int, AgencyArea]] = {Role.IMPLEMENTER: {}, Role.RECOMMENDED: {}}
    direct: set[tuple[str, int]] = set()
    for assignment in assignments:
        area = assignment.priority_area
        group = by_role.setdefault(assignment.role, {})
        entry = group.get(area.pk)
        if entry is None:
            entry = group[area.pk] = AgencyArea(area=area, activities=[], through=[])
        if assignment.activity_id is None:
            entry.activities = list(area.activities.all())
        elif assignment.activity is not None and assignment.activity not in entry.activities:
            entry.activities.append(assignment.activity)
        if assignment.agency_id == agency.pk:
            direct.add((assignment.role, area.pk))
        else:
            entry.through.append(assignment.agency)
    for role, group in by_role.items():
        for entry in group.values():
            if (role, entry.area.pk) in direct:
                entry.through = []
            _tr([entry.area, entry.area.pillar, *entry.activities])
    is_collective = agency.kind == OrganisationKind.COLLECTIVE
    members = [
        org
        for org in agencies
        if is_collective and org.kind in (agency.member_kinds or []) and org.country == agency.country
    ]
    return AgencyPage(
        agency=agency,
        implementer=list(by_role[Role.IMPLEMENTER].values()),
        recommended=list(by_role[Role.RECOMMENDED].values()),
        collectives=collectives,
        member_kinds=member_kind_labels(agency) if is_collective else [],
        members=members,
    )


# --- the timeline --------------------------------------------------------------------------------


@dataclass
class TimelineRow:
    area: PriorityArea
    # Column (1-based) and number of years of the bar; None for "to be determined".
    start: int | None
    span: int | None
    years: list[bool]


@dataclass
class TimelinePage:
    years: list[int]
    rows: list[TimelineRow]

    @property
    def undetermined(self) -> list[TimelineRow]:
        return [row for row in self.rows if row.start is None]


def timeline_page(plan: Plan) -> TimelinePage:
    """One row per priority area across the plan's years. One query."""
    areas = list(PriorityArea.objects.filter(plan=plan).select_related("pillar").order_by("position"))
    _tr(areas)
    _tr(area.pillar for area in areas)
    years = list(plan.years())
    if not years:
        known = [y for area in areas for y in area.years()]
        years = list(range(min(known), max(known) + 1)) if known else []
    years = years[:TIMELINE_MAX_YEARS]
    rows: list[TimelineRow] = []
    for area in areas:
        covered = [year in area.years() for year in years]
        if area.start_year is None or area.end_year is None or not any(covered):
            rows.append(TimelineRow(area=area, start=None, span=None, years=covered))
            continue
        first = covered.index(True)
        last = len(covered) - 1 - covered[::-1].index(True)
        rows.append(TimelineRow(area=area, start=first + 1, span=last - first + 1, years=covered))
    return TimelinePage(years=years, rows=rows)
