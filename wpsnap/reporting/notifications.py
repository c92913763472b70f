"""E-mails that follow workflow steps (console backend by default). Run after the commit, by id. Each
recipient reads it in their own language: one message per language (accounts.language)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from wpsnap.accounts.language import by_language
from wpsnap.accounts.models import Role, User

from .models import ProgressReport
from .workflow import Step


def _emails(users: list[User]) -> list[str]:
    return sorted({u.email for u in users if u.email and u.is_active})


def recipients(report: ProgressReport, step: str) -> list[str]:
    """Who hears of ``step``: approvers of the agency on submit; the author and the agency's focal
    points on return; the author on approval."""
    return _emails(recipient_users(report, step))


def recipient_users(report: ProgressReport, step: str) -> list[User]:
    """:func:`recipients` as people, one each, with an address and active."""
    agency_users = list(User.objects.filter(organisation_id=report.agency_id, is_active=True))
    found: list[User] = []
    if step == Step.SUBMIT:
        found = [u for u in agency_users if u.role == Role.APPROVER]
    elif step == Step.RETURN:
        writers = [u for u in agency_users if u.role in (Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)]
        found = [*writers, *([report.created_by] if report.created_by else [])]
    elif step == Step.APPROVE:
        found = [report.created_by] if report.created_by else []
    by_email = {u.email: u for u in found if u.email and u.is_active}
    return [by_email[email] for email in sorted(by_email)]


def after_step(report_id: int, step: str, comment: str) -> None:
    report = ProgressReport.objects.select_related("activity", "agency", "period", "created_by").get(
        pk=report_id
    )
    for language, people in by_language(recipient_users(report, step)).items():
        with translation.override(language):
            _send(report, step, comment, sorted(u.email for u in people))


def _send(report: ProgressReport, step: str, comment: str, to: list[str]) -> None:
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
