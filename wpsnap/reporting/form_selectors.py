"""Reads for the focal point's screens: "my activities this period" and the report form.

Each function loads what its screen shows in a fixed number of queries, whatever the number of
reports, activities or indicators (the page tests pin the counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Organisation, Role
from wpsnap.plan.models import Activity, Indicator, IndicatorKind
from wpsnap.plan.permissions import plans_visible_to

from . import selectors
from .disaggregation import BreakdownSpec
from .models import (
    Breakdown,
    Comment,
    Evidence,
    FinancingLine,
    ProgressReport,
    ReportingPeriod,
    ReportTransition,
)
from .permissions import reports_visible_to
from .sources import SourceFigures, figures_for
from .workflow import Status

MISSING = "missing"

# Short labels for the list of activities (the workflow's own labels are sentences).
STATE_LABELS: dict[str, Promise] = {
    MISSING: _("Not started"),
    Status.DRAFT: _("Draft"),
    Status.SUBMITTED: _("Submitted"),
    Status.ENDORSED: _("Endorsed"),
    Status.RETURNED: _("Returned: corrections asked"),
    Status.APPROVED: _("Approved"),
    Status.PUBLISHED: _("Published"),
}
# States in which the agency still owes the coordinator something.
OUTSTANDING = frozenset({MISSING, Status.DRAFT, Status.RETURNED})


# --- my activities ---------------------------------------------------------------------------------


@dataclass
class ActivityRow:
    activity: Activity
    text: str
    report: ProgressReport | None
    state: str
    overdue: bool
    # What the person can do next: "start", "continue", "view" or "" (nothing).
    action: str
    # Filled by the view (page addresses are the view's business).
    view_url: str = ""
    # A recommended partner's contribution: welcome, never overdue.
    optional: bool = False
    period: ReportingPeriod | None = None

    @property
    def state_label(self) -> Promise:
        return STATE_LABELS[self.state]

    @property
    def group(self) -> str:
        """Where the workspace lists the row: "overdue", "due" (owed, not started, not yet late),
        "drafts" (drafts and returned reports) or "rest"."""
        if self.overdue:
            return "overdue"
        open_now = self.period is not None and not self.period.is_locked
        if self.state == MISSING and not self.optional and open_now:
            return "due"
        if self.state in (Status.DRAFT, Status.RETURNED) and open_now:
            return "drafts"
        return "rest"


# The workspace's groups, in the order it lists them.
GROUPS: tuple[tuple[str, Promise, Promise], ...] = (
    ("overdue", _("Overdue"), _("Past their due date: hand these in first.")),
    ("due", _("Due"), _("Not started yet, due by the date shown.")),
    (
        "drafts",
        _("Drafts and returned reports"),
        _("Started, or returned with comments: finish and submit them."),
    ),
    ("rest", _("Everything else"), _("Handed in, approved, or optional contributions.")),
)


@dataclass(frozen=True)
class RowGroup:
    key: str
    title: Promise
    intro: Promise
    rows: list[ActivityRow]


@dataclass
class MyActivitiesPage:
    periods: list[ReportingPeriod]
    # The one period chosen (?period=), or None for the workspace: every open period at once.
    period: ReportingPeriod | None
    agency: Organisation | None
    rows: list[ActivityRow] = field(default_factory=list)
    writer: bool = False
    today: date | None = None
    # The periods the rows come from (the workspace: every period open for reporting).
    shown: list[ReportingPeriod] = field(default_factory=list)

    @property
    def workspace(self) -> bool:
        return self.period is None and bool(self.shown)

    @property
    def several_plans(self) -> bool:
        return len({p.plan_id for p in self.periods}) > 1

    @property
    def owed(self) -> int:
        """Reports the agency must hand in (optional contributions left out)."""
        return sum(1 for row in self.rows if not row.optional)

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.state not in OUTSTANDING and not row.optional)

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.overdue)

    @property
    def groups(self) -> list[RowGroup]:
        """The rows by what they ask of the agency: overdue, due, drafts and returned, the rest; the
        empty groups left out."""
        by_group: dict[str, list[ActivityRow]] = {key: [] for key, _t, _i in GROUPS}
        for row in self.rows:
            by_group[row.group].append(row)
        # Oldest due date first; returned before drafts (someone waits for the correction).
        for rows in by_group.values():
            rows.sort(key=lambda r: (r.period.due_on if r.period else date.max, r.state != Status.RETURNED))
        return [RowGroup(key, title, intro, by_group[key]) for key, title, intro in GROUPS if by_group[key]]


def reporting_periods(user: Any) -> QuerySet[ReportingPeriod]:
    """The periods of the plans ``user`` may see, oldest first."""
    return (
        ReportingPeriod.objects.filter(plan__in=plans_visible_to(user))
        .select_related("plan")
        .order_by("plan__slug", "start")
    )


def default_period(periods: list[ReportingPeriod], today: date) -> ReportingPeriod | None:
    """The latest open period whose reporting has begun; else the latest that has begun; else the first."""
    begun = [p for p in periods if p.opens_on <= today]
    open_now = [p for p in begun if not p.is_locked]
    for candidates in (open_now, begun, periods):
        if candidates:
            return max(candidates, key=lambda p: (p.start, p.pk))
    return None


def open_periods(periods: list[ReportingPeriod], today: date) -> list[ReportingPeriod]:
    """The periods open for reporting on ``today``: reporting has begun and the period is not locked."""
    return [p for p in periods if p.opens_on <= today and not p.is_locked]


def my_activities_page(user: Any, *, period_id: int | None, today: date) -> MyActivitiesPage | None:
    """What ``user``'s agency is expected to report on, with each report's state: in the chosen period,
    or (``period_id`` None) the workspace: every period open for reporting at once (the default period
    when none is open), so that no overdue report hides behind another period's tab. None when
    ``period_id`` names no visible period. A fixed number of queries, whatever the number of periods and
    reports: periods, the agency, per plan its activities, assignments and collective members, and the
    agency's reports."""
    periods = list(reporting_periods(user))
    if period_id is None:
        period = None
        shown = open_periods(periods, today)
        if not shown:
            period = default_period(periods, today)
            shown = [period] if period else []
    else:
        period = next((p for p in periods if p.pk == period_id), None)
        if period is None:
            return None
        shown = [period]
    agency = getattr(user, "organisation", None)
    writer = permissions.can(user, "report.create")
    page = MyActivitiesPage(
        periods=periods, period=period, agency=agency, writer=writer, today=today, shown=shown
    )
    reports_agency = permissions.has_role(user, Role.APPROVER, Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)
    if not shown or agency is None or not reports_agency:
        return page
    by_plan: dict[int, list[ReportingPeriod]] = {}
    for chosen in shown:
        by_plan.setdefault(chosen.plan_id, []).append(chosen)
    expected = [
        (item, optional)
        for plan_periods in by_plan.values()
        for item in selectors.expected_in(plan_periods[0].plan, plan_periods, partners=True)
        for org, optional in item.agencies
        if org.pk == agency.pk
    ]
    reports = {
        (r.activity_id, r.period_id): r
        for r in reports_visible_to(user)
        .filter(period__in=shown, agency=agency)
        .select_related("activity", "activity__priority_area")
    }
    periods_by_id = {p.pk: p for p in shown}
    rows = []
    for item, optional in expected:
        report = reports.pop((item.activity.pk, item.period.pk), None)
        rows.append(_row(item.activity, report, item.period, today, writer, optional=optional))
    # Reports the agency keeps on activities outside the plan's assignments are listed too.
    rows += [
        _row(report.activity, report, periods_by_id[period_pk], today, writer)
        for (_activity, period_pk), report in reports.items()
    ]
    page.rows = rows
    return page


