"""Progress reporting's rules in the permission gate (see ``wpsnap.accounts.permissions``).

Reports belong to the reporting agency: its focal points (or NGO contributors) write them, its
approvers endorse them, coordinators approve and publish, evaluators read. Nobody else sees an
unpublished report; objects outside a user's scope answer 404 through ``get_or_refuse``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wpsnap.accounts.models import Role
from wpsnap.accounts.permissions import has_role, is_coordinator, is_signed_in, register

from .models import ProgressReport
from .workflow import EDITABLE

WRITERS = (Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)
READS_ALL = (Role.COORDINATOR, Role.EVALUATOR)


def _own_agency(user: Any, report: ProgressReport) -> bool:
    return bool(getattr(user, "organisation_id", None)) and report.agency_id == user.organisation_id


def _period_open(report: ProgressReport) -> bool:
    return report.period.locked_at is None


@register("report.list")
def _report_list(user: Any, obj: Any) -> bool:
    return has_role(user, *READS_ALL, Role.APPROVER, *WRITERS)


@register("report.view")
def _report_view(user: Any, report: Any) -> bool:
    if report is None:
        return _report_list(user, None)
    return has_role(user, *READS_ALL) or (
        has_role(user, Role.APPROVER, *WRITERS) and _own_agency(user, report)
    )


@register("report.create")
def _report_create(user: Any, obj: Any) -> bool:
    # The object-level check (is this agency expected to report on this activity?) is in the service.
    return has_role(user, *WRITERS)


@register("report.edit")
def _report_edit(user: Any, report: Any) -> bool:
    if report is None:
        return has_role(user, *WRITERS)
    return (
        has_role(user, *WRITERS)
        and _own_agency(user, report)
        and report.status in EDITABLE
        and _period_open(report)
    )


@register("report.submit")
def _report_submit(user: Any, report: Any) -> bool:
    return _report_edit(user, report)


@register("report.endorse")
def _report_endorse(user: Any, report: Any) -> bool:
    if report is None:
        return has_role(user, Role.APPROVER)
    return has_role(user, Role.APPROVER) and _own_agency(user, report) and _period_open(report)


@register("report.approve")
def _report_approve(user: Any, report: Any) -> bool:
    return is_coordinator(user) and (report is None or _period_open(report))


@register("report.review")
def _report_review(user: Any, obj: Any) -> bool:
    """Has a review queue: approvers (their agency's submitted reports) and coordinators."""
    return has_role(user, Role.APPROVER, Role.COORDINATOR)


@register("report.browse")
def _report_browse(user: Any, obj: Any) -> bool:
    """The reports browser (/reports/browse/): coordinators and evaluators every report, approvers their
    agency's. Focal points and NGO contributors have their own workspace (/reports/)."""
    return has_role(user, *READS_ALL, Role.APPROVER)


@register("report.publish")
def _report_publish(user: Any, report: Any) -> bool:
    return is_coordinator(user)


@register("report.unpublish")
def _report_unpublish(user: Any, report: Any) -> bool:
    """Take a published report's figures off the public pages (with a reason): coordinators, as
    publishing."""
    return is_coordinator(user)


@register("report.comment")
def _report_comment(user: Any, report: Any) -> bool:
    return _report_view(user, report) and not has_role(user, Role.EVALUATOR)


@register("results.view")
def _results_view(user: Any, obj: Any) -> bool:
    """Whole-plan results (every agency's approved figures): coordinators and evaluators. The public
    gets figures only through the publishing module, after disclosure control (counts of people)."""
    return has_role(user, *READS_ALL)


@register("period.view")
def _period_view(user: Any, period: Any) -> bool:
    return is_signed_in(user)


@register("period.manage")
def _period_manage(user: Any, period: Any) -> bool:
    return is_coordinator(user)


def reports_visible_to(user: Any) -> QuerySet[ProgressReport]:
    """The reports ``user`` may see: all for coordinators and evaluators, their own agency's for its
    focal points, approvers and NGO contributors, none for anyone else."""
    qs = ProgressReport.objects.all()
    if has_role(user, *READS_ALL):
        return qs
    if has_role(user, Role.APPROVER, *WRITERS) and getattr(user, "organisation_id", None):
        return qs.filter(agency_id=user.organisation_id)
    return qs.none()
