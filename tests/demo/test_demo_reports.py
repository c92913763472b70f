"""The demo's progress reports for 2020-2023 (``wpsnap.demo.reports``): made through the services by
the demo people, varied by period and status, valid, dated like a real reporting year, and loaded
only once however often ``demo load`` runs.

The demo is loaded once for the package (``tests/demo/conftest.py``); each test runs in a savepoint inside it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest

from wpsnap.accounts.models import Role
from wpsnap.demo import reports as demo_reports
from wpsnap.reporting import selectors
from wpsnap.reporting.models import (
    Comment,
    Evidence,
    FinancingLine,
    IndicatorAnswer,
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
    ReportTransition,
)
from wpsnap.reporting.services.reports import report_problems
from wpsnap.reporting.workflow import Status

from .conftest import PASSWORD, demo

pytestmark = pytest.mark.django_db

AGENCIES = ("mod", "mia", "scridp", "mlspp", "moe")


def statuses(period: ReportingPeriod) -> Counter[str]:
    return Counter(ProgressReport.objects.filter(period=period).values_list("status", flat=True))


def snapshot() -> dict[str, object]:
    """Counts of everything the demo writes, and a checksum of every stored figure, answer, amount
    and report state."""
    values = sorted(
        (str(v["report_id"]), str(v["indicator_id"]), v["cell"], f"{v['value']}")
        for v in IndicatorValue.objects.values("report_id", "indicator_id", "cell", "value")
    )
    answers = sorted(IndicatorAnswer.objects.values_list("report_id", "indicator_id", "text"))
    money = sorted(FinancingLine.objects.values_list("report_id", "source", "planned", "spent"))
    reports = sorted(
        ProgressReport.objects.values_list("pk", "status", "progress", "done", "submitted_at", "approved_at")
    )
    digest = hashlib.sha256(repr((values, answers, money, reports)).encode()).hexdigest()
    return {
        "reports": ProgressReport.objects.count(),
        "values": len(values),
        "transitions": ReportTransition.objects.count(),
        "comments": Comment.objects.count(),
        "evidence": Evidence.objects.count(),
        "locked": sorted(
            ReportingPeriod.objects.filter(locked_at__isnull=False).values_list("label", "locked_at")
        ),
        "checksum": digest,
    }


def test_the_load_reports_what_it_made(loaded):
    """The command says how many reports it made, how many it left missing and which periods it
    locked."""
    found = re.search(
        r"Demo reports: (\d+) created \((\d+) evidence files\), 0 already there, (\d+) left", loaded
    )
    assert found, loaded
    created, evidence, missing = (int(g) for g in found.groups())
    assert created == ProgressReport.objects.count() > 100
    assert evidence == Evidence.objects.count() > 0
    assert missing > 0
    assert "periods locked: 2020, 2021." in loaded


def test_2020_and_2021_are_approved_or_deliberately_missing_and_locked(plan, periods):
    """Every expected (activity, demo agency) of the closed years has an approved or published
    report, or is one the demo leaves missing on purpose; both periods are locked by the coordinator."""
    planned = demo_reports.demo_reports_plan(plan=plan)
    missing = {p.key for p in planned if p.outcome == demo_reports.MISSING}
    for label in ("2020", "2021"):
        period = periods[label]
        rows = [r for r in selectors.expected_reports(period) if r.agency.key in AGENCIES]
        assert len(rows) > 50
        for row in rows:
            key = (row.activity.pk, row.agency.pk, period.pk)
            if row.report is None:
                assert key in missing, (label, row.activity.key, row.agency.key)
            else:
                assert row.report.status in (Status.APPROVED, Status.PUBLISHED), (label, row.report)
        counts = statuses(period)
        assert counts[Status.PUBLISHED] > counts[Status.APPROVED] > 0
        assert set(counts) == {Status.APPROVED, Status.PUBLISHED}
        assert period.is_locked and period.locked_by.username == "coordinator"
        assert period.locked_at.date() > period.due_on  # locked after the reviews, not before


def test_2022_has_every_status_and_2023_drafts_and_a_late_submission(periods):
    """The period under review has at least one report in each status and some missing; the current
    period has drafts and a submission that came in after the due date."""
    counts = statuses(periods["2022"])
    for status in Status:
        assert counts[status] >= 1, (status, counts)
    expected = [r for r in selectors.expected_reports(periods["2022"]) if r.agency.key in AGENCIES]
    assert any(r.report is None for r in expected)
    assert not periods["2022"].is_locked and not periods["2023"].is_locked
    current = ProgressReport.objects.filter(period=periods["2023"])
    assert current.filter(status=Status.DRAFT).exists()
    late = current.filter(status=Status.SUBMITTED, submitted_at__date__gt=periods["2023"].due_on)
    assert late.exists()


def test_every_submitted_report_passes_validation():
    """No report past the draft stage has a problem that would stop its submission: parts sum to
    totals, counts are whole, required figures and answers are there, dates lie in the period."""
    reviewed = ProgressReport.objects.exclude(status__in=[Status.DRAFT]).select_related("period")
    assert reviewed.count() > 100
    for report in reviewed:
        assert report_problems(report) == [], (str(report), report.status)


def test_returned_reports_carry_the_reviewers_comment():
    """Each report sent back has the comment that came with the return, by the approver or the
    coordinator who returned it; corrected ones have the focal point's reply."""
    returns = ReportTransition.objects.filter(target=Status.RETURNED).select_related("actor", "report")
    assert returns.filter(report__status=Status.RETURNED).count() >= 1
    assert returns.exclude(report__status=Status.RETURNED).exists()  # returned, corrected, approved
    for transition in returns:
        assert transition.note
        assert transition.actor.role in (Role.APPROVER, Role.COORDINATOR)
        assert Comment.objects.filter(
            report=transition.report, author=transition.actor, text=transition.note
        ).exists()
    for report in ProgressReport.objects.filter(status=Status.RETURNED):
        assert report.comments.exists()


