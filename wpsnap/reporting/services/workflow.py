"""Workflow steps and period locks: one service per transition, each checking the table, the gate
and the lock, writing an append-only transition row, a version snapshot and an audit line, and
notifying people after the commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.accounts import permissions
from wpsnap.core import clock, versions
from wpsnap.core.errors import InvalidInput

from .. import hooks, notifications, selectors
from ..models import Comment, ProgressReport, ReportingPeriod, ReportTransition, ReportVersion
from ..workflow import COUNTED, STATUS_LABELS, Status, Step, transition_for
from .reports import ensure_writable, report_problems, report_texts


def _refuse_stale(report: ProgressReport, version: int) -> None:
    """A step taken on a page (or API read) older than the report: every change since is a conflict."""
    if version > report.version:
        raise InvalidInput.one(
            "version", "invalid", _("%(version)d is not a version of this report.") % {"version": version}
        )
    changed = versions.changed_since(report, version)
    current = report_texts(report, set(changed))
    current["status"] = str(STATUS_LABELS[Status(report.status)])
    raise versions.StaleWrite(
        version=version,
        current_version=report.version,
        conflicts=[versions.Conflict(key=key, current=current.get(key, ""), yours="") for key in changed],
    )


def report_transition(
    *,
    actor: Any,
    report: ProgressReport,
    step: str,
    comment: str = "",
    version: int | None = None,
    now: datetime | None = None,
    request: Any = None,
) -> ProgressReport:
    """Take workflow ``step`` on ``report`` (at ``now``: ``wpsnap.core.clock``; the real clock by default). Refused when the table has no such step from the report's
    status, the gate says no, the period is locked, a return has no comment, or (submit) the report
    still has problems. ``version`` is the version the person looked at (the review page's hidden
    field, the API's If-Match): a step judges the whole report, so it is refused (``StaleWrite``) when
    anything changed since."""
    with permissions.refusals_recorded(request), transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("period", "activity", "agency", "created_by")
            .get(pk=report.pk)
        )
        transition = transition_for(step, report.status)
        if transition is None:
            if not permissions.can(actor, "report.view", report):
                raise permissions.Refusal("report.view", report, hide=True)
            raise InvalidInput.one(
                "status",
                "invalid_step",
                _("A report that is “%(status)s” cannot be %(step)s.")
                % {"status": STATUS_LABELS[Status(report.status)], "step": _step_past(step)},
            )
        if not permissions.can(actor, transition.action, report):
            visible = permissions.can(actor, "report.view", report)
            if visible and report.period.is_locked:
                ensure_writable(report.period_id)  # say why: the lock, not the person
            raise permissions.Refusal(transition.action, report, hide=not visible)
        if step not in (Step.PUBLISH, Step.UNPUBLISH):
            # publishing what was approved (and taking it down again) is what a locked period is for
            ensure_writable(report.period_id)
        if version is not None and version != report.version:
            _refuse_stale(report, version)
        comment = comment.strip()
        if transition.needs_comment and not comment:
            if step == Step.UNPUBLISH:
                raise InvalidInput.one(
                    "comment",
                    "required",
                    _("Say why the report is taken off the public pages; the reason is recorded."),
                )
            raise InvalidInput.one(
                "comment", "required", _("Say what needs correcting, so that the agency can act on it.")
            )
        if step == Step.SUBMIT:
            problems = report_problems(report)
            if problems:
                raise InvalidInput(problems)
        at = clock.moment(now)
        source = report.status
        report.status = transition.target
        fields = ["status", "updated_at"]
        if step == Step.SUBMIT:
            report.submitted_at = at
            fields.append("submitted_at")
        elif step == Step.APPROVE:
            report.approved_at, report.approved_by = at, actor
            fields += ["approved_at", "approved_by"]
        elif step == Step.PUBLISH:
            report.published_at = at
            fields.append("published_at")
        elif step == Step.UNPUBLISH:
            report.published_at = None
            fields.append("published_at")
        report._history_user = actor  # type: ignore[attr-defined]
        # The audit trail's line: the step, and for an unpublish its reason.
        report._change_reason = f"{step}: {comment}" if step == Step.UNPUBLISH else step  # type: ignore[attr-defined]
        clock.dated(report, now).save(update_fields=fields)
        clock.stamp(report, now, "updated_at")
        versions.bump(report, ["status"])
        if source in COUNTED or report.status in COUNTED:
            hooks.reports_changed([report.pk])  # the sums that count (analytics' rollups)
        transition_row = ReportTransition.objects.create(
            report=report, source=source, target=report.status, actor=actor, note=comment
        )
        clock.stamp(transition_row, now, "at")
        if comment:
            clock.stamp(Comment.objects.create(report=report, author=actor, text=comment), now, "at")
        number = ReportVersion.objects.filter(report=report).count() + 1
        snapshot = ReportVersion.objects.create(
            report=report,
            number=number,
            status=report.status,
            content=selectors.report_content(report),
            actor=actor,
        )
        clock.stamp(snapshot, now, "at")
        transaction.on_commit(lambda: notifications.after_step(report.pk, step, comment))
    return report


def _step_past(step: str) -> str:
    return {
        Step.SUBMIT: _("submitted"),
        Step.ENDORSE: _("endorsed"),
        Step.RETURN: _("returned"),
        Step.APPROVE: _("approved"),
        Step.PUBLISH: _("published"),
        Step.UNPUBLISH: _("unpublished"),
    }.get(Step(step), step)


def report_submit(
    *, actor: Any, report: ProgressReport, now: datetime | None = None, request: Any = None
) -> ProgressReport:
    return report_transition(actor=actor, report=report, step=Step.SUBMIT, now=now, request=request)


def report_endorse(
    *, actor: Any, report: ProgressReport, comment: str = "", now: datetime | None = None, request: Any = None
) -> ProgressReport:
    return report_transition(
        actor=actor, report=report, step=Step.ENDORSE, comment=comment, now=now, request=request
    )


def report_return(
    *, actor: Any, report: ProgressReport, comment: str, now: datetime | None = None, request: Any = None
) -> ProgressReport:
    return report_transition(
        actor=actor, report=report, step=Step.RETURN, comment=comment, now=now, request=request
    )


def report_approve(
    *, actor: Any, report: ProgressReport, comment: str = "", now: datetime | None = None, request: Any = None
) -> ProgressReport:
    return report_transition(
        actor=actor, report=report, step=Step.APPROVE, comment=comment, now=now, request=request
    )


def report_publish(
    *, actor: Any, report: ProgressReport, now: datetime | None = None, request: Any = None
) -> ProgressReport:
    return report_transition(actor=actor, report=report, step=Step.PUBLISH, now=now, request=request)


def report_unpublish(
    *, actor: Any, report: ProgressReport, reason: str, now: datetime | None = None, request: Any = None
) -> ProgressReport:
    """Take a published report back to approved: its figures leave the public pages and open data at
    once (the read model's public sums are updated in the same transaction). Coordinators only, with a
    reason, which the audit trail and the report's comments keep."""
    return report_transition(
        actor=actor, report=report, step=Step.UNPUBLISH, comment=reason, now=now, request=request
    )


def period_lock(
    *, actor: Any, period: ReportingPeriod, now: datetime | None = None, request: Any = None
) -> ReportingPeriod:
    """Approve and lock a period: refused while reports in it wait for review."""
    if not permissions.can(actor, "period.manage", period):
        permissions.refuse(request, "period.manage", period)
    with transaction.atomic():
        # The period's row lock, exclusive: it waits for the writes that passed ensure_writable (which
        # holds the same row) to commit, and the writes that come after it wait, then are refused.
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.is_locked:
            return period
        waiting = ProgressReport.objects.filter(period=period, status__in=[Status.SUBMITTED, Status.ENDORSED])
        if waiting.exists():
            count = waiting.count()
            raise InvalidInput.one(
                "period",
                "waiting",
                ngettext(
                    "%(count)d report still waits for review; approve or return it first.",
                    "%(count)d reports still wait for review; approve or return them first.",
                    count,
                )
                % {"count": count},
            )
        period.locked_at, period.locked_by = clock.moment(now), actor
        period._history_user = actor  # type: ignore[attr-defined]
        period._change_reason = "lock"  # type: ignore[attr-defined]
        clock.dated(period, now).save(update_fields=["locked_at", "locked_by", "updated_at"])
        clock.stamp(period, now, "updated_at")
    return period


def period_reopen(
    *, actor: Any, period: ReportingPeriod, reason: str, now: datetime | None = None, request: Any = None
) -> ReportingPeriod:
    """Unlock an approved period. Only a coordinator, and only with a reason, which is recorded."""
    if not permissions.can(actor, "period.manage", period):
        permissions.refuse(request, "period.manage", period)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.one(
            "reason", "required", _("Say why the period is re-opened; the reason is recorded.")
        )
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)  # as period_lock
        if not period.is_locked:
            return period
        period.locked_at, period.locked_by = None, None
        period._history_user = actor  # type: ignore[attr-defined]
        # The reason travels with the history row into the audit trail.
        period._change_reason = f"re-opened: {reason}"  # type: ignore[attr-defined]
        clock.dated(period, now).save(update_fields=["locked_at", "locked_by", "updated_at"])
        clock.stamp(period, now, "updated_at")
    return period
