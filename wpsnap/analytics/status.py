"""Implementation status per activity and period, combined from the progress its agencies report.

Every agency expected to report on an activity for a period (its implementers, collectives expanded to
their members, as ``reporting.selectors.expected_reports`` says) has a part: the ``progress`` of its report
when the report counts (approved or published; with ``include_submitted`` also submitted and endorsed
ones, for the internal view of what is coming), else *not reported*. The activity's status, the first rule
that applies (``combine``):

1. nobody is expected to report: **no agency**;
2. no part is reported: **not reported**;
3. a part is delayed: **delayed**;
4. every part is reported cancelled: **cancelled**;
5. every part is reported, and every one not cancelled is completed: **completed** (an agency whose part
   was cancelled does not hold the activity back);
6. a part is in progress or completed: **in progress** (completed by some, not yet by all);
7. otherwise (the parts reported are not started or cancelled, the others not reported): **not started**.

A recommended partner's report (an NGO's contribution) is shown beside the parts but is never one: it is
welcome, not owed. See docs/analytics.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from wpsnap.plan.models import Plan
from wpsnap.reporting.models import ProgressStatus, ReportingPeriod
from wpsnap.reporting.workflow import COUNTED, Status

from . import scope
from .filters import expected_grid, narrowed, periods_of
from .scope import Viewer


class ActivityStatus(StrEnum):
    NO_AGENCY = "no_agency"
    NOT_REPORTED = "not_reported"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DELAYED = "delayed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    ActivityStatus.NO_AGENCY: _("No agency is expected to report"),
    ActivityStatus.NOT_REPORTED: _("Not reported"),
    ActivityStatus.NOT_STARTED: _("Not started"),
    ActivityStatus.IN_PROGRESS: _("In progress"),
    ActivityStatus.DELAYED: _("Delayed"),
    ActivityStatus.COMPLETED: _("Completed"),
    ActivityStatus.CANCELLED: _("Cancelled"),
}

# Reports in review, which the internal view may show before they count.
IN_REVIEW = frozenset({Status.SUBMITTED, Status.ENDORSED})


def combine(parts: Sequence[str | None]) -> ActivityStatus:
    """The activity's status from its parts: one per expected agency, its reported ``ProgressStatus`` or
    None where it has no report that counts. The rules are the module's docstring."""
    if not parts:
        return ActivityStatus.NO_AGENCY
    reported = [p for p in parts if p is not None]
    if not reported:
        return ActivityStatus.NOT_REPORTED
    if ProgressStatus.DELAYED in reported:
        return ActivityStatus.DELAYED
    everyone = len(reported) == len(parts)
    going = [p for p in reported if p != ProgressStatus.CANCELLED]
    if everyone and not going:
        return ActivityStatus.CANCELLED
    if everyone and all(p == ProgressStatus.COMPLETED for p in going):
        return ActivityStatus.COMPLETED
    if any(p in (ProgressStatus.IN_PROGRESS, ProgressStatus.COMPLETED) for p in reported):
        return ActivityStatus.IN_PROGRESS
    return ActivityStatus.NOT_STARTED


# Named tuples, not frozen dataclasses: the overview makes one per expected agency per activity and period
# (about 16,000 on the national data set), and a named tuple is made in a third of a frozen dataclass's time.
class AgencyPart(NamedTuple):
    agency_id: int
    agency: str  # the agency's key
    # The progress its report gives (a ProgressStatus value); None when it has no report that counts.
    progress: str | None
    # Its report's review status, whether or not it counts; None without a report.
    report_status: str | None
    # A recommended partner's contribution: shown, never part of the status.
    optional: bool


class ActivityPeriodStatus(NamedTuple):
    activity_id: int
    activity: str  # the activity's key
    code: str  # its published number, if any
    period_id: int
    period: str  # the period's label
    status: ActivityStatus
    # Agencies expected to report, and how many of them have a report that counts.
    expected: int
    reported: int
    # The expected agencies by name, then partners that contributed a report that counts.
    agencies: tuple[AgencyPart, ...]


def activity_status(
    viewer: Viewer,
    *,
    plan: Plan,
    period: ReportingPeriod | int | None = None,
    pillar: int | None = None,
    agency: int | None = None,
    include_submitted: bool = False,
) -> tuple[ActivityPeriodStatus, ...]:
    """Every activity of ``plan`` running in ``period`` (else in each of the plan's periods) with the
    status its expected agencies' reports give. An agency's people see the activities their agency owes a
    report on, combined from their agency's part alone; coordinators and evaluators every activity, with
    every agency's part; anonymous viewers nothing. ``period`` (a period or its id), ``pillar`` (a
    pillar's id) and ``agency`` (an organisation's id) narrow it: with ``agency``, the activities that
    agency owes a report on, from its part alone, as its own people see them. Five queries (periods,
    activities, assignments, collective members, reports) whatever the number of reports: what is read
    per report is one row of the expected grid, activities x agencies x periods, which the plan bounds
    (reports of agencies nobody expects are left out by the database)."""
    agencies = narrowed(scope.agencies(viewer), agency)
    if agencies is not None and not agencies:
        return ()
    periods = periods_of(plan, period)
    counted = {str(s) for s in (COUNTED | IN_REVIEW if include_submitted else COUNTED)}
    running_in, expected = expected_grid(plan, periods, pillar=pillar, agencies=agencies)
    # No order: the reports go into a dict (the default order joins four tables to sort them).
    reports = scope.reports(viewer).filter(expected, plan=plan, period__in=[p.pk for p in periods]).order_by()
    found = {
        (activity_id, agency_id, period_id): (status, progress)
        for activity_id, agency_id, period_id, status, progress in reports.values_list(
            "activity_id", "agency_id", "period_id", "status", "progress"
        )
    }
    listed = []
    nothing = (None, None)
    for running in running_in:
        owed, contributed = [], []
        activity_id, period_id = running.activity.pk, running.period.pk
        for owner, optional in running.agencies:
            if agencies is not None and owner.pk not in agencies:
                continue
            status, progress = found.get((activity_id, owner.pk, period_id), nothing)
            part = AgencyPart(owner.pk, owner.key, progress if status in counted else None, status, optional)
            if not optional:
                owed.append(part)
            elif part.progress is not None:
                contributed.append(part)
        # An agency's people see the activities their agency owes a report on.
        if agencies is not None and not owed:
            continue
        listed.append(
            ActivityPeriodStatus(
                activity_id=activity_id,
                activity=running.activity.key,
                code=running.activity.code,
                period_id=period_id,
                period=running.period.label,
                status=combine([p.progress for p in owed]),
                expected=len(owed),
                reported=sum(1 for p in owed if p.progress is not None),
                agencies=tuple(owed + contributed),
            )
        )
    return tuple(listed)