def _row(
    activity: Activity,
    report: ProgressReport | None,
    period: ReportingPeriod,
    today: date,
    writer: bool,
    *,
    optional: bool = False,
) -> ActivityRow:
    state = report.status if report else MISSING
    overdue = not optional and state in OUTSTANDING and today > period.due_on and not period.is_locked
    if writer and not period.is_locked and state == MISSING:
        action = "start"
    elif writer and not period.is_locked and state in (Status.DRAFT, Status.RETURNED):
        action = "continue"
    elif report is not None:
        action = "view"
    else:
        action = ""
    return ActivityRow(
        activity, activity.tr("text"), report, state, overdue, action, optional=optional, period=period
    )


def period_activities(period: ReportingPeriod) -> QuerySet[Activity]:
    """The activities a report may be started on in ``period`` (the service checks the agency)."""
    return Activity.objects.filter(plan_id=period.plan_id)


# --- the report form -------------------------------------------------------------------------------


def reports_for_form(user: Any) -> QuerySet[ProgressReport]:
    """The reports ``user`` may see, with everything the form's heading shows."""
    return selectors.report_queryset(user).select_related("plan", "period__plan")


def evidence_visible_to(user: Any) -> QuerySet[Evidence]:
    """Evidence files of the reports ``user`` may see."""
    return Evidence.objects.filter(report__in=reports_visible_to(user)).select_related(
        "report", "report__period"
    )


