"""Two people edit one report in two browsers at once (issue 9's acceptance): neither loses an edit.
Autosave merges their changes to different fields (each page then shows the other's), and when both
change the same field the second is told, sees what the other wrote, keeps what they typed, and saves
it knowingly."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from wpsnap.reporting.disaggregation import TOTAL, field_name
from wpsnap.reporting.models import IndicatorValue, ProgressReport

from .conftest import DESKTOP, PHONE
from .test_report_form import _sign_in

pytestmark = pytest.mark.browser


def _until(page, condition, seconds: float = 10) -> None:
    """Wait (polling the database) until ``condition()`` holds: an autosave lands a moment after typing."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("the autosave did not land in time")


def test_two_browsers_on_one_report_lose_no_edit(az_live, open_page, make_user, az_plan) -> None:
    from wpsnap.reporting.services import report_start, reporting_setup

    reporting_setup(plan=az_plan)
    first = make_user("focal_point", "mod", "mod-focal")
    make_user("focal_point", "mod", "mod-focal-2")
    activity = az_plan.activities.get(code="5.1.2.3")
    indicator = activity.indicators.get()
    report = report_start(
        actor=first,
        activity=activity,
        agency=first.organisation,
        period=az_plan.reporting_periods.get(label="2020"),
    )
    url = f"/reports/{report.pk}/edit/"
    a, b = open_page(DESKTOP), open_page(PHONE)
    _sign_in(a, az_live, "mod-focal", url)
    _sign_in(b, az_live, "mod-focal-2", url)
    a.wait_for_url(re.compile(r"/edit/$"))
    b.wait_for_url(re.compile(r"/edit/$"))

    # A writes what was done and a figure; B, on the page it opened before, writes the challenges.
    a.get_by_label("What was done").fill("Three trainings at the Military Academy.")
    a.locator(f"#id_{field_name(indicator.pk, TOTAL)}").fill("20")
    expect(a.locator("#autosave-status")).to_contain_text("Draft saved at", timeout=10_000)
    b.get_by_label("Challenges").fill("Few women officers could travel.")
    expect(b.locator("#autosave-status")).to_contain_text("Draft saved at", timeout=10_000)
    # B's page now shows what A saved in the fields B left alone.
    expect(b.get_by_label("What was done")).to_have_value("Three trainings at the Military Academy.")
    expect(b.locator(f"#id_{field_name(indicator.pk, TOTAL)}")).to_have_value("20")
    report.refresh_from_db()
    assert report.done == "Three trainings at the Military Academy."
    assert report.challenges == "Few women officers could travel."

    # Both change what was done: A first, then B, whose autosave is refused and says so.
    a.get_by_label("What was done").fill("Four trainings.")
    _until(a, lambda: ProgressReport.objects.get(pk=report.pk).done == "Four trainings.")
    a_version = ProgressReport.objects.get(pk=report.pk).version
    b.get_by_label("What was done").fill("Three trainings and a seminar.")
    expect(b.locator("#autosave-status")).to_contain_text("Changed by both", timeout=10_000)
    assert ProgressReport.objects.get(pk=report.pk).version == a_version

    # B saves the draft: the page shows the clash with A's text, B's typing kept; saving again keeps it.
    with b.expect_navigation():
        b.get_by_role("button", name="Save draft").click()
    conflicts = b.locator("#form-conflicts")
    expect(conflicts).to_contain_text("Four trainings.")
    expect(b.get_by_label("What was done")).to_have_value("Three trainings and a seminar.")
    with b.expect_navigation():
        b.get_by_role("button", name="Save draft").click()
    expect(b.locator("#form-conflicts")).to_have_count(0)

    report.refresh_from_db()
    assert report.done == "Three trainings and a seminar."
    assert report.challenges == "Few women officers could travel."
    assert dict(IndicatorValue.objects.filter(report=report).values_list("cell", "value")) == {"": 20}
    assert a.problems.all(a) == []
    # The browser logs each 409 it was answered (the refused autosave and the page with the clash).
    assert [p for p in b.problems.all(b) if "status of 409" not in p] == []
