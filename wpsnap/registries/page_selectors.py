"""Reads for the events pages. Each page costs a fixed number of queries whatever the number of events,
participants or files; the scopes of ``permissions`` decide what is in them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.core import params
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.plan.models import Activity, Assignment, Indicator, IndicatorKind, Pillar, Plan, PlanStatus
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.plan.selectors import plan_get_with_text
from wpsnap.reporting.disaggregation import BreakdownSpec, parse_cell_key
from wpsnap.reporting.models import DimensionOption, ReportingPeriod

from . import selectors
from .models import DerivationRule, Event, EventFile, Participant, Topic
from .permissions import events_visible_to

EVENTS_PER_PAGE = 50
PARTICIPANTS_PER_PAGE = 100
# The dimensions whose option codes a participant row holds (code -> label on the pages).
LABELLED = ("sex", "age", "population_group", "district")


def event_plans(user: Any) -> QuerySet[Plan]:
    """The plans events are recorded under: adopted (not draft) plans the user may see."""
    return plans_visible_to(user).exclude(status=PlanStatus.DRAFT)


def choose_plan(user: Any, slug: str | None) -> tuple[list[Plan], Plan | None]:
    """(the plans the user may record events under, the one named by ``slug`` or else the latest),
    in one query. An unknown ``slug`` gives None (the view answers 404)."""
    plans = list(event_plans(user))
    plan = next((p for p in plans if p.slug == slug), None) if slug else next(iter(plans), None)
    return plans, plan_get_with_text(plan) if plan is not None else None


# --- the list ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilters:
    activity: Activity | None = None
    kind: str = ""
    year: int | None = None
    organiser: Organisation | None = None
    # The dashboards' drill-down (``drill_down``): a reporting period, a pillar, a district's code.
    period: ReportingPeriod | None = None
    pillar: Pillar | None = None
    district: str = ""

    @property
    def active(self) -> bool:
        return bool(
            self.activity
            or self.kind
            or self.year
            or self.organiser
            or self.period
            or self.pillar
            or self.district
        )


# The drill-down parameters the dashboards link with, beside the form's own filters (contracts: period
# and pillar ids, the organiser's id as ``agency``, a district's code, an activity's key).
DRILL_DOWN = ("period", "pillar", "agency", "district")


@dataclass(frozen=True)
class DrillDown:
    """The drill-down filters found in a query, and what they are called on the page."""

    filters: dict[str, Any]
    labels: list[tuple[str, str]]
    # The form's ``activity`` (an id) when the query named the activity by its key.
    activity_id: str = ""


def drill_down(plan: Plan, data: Any) -> DrillDown:
    """The drill-down filters of ``data`` for ``plan``'s events: ``period`` (a reporting period's id),
    ``pillar`` (id), ``agency`` (the organiser's id), ``district`` (an option code of the plan's district
    dimension) and ``activity`` given by its key. Every value that does not fit is named
    (``InvalidInput``); one query per filter given, none otherwise."""
    problems: list[Problem] = []
    found: dict[str, Any] = {}
    labels: list[tuple[str, str]] = []

    def one(name: str, queryset: QuerySet[Any]) -> Any:
        try:
            pk = params.identifier(name, data.get(name))
        except InvalidInput as exc:
            problems.extend(exc.problems)
            return None
        obj = queryset.filter(pk=pk).first()
        if obj is None:
            problems.append(Problem(name, "not_found", _("Nothing of this plan has this id.")))
        return obj

    if data.get("period"):
        period = one("period", ReportingPeriod.objects.filter(plan=plan))
        if period is not None:
            found["period"] = period
            labels.append((_("Period"), period.label))
    if data.get("pillar"):
        pillar = one("pillar", Pillar.objects.filter(plan=plan))
        if pillar is not None:
            found["pillar"] = pillar
            labels.append((_("Pillar"), str(pillar)))
    if data.get("agency"):
        agency = one("agency", Organisation.objects.all())
        if agency is not None:
            found["organiser"] = agency
            labels.append((_("Organiser"), agency.label))
    if data.get("district"):
        code = data.get("district")
        names = selectors.district_names(plan)
        if code in names:
            found["district"] = code
            labels.append((_("District"), names[code]))
        else:
            problems.append(Problem("district", "not_found", _("No district of the plan has this code.")))
    activity_id = ""
    raw = data.get("activity") or ""
    if raw and params.digits(raw) is None:
        # Named by its key (the dashboards' links); the form's own choices are ids.
        activity = Activity.objects.filter(plan=plan, key=raw[:64]).only("pk").first()
        if activity is None:
            problems.append(Problem("activity", "not_found", _("No activity of the plan has this key.")))
        else:
            activity_id = str(activity.pk)
    if problems:
        raise InvalidInput(problems)
    return DrillDown(found, labels, activity_id)


@dataclass
class EventRow:
    event: Event
    participants: int


@dataclass
class EventListPage:
    plan: Plan
    page: Page[Event]
    rows: list[EventRow]
    filters: EventFilters

    @property
    def total(self) -> int:
        return self.page.paginator.count


def plan_events(user: Any, plan: Plan) -> QuerySet[Event]:
    return events_visible_to(user).filter(plan=plan)


def filter_choices(user: Any, plan: Plan) -> tuple[list[Activity], list[Organisation]]:
    """The activities and organisers that the user's visible events of ``plan`` name (two queries)."""
    scope = plan_events(user, plan)
    activities = list(
        Activity.objects.filter(plan=plan, events__in=scope)
        .distinct()
        .order_by("priority_area__position", "position")
    )
    organisers = list(Organisation.objects.filter(events_organised__in=scope).distinct().order_by("name"))
    return activities, organisers


