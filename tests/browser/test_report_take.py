"""A focal point compares the report with the agency's events and takes the events' figures with one
click: the indicator is swapped in place (htmx), its live sums work on the new table, the draft is
saved; Enter in a field still saves the draft, not the events' figures; no console errors and no
Content Security Policy violations."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from wpsnap.reporting.disaggregation import TOTAL, field_name
from wpsnap.reporting.models import IndicatorValue

from .conftest import DESKTOP

pytestmark = pytest.mark.browser

WOMEN_18 = "sex:women|age:18-24"
MEN_25 = "sex:men|age:25-34"


def _sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_focal_point_takes_the_figures_from_events(az_live, open_page, make_user, az_plan) -> None:
    """5.1.2.3's 2021 report says 3 women and 1 man; the training had 3 women and 2 men. The man's
    cell and the total are marked; one click puts the events' figures in and saves them."""
    from wpsnap.registries.services.events import EventInput, event_create
    from wpsnap.registries.services.participants import participants_add_rows
    from wpsnap.registries.services.setup import events_setup
    from wpsnap.reporting import services
    from wpsnap.reporting.services import ReportInput, reporting_setup

    reporting_setup(plan=az_plan)
    events_setup(plan=az_plan)
    focal = make_user("focal_point", "mod", "mod-focal")
    activity = az_plan.activities.get(code="5.1.2.3")
    indicator = activity.indicators.get()
    training = event_create(
        actor=focal,
        plan=az_plan,
        data=EventInput(
            kind="training",
            title="UNSCR 1325 for officers",
            starts_on=date(2021, 3, 10),
            ends_on=date(2021, 3, 11),
            activities=[activity],
        ),
    )
    participants_add_rows(
        actor=focal,
        event=training,
        rows=[
            {"sex": "women", "age": 19},
            {"sex": "women", "age": 20},
            {"sex": "women", "age": 24},
            {"sex": "men", "age": 30},
            {"sex": "men", "age": 31},
        ],
    )
    report = services.report_start(
        actor=focal,
        activity=activity,
        agency=focal.organisation,
        period=az_plan.reporting_periods.get(label="2021"),
    )
    services.report_save(
        actor=focal,
        report=report,
        data=ReportInput(values={indicator.pk: {WOMEN_18: "3", MEN_25: "1", TOTAL: "4"}}),
    )
    page = open_page(DESKTOP)
    _sign_in(page, az_live, "mod-focal", f"/reports/{report.pk}/edit/")
    page.wait_for_url(re.compile(r"/reports/\d+/edit/$"))

    card = page.locator(f"#indicator-{indicator.pk}")
    expect(card.locator("[data-differs]")).to_have_count(2)
    expect(page.locator(f"#id_{field_name(indicator.pk, MEN_25)}_source")).to_have_text(
        "≠ events: 2 (differs)"
    )

    # Enter in a field presses the form's default button: "Save draft", never the events' figures.
    page.get_by_label("What was done").fill("One training.")
    with page.expect_navigation():
        page.locator(f"#id_{field_name(indicator.pk, WOMEN_18)}").press("Enter")
    expect(card.locator("[data-differs]")).to_have_count(2)
    assert IndicatorValue.objects.get(report=report, indicator=indicator, cell=MEN_25).value == 1

    card.get_by_role("button", name="Use the figures from events").click()
    expect(
        page.locator(f"#indicator-{indicator.pk}").get_by_text("The figures entered match the events.")
    ).to_be_visible()
    card = page.locator(f"#indicator-{indicator.pk}")
    expect(card.locator("[data-differs]")).to_have_count(0)
    expect(page.locator(f"#id_{field_name(indicator.pk, MEN_25)}")).to_have_value("2")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
    stored = dict(
        IndicatorValue.objects.filter(report=report, indicator=indicator).values_list("cell", "value")
    )
    assert (stored[MEN_25], stored[TOTAL]) == (2, 5)

    # The swapped-in table keeps its live sums.
    page.locator(f"#id_{field_name(indicator.pk, MEN_25)}").fill("4")
    expect(card.locator("table.figure-grid output[data-grid-sum]")).to_have_text("7")
    assert page.problems.all(page) == []