def test_each_step_was_taken_by_the_demo_person_whose_job_it_is():
    """Focal points (or the NGO contributor) submit their own agency's reports, its approver
    endorses, the coordinator approves and publishes: the services were called as the demo people."""
    roles = {
        Status.SUBMITTED: {Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR},
        Status.ENDORSED: {Role.APPROVER},
        Status.APPROVED: {Role.COORDINATOR},
        Status.PUBLISHED: {Role.COORDINATOR},
    }
    for transition in ReportTransition.objects.select_related("actor", "report"):
        if transition.target in roles:
            assert transition.actor.role in roles[transition.target], transition
        if transition.target in (Status.SUBMITTED, Status.ENDORSED):
            assert transition.actor.organisation_id == transition.report.agency_id
    ngo = ProgressReport.objects.filter(agency__key="women-for-peace")
    assert ngo.filter(status=Status.SUBMITTED, created_by__username="ngo.contributor").exists()


def test_the_ngo_approver_has_the_ngos_contributions_waiting(plan):
    """The NGO's submitted contributions wait in its own approver's review queue, and nobody else's
    agency queue."""
    from wpsnap.accounts.models import User
    from wpsnap.reporting.selectors import review_queue

    waiting = list(review_queue(User.objects.get(username="ngo.approver")))
    assert waiting
    assert {report.agency.key for report in waiting} == {"women-for-peace"}
    assert not any(
        r.agency.key == "women-for-peace" for r in review_queue(User.objects.get(username="mod.approver"))
    )


def test_the_steps_are_dated_like_a_reporting_year(periods):
    """Reports are started once the period opens and reviewed after; most are submitted by the due
    date, some late; each report's steps follow one another in time."""
    for label in ("2020", "2021"):
        period = periods[label]
        reports = ProgressReport.objects.filter(period=period)
        assert all(r.created_at.date() >= period.opens_on for r in reports)
        on_time = reports.filter(submitted_at__date__lte=period.due_on).count()
        assert on_time > reports.count() / 2
        assert reports.filter(submitted_at__date__gt=period.due_on).exists()
    for report in ProgressReport.objects.exclude(status=Status.DRAFT).prefetch_related("transitions"):
        moments = [t.at for t in report.transitions.all()]
        assert moments == sorted(moments)


