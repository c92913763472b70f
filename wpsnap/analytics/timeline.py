"""The timeline of a plan's implementation periods: each period's dates (the months it covers, when
reporting opens and when reports are due), whether it is locked, where it stands today, and its reports
counted by compliance's rule (``analytics.compliance``: expected, submitted, approved, overdue, missing),
summed over the agencies the viewer sees.

A period **is overdue** when its due date has passed (``today`` is after it) and a report owed for it is
still not submitted. Five queries whatever the number of reports (periods; then compliance's reports,
activities, assignments, collective members).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wpsnap.plan.models import Plan
from wpsnap.reporting.models import ReportingPeriod

from . import scope
from .compliance import Count, tally
from .scope import Viewer


class Stage(StrEnum):
    """Where a period stands on ``today``."""

    UPCOMING = "upcoming"  # reporting has not opened
    OPEN = "open"  # reporting is open and the due date has not passed
    PAST_DUE = "past_due"  # the due date has passed, the period is not locked
    LOCKED = "locked"  # a coordinator locked it: no report changes any more


STAGE_LABELS = {
    Stage.UPCOMING: _("Reporting not open yet"),
    Stage.OPEN: _("Reporting open"),
    Stage.PAST_DUE: _("Past the due date"),
    Stage.LOCKED: _("Locked"),
}


def stage(period: ReportingPeriod, today: date) -> Stage:
    if period.locked_at is not None:
        return Stage.LOCKED
    if today < period.opens_on:
        return Stage.UPCOMING
    if today <= period.due_on:
        return Stage.OPEN
    return Stage.PAST_DUE


@dataclass(frozen=True)
class PeriodOnTimeline:
    period_id: int
    period: str  # the period's label
    start: date
    end: date
    opens_on: date
    due_on: date
    # When a coordinator locked it; None while it is open to changes.
    locked_at: datetime | None
    stage: Stage
    # Compliance's figures summed over the agencies the viewer sees.
    expected: int
    submitted: int
    approved: int
    overdue: int
    missing: int
    # Past its due date with a report owed and not submitted.
    is_overdue: bool


def period_timeline(
    viewer: Viewer, *, plan: Plan, today: date | None = None, agency: int | None = None
) -> tuple[PeriodOnTimeline, ...]:
    """Every implementation period of ``plan`` in order, with its dates, stage and reports on ``today``
    (default: the real date), counted over the agencies ``viewer`` sees (only ``agency``, an
    organisation's id, when given). Compliance is internal: the public and anyone who may see no agency's
    reports get nothing. Five queries whatever the number of reports."""
    agencies = scope.agencies(viewer)
    if scope.is_public(viewer) or (agencies is not None and not agencies):
        return ()
    today = today or timezone.localdate()
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    counts, _names = tally(viewer, plan=plan, periods=periods, agency=agency, today=today)
    summed: dict[int, Count] = {p.pk: Count() for p in periods}
    for (_agency_id, period_id), count in counts.items():
        total = summed[period_id]
        total.expected += count.expected
        total.submitted += count.submitted
        total.approved += count.approved
        total.overdue += count.overdue
        total.missing += count.missing
    return tuple(
        PeriodOnTimeline(
            period_id=p.pk,
            period=p.label,
            start=p.start,
            end=p.end,
            opens_on=p.opens_on,
            due_on=p.due_on,
            locked_at=p.locked_at,
            stage=stage(p, today),
            expected=summed[p.pk].expected,
            submitted=summed[p.pk].submitted,
            approved=summed[p.pk].approved,
            overdue=summed[p.pk].overdue,
            missing=summed[p.pk].missing,
            is_overdue=summed[p.pk].overdue > 0,
        )
        for p in periods
    )
