"""Reviewing reports: the review queue, a report's read-only page with its comments and the steps its
reader may take now, the report's history with the difference between versions, and the reporting
periods with their locks.

Thin: every view passes the permission gate, reads reports only within ``reports_visible_to`` (through
``get_or_refuse``, so that another agency's id answers 404 and is logged) and changes them only
through ``wpsnap.reporting.services``. The small dataclasses below shape what the templates walk.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from wpsnap.accounts import permissions
from wpsnap.accounts.permissions import gate, get_or_refuse
from wpsnap.core import versions
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.forms import add_problems
from wpsnap.plan.models import Indicator, IndicatorKind, Plan, PlanStatus
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.plan.selectors import Translated, plan_get_with_text

from .. import selectors, services
from ..diff import Change, Labels, diff, labels_for
from ..disaggregation import TOTAL, BreakdownSpec, cell_key, parse_cell_key
from ..models import FundingSource, ProgressReport, ProgressStatus, ReportingPeriod
from ..review_forms import CommentForm, ReopenForm, StepForm
from ..services import LockedError
from ..sources import SourceFigures, figures_for
from ..workflow import EDITABLE, STATUS_LABELS, STEP_LABELS, Status, Step, Transition, steps_from

# The steps taken on these pages; a report is submitted from its form, where problems show by field.
REVIEW_STEPS = frozenset({Step.ENDORSE, Step.RETURN, Step.APPROVE, Step.PUBLISH, Step.UNPUBLISH})

# Short names of the statuses, for table headings.
STATUS_SHORT = {
    Status.DRAFT: gettext_lazy("Draft"),
    Status.SUBMITTED: gettext_lazy("Submitted"),
    Status.ENDORSED: gettext_lazy("Endorsed"),
    Status.RETURNED: gettext_lazy("Returned"),
    Status.APPROVED: gettext_lazy("Approved"),
    Status.PUBLISHED: gettext_lazy("Published"),
}
WAITING = (Status.SUBMITTED, Status.ENDORSED)


def _may_review(user: Any) -> bool:
    return permissions.can(user, "report.review")


def _report(request: HttpRequest, pk: int) -> ProgressReport:
    scope = selectors.report_queryset(request.user).select_related("plan")
    report = get_or_refuse(request, scope, pk=pk)
    report.activity.t = Translated(report.activity)  # type: ignore[attr-defined]
    return report


def _problems(request: HttpRequest, form: Any, problems: list[Problem]) -> None:
    """Put the problems next to their fields; those no field of the form takes are shown as messages
    (these pages show no form-wide errors)."""
    for problem in add_problems(form, problems):
        messages.error(request, problem.message)


def _nothing_changed(request: HttpRequest, form: Any) -> None:
    """Say at the top of the page, where the messages are read first, that a field needs attention."""
    if any(form.errors.get(name) for name in form.fields):
        messages.error(request, _("Nothing was changed: see the message next to the field."))


# --- the queue --------------------------------------------------------------------------------------


@dataclass
class QueueGroup:
    key: str
    title: str
    intro: str
    reports: list[ProgressReport]


@gate("report.review", authenticated=True)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    reports = list(selectors.review_queue(user))
    by_status: dict[str, list[ProgressReport]] = defaultdict(list)
    for report in reports:
        report.activity.t = Translated(report.activity)  # type: ignore[attr-defined]
        by_status[report.status].append(report)
    groups = []
    if permissions.can(user, "report.endorse"):
        groups.append(
            QueueGroup(
                "submitted",
                _("Waiting for your endorsement"),
                _("Your agency's focal points submitted these. Endorse each, or return it with a comment."),
                by_status[Status.SUBMITTED],
            )
        )
    if permissions.can(user, "report.approve"):
        groups += [
            QueueGroup(
                "endorsed",
                _("Waiting for your approval"),
                _("Endorsed by the agency's approver. Approve each, or return it with a comment."),
                by_status[Status.ENDORSED],
            ),
            QueueGroup(
                "approved",
                _("Approved, ready to publish"),
                _("Publishing makes a report's figures public."),
                by_status[Status.APPROVED],
            ),
        ]
    return render(request, "reporting/queue.html", {"groups": groups, "total": len(reports)})


# --- one report -------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One figure as reported, and what the figure source (the events) says for its cell, if anything."""

    value: str
    source: int | None = None

    @property
    def differs(self) -> bool:
        # A figure not entered differs from a source's figure above zero.
        return self.source is not None and Decimal(self.value or 0) != self.source


