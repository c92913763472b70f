"""`wpsnap reports remind`: one e-mail a day to each person whose agency's reports are overdue."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import wpsnap_help
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.reporting import services
from wpsnap.reporting.services import ReportInput
from wpsnap.reporting.services.reminders import reminders_send

pytestmark = pytest.mark.django_db

AFTER_DUE = "2021-02-05"  # the 2020 period was due on 2021-01-31


def _remind(*args: str) -> str:
    out = StringIO()
    call_command("reports", "remind", *args, stdout=out)
    return out.getvalue()


def _report(people, activity, period, *, submit: bool):
    report = services.report_start(
        actor=people["focal"], activity=activity, agency=people["focal"].organisation, period=period
    )
    indicator = activity.indicators.get()
    services.report_save(
        actor=people["focal"],
        report=report,
        data=ReportInput(progress="completed", done="Trainings.", values={indicator.pk: {"": "3"}}),
    )
    return services.report_submit(actor=people["focal"], report=report) if submit else report


def test_one_email_per_overdue_focal_point(
    people, make_user, reporting, activity_512_3, period_2020, mailoutbox
) -> None:
    """Each active focal point of an agency with overdue 2020 reports gets one e-mail listing its
    activities; a submitted report is not listed; deactivated people and other roles hear nothing."""
    second = make_user("focal_point", "mod", "mod-focal-2")
    gone = make_user("focal_point", "mod", "mod-focal-gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    _report(people, activity_512_3, period_2020, submit=True)

    output = _remind("--date", AFTER_DUE)

    assert sorted(m.to[0] for m in mailoutbox) == [
        "mia-focal@example.org",
        "mod-focal-2@example.org",
        "mod-focal@example.org",
    ]
    to_mod = next(m for m in mailoutbox if m.to == ["mod-focal@example.org"])
    assert to_mod.subject == "16 progress reports are overdue"
    assert "5.1.2.1" in to_mod.body and "5.1.2.3" not in to_mod.body
    assert "2020 (due 2021-01-31)" in to_mod.body
    assert "These reports of Ministry of Defense are past their due date" in to_mod.body
    assert next(m for m in mailoutbox if m.to == [second.email]).body.count("\n- ") == 16
    assert "2021-02-05: reminded 3 people of" in output
    assert "0 already reminded today" in output
    events = AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        object_type="reporting.reportingperiod",
        object_id=str(period_2020.pk),
        note="overdue reminder 2021-02-05",
    )
    assert sorted(e.changes[0]["new"] for e in events) == ["mia-focal", "mod-focal", "mod-focal-2"]


def test_a_second_run_the_same_day_sends_nothing(people, reporting, mailoutbox) -> None:
    """Idempotent per day: the second run finds everyone reminded; the next day reminds again."""
    _remind("--date", AFTER_DUE)
    assert len(mailoutbox) == 2
    output = _remind("--date", AFTER_DUE)
    assert len(mailoutbox) == 2
    assert "reminded 0 people" in output and "2 already reminded today" in output
    _remind("--date", "2021-02-06")
    assert len(mailoutbox) == 4


def test_dry_run_sends_nothing_and_records_nothing(people, reporting, mailoutbox) -> None:
    """--dry-run prints who would be reminded, and sends and records nothing."""
    output = _remind("--date", AFTER_DUE, "--dry-run")
    assert mailoutbox == []
    assert "mod-focal@example.org" in output and "17 overdue" in output
    assert "Dry run: nothing was sent." in output
    assert not AuditEvent.objects.filter(note__startswith="overdue reminder").exists()
    _remind("--date", AFTER_DUE)
    assert len(mailoutbox) == 2  # the dry run did not count as a reminder


def test_nothing_before_the_due_date_or_in_a_locked_period(
    people, reporting, period_2020, mailoutbox
) -> None:
    """On the due date itself nobody is late; a locked period reminds nobody."""
    assert reminders_send(today=date(2021, 1, 31)).sent == 0
    services.period_lock(actor=people["coordinator"], period=period_2020)
    result = reminders_send(today=date(2021, 2, 5))
    assert (result.periods, result.sent) == (0, 0)
    assert mailoutbox == []


def test_returned_and_draft_reports_are_overdue(
    people, reporting, activity_512_3, period_2020, mailoutbox
) -> None:
    """A returned report is listed as returned for correction; a draft as not submitted."""
    report = _report(people, activity_512_3, period_2020, submit=True)
    services.report_return(actor=people["approver"], report=report, comment="Add the agenda.")
    result = reminders_send(today=date(2021, 2, 5))
    mine = next(r for r in result.reminders if r.person == people["focal"])
    states = {item.activity.code: item.state for item in mine.items}
    assert states["5.1.2.3"] == "returned"
    assert states["5.1.2.1"] == "missing"
    body = next(m for m in mailoutbox if m.to == ["mod-focal@example.org"]).body
    assert "5.1.2.3" in body and "returned for correction" in body


def test_a_bad_date_is_refused(reporting) -> None:
    """--date must be YYYY-MM-DD; the message says so."""
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _remind("--date", "5 Feb")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["reports"], "{setup,add-option,remind}"),
        (["reports", "remind"], "--dry-run"),
        (["reports", "setup"], "--frequency"),
        (["reports", "add-option"], "--as"),
    ],
)
def test_help_describes_the_command(args, expected) -> None:
    """`wpsnap reports --help` and `wpsnap reports remind --help` answer with their usage."""
    assert expected in wpsnap_help(*args)
