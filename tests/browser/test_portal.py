"""The public portal in a real browser: a visitor walks home -> plan -> activity -> indicator in
Azerbaijani, English and Russian, on a phone (375 px) and a desktop (1,280 px), by the links on the pages,
with no serious or critical axe-core finding, no sideways scroll, no console error or CSP violation; with
JavaScript off the indicator's figures are there as a table, the suppressed ones as the mark."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from wpsnap.plan.models import Indicator
from wpsnap.registries.services.setup import events_setup, read_districts
from wpsnap.reporting.services import reporting_setup

from ..publishing.conftest import (
    SEX_AND_AGE,
    World,
    activities_of,
    publish_dates,
    world_reports,
    write_reports,
)
from ..registries.conftest import DISTRICTS
from .conftest import DESKTOP, PHONE
from .walk import Walk

pytestmark = pytest.mark.browser

SLUG = "az-2020-2023"


@pytest.fixture
def published(az_live, az_plan) -> World:
    """The publishing tests' world of reports (sex x age figures with small cells among them), committed
    for the live server."""
    reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    activities = activities_of(az_plan)
    written = world_reports()
    reports = write_reports(az_plan, activities, written)
    indicators = [Indicator.objects.get(activity=a) for a in activities]
    return World(az_plan, activities, indicators, written, reports, publish_dates(reports))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_visitor_walks_to_an_indicator_in_each_language(az_live, published, open_page, viewport) -> None:
    activity = published.activities[SEX_AND_AGE]
    indicator = published.indicators[SEX_AND_AGE]
    walk = Walk(az_live, viewport["width"], axe=True, fit=True)
    page = open_page(viewport)
    for lang in ("az", "en", "ru"):
        page.goto(f"{az_live}/{lang}/")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        walk.check(page)
        for href in (
            f"/{lang}/plans/{SLUG}/",
            f"/{lang}/plans/{SLUG}/activities/{activity.key}/",
            f"/{lang}/plans/{SLUG}/indicators/{indicator.key}/",
        ):
            page.locator(f'main a[href="{href}"]').first.click()
            page.wait_for_url(az_live + href)
            expect(page.get_by_role("heading", level=1)).to_have_count(1)
            walk.check(page)
        # The chart is drawn (vega, without eval) beside its table.
        expect(page.locator(".chart-canvas svg").first).to_be_attached()
    assert [str(finding) for finding in walk.findings] == []
    assert page.problems.all(page) == []


def test_the_indicator_table_is_there_without_javascript(az_live, published, open_page) -> None:
    indicator = published.indicators[SEX_AND_AGE]
    page = open_page(PHONE, java_script_enabled=False)
    page.goto(f"{az_live}/en/plans/{SLUG}/indicators/{indicator.key}/")
    table = page.locator("table.portal-figures").first
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_contain_text("published report")
    expect(page.locator("table.portal-figures .suppressed").first).to_have_text("\u00d7")
    expect(page.get_by_role("link", name="CSV (spreadsheet)")).to_be_visible()