@dataclass
class Grid:
    """One table of figures: rows by one dimension, columns by the next (the form's grid)."""

    caption: str
    corner: str
    columns: list[str]
    rows: list[tuple[str, list[Figure]]]


@dataclass
class IndicatorBlock:
    indicator: Indicator
    is_count: bool
    total: Figure
    grids: list[Grid]
    # figures stored under cells the current breakdown no longer has (an earlier version's)
    other: list[tuple[str, str]]
    answer: str
    source: SourceFigures | None = None

    @property
    def differences(self) -> int:
        figures = [self.total] + [f for grid in self.grids for _label, row in grid.rows for f in row]
        return sum(1 for figure in figures if figure.differs)


@dataclass
class Action:
    step: str
    label: str
    url: str
    needs_comment: bool


def _figure(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _grids(spec: BreakdownSpec, values: dict[str, Decimal], source: SourceFigures | None) -> list[Grid]:
    cells = source.cells if source is not None else {}

    def figure(key: str) -> Figure:
        return Figure(_figure(values.get(key)), cells.get(key))

    rows_dim, cols_dim = spec.grid()
    if rows_dim is None:
        return []
    leading = spec.dimensions[:-2] if cols_dim is not None else ()
    grids = []
    # More than two dimensions: one table for each option of the ones before the last two.
    for combo in itertools.product(*(d.options for d in leading)):
        prefix = [(d.code, o.code) for d, o in zip(leading, combo, strict=True)]
        caption = " · ".join(o.label for o in combo)
        if cols_dim is None:
            columns = [_("Figure")]
            rows = [
                (r.label, [figure(cell_key([*prefix, (rows_dim.code, r.code)]))]) for r in rows_dim.options
            ]
            corner = rows_dim.label
        else:
            columns = [c.label for c in cols_dim.options]
            rows = [
                (
                    r.label,
                    [
                        figure(cell_key([*prefix, (rows_dim.code, r.code), (cols_dim.code, c.code)]))
                        for c in cols_dim.options
                    ],
                )
                for r in rows_dim.options
            ]
            corner = f"{rows_dim.label} / {cols_dim.label}"
        grids.append(Grid(caption, corner, columns, rows))
    return grids


def _indicator_blocks(report: ProgressReport) -> list[IndicatorBlock]:
    indicators = selectors.report_indicators(report)
    specs = selectors.indicator_specs(indicators)
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for value in report.values.all():
        values[value.indicator_id][value.cell] = value.value
    answers = {a.indicator_id: a.text for a in report.answers.all()}
    counts = [i for i in indicators if i.kind == IndicatorKind.COUNT]
    sources = figures_for(report, counts, {i.pk: specs[i.pk] for i in counts})
    blocks = []
    for indicator in indicators:
        indicator.t = Translated(indicator)  # type: ignore[attr-defined]
        spec = specs[indicator.pk][1]
        mine = values.get(indicator.pk, {})
        source = sources.get(indicator.pk)
        known = spec.keys()
        other = [
            (" ".join(o for _d, o in parse_cell_key(cell)), _figure(v))
            for cell, v in sorted(mine.items())
            if cell not in known
        ]
        blocks.append(
            IndicatorBlock(
                indicator=indicator,
                is_count=indicator.kind == IndicatorKind.COUNT,
                total=Figure(_figure(mine.get(TOTAL)), source.total if source else None),
                grids=_grids(spec, mine, source),
                other=other,
                answer=answers.get(indicator.pk, ""),
                source=source,
            )
        )
    return blocks


def _actions(user: Any, report: ProgressReport) -> list[Action]:
    allowed: list[Transition] = [
        t
        for t in steps_from(report.status)
        if t.step in REVIEW_STEPS and permissions.can(user, t.action, report)
    ]
    return [
        Action(
            step=t.step.value,
            label=str(STEP_LABELS[t.step]),
            url=reverse("reporting:report_step", args=[report.pk, t.step.value]),
            needs_comment=t.needs_comment,
        )
        for t in allowed
    ]


def _next_hint(report: ProgressReport, steps: set[str], may_edit: bool) -> str:
    if Step.ENDORSE in steps:
        return _(
            "This report waits for your endorsement. Endorse it, or return it with a comment saying what to correct."
        )
    if Step.APPROVE in steps:
        return _(
            "This report waits for your approval. Approve it, or return it with a comment saying what to correct."
        )
    if Step.PUBLISH in steps:
        return _("This report is approved. Publish it to make its figures public.")
    if Step.UNPUBLISH in steps:
        return _(
            "This report is published. To take its figures off the public pages, unpublish it and say why."
        )
    if may_edit and report.status == Status.RETURNED:
        return _(
            "This report was returned for correction: read the comments, correct it and submit it again."
        )
    if may_edit:
        return _("This report is a draft: complete it and submit it for endorsement.")
    if report.period.is_locked:
        return _("The period %(period)s is approved and locked: nothing in this report can change.") % {
            "period": report.period
        }
    return ""


def _render_detail(
    request: HttpRequest,
    report: ProgressReport,
    *,
    step_form: StepForm | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    actions = _actions(user, report)
    may_edit = permissions.can(user, "report.edit", report)
    financing_order = {source: i for i, source in enumerate(FundingSource.values)}
    return_action = next((a for a in actions if a.needs_comment), None)
    step_form = step_form or StepForm()
    if return_action is not None and return_action.step == Step.UNPUBLISH:
        # The one comment field asks for the reason, which the audit trail keeps.
        step_form.fields["comment"].label = _("Why it is taken off the public pages")
        step_form.fields["comment"].help_text = _(
            "The reason is recorded in the audit trail and the comments."
        )
    context = {
        "plan": plan_get_with_text(report.plan),
        "report": report,
        "status_label": STATUS_LABELS[Status(report.status)],
        "indicators": _indicator_blocks(report),
        "financing": sorted(report.financing.all(), key=lambda line: financing_order.get(line.source, 99)),
        "evidence": list(report.evidence.all()),
        "comments": list(report.comments.select_related("author")),
        "actions": [a for a in actions if not a.needs_comment],
        "return_action": return_action,
        "step_form": step_form,
        "may_comment": permissions.can(user, "report.comment", report),
        "comment_form": comment_form or CommentForm(),
        "may_edit": may_edit,
        "may_review": _may_review(user),
        "next_hint": _next_hint(report, {a.step for a in actions}, may_edit),
    }
    return render(request, "reporting/report_detail.html", context, status=status)


@gate("report.view", authenticated=True)
@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _report(request, pk))


_DONE = {
    Step.ENDORSE: gettext_lazy("You endorsed %(report)s. It now waits for the coordinator's approval."),
    Step.RETURN: gettext_lazy("%(report)s is returned to the agency with your comment."),
    Step.APPROVE: gettext_lazy("You approved %(report)s. Its figures now count in the plan's totals."),
    Step.PUBLISH: gettext_lazy("%(report)s is published."),
    Step.UNPUBLISH: gettext_lazy("%(report)s is unpublished: its figures are no longer on the public pages."),
}


@gate("report.view", authenticated=True)
@require_POST
def report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    report = _report(request, pk)
    if step not in REVIEW_STEPS:
        raise Http404
    form = StepForm(request.POST)
    if not form.is_valid():
        _nothing_changed(request, form)
        return _render_detail(request, report, step_form=form, status=400)
    try:
        services.report_transition(
            actor=request.user,
            report=report,
            step=step,
            comment=form.cleaned_data["comment"],
            # The version the page showed: a step judges what the reviewer read.
            version=versions.posted_version(request.POST),
            request=request,
        )
    except InvalidInput as exc:
        _problems(request, form, exc.problems)
        _nothing_changed(request, form)
        return _render_detail(request, report, step_form=form, status=400)
    except LockedError as exc:
        messages.error(request, str(exc))
        return _render_detail(request, report, step_form=form, status=409)
    except versions.StaleWrite as exc:
        messages.error(
            request,
            _(
                "The report changed after you opened it (version %(yours)d, now %(now)d), so nothing was "
                "done. Read it again below as it stands now, then take the step."
            )
            % {"yours": exc.version, "now": exc.current_version},
        )
        _nothing_changed(request, form)
        return _render_detail(request, _report(request, pk), step_form=form, status=409)
    messages.success(request, _DONE[Step(step)] % {"report": report})
    if _may_review(request.user):
        return redirect("reporting:queue")
    return redirect("reporting:report_detail", pk=report.pk)


@gate("report.comment", authenticated=True)
@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = CommentForm(request.POST)
    added = False
    if form.is_valid():
        try:
            services.comment_add(
                actor=request.user, report=report, text=form.cleaned_data["text"], request=request
            )
        except InvalidInput as exc:
            _problems(request, form, exc.problems)
        else:
            added = True
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps the thread alone: the new comment and an empty form, or the form with its error.
        context = {
            "report": report,
            "comments": list(report.comments.select_related("author")),
            "may_comment": True,
            "comment_form": CommentForm() if added else form,
            "just_added": added,
        }
        response = render(
            request, "reporting/partials/review_comments.html", context, status=200 if added else 400
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if not added:
        _nothing_changed(request, form)
        return _render_detail(request, report, comment_form=form, status=400)
    messages.success(request, _("Your comment is added."))
    return redirect(reverse("reporting:report_detail", args=[report.pk]) + "#comments")


# --- history ----------------------------------------------------------------------------------------


@dataclass
class VersionEntry:
    number: int
    status_label: str
    actor: Any
    at: Any
    first: bool
    changes: list[Change] = field(default_factory=list)

    @property
    def caption_id(self) -> str:
        return f"version-{self.number}-caption"


def _diff_labels(report: ProgressReport) -> Labels:
    indicators = selectors.report_indicators(report)
    specs = selectors.indicator_specs(indicators)
    return labels_for(
        indicators=[(i.key, i.tr("text")) for i in indicators],
        specs={i.key: specs[i.pk][1] for i in indicators},
        progress={value: str(label) for value, label in ProgressStatus.choices},
        sources={value: str(label) for value, label in FundingSource.choices},
    )


def _status_label(status: str) -> str:
    try:
        return str(STATUS_LABELS[Status(status)])
    except ValueError:
        return status


@gate("report.view", authenticated=True)
@require_safe
def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    labels = _diff_labels(report)
    transitions = list(report.transitions.select_related("actor").order_by("at", "id"))
    for t in transitions:
        t.source_label = _status_label(t.source)  # type: ignore[attr-defined]
        t.target_label = _status_label(t.target)  # type: ignore[attr-defined]
    entries: list[VersionEntry] = []
    previous: dict[str, Any] | None = None
    for version in report.versions.select_related("actor").order_by("number"):
        entries.append(
            VersionEntry(
                number=version.number,
                status_label=_status_label(version.status),
                actor=version.actor,
                at=version.at,
                first=previous is None,
                changes=diff(previous, version.content, labels) if previous is not None else [],
            )
        )
        previous = version.content
    # Being corrected: what changed since the last version, before anyone submits it.
    pending = (
        diff(previous, selectors.report_content(report), labels)
        if previous is not None and report.status in EDITABLE
        else []
    )
    context = {
        "plan": plan_get_with_text(report.plan),
        "report": report,
        "status_label": STATUS_LABELS[Status(report.status)],
        "transitions": transitions,
        "entries": entries,
        "pending": pending,
        "may_review": _may_review(request.user),
    }
    return render(request, "reporting/report_history.html", context)


# --- periods ----------------------------------------------------------------------------------------


@dataclass
class PeriodRow:
    period: ReportingPeriod
    counts: list[int]
    total: int
    waiting: int
    reopen_form: ReopenForm

    @property
    def labelled_counts(self) -> list[tuple[str, int]]:
        """Each review status's short name with its count: the labels of a row stacked on a phone."""
        return list(zip((str(STATUS_SHORT[s]) for s in Status), self.counts, strict=True))


def _plans(user: Any) -> QuerySet[Plan]:
    return plans_visible_to(user).exclude(status=PlanStatus.DRAFT)


def _period(request: HttpRequest, pk: int) -> ReportingPeriod:
    scope = ReportingPeriod.objects.filter(plan__in=_plans(request.user)).select_related("plan")
    return get_or_refuse(request, scope, pk=pk)


def _periods_url(plan: Plan) -> str:
    return f"{reverse('reporting:periods')}?plan={plan.slug}"


def _periods_page(
    request: HttpRequest,
    *,
    plan: Plan | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    plans = list(_plans(user))
    if plan is None and request.GET.get("plan"):
        plan = get_or_refuse(request, _plans(user), slug=request.GET["plan"])
    if plan is None and plans:
        plan = plans[0]
    rows: list[PeriodRow] = []
    if plan is not None:
        plan_get_with_text(plan)
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        # One aggregate query for every period's counts; order_by() keeps the model's ordering out of GROUP BY.
        for period_id, report_status, number in (
            ProgressReport.objects.filter(plan=plan)
            .values_list("period_id", "status")
            .annotate(number=Count("id"))
            .order_by()
        ):
            counts[period_id][report_status] = number
        for period in selectors.periods(plan).select_related("locked_by"):
            mine = counts.get(period.pk, {})
            form = reopen_form if reopen_form is not None and reopen_form.period_id == period.pk else None
            rows.append(
                PeriodRow(
                    period=period,
                    counts=[mine.get(s.value, 0) for s in Status],
                    total=sum(mine.values()),
                    waiting=sum(mine.get(s.value, 0) for s in WAITING),
                    reopen_form=form or ReopenForm(period_id=period.pk),
                )
            )
    context = {
        "plan": plan,
        "plans": plans,
        "rows": rows,
        "statuses": [STATUS_SHORT[s] for s in Status],
        "may_manage": permissions.can(user, "period.manage"),
    }
    return render(request, "reporting/periods.html", context, status=status)


@gate("period.view", authenticated=True)
@require_safe
def periods(request: HttpRequest) -> HttpResponse:
    return _periods_page(request)


@gate("period.manage", authenticated=True)
@require_POST
def period_lock(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    try:
        services.period_lock(actor=request.user, period=period, request=request)
    except InvalidInput as exc:
        for problem in exc.problems:
            messages.error(
                request,
                _("Period %(period)s cannot be locked: %(message)s")
                % {"period": period, "message": problem.message},
            )
        return _periods_page(request, plan=period.plan, status=400)
    messages.success(
        request,
        _("Period %(period)s is approved and locked: its reports can no longer change until it is re-opened.")
        % {"period": period},
    )
    return redirect(_periods_url(period.plan))


@gate("period.manage", authenticated=True)
@require_POST
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    form = ReopenForm(request.POST, period_id=period.pk)
    if form.is_valid():
        try:
            services.period_reopen(
                actor=request.user, period=period, reason=form.cleaned_data["reason"], request=request
            )
        except InvalidInput as exc:
            _problems(request, form, exc.problems)
        else:
            messages.success(
                request,
                _("Period %(period)s is open again: its agencies can correct their reports.")
                % {"period": period},
            )
            return redirect(_periods_url(period.plan))
    _nothing_changed(request, form)
    return _periods_page(request, plan=period.plan, reopen_form=form, status=400)
