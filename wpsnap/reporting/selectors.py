"""Reads for reporting screens, the API and services. They own select_related/prefetch_related so
that lists cost a fixed number of queries whatever their length."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.accounts.permissions import has_role
from wpsnap.core import keyset, params
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.plan.models import Activity, Assignment, Indicator, Pillar, Plan, PriorityArea, Role
from wpsnap.plan.permissions import plans_visible_to

from .disaggregation import BreakdownSpec, DimensionSpec, Option
from .models import (
    Breakdown,
    BreakdownDimension,
    FinancingLine,
    IndicatorAnswer,
    IndicatorBreakdown,
    IndicatorValue,
    ProgressReport,
    ProgressStatus,
    ReportingPeriod,
)
from .permissions import READS_ALL, reports_visible_to
from .workflow import Status


def breakdown_spec(breakdown: Breakdown | None) -> BreakdownSpec:
    """The pure description of a breakdown (dimensions and options in order)."""
    if breakdown is None:
        return BreakdownSpec()
    parts = (
        BreakdownDimension.objects.filter(breakdown=breakdown)
        .select_related("dimension")
        .prefetch_related("dimension__options")
        .order_by("position")
    )
    return BreakdownSpec(tuple(_dimension_spec(part) for part in parts))


def _dimension_spec(part: BreakdownDimension) -> DimensionSpec:
    """The dimension as this breakdown version uses it: only the options of its snapshot, in order."""
    dimension = part.dimension
    by_code = {o.code: o for o in dimension.options.all()}
    return DimensionSpec(
        code=dimension.code,
        label=_(dimension.tr("name")),
        options=tuple(Option(code, _(by_code[code].tr("name"))) for code in part.options if code in by_code),
    )


def indicator_specs(indicators: list[Indicator]) -> dict[int, tuple[Breakdown | None, BreakdownSpec]]:
    """Each indicator's current breakdown and its spec, in three queries for any number of indicators."""
    settings = {
        s.indicator_id: s.breakdown
        for s in IndicatorBreakdown.objects.filter(indicator__in=indicators).select_related("breakdown")
    }
    breakdown_ids = {b.pk for b in settings.values() if b is not None}
    parts_by_breakdown: dict[int, list[BreakdownDimension]] = defaultdict(list)
    parts = (
        BreakdownDimension.objects.filter(breakdown_id__in=breakdown_ids)
        .select_related("dimension")
        .prefetch_related("dimension__options")
        .order_by("breakdown_id", "position")
    )
    for part in parts:
        parts_by_breakdown[part.breakdown_id].append(part)
    specs: dict[int, tuple[Breakdown | None, BreakdownSpec]] = {}
    for indicator in indicators:
        breakdown = settings.get(indicator.pk)
        dims = (
            tuple(_dimension_spec(p) for p in parts_by_breakdown.get(breakdown.pk, [])) if breakdown else ()
        )
        specs[indicator.pk] = (breakdown, BreakdownSpec(dims))
    return specs


def _members_by_kind(country: str, assignments: list[Assignment]) -> dict[str, list[Organisation]]:
    """The organisations that the collectives among ``assignments`` stand for, by kind (one query)."""
    kinds = {
        k for a in assignments if a.agency.kind == OrganisationKind.COLLECTIVE for k in a.agency.member_kinds
    }
    members: dict[str, list[Organisation]] = defaultdict(list)
    if kinds:
        for org in Organisation.objects.filter(country=country, kind__in=kinds):
            members[org.kind].append(org)
    return members


def _expand(assignment: Assignment, members_by_kind: dict[str, list[Organisation]]) -> list[Organisation]:
    """The organisations an assignment names: the agency itself, or a collective's members."""
    agency = assignment.agency
    if agency.kind != OrganisationKind.COLLECTIVE:
        return [agency]
    return [org for kind in agency.member_kinds for org in members_by_kind.get(kind, [])]