def event_list_queryset(user: Any, plan: Plan, filters: EventFilters) -> QuerySet[Event]:
    """The events of ``plan`` the user may see that match ``filters``, newest first, with their organiser
    and activities: what the list pages (and what its CSV/XLSX export writes whole)."""
    events = plan_events(user, plan).select_related("organiser")
    if filters.activity is not None:
        events = events.filter(activities=filters.activity)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.year is not None:
        events = events.filter(starts_on__year=filters.year)
    if filters.organiser is not None:
        events = events.filter(organiser=filters.organiser)
    if filters.period is not None:
        # The period an event counts in is the one its first day falls in (as its lock check).
        events = events.filter(starts_on__gte=filters.period.start, starts_on__lte=filters.period.end)
    if filters.pillar is not None:
        links = Event.activities.through.objects.filter(
            event_id=OuterRef("pk"), activity__priority_area__pillar_id=filters.pillar.pk
        )
        events = events.filter(Exists(links))
    if filters.district:
        events = events.filter(district=filters.district)
    events = events.prefetch_related(Prefetch("activities", queryset=Activity.objects.order_by("position")))
    return events.order_by("-starts_on", "-id")


def event_list_page(user: Any, plan: Plan, filters: EventFilters, page_number: Any) -> EventListPage:
    """One page of the events the user may see, newest first, with each one's participants (five
    queries: count, page, activities, list totals, count totals)."""
    events = event_list_queryset(user, plan, filters)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(page_number)
    shown = list(page.object_list)
    totals = selectors.event_totals(shown)
    return EventListPage(
        plan=plan,
        page=page,
        rows=[EventRow(event, totals.get(event.pk, 0)) for event in shown],
        filters=filters,
    )


# --- one event -----------------------------------------------------------------------------------


def event_scope(user: Any) -> QuerySet[Event]:
    """The events the user may see, with what every event page shows (one query, three prefetches)."""
    return (
        events_visible_to(user)
        .select_related("plan", "organiser")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.order_by("priority_area__position", "position")),
            "topics",
            Prefetch("partners", queryset=Organisation.objects.order_by("name")),
        )
    )


@dataclass
class SummaryRow:
    label: str
    counts: list[int]
    total: int