def test_figures_are_plausible_for_the_activity(periods):
    """Military trainings have more men, gender-officer trainings more women; awareness-raising
    reaches hundreds, legal aid tens; services are counted by service type."""

    def sums(activity_key: str, agency: str | None = None) -> Counter[str]:
        qs = IndicatorValue.objects.filter(report__activity__key=activity_key)
        if agency:
            qs = qs.filter(report__agency__key=agency)
        found: Counter[str] = Counter()
        for cell, value in qs.values_list("cell", "value"):
            for part in ("sex:women", "sex:men", "age:25-34", "age:35-59", "age:0-17"):
                if part in cell:
                    found[part] += int(value)
            if cell == "":
                found["total"] += int(value)
        return found

    military = sums("5.1.2-3", "mod")
    assert military["sex:men"] > 2 * military["sex:women"] > 0
    officers = sums("5.2.6-2")
    assert officers["sex:women"] > officers["sex:men"] > 0
    assert officers["age:25-34"] + officers["age:35-59"] > 0.8 * officers["total"]
    assert officers["age:0-17"] == 0
    awareness = IndicatorValue.objects.filter(report__activity__key="5.4.1-1", cell="")
    assert min(int(v) for v in awareness.values_list("value", flat=True)) >= 100
    legal = IndicatorValue.objects.filter(report__activity__key="5.3.2-3", cell="")
    assert all(10 <= int(v) < 100 for v in legal.values_list("value", flat=True))
    services = IndicatorValue.objects.filter(report__activity__key="5.3.3-2").exclude(cell="")
    assert {cell.split(":")[0] for cell in services.values_list("cell", flat=True)} == {"service"}


def test_narratives_answers_financing_and_evidence_are_filled_in():
    """Approved reports say what was done; qualitative indicators are answered with text; amounts are
    in the state budget line mostly, sometimes with an international partner; evidence files are
    small PDFs named after what they are."""
    approved = ProgressReport.objects.filter(status__in=[Status.APPROVED, Status.PUBLISHED])
    assert all(len(r.done) > 40 for r in approved)
    assert approved.filter(challenges="").exists() and approved.exclude(challenges="").exists()
    assert IndicatorAnswer.objects.filter(report__in=approved).count() > 10
    sources = Counter(FinancingLine.objects.values_list("source", flat=True))
    assert sources["state_budget"] > sources["international"] > 0
    evidence = Evidence.objects.all()
    assert evidence.count() >= 5
    for item in evidence:
        assert re.fullmatch(r"[a-z-]+-20(20|21|22|23)\.pdf", item.original_name)
        assert item.kind == "pdf"
        with item.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")


def test_loading_again_creates_and_changes_nothing(loaded):
    """A second ``demo load`` from the command line makes no report and changes no stored value."""
    before = snapshot()
    output = demo("load", "--password", PASSWORD)
    assert snapshot() == before
    assert "0 people created, 0 updated, 14 unchanged" in output
    assert re.search(r"Demo reports: 0 created \(0 evidence files\), \d+ already there", output)
    assert "periods locked: none." in output


def test_the_scenario_is_the_same_every_time(plan):
    """The plan of the demo is drawn from a fixed seed: two draws are identical, step by step."""
    first = demo_reports.demo_reports_plan(plan=plan)
    second = demo_reports.demo_reports_plan(plan=plan)
    assert [(p.key, p.outcome, [(s.at, s.action, s.text) for s in p.steps]) for p in first] == [
        (p.key, p.outcome, [(s.at, s.action, s.text) for s in p.steps]) for p in second
    ]


def test_the_generated_pdf_is_well_formed():
    """The evidence PDF has a header, five objects, a cross-reference table whose offsets point at
    them, and the end marker."""
    content = demo_reports.pdf("Training agenda (draft)", ["Ministry of Defense", "Activity 5.1.2.3, 2021"])
    assert content.startswith(b"%PDF-1.4\n")
    start = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert content[start:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in content[start:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert content[offset:].startswith(b"%d 0 obj" % number)
    assert b"(Training agenda \\(draft\\)) Tj" in content