def reporting_agencies(activity: Activity, *, role: str | None = Role.IMPLEMENTER) -> list[Organisation]:
    """The organisations that report on ``activity``: its implementers (activity-level assignments
    first, else the priority area's), collectives expanded to their members. With ``role=None``
    recommended partners count too (NGOs report their contributions)."""
    assignments = Assignment.objects.filter(priority_area_id=activity.priority_area_id).select_related(
        "agency"
    )
    own = [a for a in assignments if a.activity_id == activity.pk]
    chosen = own or [a for a in assignments if a.activity_id is None]
    if role is not None:
        chosen = [a for a in chosen if a.role == role]
    members_by_kind = _members_by_kind(activity.plan.country, chosen)
    seen: dict[int, Organisation] = {}
    for assignment in chosen:
        for org in _expand(assignment, members_by_kind):
            seen.setdefault(org.pk, org)
    return sorted(seen.values(), key=lambda o: o.name)


def may_report(activity: Activity, agency: Organisation) -> bool:
    return any(org.pk == agency.pk for org in reporting_agencies(activity, role=None))


def activities_in_period(plan: Plan, period: ReportingPeriod) -> QuerySet[Activity]:
    """Activities whose years (their own, else their priority area's) overlap the period."""
    year_start, year_end = period.start.year, period.end.year
    own = Q(start_year__isnull=False, start_year__lte=year_end, end_year__gte=year_start)
    area = Q(
        start_year__isnull=True,
        priority_area__start_year__isnull=False,
        priority_area__start_year__lte=year_end,
        priority_area__end_year__gte=year_start,
    )
    return (
        Activity.objects.filter(plan=plan)
        .filter(own | area)
        .select_related("priority_area", "priority_area__pillar", "plan")
        .order_by("priority_area__position", "position")
    )


@dataclass
class ExpectedRow:
    activity: Activity
    agency: Organisation
    report: ProgressReport | None
    # True for a recommended partner's contribution (NGOs, the Ombudsman): welcome, never owed.
    optional: bool = False

    @property
    def state(self) -> str:
        return self.report.status if self.report else "missing"


def expected_reports(
    period: ReportingPeriod, *, agency: Organisation | None = None, partners: bool = False
) -> list[ExpectedRow]:
    """Every (activity, implementing agency) expected to report for ``period``, with its report if any.
    With ``partners``, recommended partners' possible contributions are listed too, marked optional.
    A fixed number of queries: activities, assignments, collective members, reports."""
    plan = period.plan
    activities = list(activities_in_period(plan, period))
    roles = [Role.IMPLEMENTER, Role.RECOMMENDED] if partners else [Role.IMPLEMENTER]
    assignments = list(Assignment.objects.filter(plan=plan, role__in=roles).select_related("agency"))
    members_by_kind = _members_by_kind(plan.country, assignments)
    by_area: dict[int, list[Assignment]] = defaultdict(list)
    by_activity: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        (by_activity[a.activity_id] if a.activity_id else by_area[a.priority_area_id]).append(a)
    reports_qs = ProgressReport.objects.filter(period=period)
    if agency is not None:
        reports_qs = reports_qs.filter(agency=agency)
    reports = {(r.activity_id, r.agency_id): r for r in reports_qs}
    rows = []
    for activity in activities:
        for org, optional in _reporting_orgs(activity, by_activity, by_area, members_by_kind):
            if agency is None or org.pk == agency.pk:
                rows.append(ExpectedRow(activity, org, reports.get((activity.pk, org.pk)), optional=optional))
    return rows


