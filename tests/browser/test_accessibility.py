"""axe-core (4.14.1, vendored in tests/browser/vendor) finds no serious or critical violation on any
page of any role, at 375 and 1,280 px (issue 11's browser acceptance): the same walk as the phone test
(tests/browser/walk.py: the landing page, the navigation's pages, one page of each kind their links
reach, the role's key detail pages, the sign-in and second-factor pages, the 404, 400 and 403 pages),
each page checked by axe with the Content Security Policy in force (the walk itself is test_phones.py's,
which checks the width and axe in one pass) (axe's text is evaluated through
the DevTools protocol, which the page's policy does not govern: no ``bypass_csp``). A violation is
printed with its rule, its help text and the first elements it names."""

from __future__ import annotations

import pytest

from .conftest import PHONE
from .walk import Walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_axe_reports_what_it_finds(demo_site, browser) -> None:
    """The check is not blind: on a page given an image without a text alternative and a button
    without a name, axe (loaded despite the page's Content Security Policy) reports both as critical."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        response = page.goto(f"{demo_site}/plans/az-2020-2023/")
        policy = response.headers.get("content-security-policy", "") if response else ""
        assert "script-src" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        page.evaluate(
            """() => {
                 const main = document.querySelector("main");
                 const image = document.createElement("img");
                 image.src = "/static/favicon.svg";
                 main.append(image, document.createElement("button"));
               }"""
        )
        walk = Walk(demo_site, PHONE["width"], axe=True, fit=False)
        walk.check(page, "the plan with two faults")
        found = " ".join(str(finding) for finding in walk.findings)
        assert "critical image-alt" in found
        assert "critical button-name" in found
    finally:
        context.close()
