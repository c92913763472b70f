"""Every page of every role fits a phone (375 px) and a desktop (1,280 px) without scrolling sideways
(issue 11, "Phones"): each role's walk (tests/browser/walk.py) signs in, opens the landing page, every
page the header's navigation reaches and the links from those (one page of each kind: a report, its
history, an event, its participants, a person, an audit trail, the dashboards...), the key pages of the
role's work and the error pages, and names each page that scrolls sideways with its widest element.
The review queue and periods keep their actions on screen, and the report form's table of figures
re-flows on a phone, with JavaScript and without."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import DEMO_PASSWORD, DESKTOP, NEWCOMER, PHONE
from .walk import ROLES, sign_in, totp_code, walk_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# How often each person signed in during this module: the next second-factor code to use.
SIGN_INS: dict[str, int] = {}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_window(demo_site, browser, role) -> None:
    """No page the role reaches scrolls sideways at 375 or at 1,280 px; none answers an error it should
    not, logs a script error or is refused by the Content Security Policy; and axe-core finds nothing
    serious or critical on any of them at either width (one walk checks all of it: each page is loaded
    once and measured at each width in turn)."""
    walk = walk_role(
        browser,
        demo_site,
        role,
        [PHONE, DESKTOP],
        password=DEMO_PASSWORD,
        sign_ins=SIGN_INS,
        axe=True,
        newcomer=(NEWCOMER, TEST_PASSWORD),
    )
    print(f"{role}: {len(walk.visited)} pages at 375 and 1,280 px: {' '.join(walk.visited)}")
    assert len(walk.visited) >= 8, walk.visited
    assert [str(finding) for finding in walk.findings] == []


def _report_to_edit() -> ProgressReport:
    return ProgressReport.objects.filter(agency__key="mod", status=Status.RETURNED).order_by("pk").first()


def _boxes(page) -> list[dict]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("input[data-cell]")).map((input) => {
             const r = input.getBoundingClientRect();
             return {name: input.name, left: r.left, right: r.right, top: Math.round(r.top),
                     width: r.width, row: input.dataset.row};
           })"""
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_report_figures_reflow_on_a_phone(demo_site, browser, javascript) -> None:
    """At 375 px every box of the table of figures is inside the window and no part of the table
    scrolls by itself: a row's boxes stack, two to a line; at 1,280 px it is a table again, a row's
    boxes on one line. The same without JavaScript."""
    report = _report_to_edit()
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    try:
        page = context.new_page()
        sign_in(page, demo_site, "mod.focal", DEMO_PASSWORD)
        page.goto(f"{demo_site}/reports/{report.pk}/edit/")
        boxes = _boxes(page)
        assert len(boxes) >= 10  # sex by age band
        outside = [box["name"] for box in boxes if box["left"] < 0 or box["right"] > PHONE["width"]]
        assert outside == []
        assert min(box["width"] for box in boxes) >= 100  # wide enough to type in
        scrolling = page.evaluate(
            "Array.from(document.querySelectorAll('.grid-wrap')).filter((w) => w.scrollWidth > w.clientWidth).length"
        )
        assert scrolling == 0
        first_row = [box for box in boxes if box["row"] == "0"]
        assert len({box["top"] for box in first_row}) > 1  # stacked: one row's boxes on several lines

        page.set_viewport_size(DESKTOP)
        first_row = [box for box in _boxes(page) if box["row"] == "0"]
        assert len({box["top"] for box in first_row}) == 1  # a table again
    finally:
        context.close()


def test_review_lock_and_reopen_stay_on_screen_on_a_phone(demo_site, browser) -> None:
    """At 375 px the queue's Review buttons and the periods' Approve and lock and Re-open buttons are
    inside the window, where a thumb reaches them (they were off-screen, in a table scrolling sideways)."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        _sign_in_with_code(page, demo_site, "coordinator")
        right_edges: dict[str, float] = {}
        for path, buttons in [
            ("/reports/queue/", "tr[data-report] a.btn"),
            ("/reports/periods/", ".lock-form button"),
            ("/reports/periods/", ".reopen-form button"),
        ]:
            page.goto(demo_site + path)
            boxes = page.locator(buttons).evaluate_all(RIGHT_EDGES)
            assert boxes, buttons
            right_edges[buttons] = max(boxes)
        assert all(edge <= PHONE["width"] for edge in right_edges.values()), right_edges
    finally:
        context.close()


RIGHT_EDGES = "(elements) => elements.map((e) => e.getBoundingClientRect().right)"


def _sign_in_with_code(page, base: str, username: str) -> None:
    ahead = SIGN_INS.get(username, 0)
    SIGN_INS[username] = ahead + 1
    sign_in(page, base, username, DEMO_PASSWORD, code=lambda: totp_code(username, ahead))