def _reporting_orgs(
    activity: Activity,
    by_activity: dict[int, list[Assignment]],
    by_area: dict[int, list[Assignment]],
    members_by_kind: dict[str, list[Organisation]],
) -> list[tuple[Organisation, bool]]:
    """The organisations that report on ``activity`` (its own assignments, else its priority area's,
    collectives expanded), by name, each with whether its report is optional (a recommended partner's)."""
    chosen = by_activity.get(activity.pk) or by_area.get(activity.priority_area_id, [])
    orgs: dict[int, Organisation] = {}
    implementers: set[int] = set()
    for a in chosen:
        for org in _expand(a, members_by_kind):
            orgs.setdefault(org.pk, org)
            if a.role == Role.IMPLEMENTER:
                implementers.add(org.pk)
    return [(org, org.pk not in implementers) for org in sorted(orgs.values(), key=lambda o: o.name)]


def runs_in(activity: Activity, period: ReportingPeriod) -> bool:
    """Whether ``activity``'s years (its own, else its priority area's) overlap ``period``: the test
    ``activities_in_period`` makes in the database, for an activity already read."""
    start, end = activity.effective_start_year, activity.effective_end_year
    if start is None or end is None:
        return False
    return start <= period.end.year and end >= period.start.year


@dataclass(frozen=True)
class ExpectedActivity:
    """An activity running in a period, with the organisations that report on it."""

    period: ReportingPeriod
    activity: Activity
    # (organisation, optional) by name; optional is a recommended partner's welcome contribution. Empty
    # when nobody is assigned.
    agencies: tuple[tuple[Organisation, bool], ...]


def expected_in(
    plan: Plan, periods: list[ReportingPeriod], *, partners: bool = False
) -> list[ExpectedActivity]:
    """``expected_reports`` for every period of ``periods`` at once, by activity and without the reports:
    three queries (activities, assignments, collective members) whatever the number of periods. By period,
    then in the plan's order of activities; activities nobody reports on are listed too."""
    activities = list(
        Activity.objects.filter(plan=plan)
        .select_related("priority_area")
        .order_by("priority_area__position", "position")
    )
    roles = [Role.IMPLEMENTER, Role.RECOMMENDED] if partners else [Role.IMPLEMENTER]
    assignments = list(Assignment.objects.filter(plan=plan, role__in=roles).select_related("agency"))
    members_by_kind = _members_by_kind(plan.country, assignments)
    by_area: dict[int, list[Assignment]] = defaultdict(list)
    by_activity: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        (by_activity[a.activity_id] if a.activity_id else by_area[a.priority_area_id]).append(a)
    orgs = {a.pk: tuple(_reporting_orgs(a, by_activity, by_area, members_by_kind)) for a in activities}
    return [
        ExpectedActivity(period, activity, orgs[activity.pk])
        for period in sorted(periods, key=lambda p: p.start)
        for activity in activities
        if runs_in(activity, period)
    ]


class ValueRow(NamedTuple):
    indicator: str  # the indicator's key
    cell: str
    value: Decimal


class AnswerRow(NamedTuple):
    indicator: str
    text: str


class FinancingRow(NamedTuple):
    source: str
    planned: Decimal | None
    spent: Decimal | None


class ReportContent(NamedTuple):
    """What a report says, as rows read by ``reports_with_content`` for a whole page at once."""

    values: list[ValueRow]
    answers: list[AnswerRow]
    financing: list[FinancingRow]


def reports_with_content[R: Sequence[ProgressReport]](reports: R) -> R:
    """``reports`` each with ``content``, its figures, answers and financing as plain rows (the API's
    ``ReportSerializer`` reads them), in three queries for any number of reports.

    Rather than prefetch_related: a page of 100 reports carries a thousand figures or more, and rows read
    as tuples cost a fraction of the model instances (and of the filtered queryset Django makes for every
    report) that prefetch_related builds; the report list is the API's hot path."""
    ids = [report.pk for report in reports]
    values: dict[int, list[ValueRow]] = defaultdict(list)
    for report_id, key, cell, value in (
        IndicatorValue.objects.filter(report_id__in=ids)
        .order_by("indicator__position", "cell")
        .values_list("report_id", "indicator__key", "cell", "value")
    ):
        values[report_id].append(ValueRow(key, cell, value))
    answers: dict[int, list[AnswerRow]] = defaultdict(list)
    for report_id, key, text in (
        IndicatorAnswer.objects.filter(report_id__in=ids)
        .order_by("indicator__position")
        .values_list("report_id", "indicator__key", "text")
    ):
        answers[report_id].append(AnswerRow(key, text))
    financing: dict[int, list[FinancingRow]] = defaultdict(list)
    for report_id, source, planned, spent in (
        FinancingLine.objects.filter(report_id__in=ids)
        .order_by("source")
        .values_list("report_id", "source", "planned", "spent")
    ):
        financing[report_id].append(FinancingRow(source, planned, spent))
    for report in reports:
        content = ReportContent(values[report.pk], answers[report.pk], financing[report.pk])
        report.content = content  # type: ignore[attr-defined]
    return reports


