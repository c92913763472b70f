"""Issue 4's acceptance, every step by a person in the browser: a focal point fills and submits a report
with a disaggregated table; the approver endorses; the coordinator returns it with a comment; the focal
point corrects and resubmits; it is endorsed and approved; the coordinator locks the period; a later
edit is refused."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from wpsnap.reporting.disaggregation import TOTAL, field_name
from wpsnap.reporting.models import IndicatorValue, ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import PHONE

pytestmark = pytest.mark.browser


def _sign_in(page, base: str, user, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if user.needs_second_factor:
        device = TOTPDevice.objects.get_or_create(user=user, name="phone", defaults={"confirmed": True})[0]
        page.wait_for_url(re.compile(r"/accounts/two-factor/"))
        page.get_by_label("Code from your authenticator app").fill(f"{TOTP(device.bin_key).token():06d}")
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(next_path).replace(r"\?", "?") + "$"))


def _review(page, base: str, report) -> None:
    page.goto(f"{base}/reports/queue/")
    page.get_by_role("link", name=re.compile(r"^Review 5\.1\.2\.3, MoD, 2020")).click()
    page.wait_for_url(re.compile(rf"/reports/{report.pk}/$"))


def _status(report) -> str:
    return ProgressReport.objects.get(pk=report.pk).status


def test_a_report_from_draft_to_locked_in_the_browser(az_live, open_page, make_user, az_plan) -> None:
    """Focal point, approver and coordinator each act on their own pages; the locked period refuses a
    later edit."""
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    focal = make_user("focal_point", "mod", "mod-focal")
    approver = make_user("approver", "mod", "mod-approver")
    coordinator = make_user("coordinator", "scfwca", "coord")
    indicator = az_plan.activities.get(code="5.1.2.3").indicators.get()

    def cell(page, key: str):
        return page.locator(f"#id_{field_name(indicator.pk, key)}")

    # The focal point, on a phone, starts the report, fills the table and submits.
    writing = open_page(PHONE)
    _sign_in(writing, az_live, focal, "/reports/")
    writing.get_by_role("navigation", name="Reporting periods").get_by_role("link", name="2020").click()
    writing.locator('[data-activity="5.1.2.3"]').get_by_role(
        "button", name=re.compile("Start the report")
    ).click()
    writing.wait_for_url(re.compile(r"/reports/\d+/edit/$"))
    report = ProgressReport.objects.get(activity__code="5.1.2.3", agency__key="mod", period__label="2020")
    writing.get_by_label("Implementation status").select_option("completed")
    writing.get_by_label("What was done").fill("Three trainings at the Military Academy on UNSCR 1325.")
    for key, text in {
        "sex:women|age:18-24": "4",
        "sex:women|age:25-34": "6",
        "sex:men|age:25-34": "10",
    }.items():
        cell(writing, key).fill(text)
    expect(cell(writing, TOTAL)).to_have_value("20")
    writing.get_by_role("button", name="Submit for endorsement").click()
    writing.wait_for_url(re.compile(r"/reports/\?period=\d+$"))
    assert _status(report) == Status.SUBMITTED

    # The approver endorses.
    approving = open_page()
    _sign_in(approving, az_live, approver, "/reports/queue/")
    _review(approving, az_live, report)
    approving.get_by_role("button", name="Endorse").click()
    approving.wait_for_url(re.compile(r"/reports/queue/$"))
    assert _status(report) == Status.ENDORSED

    # The coordinator returns it with a comment.
    coordinating = open_page()
    _sign_in(coordinating, az_live, coordinator, "/reports/queue/")
    _review(coordinating, az_live, report)
    coordinating.get_by_label("What needs correcting").fill("Add the March training for men aged 18-24.")
    coordinating.get_by_role("button", name="Return for correction").click()
    coordinating.wait_for_url(re.compile(r"/reports/queue/$"))
    assert _status(report) == Status.RETURNED

    # The focal point sees the comment, corrects and resubmits.
    writing.goto(f"{az_live}/reports/{report.pk}/edit/")
    # The reviewer's note heads the form (issue 11: a returned report opens on what needs correcting).
    expect(writing.locator(".return-note")).to_have_text("Add the March training for men aged 18-24.")
    cell(writing, "sex:men|age:18-24").fill("5")
    cell(writing, TOTAL).fill("25")
    writing.get_by_role("button", name="Submit for endorsement").click()
    writing.wait_for_url(re.compile(r"/reports/\?period=\d+$"))
    assert _status(report) == Status.SUBMITTED
    assert IndicatorValue.objects.get(report=report, cell="").value == 25

    # Endorsed again, then approved.
    _review(approving, az_live, report)
    approving.get_by_role("button", name="Endorse").click()
    approving.wait_for_url(re.compile(r"/reports/queue/$"))
    _review(coordinating, az_live, report)
    coordinating.get_by_role("button", name="Approve").click()
    coordinating.wait_for_url(re.compile(r"/reports/queue/$"))
    assert _status(report) == Status.APPROVED

    # The coordinator locks 2020.
    coordinating.goto(f"{az_live}/reports/periods/")
    coordinating.get_by_role("button", name="Approve and lock period 2020").click()
    expect(coordinating.get_by_role("status").first).to_contain_text("is approved and locked")

    # A later edit is refused: the form is no longer offered, and a direct POST changes nothing.
    writing.goto(f"{az_live}/reports/{report.pk}/edit/")
    expect(writing.get_by_role("button", name="Submit for endorsement")).to_have_count(0)
    for page in (writing, approving, coordinating):
        assert page.problems.all(page) == []
    # With the page's CSRF token (the cookie is HttpOnly), so that the refusal is the report's, not CSRF's.
    status = writing.evaluate(
        """async (url) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({done: 'Changed after the lock'});
            const response = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token}});
            return response.status;
        }""",
        f"{az_live}/reports/{report.pk}/autosave/",
    )
    assert status == 409
    report.refresh_from_db()
    assert report.done == "Three trainings at the Military Academy on UNSCR 1325."
