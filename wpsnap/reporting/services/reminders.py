"""Overdue reminders: once a day, the people who write an agency's reports hear which of them are late.

A report is overdue when its period is open, its due date has passed and it is missing, a draft, or
returned for correction. Each person gets one e-mail listing all of theirs. Every reminder sent is
an audit line on the period ("overdue reminder <date>"), which is also how a second run on the same
day knows to leave that person alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from wpsnap.accounts.language import language_of
from wpsnap.accounts.models import Role, User
from wpsnap.core import audit
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.plan.models import Activity, PlanStatus

from .. import selectors
from ..models import ReportingPeriod
from ..workflow import Status

# Who writes an agency's reports, and so who is reminded.
WRITERS = (Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)
OVERDUE_STATES = frozenset({"missing", Status.DRAFT.value, Status.RETURNED.value})
ACTOR_LABEL = "wpsnap reports remind"


def _note(today: date) -> str:
    # Data, not a message: the same in every language, so that the next run can find it.
    return f"overdue reminder {today.isoformat()}"


@dataclass(frozen=True)
class Overdue:
    period: ReportingPeriod
    activity: Activity
    state: str  # "missing", "draft" or "returned"


@dataclass
class Reminder:
    person: User
    items: list[Overdue]


@dataclass
class Result:
    today: date
    dry_run: bool
    periods: int = 0  # open periods past their due date
    overdue: int = 0  # reports overdue in them, over all agencies
    skipped: int = 0  # people already reminded today of everything overdue
    reminders: list[Reminder] = field(default_factory=list)

    @property
    def sent(self) -> int:
        """E-mails sent (on a dry run: that would have been sent)."""
        return len(self.reminders)


def reminders_send(*, today: date, dry_run: bool = False) -> Result:
    """E-mail every active focal point (and NGO contributor) of each agency with overdue reports,
    once per day; on a dry run, only say who would hear of what."""
    result = Result(today=today, dry_run=dry_run)
    periods = list(
        ReportingPeriod.objects.filter(locked_at__isnull=True, due_on__lt=today)
        .exclude(plan__status=PlanStatus.DRAFT)
        .select_related("plan")
        .order_by("due_on", "plan_id", "start")
    )
    result.periods = len(periods)
    by_agency: dict[int, list[Overdue]] = defaultdict(list)
    for period in periods:
        for row in selectors.expected_reports(period):
            if row.state in OVERDUE_STATES:
                by_agency[row.agency.pk].append(Overdue(period, row.activity, row.state))
                result.overdue += 1
    if not by_agency:
        return result
    people = (
        User.objects.filter(organisation_id__in=by_agency, role__in=WRITERS, is_active=True)
        .exclude(email="")
        .select_related("organisation")
        .order_by("organisation__name", "username")
    )
    reminded = _already_reminded(today, periods)
    for person in people:
        items = [
            item
            for item in by_agency.get(person.organisation_id or 0, [])
            if (item.period.pk, person.pk) not in reminded
        ]
        if not items:
            result.skipped += 1
            continue
        result.reminders.append(Reminder(person, items))
    if dry_run or not result.reminders:
        return result
    for reminder in result.reminders:
        # Sent first, recorded after: a failed e-mail is tried again on the next run.
        _message(reminder).send()
        with transaction.atomic():
            for period in {item.period.pk: item.period for item in reminder.items}.values():
                audit.record(
                    AuditAction.UPDATE,
                    obj=period,
                    actor_label=ACTOR_LABEL,
                    note=_note(today),
                    changes=[
                        {
                            "field": "reminded",
                            "new": reminder.person.get_username(),
                            "user_id": reminder.person.pk,
                        }
                    ],
                )
    return result


def _already_reminded(today: date, periods: list[ReportingPeriod]) -> set[tuple[int, int]]:
    """(period id, user id) of the reminders already sent on ``today``."""
    events = AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        object_type=ReportingPeriod._meta.label_lower,
        object_id__in=[str(p.pk) for p in periods],
        note=_note(today),
    ).values_list("object_id", "changes")
    found: set[tuple[int, int]] = set()
    for object_id, changes in events:
        for change in changes or []:
            if isinstance(change, dict) and change.get("field") == "reminded" and change.get("user_id"):
                found.add((int(object_id), int(change["user_id"])))
    return found


def _state_label(state: str) -> str:
    return {
        "missing": _("not started"),
        Status.DRAFT.value: _("draft, not submitted"),
        Status.RETURNED.value: _("returned for correction"),
    }.get(state, state)


def _message(reminder: Reminder) -> EmailMessage:
    """The reminder, in the language its recipient reads (accounts.language)."""
    with translation.override(language_of(reminder.person)):
        return _message_text(reminder)


def _message_text(reminder: Reminder) -> EmailMessage:
    person = reminder.person
    count = len(reminder.items)
    subject = _("%(count)d progress reports are overdue") % {"count": count}
    if count == 1:
        subject = _("A progress report is overdue")
    lines = [
        _("Hello %(name)s,") % {"name": person.get_full_name() or person.get_username()},
        "",
        _("These reports of %(agency)s are past their due date and not yet submitted:")
        % {"agency": person.organisation},
        "",
    ]
    for item in reminder.items:
        activity = item.activity
        lines.append(
            _("- %(period)s (due %(due)s): %(code)s %(text)s, %(state)s")
            % {
                "period": item.period.label,
                "due": item.period.due_on.isoformat(),
                "code": activity.code or activity.key,
                "text": Truncator(activity.tr("text")).chars(120),
                "state": _state_label(item.state),
            }
        )
    lines += [
        "",
        _("Please complete and submit them. If something stops you, tell the plan's coordinator."),
    ]
    return EmailMessage(subject, "\n".join(lines), None, [person.email])