def report_queryset(user: Any) -> QuerySet[ProgressReport]:
    """The reports ``user`` may see, with what every list shows, in one query."""
    return reports_visible_to(user).select_related(
        "period", "activity", "activity__priority_area", "agency", "created_by"
    )


def review_queue(user: Any) -> QuerySet[ProgressReport]:
    """What waits for ``user``: submitted reports of their agency (approvers), endorsed reports
    (coordinators), approved reports to publish (coordinators)."""
    qs = report_queryset(user)
    role = getattr(user, "role", "")
    if role == "approver":
        return qs.filter(status=Status.SUBMITTED)
    if role == "coordinator":
        return qs.filter(status__in=[Status.ENDORSED, Status.APPROVED])
    return qs.none()


def report_content(report: ProgressReport) -> dict[str, Any]:
    """What the report says, as plain data: the snapshot kept at each workflow step."""
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for value in report.values.select_related("indicator").order_by("indicator__position", "cell"):
        values[value.indicator.key][value.cell] = _plain(value.value)
    answers = {a.indicator.key: a.text for a in report.answers.select_related("indicator")}
    financing = {
        line.source: {"planned": _plain(line.planned), "spent": _plain(line.spent)}
        for line in report.financing.all()
    }
    return {
        "progress": report.progress,
        "done": report.done,
        "challenges": report.challenges,
        "next_steps": report.next_steps,
        "started_on": report.started_on.isoformat() if report.started_on else None,
        "finished_on": report.finished_on.isoformat() if report.finished_on else None,
        "values": dict(values),
        "answers": answers,
        "financing": financing,
        "evidence": [e.original_name for e in report.evidence.all()],
    }


