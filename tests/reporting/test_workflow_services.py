"""Progress reports through the services: saving with validation, every workflow step, period locks."""

from __future__ import annotations

import pytest

from wpsnap.core.errors import InvalidInput
from wpsnap.reporting import services
from wpsnap.reporting.disaggregation import field_name
from wpsnap.reporting.models import IndicatorValue, ReportTransition, ReportVersion
from wpsnap.reporting.services import LockedError, ReportInput
from wpsnap.reporting.workflow import Status

pytestmark = pytest.mark.django_db

CELLS = {
    "sex:women|age:18-24": "4",
    "sex:women|age:25-34": "6",
    "sex:men|age:25-34": "10",
}


def _start(people, activity, period):
    mod = people["focal"].organisation
    return services.report_start(actor=people["focal"], activity=activity, agency=mod, period=period)


def _fill(people, report, total="20", cells=CELLS):
    indicator = report.activity.indicators.get()
    return services.report_save(
        actor=people["focal"],
        report=report,
        data=ReportInput(
            progress="completed",
            done="Three trainings at the Military Academy.",
            values={indicator.pk: {"": total, **cells}},
            financing={"state_budget": {"planned": "1500", "spent": "1200.50"}},
        ),
    )


def test_setup_gives_the_plan_breakdowns_and_annual_periods(reporting) -> None:
    """Reporting setup creates periods 2020-2023 and a sex x age breakdown of 10 cells for training counts."""
    from wpsnap.reporting import selectors

    assert list(reporting.reporting_periods.values_list("label", flat=True)) == [
        "2020",
        "2021",
        "2022",
        "2023",
    ]
    indicator = reporting.activities.get(code="5.1.2.3").indicators.get()
    breakdown, spec = selectors.indicator_specs([indicator])[indicator.pk]
    assert breakdown is not None and breakdown.code == "sex-age"
    assert spec.size == 10
    again = services.reporting_setup(plan=reporting)
    assert (again.periods, again.breakdowns, again.indicators) == (0, 0, 0)


def test_a_focal_point_saves_a_disaggregated_report(people, activity_512_3, period_2020) -> None:
    """Valid figures are stored once per cell, with the total."""
    report = _start(people, activity_512_3, period_2020)
    result = _fill(people, report)
    assert result.ok, result.problems
    stored = dict(IndicatorValue.objects.filter(report=report).values_list("cell", "value"))
    assert {k: int(v) for k, v in stored.items()} == {"": 20, **{k: int(v) for k, v in CELLS.items()}}
    assert report.financing.get().spent == 1200.50


def test_invalid_figures_are_named_and_the_rest_is_kept(people, activity_512_3, period_2020) -> None:
    """Text, a negative number and a sum that does not match are each named by their cell; the narrative and
    the valid cells are saved; the refused cells are not."""
    report = _start(people, activity_512_3, period_2020)
    indicator = activity_512_3.indicators.get()
    result = _fill(
        people, report, total="25", cells={**CELLS, "sex:men|age:18-24": "lots", "sex:men|age:60-plus": "-3"}
    )
    assert {p.field for p in result.problems} == {
        field_name(indicator.pk, "sex:men|age:18-24"),
        field_name(indicator.pk, "sex:men|age:60-plus"),
        field_name(indicator.pk, ""),
    }
    by_field = {p.field: p.message for p in result.problems}
    assert "Enter a number" in by_field[field_name(indicator.pk, "sex:men|age:18-24")]
    report.refresh_from_db()
    assert report.done == "Three trainings at the Military Academy."
    cells = set(IndicatorValue.objects.filter(report=report).values_list("cell", flat=True))
    assert cells == {"", *CELLS}
    with pytest.raises(InvalidInput) as info:
        services.report_submit(actor=people["focal"], report=report)
    assert any("not the sum of the parts" in p.message for p in info.value.problems)


