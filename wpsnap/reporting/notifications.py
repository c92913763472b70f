"""E-mails that follow workflow steps (console backend by default). Run after the commit, by id."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils.translation import gettext as _

from wpsnap.accounts.models import Role, User

from .models import ProgressReport
from .workflow import Step


def _emails(users: list[User]) -> list[str]:
    return sorted({u.email for u in users if u.email and u.is_active})


def recipients(report: ProgressReport, step: str) -> list[str]:
    """Who hears of ``step``: approvers of the agency on submit; the author and the agency's focal
    points on return; the author on approval."""
    agency_users = list(User.objects.filter(organisation_id=report.agency_id, is_active=True))
    if step == Step.SUBMIT:
        return _emails([u for u in agency_users if u.role == Role.APPROVER])
    if step == Step.RETURN:
        writers = [u for u in agency_users if u.role in (Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)]
        return _emails([*writers, *([report.created_by] if report.created_by else [])])
    if step == Step.APPROVE:
        return _emails([report.created_by] if report.created_by else [])
    return []


def after_step(report_id: int, step: str, comment: str) -> None:
    report = ProgressReport.objects.select_related("activity", "agency", "period", "created_by").get(
        pk=report_id
    )
    to = recipients(report, step)
    if not to:
        return
    subjects = {
        Step.SUBMIT: _("A report waits for your endorsement: %(report)s"),
        Step.RETURN: _("Your report was returned for correction: %(report)s"),
        Step.APPROVE: _("Your report was approved: %(report)s"),
    }
    body = _("Activity: %(activity)s\nAgency: %(agency)s\nPeriod: %(period)s\n") % {
        "activity": report.activity,
        "agency": report.agency,
        "period": report.period,
    }
    if comment:
        body += "\n" + _("Comment: %(comment)s") % {"comment": comment} + "\n"
    send_mail(subjects[Step(step)] % {"report": report}, body, None, to)
