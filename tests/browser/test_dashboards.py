"""The dashboard pages in Chromium, on the demo: for each role, every dashboard page fits a phone
(375 px) and a desktop (1,280 px) without scrolling sideways, axe-core finds no serious or critical
violation, no script error or Content Security Policy refusal; the charts are drawn (SVG) with
JavaScript, and without it every figure is still in its table."""

from __future__ import annotations

import pytest

from .conftest import DEMO_PASSWORD, DESKTOP, PHONE
from .walk import PROBLEMS_LISTENER, Walk, sign_in, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGES = ("", "people/", "financing/", "indicators/")
PEOPLE = ("coordinator", "evaluator", "mod.approver", "mod.focal", "ngo.contributor")
SIGN_INS: dict[str, int] = {}


def _signed_in(browser, base: str, username: str, viewport, **context_args):
    context = browser.new_context(viewport=viewport, **context_args)
    page = context.new_page()
    page.add_init_script(PROBLEMS_LISTENER)
    ahead = SIGN_INS.get(username, 0)
    SIGN_INS[username] = ahead + 1
    sign_in(page, base, username, DEMO_PASSWORD, code=lambda: totp_code(username, ahead))
    return context, page


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("username", PEOPLE)
def test_every_dashboard_page_fits_and_passes_axe(demo_site, browser, username, viewport) -> None:
    """Each dashboard page, for each role, at 375 and 1,280 px: no sideways scrolling, no serious or
    critical axe-core finding, no script error or CSP refusal, and the charts drawn."""
    context, page = _signed_in(browser, demo_site, username, viewport)
    try:
        walk = Walk(demo_site, viewport["width"], axe=True)
        for path in PAGES:
            walk.visit(page, f"/plans/az-2020-2023/dashboard/{path}", expect_status=200)
            if path == "":
                page.wait_for_selector(".chart-canvas svg", timeout=15_000)
        assert [str(finding) for finding in walk.findings] == []
    finally:
        context.close()


def test_without_javascript_the_tables_give_every_figure(demo_site, browser) -> None:
    """With JavaScript off nothing is drawn, and each chart's table is there with its rows."""
    context, page = _signed_in(browser, demo_site, "evaluator", PHONE, java_script_enabled=False)
    try:
        page.goto(f"{demo_site}/plans/az-2020-2023/dashboard/")
        assert page.locator(".chart-canvas svg").count() == 0
        tables = page.locator("figure.chart table")
        assert tables.count() >= 5
        assert page.locator("#chart-status-pillar-figure tbody tr").count() >= 4
    finally:
        context.close()