@dataclass
class IndicatorBlock:
    """One indicator on the form, with what is stored for it."""

    indicator: Indicator
    text: str
    breakdown: Breakdown | None
    spec: BreakdownSpec
    # {cell key: figure as text}; "" is the total.
    values: dict[str, str] = field(default_factory=dict)
    answer: str = ""
    # What another part of the platform (the events) says the figures are, if anything.
    source: SourceFigures | None = None

    @property
    def is_count(self) -> bool:
        return self.indicator.kind == IndicatorKind.COUNT


@dataclass
class ReportFormPage:
    report: ProgressReport
    indicators: list[IndicatorBlock]
    # {source: line}
    financing: dict[str, FinancingLine] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    # A returned report: the step that returned it (who, when, the note) and the comments since.
    returned: ReportTransition | None = None
    comments_since: list[Comment] = field(default_factory=list)


def report_form_layout(report: ProgressReport) -> ReportFormPage:
    """The indicators of the report's activity with their breakdowns, without stored figures (what a
    form needs to read a POST): four queries."""
    indicators = selectors.report_indicators(report)
    specs = selectors.indicator_specs(indicators)
    blocks = [
        IndicatorBlock(indicator, indicator.tr("text"), *specs[indicator.pk]) for indicator in indicators
    ]
    return ReportFormPage(report=report, indicators=blocks)


def report_form_page(report: ProgressReport) -> ReportFormPage:
    """Everything the report form shows: the layout, stored figures, answers, financing, evidence files,
    the comment thread and the figure sources' figures, in nine queries and the sources' own (a fixed
    number: see ``sources``)."""
    page = report_form_layout(report)
    add_source_figures(page)
    by_indicator = {block.indicator.pk: block for block in page.indicators}
    for indicator_id, cell, value in report.values.values_list("indicator_id", "cell", "value"):
        if indicator_id in by_indicator:
            by_indicator[indicator_id].values[cell] = plain(value)
    for indicator_id, text in report.answers.values_list("indicator_id", "text"):
        if indicator_id in by_indicator:
            by_indicator[indicator_id].answer = text
    page.financing = {line.source: line for line in report.financing.all()}
    page.evidence = list(report.evidence.order_by("created_at", "pk"))
    page.comments = list(report.comments.select_related("author"))
    if report.status == Status.RETURNED:
        add_return_note(page)
    return page


def add_return_note(page: ReportFormPage) -> None:
    """The reviewer's return of ``page``'s report (its note, who and when) and the comments written
    since, for the top of the form: one query (the last return), the comments being read already."""
    page.returned = (
        ReportTransition.objects.filter(report=page.report, target=Status.RETURNED)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if page.returned is None:
        return
    # The return wrote its note as a comment too: the comments after the last one of them are "since".
    note = page.returned.note.strip()
    start = 0
    for index, comment in enumerate(page.comments):
        if comment.author_id == page.returned.actor_id and comment.text.strip() == note:
            start = index + 1
    page.comments_since = page.comments[start:]


def add_source_figures(page: ReportFormPage) -> None:
    """Give each count indicator of ``page`` what the figure sources say for it."""
    counts = [block for block in page.indicators if block.is_count]
    specs = {block.indicator.pk: (block.breakdown, block.spec) for block in counts}
    found = figures_for(page.report, [block.indicator for block in counts], specs)
    for block in counts:
        block.source = found.get(block.indicator.pk)


def plain(value: Decimal | None) -> str:
    """A stored figure as people type it: 20, not 20.00."""
    if value is None:
        return ""
    return f"{value.normalize():f}"
