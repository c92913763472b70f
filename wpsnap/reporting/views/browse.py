"""The reports browser (/reports/browse/) and its bulk steps.

The browser lists the reports a coordinator, an evaluator (read-only) or an agency's approver (their
agency's) may see, filtered by period, pillar, priority area, activity, agency, review status and
implementation status, sorted on indexed keys only and paged by cursor (``core.keyset``: no offset, no
count of the table). Bulk endorse, approve and publish: the reports chosen on the list, one confirmation
page that lists them with the version each was shown at, then each report goes through its own workflow
step (``services.report_transition``: its own transaction, gate check, lock check and audit line, refused
when it changed since that version); the result page says which went through and which were refused, and
why. Each step is gated as on a single report's page: the view by ``report.review``, the step by its
action (``report.endorse``, ``report.approve``, ``report.publish``), each report by the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from wpsnap.accounts import permissions
from wpsnap.accounts.permissions import gate
from wpsnap.core import keyset, params, versions
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.plan.selectors import Translated

from .. import selectors, services
from ..models import ProgressReport, ProgressStatus
from ..services import LockedError
from ..workflow import STATUS_LABELS, STEP_LABELS, Status, Step, transition_for
from .review import STATUS_SHORT

# The steps taken in bulk, and the gate action that says who may try each at all.
BULK_STEPS = {
    Step.ENDORSE: "report.endorse",
    Step.APPROVE: "report.approve",
    Step.PUBLISH: "report.publish",
}
BULK_BUTTONS: dict[Step, Promise] = {
    Step.ENDORSE: gettext_lazy("Endorse the chosen reports"),
    Step.APPROVE: gettext_lazy("Approve the chosen reports"),
    Step.PUBLISH: gettext_lazy("Publish the chosen reports"),
}
# At most one page of the browser at a time.
BULK_MAX = selectors.BROWSE_PAGE_SIZE


def _bulk_steps(user: Any) -> list[tuple[str, Promise]]:
    return [
        (step.value, BULK_BUTTONS[step])
        for step, action in BULK_STEPS.items()
        if permissions.can(user, action)
    ]


@gate("report.browse", authenticated=True)
@require_safe
def browse(request: HttpRequest) -> HttpResponse:
    user = request.user
    choices = selectors.browse_choices(user)
    problems: list[Problem] = []
    filters = selectors.BrowseFilters()
    ordering = selectors.BROWSE_ORDERINGS[0]
    page: keyset.Page[ProgressReport] | None = None
    try:
        filters = selectors.browse_filters(request.GET, choices)
        ordering = keyset.ordering_named("sort", request.GET.get("sort"), selectors.BROWSE_ORDERINGS)
        cursor = params.text("cursor", request.GET.get("cursor", "")) or None
        page = selectors.browse_reports(user, filters, ordering=ordering, cursor=cursor)
    except InvalidInput as exc:
        problems = exc.problems
    if page is not None:
        for report in page.items:
            report.activity.t = Translated(report.activity)  # type: ignore[attr-defined]
            report.status_short = STATUS_SHORT[Status(report.status)]  # type: ignore[attr-defined]
    query = filters.query() | (
        {"sort": ordering.key} if ordering is not selectors.BROWSE_ORDERINGS[0] else {}
    )
    context = {
        "choices": choices,
        "filters": filters,
        "ordering": ordering,
        "orderings": selectors.BROWSE_ORDERINGS,
        "statuses": [(s.value, STATUS_SHORT[s]) for s in Status],
        "progress_choices": ProgressStatus.choices,
        "page": page,
        "problems": {problem.field: problem.message for problem in problems},
        "next_url": _page_url(query, page.next_cursor) if page and page.next_cursor else "",
        "previous_url": _page_url(query, page.previous_cursor) if page and page.previous_cursor else "",
        "first_url": _page_url(query, None) if page and page.previous_cursor else "",
        "bulk_steps": _bulk_steps(user),
        "filtered": bool(filters.query()),
    }
    return render(request, "reporting/browse.html", context, status=400 if problems else 200)


def _page_url(query: dict[str, str], cursor: str | None) -> str:
    full = query | ({"cursor": cursor} if cursor else {})
    return "?" + urlencode(full) if full else "?"


# --- bulk steps --------------------------------------------------------------------------------------


@dataclass
class BulkRow:
    report: ProgressReport
    # Why the step cannot be taken on the report as it stands (shown before confirming), or "".
    warning: str = ""


@dataclass
class BulkResult:
    report: ProgressReport | None
    pk: int
    done: bool
    reason: str = ""


def _step(request: HttpRequest) -> Step:
    """The bulk step posted, which the person may take at all (else 403, audited)."""
    raw = request.POST.get("step", "")
    if raw not in {s.value for s in BULK_STEPS}:
        raise InvalidInput.one("step", "invalid", _("Choose endorse, approve or publish."))
    step = Step(raw)
    permissions.require(request, BULK_STEPS[step])
    return step


def _chosen(request: HttpRequest) -> list[int]:
    """The ids of the reports posted (``report``, repeated), each a valid id, at most ``BULK_MAX``."""
    ids = [params.identifier("report", raw) for raw in request.POST.getlist("report")]
    if not ids:
        raise InvalidInput.one("report", "required", _("Choose at least one report from the list."))
    if len(ids) > BULK_MAX:
        raise InvalidInput.one(
            "report", "too_many", _("Choose at most %(count)d reports at a time.") % {"count": BULK_MAX}
        )
    return list(dict.fromkeys(ids))


def _in_scope(user: Any, ids: list[int]) -> dict[int, ProgressReport]:
    found = {r.pk: r for r in selectors.report_queryset(user).filter(pk__in=ids)}
    for report in found.values():
        report.activity.t = Translated(report.activity)  # type: ignore[attr-defined]
    return found


def _warning(user: Any, step: Step, report: ProgressReport) -> str:
    transition = transition_for(step, report.status)
    if transition is None:
        return _("It is “%(status)s”: this step does not apply.") % {
            "status": STATUS_SHORT[Status(report.status)]
        }
    if not permissions.can(user, transition.action, report):
        if report.period.is_locked and step != Step.PUBLISH:
            return _("Its period %(period)s is approved and locked.") % {"period": report.period}
        return _("You may not take this step on this report.")
    return ""


@gate("report.review", authenticated=True)
@require_POST
def bulk_confirm(request: HttpRequest) -> HttpResponse:
    """The one confirmation: the chosen reports, as they stand now, with what will happen to each."""
    step = _step(request)
    ids = _chosen(request)
    found = _in_scope(request.user, ids)
    rows = [BulkRow(found[pk], _warning(request.user, step, found[pk])) for pk in ids if pk in found]
    context = {
        "step": step.value,
        "step_label": STEP_LABELS[step],
        "button": BULK_BUTTONS[step],
        "rows": rows,
        "ready": sum(1 for row in rows if not row.warning),
        "missing": len(ids) - len(rows),
        "back": request.POST.get("back", ""),
    }
    return render(request, "reporting/bulk_confirm.html", context)


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(problem.message for problem in exc.problems)
    if isinstance(exc, versions.StaleWrite):
        return _(
            "It changed after you confirmed (version %(yours)d, now %(now)d): open it and look again."
        ) % {"yours": exc.version, "now": exc.current_version}
    if isinstance(exc, LockedError):
        return str(exc)
    if isinstance(exc, PermissionDenied):
        return _("You may not take this step on this report.")
    return _("Not found, or not a report you may see.")


@gate("report.review", authenticated=True)
@require_POST
def bulk_run(request: HttpRequest) -> HttpResponse:
    """Each chosen report through its own workflow step, on the version the confirmation showed; the
    result says which went through and which were refused, and why."""
    step = _step(request)
    ids = _chosen(request)
    found = _in_scope(request.user, ids)
    results: list[BulkResult] = []
    for pk in ids:
        report = found.get(pk)
        if report is None:
            results.append(BulkResult(None, pk, False, _("Not found, or not a report you may see.")))
            continue
        shown = request.POST.get(f"version-{pk}", "")
        version = params.integer(f"version-{pk}", shown) if shown else None
        try:
            report = services.report_transition(
                actor=request.user, report=report, step=step, version=version, request=request
            )
        except (InvalidInput, versions.StaleWrite, LockedError, PermissionDenied, Http404) as exc:
            results.append(BulkResult(found[pk], pk, False, _reason(exc)))
        else:
            report.activity.t = found[pk].activity.t  # type: ignore[attr-defined]
            results.append(BulkResult(report, pk, True))
    done = [r for r in results if r.done]
    refused = [r for r in results if not r.done]
    context = {
        "step": step.value,
        "step_label": STEP_LABELS[step],
        "done": done,
        "refused": refused,
        "status_after": STATUS_LABELS[_target(step)],
    }
    return render(request, "reporting/bulk_result.html", context)


def _target(step: Step) -> Status:
    return {Step.ENDORSE: Status.ENDORSED, Step.APPROVE: Status.APPROVED, Step.PUBLISH: Status.PUBLISHED}[
        step
    ]
