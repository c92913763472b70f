"""The one lock check (``ensure_writable``): inside the writing transaction, after the gate; comments
are written atomically with an audit line. (The race itself is tested on PostgreSQL, in
tests/registries/test_lock_race.py.)"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.transaction import TransactionManagementError

from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.reporting import services
from wpsnap.reporting.services import LockedError
from wpsnap.reporting.services.reports import ensure_writable

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(people, activity_512_3, period_2020):
    """A draft report of MoD on 5.1.2.3 for 2020, with one piece of evidence."""
    focal = people["focal"]
    report = services.report_start(
        actor=focal, activity=activity_512_3, agency=focal.organisation, period=period_2020
    )
    services.evidence_add(actor=focal, report=report, name="agenda.pdf", content=b"%PDF-1.7\n...")
    return report


def test_the_lock_check_runs_only_inside_the_writing_transaction(period_2020) -> None:
    """Called outside a transaction of the platform's own, the check is a programming error: its row
    lock would end before the write, and a lock could slip in between."""
    with pytest.raises(TransactionManagementError):
        ensure_writable(period_2020)
    with transaction.atomic():
        assert ensure_writable(period_2020.pk) == period_2020


def test_the_lock_check_reads_the_period_under_its_lock_not_the_object_given(people, period_2020) -> None:
    """A period object read before the lock does not fool the check: it reads the row again."""
    stale = type(period_2020).objects.get(pk=period_2020.pk)
    services.period_lock(actor=people["coordinator"], period=period_2020)
    with pytest.raises(LockedError, match="approved and locked") as refused, transaction.atomic():
        ensure_writable(stale)
    assert refused.value.period == period_2020


def test_evidence_asks_the_gate_before_the_lock(report, people, period_2020) -> None:
    """In a locked period, someone who may not edit the report is refused as such (403), not told
    about the lock; the agency's own focal point is told about the lock."""
    services.period_lock(actor=people["coordinator"], period=period_2020)
    evidence = report.evidence.get()
    with pytest.raises(PermissionDenied):
        services.evidence_add(actor=people["evaluator"], report=report, name="a.pdf", content=b"%PDF-1.7\n")
    with pytest.raises(PermissionDenied):
        services.evidence_delete(actor=people["evaluator"], evidence=evidence)
    with pytest.raises(LockedError):
        services.evidence_delete(actor=people["focal"], evidence=evidence)
    assert report.evidence.count() == 1


def test_a_report_cannot_be_started_in_a_locked_period(people, activity_512_3, period_2020) -> None:
    """Opening a report is a write too: refused in a locked period, and nothing is created."""
    services.period_lock(actor=people["coordinator"], period=period_2020)
    with pytest.raises(LockedError):
        services.report_start(
            actor=people["focal"],
            activity=activity_512_3,
            agency=people["focal"].organisation,
            period=period_2020,
        )
    assert not period_2020.reports.exists()


def test_a_comment_is_written_with_an_audit_line(report, people) -> None:
    """Adding a comment leaves an audit line naming the comment and the report, with its length and
    not its words."""
    comment = services.comment_add(actor=people["approver"], report=report, text="  Check the totals.  ")
    line = AuditEvent.objects.get(object_type="reporting.comment", object_id=str(comment.pk))
    assert (line.action, line.actor) == (AuditAction.CREATE, people["approver"])
    assert line.object_label == f"comment {comment.pk} on report {report.pk}"
    assert line.changes == [{"field": "text", "new": "17 characters"}]
    assert "totals" not in str(line.changes)
