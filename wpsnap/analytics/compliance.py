"""Reporting compliance per agency and period: how many reports each agency owes, and how many it has
submitted, had approved, left overdue or not started.

An agency owes a report on every activity running in the period that it implements (collectives expanded
to their members, as ``reporting.selectors.expected_reports`` says). Of those:

- **submitted**: the report has gone to review and has not come back: submitted, endorsed, approved or
  published (a returned report is the agency's again until it is submitted anew);
- **approved**: approved or published (its figures count);
- **missing**: no report has been started;
- **overdue**: the period's due date has passed (``today`` is after it) and the report is not submitted
  (missing, draft or returned).

A recommended partner's contribution (an NGO's) is never owed; ``contributions`` counts those submitted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from wpsnap.plan.models import Plan
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.workflow import COUNTED, Status

from . import scope
from .filters import expected_grid, narrowed, periods_of
from .scope import Viewer

SUBMITTED = frozenset({Status.SUBMITTED, Status.ENDORSED, Status.APPROVED, Status.PUBLISHED})


@dataclass(frozen=True)
class Compliance:
    agency_id: int
    agency: str  # the agency's key
    period_id: int
    period: str  # the period's label
    due_on: date
    expected: int
    submitted: int
    approved: int
    overdue: int
    missing: int
    # Reports submitted by a recommended partner, which it did not owe.
    contributions: int


@dataclass
class Count:
    """One agency's (or, summed, one period's) figures, as ``tally`` counts them."""

    expected: int = 0
    submitted: int = 0
    approved: int = 0
    overdue: int = 0
    missing: int = 0
    contributions: int = 0


def reporting_compliance(
    viewer: Viewer,
    *,
    plan: Plan,
    period: ReportingPeriod | int | None = None,
    pillar: int | None = None,
    agency: int | None = None,
    today: date | None = None,
) -> tuple[Compliance, ...]:
    """Every agency that owes or contributed a report of ``plan`` for ``period`` (a period or its id; else
    for each of the plan's periods), by period, then agency key. ``pillar`` (a pillar's id) counts only the
    reports owed on its activities; ``agency`` (an organisation's id) gives that agency's line alone.
    ``today`` (default: the real date) decides what is overdue. An agency's people see their agency's
    line; coordinators and evaluators every agency's; anyone else, the public included, nothing
    (compliance is internal). Five queries whatever the number of reports: the reports are read one row
    each, bounded by the plan's activities x agencies x periods."""
    periods = periods_of(plan, period)
    counts, names = tally(viewer, plan=plan, periods=periods, pillar=pillar, agency=agency, today=today)
    by_id = {p.pk: p for p in periods}
    listed = [
        Compliance(
            agency_id=agency_id,
            agency=names[agency_id],
            period_id=period_id,
            period=by_id[period_id].label,
            due_on=by_id[period_id].due_on,
            **vars(count),
        )
        for (agency_id, period_id), count in counts.items()
        if count.expected or count.contributions
    ]
    return tuple(sorted(listed, key=lambda c: (by_id[c.period_id].start, c.agency)))


def tally(
    viewer: Viewer,
    *,
    plan: Plan,
    periods: list[ReportingPeriod],
    pillar: int | None = None,
    agency: int | None = None,
    today: date | None = None,
) -> tuple[dict[tuple[int, int], Count], dict[int, str]]:
    """The counts of ``reporting_compliance`` for ``periods`` of ``plan``, by (agency id, period id), and
    each agency's key: four queries (reports, activities, assignments, collective members). Nothing for
    a viewer who may see no agency's compliance."""
    agencies = narrowed(scope.agencies(viewer), agency)
    if scope.is_public(viewer) or (agencies is not None and not agencies):
        return {}, {}
    today = today or timezone.localdate()
    running_in, expected = expected_grid(plan, periods, pillar=pillar, agencies=agencies)
    # No order: the reports go into a dict (the default order joins four tables to sort them).
    reports = scope.reports(viewer).filter(expected, plan=plan, period__in=[p.pk for p in periods]).order_by()
    status_of = {
        (activity_id, agency_id, period_id): status
        for activity_id, agency_id, period_id, status in reports.values_list(
            "activity_id", "agency_id", "period_id", "status"
        )
    }
    counts: dict[tuple[int, int], Count] = defaultdict(Count)
    names: dict[int, str] = {}
    for running in running_in:
        activity_id, period_id = running.activity.pk, running.period.pk
        late = today > running.period.due_on
        for owner, optional in running.agencies:
            if agencies is not None and owner.pk not in agencies:
                continue
            status = status_of.get((activity_id, owner.pk, period_id))
            count = counts[(owner.pk, period_id)]
            names[owner.pk] = owner.key
            if optional:
                count.contributions += status in SUBMITTED
                continue
            count.expected += 1
            count.submitted += status in SUBMITTED
            count.approved += status in COUNTED
            count.missing += status is None
            count.overdue += late and status not in SUBMITTED
    return counts, names