def _plain(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def report_indicators(report: ProgressReport) -> list[Indicator]:
    return list(Indicator.objects.filter(activity_id=report.activity_id).order_by("position"))


def periods(plan: Plan) -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(plan=plan).order_by("start")


# --- the reports browser ------------------------------------------------------------------------------

# Sort orders on indexed keys only (reporting migration 0004): keyset paging (core/keyset.py) walks them.
BROWSE_ORDERINGS = (
    keyset.Ordering("-updated", ("updated_at", "id"), True, gettext_lazy("Last changed first")),
    keyset.Ordering("updated", ("updated_at", "id"), False, gettext_lazy("Changed longest ago first")),
    keyset.Ordering("-id", ("id",), True, gettext_lazy("Newest reports first")),
    keyset.Ordering("id", ("id",), False, gettext_lazy("Oldest reports first")),
)
BROWSE_PAGE_SIZE = 50
# Organisations that never report (they coordinate, evaluate, fund, or stand for their members).
NOT_REPORTING = (OrganisationKind.COLLECTIVE, OrganisationKind.EVALUATOR, OrganisationKind.DONOR)


@dataclass(frozen=True)
class BrowseFilters:
    """What the browser lists: None means all. ``activity`` is an activity's key, ``status`` a review status
    code, ``progress`` an implementation status code; the others are ids."""

    period: int | None = None
    pillar: int | None = None
    area: int | None = None
    activity: str | None = None
    agency: int | None = None
    status: str | None = None
    progress: str | None = None

    def query(self) -> dict[str, str]:
        """The filters as GET parameters (set ones only)."""
        return {name: str(value) for name, value in self.__dict__.items() if value not in (None, "")}


@dataclass(frozen=True)
class BrowseChoices:
    """What the browser's filters offer ``user``: four queries."""

    periods: list[ReportingPeriod]
    pillars: list[Pillar]
    areas: list[PriorityArea]
    agencies: list[Organisation]


def browse_choices(user: Any) -> BrowseChoices:
    plans = plans_visible_to(user)
    agencies = Organisation.objects.exclude(kind__in=NOT_REPORTING).order_by("name")
    if not has_role(user, *READS_ALL):
        agencies = agencies.filter(pk__in=[getattr(user, "organisation_id", None) or 0])
    return BrowseChoices(
        periods=list(
            ReportingPeriod.objects.filter(plan__in=plans)
            .select_related("plan")
            .order_by("plan__slug", "start")
        ),
        pillars=list(Pillar.objects.filter(plan__in=plans).order_by("plan__slug", "position")),
        areas=list(PriorityArea.objects.filter(plan__in=plans).order_by("plan__slug", "position")),
        agencies=list(agencies),
    )


def browse_filters(data: Any, choices: BrowseChoices) -> BrowseFilters:
    """The filters in ``data`` (a query dict), each checked against what ``choices`` offers; every value
    that does not fit is named (``InvalidInput``, one problem per parameter)."""
    problems: list[Problem] = []
    found: dict[str, Any] = {}

    def one_of(name: str, known: set[int]) -> None:
        raw = data.get(name, "")
        if raw == "":
            return
        try:
            pk = params.identifier(name, raw)
        except InvalidInput as exc:
            problems.extend(exc.problems)
            return
        if pk not in known:
            problems.append(Problem(name, "not_found", _("Choose one from the list.")))
            return
        found[name] = pk

    one_of("period", {p.pk for p in choices.periods})
    one_of("pillar", {p.pk for p in choices.pillars})
    one_of("area", {a.pk for a in choices.areas})
    one_of("agency", {o.pk for o in choices.agencies})
    for name, codes in (("status", {s.value for s in Status}), ("progress", set(ProgressStatus.values))):
        raw = data.get(name, "")
        if raw == "":
            continue
        if raw not in codes:
            problems.append(Problem(name, "invalid", _("Choose one from the list.")))
        else:
            found[name] = raw
    raw = data.get("activity", "")
    if raw != "":
        try:
            key = params.text("activity", raw, max_length=60)
        except InvalidInput as exc:
            problems.extend(exc.problems)
        else:
            plans = {p.plan_id for p in choices.periods} | {p.plan_id for p in choices.pillars}
            if Activity.objects.filter(plan_id__in=plans, key=key).exists():
                found["activity"] = key
            else:
                problems.append(Problem("activity", "not_found", _("No activity of the plan has this key.")))
    if problems:
        raise InvalidInput(problems)
    return BrowseFilters(**found)


def browse_reports(
    user: Any,
    filters: BrowseFilters,
    *,
    ordering: keyset.Ordering,
    cursor: str | None,
    size: int = BROWSE_PAGE_SIZE,
) -> keyset.Page[ProgressReport]:
    """One page of the reports ``user`` may see that match ``filters``, in ``ordering``, after (or before)
    ``cursor``: one query whatever the number of reports (keyset paging, no offset, no count)."""
    qs = report_queryset(user)
    lookups = {
        "period_id": filters.period,
        "activity__priority_area__pillar_id": filters.pillar,
        "activity__priority_area_id": filters.area,
        "activity__key": filters.activity,
        "agency_id": filters.agency,
        "status": filters.status,
        "progress": filters.progress,
    }
    qs = qs.filter(**{name: value for name, value in lookups.items() if value is not None})
    return keyset.paginate(qs, ordering, cursor, size)