def test_the_whole_workflow_with_a_return(
    people, activity_512_3, period_2020, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    """Submit, endorse, return with a comment, correct, resubmit, endorse, approve, lock, publish."""
    report = _start(people, activity_512_3, period_2020)
    _fill(people, report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(actor=people["focal"], report=report)
    assert [m.to for m in mailoutbox] == [["mod-approver@example.org"]]
    services.report_endorse(actor=people["approver"], report=report)
    with pytest.raises(InvalidInput, match="Say what needs correcting"):
        services.report_return(actor=people["coordinator"], report=report, comment=" ")
    services.report_return(actor=people["coordinator"], report=report, comment="Add the March training.")
    report.refresh_from_db()
    assert report.status == Status.RETURNED
    _fill(people, report, total="25", cells={**CELLS, "sex:men|age:18-24": "5"})
    services.report_submit(actor=people["focal"], report=report)
    services.report_endorse(actor=people["approver"], report=report)
    services.report_approve(actor=people["coordinator"], report=report)
    services.period_lock(actor=people["coordinator"], period=period_2020)
    services.report_publish(actor=people["coordinator"], report=report)
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    steps = list(ReportTransition.objects.filter(report=report).values_list("source", "target"))
    assert steps == [
        ("draft", "submitted"),
        ("submitted", "endorsed"),
        ("endorsed", "returned"),
        ("returned", "submitted"),
        ("submitted", "endorsed"),
        ("endorsed", "approved"),
        ("approved", "published"),
    ]
    versions = list(ReportVersion.objects.filter(report=report).order_by("number"))
    assert versions[0].content["values"][activity_512_3.indicators.get().key][""] == "20"
    assert versions[-1].content["values"][activity_512_3.indicators.get().key][""] == "25"
    assert report.comments.get().text == "Add the March training."


def test_steps_out_of_order_and_by_the_wrong_person_are_refused(people, activity_512_3, period_2020) -> None:
    """A draft cannot be approved; a focal point or an evaluator cannot endorse; another agency's focal point
    is told nothing (404)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    report = _start(people, activity_512_3, period_2020)
    _fill(people, report)
    with pytest.raises(InvalidInput, match="cannot be approved"):
        services.report_approve(actor=people["coordinator"], report=report)
    services.report_submit(actor=people["focal"], report=report)
    with pytest.raises(PermissionDenied):
        services.report_endorse(actor=people["focal"], report=report)
    with pytest.raises(Http404):
        services.report_endorse(actor=people["other_focal"], report=report)
    with pytest.raises(PermissionDenied):
        services.report_endorse(actor=people["evaluator"], report=report)


def test_a_locked_period_refuses_every_write_until_reopened(people, activity_512_3, period_2020) -> None:
    """After the lock, saving, evidence, and workflow steps are refused; re-opening needs a reason."""
    report = _start(people, activity_512_3, period_2020)
    _fill(people, report)
    services.period_lock(actor=people["coordinator"], period=period_2020)
    with pytest.raises(LockedError):
        _fill(people, report, total="30")
    with pytest.raises(LockedError):
        services.evidence_add(actor=people["focal"], report=report, name="a.txt", content=b"notes")
    with pytest.raises(LockedError):
        services.report_submit(actor=people["focal"], report=report)
    with pytest.raises(InvalidInput, match="Say why"):
        services.period_reopen(actor=people["coordinator"], period=period_2020, reason="")
    services.period_reopen(actor=people["coordinator"], period=period_2020, reason="MoD sent late figures.")
    assert _fill(people, report, total="20").ok
    from wpsnap.core.models import AuditEvent

    assert AuditEvent.objects.filter(note__contains="MoD sent late figures.").exists()


def test_only_named_agencies_report(people, activity_512_3, period_2020) -> None:
    """MIA is not named on 5.1.2: its focal point cannot open a report there."""
    with pytest.raises(InvalidInput, match="is not named for this activity"):
        services.report_start(
            actor=people["other_focal"],
            activity=activity_512_3,
            agency=people["other_focal"].organisation,
            period=period_2020,
        )


def test_evidence_is_judged_by_its_content(people, activity_512_3, period_2020) -> None:
    """A PDF is kept with its checksum; an executable renamed .pdf is refused, and nothing is stored."""
    report = _start(people, activity_512_3, period_2020)
    evidence = services.evidence_add(
        actor=people["focal"], report=report, name="agenda.pdf", content=b"%PDF-1.7\n..."
    )
    assert (evidence.kind, evidence.size) == ("pdf", 12)
    with pytest.raises(InvalidInput, match="judged by its content"):
        services.evidence_add(
            actor=people["focal"], report=report, name="agenda2.pdf", content=b"MZ\x90\x00\x03\x00\x00"
        )
    assert report.evidence.count() == 1
