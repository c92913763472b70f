"""A focal point on a phone writes a report: starts it from "my activities", types the disaggregated
figures (the total fills itself, a mismatch is flagged before the server checks), lets the draft save
itself, saves, submits; no console errors and no Content Security Policy violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from wpsnap.reporting.disaggregation import TOTAL, field_name
from wpsnap.reporting.models import IndicatorValue, ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import PHONE

pytestmark = pytest.mark.browser

FIGURES = {"sex:women|age:18-24": "4", "sex:women|age:25-34": "6", "sex:men|age:25-34": "10"}


def _sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _cell(page, indicator_id: int, key: str):
    return page.locator(f"#id_{field_name(indicator_id, key)}")


def test_focal_point_fills_and_submits_a_report_on_a_phone(az_live, open_page, make_user, az_plan) -> None:
    """Start 5.1.2.3's 2020 report, type the table, see the sums, correct a wrong total, save, submit."""
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    make_user("focal_point", "mod", "mod-focal")
    activity = az_plan.activities.get(code="5.1.2.3")
    indicator = activity.indicators.get()
    page = open_page(PHONE)

    _sign_in(page, az_live, "mod-focal", "/reports/")
    page.wait_for_url(re.compile(r"/reports/$"))
    page.get_by_role("navigation", name="Reporting periods").get_by_role("link", name="2020").click()
    page.wait_for_url(re.compile(r"/reports/\?period=\d+$"))
    row = page.locator('[data-activity="5.1.2.3"]')
    expect(row.locator("[data-state]")).to_have_text("Not started")
    row.get_by_role("button", name=re.compile("Start the report")).click()
    page.wait_for_url(re.compile(r"/reports/\d+/edit/$"))
    report = ProgressReport.objects.get(activity=activity, agency__key="mod", period__label="2020")

    page.get_by_label("Implementation status").select_option("completed")
    page.get_by_label("What was done").fill("Three trainings at the Military Academy.")
    total = _cell(page, indicator.pk, TOTAL)
    for key, text in FIGURES.items():
        _cell(page, indicator.pk, key).fill(text)
    expect(total).to_have_value("20")  # filled from the parts while blank
    grid = page.locator("table.figure-grid")
    expect(grid.locator('output[data-row-sum="0"]')).to_have_text("10")  # women
    expect(grid.locator('output[data-col-sum="2"]')).to_have_text("16")  # aged 25-34
    expect(grid.locator("output[data-grid-sum]")).to_have_text("20")
    # The draft saves itself a moment after typing (htmx), without leaving the page.
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at", timeout=10_000)

    total.fill("25")
    check = page.locator(f"#id_{field_name(indicator.pk, TOTAL)}_check")
    expect(check).to_contain_text("The parts add up to 20, but the total says 25")
    expect(total).to_have_class(re.compile(r"\bis-invalid\b"))
    total.fill("20")
    expect(check).not_to_contain_text("add up to")
    expect(total).not_to_have_class(re.compile(r"\bis-invalid\b"))
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft saved at").first).to_be_visible()
    cells = dict(IndicatorValue.objects.filter(report=report).values_list("cell", "value"))
    assert {cell: str(int(value)) for cell, value in cells.items()} == {"": "20", **FIGURES}

    page.get_by_role("button", name="Submit for endorsement").click()
    page.wait_for_url(re.compile(r"/reports/\?period=\d+$"))
    expect(page.locator('[data-activity="5.1.2.3"] [data-state]')).to_have_text("Submitted")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert page.problems.all(page) == []
