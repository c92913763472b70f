"""The financing rollup (``analytics.models.FinancingRollup``): the financing lines of the counted reports
summed by activity, period, source and status, kept by ``rollups.reports_changed`` inside the reporting
services' transactions and read by ``financing`` where the viewer sees the whole plan.

Through the services: a report saved with financing and approved puts its amounts in under "approved";
published they move to "published"; returned after approval they leave; a second agency's lines for the
same activity and period add up beside them. After every step the rollup equals a rebuild's
(``rollups_verify``) and the coordinator's financing (from the rollup) equals the same sums read from
the reports' lines (an agency filter reads those)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wpsnap.analytics.financing import financing
from wpsnap.analytics.models import FinancingRollup
from wpsnap.analytics.rollups import rollups_rebuild, rollups_verify
from wpsnap.reporting import services
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.services import ReportInput

from .test_rollups import ORDER, World, _report_step

pytestmark = pytest.mark.django_db


def _stored(world: World) -> dict:
    rows = FinancingRollup.objects.filter(activity=world.activities[0], period=world.periods[0])
    return {
        (source, status): (planned, spent, lines)
        for source, status, planned, spent, lines in rows.values_list(
            "source", "status", "planned", "spent", "lines"
        )
    }


def _from_lines(viewer, plan, agencies) -> dict:
    """The viewer's financing summed per agency from the reports' lines (the path an agency filter
    takes), added up over ``agencies``: {(activity, year, source): (planned, spent, lines)}."""
    total: dict = {}
    for agency in agencies:
        for f in financing(viewer, plan=plan, agency=agency.pk):
            planned, spent, lines = total.get((f.activity_id, f.year, f.source), (None, None, 0))
            total[(f.activity_id, f.year, f.source)] = (
                f.planned if planned is None else planned + (f.planned or 0),
                f.spent if spent is None else spent + (f.spent or 0),
                lines + f.lines,
            )
    return total


def test_the_rollup_follows_the_reports_through_the_workflow(plan, people, make_user) -> None:
    """Approved, published, returned: the rollup and the coordinator's financing follow, and equal a
    rebuild and the sums of the lines."""
    world = World(plan, people, make_user)
    amounts = {"mod": ("1000", "250.50"), "mia": ("300", "")}
    reports = {}
    for agency, (planned, spent) in amounts.items():
        _report_step(world, 0, agency, 0, "save", 0, 1, check=lambda: None)
        report = ProgressReport.objects.get(agency__key=agency, activity=world.activities[0])
        services.report_save(
            actor=world.focal[agency],
            report=report,
            data=ReportInput(financing={"state_budget": {"planned": planned, "spent": spent}}),
        )
        _report_step(world, 0, agency, 0, "forward", ORDER.index("approved"), 1, check=lambda: None)
        reports[agency] = ProgressReport.objects.get(pk=report.pk)
    assert _stored(world) == {("state_budget", "approved"): (Decimal("1300"), Decimal("250.50"), 2)}
    coordinator = world.coordinator
    agencies = [reports["mod"].agency, reports["mia"].agency]

    def check() -> None:
        assert rollups_verify(plan) == []
        found = {
            (f.activity_id, f.year, f.source): (f.planned, f.spent, f.lines)
            for f in financing(coordinator, plan=plan)
        }
        assert found == _from_lines(coordinator, plan, agencies)

    check()
    services.report_publish(actor=coordinator, report=reports["mod"])
    assert _stored(world) == {
        ("state_budget", "approved"): (Decimal("300"), None, 1),
        ("state_budget", "published"): (Decimal("1000"), Decimal("250.50"), 1),
    }
    check()
    services.report_return(actor=coordinator, report=reports["mia"], comment="Check the amounts.")
    assert _stored(world) == {("state_budget", "published"): (Decimal("1000"), Decimal("250.50"), 1)}
    check()
    kept = _stored(world)
    FinancingRollup.objects.all().delete()
    assert {d.table for d in rollups_verify(plan)} == {"financing"}
    rollups_rebuild(plan=plan)
    assert _stored(world) == kept
