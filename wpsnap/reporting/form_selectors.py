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
from .models import Breakdown, Comment, Evidence, FinancingLine, ProgressReport, ReportingPeriod
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

    @property
    def state_label(self) -> Promise:
        return STATE_LABELS[self.state]


@dataclass
class MyActivitiesPage:
    periods: list[ReportingPeriod]
    period: ReportingPeriod | None
    agency: Organisation | None
    rows: list[ActivityRow] = field(default_factory=list)
    writer: bool = False
    today: date | None = None

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


def my_activities_page(user: Any, *, period_id: int | None, today: date) -> MyActivitiesPage | None:
    """What ``user``'s agency is expected to report on in the chosen period (the default one when
    ``period_id`` is None), with each report's state. None when ``period_id`` names no visible period."""
    periods = list(reporting_periods(user))
    if period_id is None:
        period = default_period(periods, today)
    else:
        period = next((p for p in periods if p.pk == period_id), None)
        if period is None:
            return None
    agency = getattr(user, "organisation", None)
    writer = permissions.can(user, "report.create")
    page = MyActivitiesPage(periods=periods, period=period, agency=agency, writer=writer, today=today)
    reports_agency = permissions.has_role(user, Role.APPROVER, Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)
    if period is None or agency is None or not reports_agency:
        return page
    rows = selectors.expected_reports(period, agency=agency, partners=True)
    expected = {row.activity.pk for row in rows}
    optional = {row.activity.pk for row in rows if row.optional}
    # Reports the agency keeps on activities outside the plan's assignments are listed too.
    others = (
        reports_visible_to(user)
        .filter(period=period, agency=agency)
        .exclude(activity_id__in=expected)
        .select_related("activity", "activity__priority_area")
    )
    found = [(row.activity, row.report) for row in rows] + [(r.activity, r) for r in others]
    page.rows = [
        _row(activity, report, period, today, writer, optional=activity.pk in optional)
        for activity, report in found
    ]
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
    return ActivityRow(activity, activity.tr("text"), report, state, overdue, action, optional=optional)


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
    return page


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
