"""The public plan pages in a real browser: a phone and a desktop, the htmx filter, navigation,
the timeline, keyboard access, and no console errors or Content Security Policy violations."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PLAN_PATH = "/plans/az-2020-2023/"
# One look at the plan page at phone width, for a person to check (not compared by the test).
SCREENSHOT = Path(tempfile.gettempdir()) / "wpsnap-plan-phone.png"


def assert_no_problems(page) -> None:
    assert page.problems.all(page) == []


def assert_fits_the_width(page) -> None:
    """Nothing makes the page scroll sideways (tables scroll inside their own region)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_filter_by_pillar_updates_the_results_without_reloading(az_live, open_page, viewport):
    """Choosing a pillar swaps the results in place (htmx), the address shows the filter, and Back restores."""
    page = open_page(viewport)
    page.goto(az_live + PLAN_PATH)
    expect(page.locator('[data-area="5.1.1"]')).to_be_visible()
    assert_fits_the_width(page)
    page.evaluate("window.__sameDocument = true")

    page.get_by_label("Pillar", exact=True).select_option(label="Protection")

    page.wait_for_url(re.compile(r"\?pillar=protection$"))
    expect(page.locator('[data-area="5.3.1"]')).to_be_visible()
    expect(page.locator('[data-area="5.1.1"]')).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Showing 3 of 17 priority areas")
    assert page.evaluate("window.__sameDocument") is True  # no full page load happened
    if viewport == PHONE:
        page.screenshot(path=SCREENSHOT, full_page=False)

    page.go_back()
    page.wait_for_url(az_live + PLAN_PATH)
    expect(page.locator('[data-area="5.1.1"]')).to_be_visible()
    assert_no_problems(page)


def test_filters_combine_and_the_address_can_be_shared(az_live, open_page):
    """Agency and year together; opening the pushed address again gives the same results."""
    page = open_page(DESKTOP)
    page.goto(az_live + PLAN_PATH)
    page.get_by_label("Agency", exact=True).select_option(label="Ministry of Education")
    page.wait_for_url(re.compile(r"\?agency=moe$"))
    expect(page.locator('[data-area="5.2.6"]')).to_contain_text("takes part here through")
    page.get_by_label("Year", exact=True).select_option("2022")
    page.wait_for_url(re.compile(r"\?agency=moe&year=2022$"))
    shown = page.locator("[data-area]").evaluate_all("nodes => nodes.map(n => n.dataset.area)")
    assert "5.2.6" in shown
    assert "5.3.3" not in shown  # 2020-2021

    page.goto(page.url)
    assert page.locator("[data-area]").evaluate_all("nodes => nodes.map(n => n.dataset.area)") == shown
    expect(page.get_by_label("Agency", exact=True)).to_have_value("moe")
    assert_no_problems(page)


def test_filter_form_works_without_javascript(az_live, open_page):
    page = open_page(PHONE, java_script_enabled=False)
    page.goto(az_live + PLAN_PATH)
    page.get_by_label("Pillar", exact=True).select_option(label="Protection")
    page.get_by_role("button", name="Show activities").click()
    page.wait_for_url(re.compile(r"pillar=protection"))
    expect(page.locator('[data-area="5.3.1"]')).to_be_visible()
    expect(page.locator('[data-area="5.1.1"]')).to_have_count(0)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_navigate_from_the_plan_to_an_activity_and_an_agency(az_live, open_page, viewport):
    page = open_page(viewport)
    # "/" is the public portal for a visitor (tests/browser/test_portal.py): start at the plan's page.
    page.goto(az_live + PLAN_PATH)
    expect(page.get_by_role("heading", level=1)).to_contain_text("National Action Plan")

    page.get_by_role("link", name="5.2.4.1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity 5.2.4.1")
    expect(page.get_by_text("Disaggregated by age", exact=True)).to_be_visible()
    assert_fits_the_width(page)

    page.get_by_role("link", name="Ministry of Defense").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ministry of Defense")
    expect(page.get_by_role("link", name="5.1.2.1", exact=True)).to_be_visible()
    assert_fits_the_width(page)
    assert_no_problems(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_timeline_draws_bars_in_proportion_and_has_a_table(az_live, open_page, viewport):
    page = open_page(viewport)
    page.goto(az_live + PLAN_PATH + "timeline/")
    bars = page.locator(".tl-bar")
    expect(bars).to_have_count(17)
    one_year = page.locator(".tl-bar.tl-span-1").first.bounding_box()
    three_years = page.locator(".tl-bar.tl-span-3").first.bounding_box()
    four_years = page.locator(".tl-bar.tl-span-4:not(.tl-tbd)").first.bounding_box()
    assert one_year and three_years and four_years
    assert three_years["width"] > 2.5 * one_year["width"]
    assert four_years["width"] > three_years["width"]
    assert abs(one_year["x"] - four_years["x"]) < 1  # both start in 2020
    expect(page.locator(".tl-tbd").first).to_have_text("To be determined")
    expect(
        page.get_by_role("table", name="Implementation period of each priority area, by year")
    ).to_be_visible()
    assert_fits_the_width(page)
    assert_no_problems(page)


def test_phone_menu_opens_and_language_switch_keeps_the_filter(az_live, open_page):
    """On a phone the menu folds behind a button (Bootstrap's script); switching to Azerbaijani
    returns to the same filtered address, now in Azerbaijani."""
    page = open_page(PHONE)
    page.goto(az_live + PLAN_PATH)
    page.get_by_label("Pillar", exact=True).select_option(label="Protection")
    page.wait_for_url(re.compile(r"\?pillar=protection$"))

    agencies_link = page.get_by_role("link", name="Agencies", exact=True)
    expect(agencies_link).to_be_hidden()
    page.get_by_role("button", name="Show or hide the menu").click()
    expect(agencies_link).to_be_visible()

    page.get_by_label("Language", exact=True).select_option("az")
    # The switch comes back to the address the page already has, so wait for the navigation itself (a
    # wait for the address returned at once, and under load the old page was still there 5 s later).
    with page.expect_navigation(url=az_live + PLAN_PATH + "?pillar=protection", timeout=30_000):
        page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "az")
    expect(page.locator('[data-area="5.3.1"]')).to_be_visible()
    expect(page.locator('[data-area="5.1.1"]')).to_have_count(0)
    assert_no_problems(page)


def test_keyboard_user_can_skip_to_the_content_and_sees_focus(az_live, open_page):
    page = open_page(DESKTOP)
    page.goto(az_live + PLAN_PATH)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.get_by_label("Pillar", exact=True).focus()
    outline = page.get_by_label("Pillar", exact=True).evaluate("el => getComputedStyle(el).outlineStyle")
    shadow = page.get_by_label("Pillar", exact=True).evaluate("el => getComputedStyle(el).boxShadow")
    assert outline != "none" or shadow != "none"
    assert_no_problems(page)


def test_unknown_page_is_a_friendly_404_without_errors_in_the_page(az_live, open_page):
    page = open_page(PHONE)
    response = page.goto(az_live + PLAN_PATH + "activities/no-such-key/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    # The browser logs the 404 status of the document itself; anything else is a problem.
    assert [p for p in page.problems.all(page) if "404" not in p] == []