@dataclass
class Summary:
    """Participants by age band (rows) and sex (columns), with the totals: narrow enough for a phone."""

    row_title: str
    columns: list[str]
    rows: list[SummaryRow]
    column_totals: list[int]
    total: int
    # Participants in no cell of the table (an option the plan no longer has): in the total only.
    elsewhere: int = 0


def summary(event: Event, spec: BreakdownSpec) -> Summary:
    """The event's participants in the sex x age band table (one query)."""
    found = [(dict(parse_cell_key(cell)), n) for cell, n in selectors.event_cells(event).items()]
    # The count grid has sex down and age bands across; the summary turns it (few columns fit a phone).
    sex_dim, age_dim = spec.grid()
    sexes = list(sex_dim.options) if sex_dim else []
    bands = list(age_dim.options) if age_dim else []
    grid = [[0] * len(sexes) for _band in bands]
    sex_index = {o.code: j for j, o in enumerate(sexes)}
    band_index = {o.code: i for i, o in enumerate(bands)}
    total = elsewhere = 0
    for options, n in found:
        total += n
        i = band_index.get(options.get(age_dim.code, "")) if age_dim else None
        j = sex_index.get(options.get(sex_dim.code, "")) if sex_dim else None
        if i is None or j is None:
            elsewhere += n
        else:
            grid[i][j] += n
    return Summary(
        row_title=age_dim.label if age_dim else "",
        columns=[o.label for o in sexes],
        rows=[SummaryRow(o.label, grid[i], sum(grid[i])) for i, o in enumerate(bands)],
        column_totals=[sum(row[j] for row in grid) for j in range(len(sexes))],
        total=total,
        elsewhere=elsewhere,
    )


def locked_period(event: Event) -> ReportingPeriod | None:
    """The locked period the event's first day falls in, if any (one query). The services ask again."""
    return selectors.locked_period(event.plan_id, event.starts_on)


def district_label(plan: Plan, code: str) -> str:
    """The name of the district ``code`` in the active language ("" for none; one query when set)."""
    if not code:
        return ""
    option = DimensionOption.objects.filter(
        dimension__plan=plan, dimension__code="district", code=code
    ).first()
    return str(option.tr("name")) if option is not None else code


@dataclass
class EventDetailPage:
    event: Event
    activities: list[tuple[Activity, str]]
    files: list[EventFile]
    summary: Summary
    district: str
    locked: ReportingPeriod | None


def event_detail_page(event: Event) -> EventDetailPage:
    """Everything the event's page shows: files, the participants table, the district's name and the
    lock (five or six queries beyond the event)."""
    spec = selectors.count_cells(event.plan)
    return EventDetailPage(
        event=event,
        activities=[(a, a.tr("text")) for a in event.activities.all()],
        files=list(event.files.select_related("uploaded_by").order_by("created_at", "id")),
        summary=summary(event, spec),
        district=district_label(event.plan, event.district),
        locked=locked_period(event),
    )


# --- the form ------------------------------------------------------------------------------------


def reportable_activities(plan: Plan, agency: Organisation | None) -> list[Activity]:
    """The activities of ``plan`` that ``agency`` may report on (implementer or recommended partner,
    directly or through a collective), as ``wpsnap.reporting.selectors.may_report`` decides one at a
    time; two queries for the whole plan."""
    if agency is None:
        return []
    by_activity: dict[int, list[Assignment]] = defaultdict(list)
    by_area: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in Assignment.objects.filter(plan=plan).select_related("agency"):
        if assignment.activity_id is not None:
            by_activity[assignment.activity_id].append(assignment)
        else:
            by_area[assignment.priority_area_id].append(assignment)

    def names(assignment: Assignment) -> bool:
        named = assignment.agency
        if named.kind != OrganisationKind.COLLECTIVE:
            return named.pk == agency.pk
        return agency.country == plan.country and agency.kind in (named.member_kinds or [])

    activities = (
        Activity.objects.filter(plan=plan)
        .select_related("priority_area")
        .order_by("priority_area__position", "position")
    )
    return [
        activity
        for activity in activities
        if any(names(a) for a in by_activity.get(activity.pk) or by_area.get(activity.priority_area_id, []))
    ]


