"""Reporting's services stamp the time they are given (``now``, ``wpsnap.core.clock``), and the real clock
without one: every field they date, the history rows and the audit lines, so that a replay of the past
(the demo) needs no patched clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from wpsnap.core.models import AuditEvent
from wpsnap.reporting import services
from wpsnap.reporting.models import (
    Comment,
    Evidence,
    FinancingLine,
    IndicatorValue,
    ReportTransition,
    ReportVersion,
)
from wpsnap.reporting.services import ReportInput

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2021, 2, day, hour, 0, tzinfo=UTC)


def _input(report, total: str) -> ReportInput:
    indicator = report.activity.indicators.get()
    return ReportInput(
        progress="completed",
        done="Three trainings at the Military Academy.",
        values={
            indicator.pk: {"": total, "sex:women|age:18-24": "4", "sex:men|age:25-34": str(int(total) - 4)}
        },
        financing={"state_budget": {"planned": "1500", "spent": "1200.50"}},
    )


def test_every_stamp_of_a_reporting_year_is_the_time_given(people, activity_512_3, period_2020) -> None:
    """A report started, saved, given evidence, commented, submitted, returned, corrected, endorsed,
    approved and published, and its period locked and re-opened, each at a time of its own: every field,
    transition, version, comment, file, history row and audit line carries the time of its step, and
    none the real clock."""
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    focal, approver, coordinator = people["focal"], people["approver"], people["coordinator"]
    report = services.report_start(
        actor=focal, activity=activity_512_3, agency=focal.organisation, period=period_2020, now=at(1)
    )
    assert services.report_save(actor=focal, report=report, data=_input(report, "20"), now=at(2)).ok
    evidence = services.evidence_add(actor=focal, report=report, name="list.pdf", content=PDF, now=at(3))
    services.comment_add(actor=focal, report=report, text="Figures from the Academy.", now=at(4))
    services.report_submit(actor=focal, report=report, now=at(5))
    services.report_return(actor=approver, report=report, comment="Add the second course.", now=at(6))
    assert services.report_save(actor=focal, report=report, data=_input(report, "30"), now=at(7)).ok
    services.report_submit(actor=focal, report=report, now=at(8))
    services.report_endorse(actor=approver, report=report, now=at(9))
    services.report_approve(actor=coordinator, report=report, now=at(10))
    services.report_publish(actor=coordinator, report=report, now=at(11))
    services.period_lock(actor=coordinator, period=period_2020, now=at(12))
    services.period_reopen(actor=coordinator, period=period_2020, reason="A late correction.", now=at(13))

    report.refresh_from_db()
    assert (report.created_at, report.updated_at) == (at(1), at(11))
    assert (report.submitted_at, report.approved_at, report.published_at) == (at(8), at(10), at(11))
    steps = [at(5), at(6), at(8), at(9), at(10), at(11)]
    assert list(ReportTransition.objects.filter(report=report).values_list("at", flat=True)) == steps
    assert list(ReportVersion.objects.filter(report=report).values_list("at", flat=True)) == steps
    assert list(Comment.objects.filter(report=report).values_list("at", flat=True)) == [at(4), at(6)]
    evidence.refresh_from_db()
    assert (evidence.created_at, evidence.updated_at) == (at(3), at(3))
    period_2020.refresh_from_db()
    assert (period_2020.locked_at, period_2020.updated_at) == (None, at(13))

    # The report's own row changes when started, when its narrative is first saved, and at each step.
    assert sorted(h.history_date for h in report.history.all()) == [at(1), at(2), *steps]
    assert {h.history_date for h in IndicatorValue.history.filter(report_id=report.pk)} == {at(2), at(7)}
    assert {h.history_date for h in FinancingLine.history.filter(report_id=report.pk)} == {at(2)}
    assert {h.history_date for h in Evidence.history.filter(report_id=report.pk)} == {at(3)}
    assert [h.history_date for h in period_2020.history.filter(history_type="~")] == [at(13), at(12)]
    # Every audit line of the year is dated by its step; none by the real clock.
    written = AuditEvent.objects.filter(pk__gt=before)
    assert written.count() > 13
    assert {line.at for line in written} == {at(day) for day in range(1, 14)}


def test_without_a_time_the_real_clock_stamps(people, activity_512_3, period_2020) -> None:
    """Called without ``now`` (pages, the API, commands), the services stamp the real clock, even on an
    object a caller dated before."""
    focal = people["focal"]
    before = timezone.now()
    report = services.report_start(
        actor=focal, activity=activity_512_3, agency=focal.organisation, period=period_2020, now=at(1)
    )
    assert services.report_save(actor=focal, report=report, data=_input(report, "20")).ok
    services.report_submit(actor=focal, report=report)
    after = timezone.now() + timedelta(seconds=1)
    report.refresh_from_db()
    assert report.created_at == at(1)
    assert before <= report.updated_at <= after
    assert before <= report.submitted_at <= after
    transition = ReportTransition.objects.get(report=report)
    assert before <= transition.at <= after
    latest = report.history.first()
    assert latest is not None and before <= latest.history_date <= after
    lines = AuditEvent.objects.filter(object_type="reporting.progressreport", object_id=str(report.pk))
    assert lines.filter(at=at(1)).count() == 1
    assert lines.filter(at__gte=before).count() == 2
