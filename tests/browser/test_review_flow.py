"""Reviewing a report in the browser: the approver endorses, the coordinator returns it with a comment,
the corrected report is endorsed and approved, the coordinator locks the period, and a later edit is
refused. The focal point's part goes through the services (the report form has its own tests)."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import TEST_PASSWORD
from wpsnap.reporting import services
from wpsnap.reporting.models import ProgressReport, ReportingPeriod
from wpsnap.reporting.services import LockedError, ReportInput
from wpsnap.reporting.workflow import Status

pytestmark = pytest.mark.browser

CELLS = {"sex:women|age:18-24": "4", "sex:women|age:25-34": "6", "sex:men|age:25-34": "10"}


def _save(focal, report, total: str, cells: dict[str, str]):
    indicator = report.activity.indicators.get()
    return services.report_save(
        actor=focal,
        report=report,
        data=ReportInput(
            progress="completed",
            done="Three trainings at the Military Academy.",
            values={indicator.pk: {"": total, **cells}},
        ),
    )


def _sign_in(page, base: str, user) -> None:
    """Password, then the code the person's authenticator app would show."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{base}/accounts/login/?next=/reports/queue/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_label("Code from your authenticator app").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/reports/queue/$"))


def _open_from_queue(page, base: str) -> None:
    page.goto(f"{base}/reports/queue/")
    page.get_by_role("link", name=re.compile(r"^Review 5\.1\.2\.3, MoD, 2020")).click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))


def _status(report) -> str:
    return ProgressReport.objects.get(pk=report.pk).status


def test_review_return_correct_approve_and_lock(az_live, open_page, make_user, az_plan) -> None:
    """The whole review, with a return, through the pages; the locked period then refuses an edit."""
    services.reporting_setup(plan=az_plan)
    focal = make_user("focal_point", "mod", "mod-focal")
    approver = make_user("approver", "mod", "mod-approver")
    coordinator = make_user("coordinator", "scfwca", "coord")
    activity = az_plan.activities.get(code="5.1.2.3")
    period = az_plan.reporting_periods.get(label="2020")
    report = services.report_start(actor=focal, activity=activity, agency=focal.organisation, period=period)
    assert _save(focal, report, "20", CELLS).ok
    services.report_submit(actor=focal, report=report)

    approving = open_page()
    _sign_in(approving, az_live, approver)
    _open_from_queue(approving, az_live)
    assert approving.locator("[data-cell=total]").inner_text() == "20"
    approving.get_by_role("button", name="Endorse").click()
    approving.wait_for_url(re.compile(r"/reports/queue/$"))
    assert "waits for the coordinator's approval" in approving.get_by_role("status").first.inner_text()
    assert _status(report) == Status.ENDORSED
    assert approving.problems.all(approving) == []

    coordinating = open_page()
    _sign_in(coordinating, az_live, coordinator)
    _open_from_queue(coordinating, az_live)
    coordinating.get_by_label("What needs correcting").fill("Add the March training for men aged 18-24.")
    coordinating.get_by_role("button", name="Return for correction").click()
    coordinating.wait_for_url(re.compile(r"/reports/queue/$"))
    assert _status(report) == Status.RETURNED
    assert coordinating.problems.all(coordinating) == []

    report.refresh_from_db()
    assert _save(focal, report, "25", {**CELLS, "sex:men|age:18-24": "5"}).ok
    services.report_submit(actor=focal, report=report)

    _open_from_queue(approving, az_live)
    assert approving.locator("[data-cell=total]").inner_text() == "25"
    assert "Add the March training for men aged 18-24." in approving.locator("#comments").inner_text()
    approving.get_by_role("button", name="Endorse").click()
    approving.wait_for_url(re.compile(r"/reports/queue/$"))
    assert _status(report) == Status.ENDORSED

    _open_from_queue(coordinating, az_live)
    coordinating.get_by_role("button", name="Approve").click()
    coordinating.wait_for_url(re.compile(r"/reports/queue/$"))
    assert _status(report) == Status.APPROVED

    coordinating.goto(f"{az_live}/reports/{report.pk}/history/")
    assert coordinating.locator('[data-version="4"] [data-change="Total: 20 → 25"]').count() == 1

    coordinating.goto(f"{az_live}/reports/periods/")
    coordinating.get_by_role("button", name="Approve and lock period 2020").click()
    coordinating.wait_for_url(re.compile(r"/reports/periods/\?plan=az-2020-2023$"))
    assert "is approved and locked" in coordinating.get_by_role("status").first.inner_text()
    assert ReportingPeriod.objects.get(pk=period.pk).is_locked

    report.refresh_from_db()
    with pytest.raises(LockedError):
        _save(focal, report, "30", CELLS)
    assert approving.problems.all(approving) == []
    assert coordinating.problems.all(coordinating) == []