def partner_choices(plan: Plan, organiser: Organisation | None) -> list[Organisation]:
    """Organisations of the plan's country that can be named as partners (not collectives, not the
    organiser itself)."""
    found = Organisation.objects.filter(country=plan.country).exclude(kind=OrganisationKind.COLLECTIVE)
    if organiser is not None:
        found = found.exclude(pk=organiser.pk)
    return list(found.order_by("name"))


def topics() -> list[Topic]:
    return list(Topic.objects.order_by("position", "code"))


# --- participants --------------------------------------------------------------------------------


def option_labels(plan: Plan) -> dict[str, dict[str, str]]:
    """{dimension code: {option code: name in the active language}} for the columns of a participant
    row (one query)."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    options = DimensionOption.objects.filter(
        dimension__plan=plan, dimension__code__in=LABELLED
    ).select_related("dimension")
    for option in options:
        labels[option.dimension.code][option.code] = _(option.tr("name"))
    return dict(labels)


@dataclass
class ParticipantRow:
    participant: Participant
    sex: str
    age_band: str
    population_group: str
    district: str


@dataclass
class ParticipantListPage:
    event: Event
    page: Page[Participant]
    rows: list[ParticipantRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.page.paginator.count


def participant_list_page(event: Event, page_number: Any) -> ParticipantListPage:
    """One page of the event's participants with their codes as names (three queries)."""
    page = Paginator(Participant.objects.filter(event=event).order_by("id"), PARTICIPANTS_PER_PAGE).get_page(
        page_number
    )
    labels = option_labels(event.plan)

    def label(dimension: str, code: str) -> str:
        return labels.get(dimension, {}).get(code, code)

    rows = [
        ParticipantRow(
            participant=p,
            sex=label("sex", p.sex),
            age_band=label("age", p.age_band),
            population_group=label("population_group", p.population_group),
            district=label("district", p.district),
        )
        for p in page.object_list
    ]
    return ParticipantListPage(event=event, page=page, rows=rows)


def participant_count(event: Event) -> int:
    return Participant.objects.filter(event=event).count()


# --- derivation rules ----------------------------------------------------------------------------


@dataclass
class RuleRow:
    indicator: Indicator
    text: str
    rule: DerivationRule | None
    kind_labels: list[str]
    topic_names: list[str]
    # Counted from a registry instead (issue 14): its binding and what it counts, in words.
    registry_rule: Any = None
    registry_count: str = ""


def rules_page(plan: Plan) -> list[RuleRow]:
    """The plan's count indicators, each with its binding to event data or to a registry's count if any
    (four queries)."""
    from .models import EventKind, RegistryRule
    from .services.rules import registry_counts

    indicators = list(
        Indicator.objects.filter(plan=plan, kind=IndicatorKind.COUNT)
        .select_related("activity", "priority_area")
        .order_by("priority_area__position", "position")
    )
    rules = selectors.rules_for(indicators)
    kinds = dict(EventKind.choices)
    bound = {r.indicator_id: r for r in RegistryRule.objects.filter(indicator__in=indicators)}
    counts = dict(registry_counts())
    rows = []
    for indicator in indicators:
        rule = rules.get(indicator.pk)
        registry_rule = bound.get(indicator.pk)
        rows.append(
            RuleRow(
                indicator=indicator,
                text=indicator.tr("text"),
                rule=rule,
                kind_labels=[str(kinds.get(k, k)) for k in (rule.kinds if rule else [])],
                topic_names=[str(t) for t in rule.topics.all()] if rule else [],
                registry_rule=registry_rule,
                registry_count=(
                    counts.get(f"{registry_rule.kind}:{registry_rule.count}", registry_rule.kind)
                    if registry_rule
                    else ""
                ),
            )
        )
    return rows
