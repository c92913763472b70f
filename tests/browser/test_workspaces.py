"""Workspaces in the browser (issue 11), at 375 px and 1,280 px, with axe-core: an approver lands on the
review queue, opens the reports browser, chooses two submitted reports and endorses them with one
confirmation, and reads the result; a focal point lands on the workspace, overdue work first; a refused
page is the styled 403. No page scrolls sideways and axe-core finds nothing serious."""

from __future__ import annotations

import pytest

from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import DEMO_PASSWORD, DESKTOP, PHONE
from .walk import PROBLEMS_LISTENER, Walk, sign_in, totp_code

pytestmark = [pytest.mark.browser]

SIGN_INS: dict[str, int] = {}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def _page(browser, demo_site, viewport, username: str):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.add_init_script(PROBLEMS_LISTENER)
    ahead = SIGN_INS.get(username, 0)
    SIGN_INS[username] = ahead + 1
    sign_in(page, demo_site, username, DEMO_PASSWORD, code=lambda: totp_code(username, ahead))
    return context, page


@pytest.mark.parametrize("size", VIEWPORTS)
def test_an_approver_endorses_two_reports_in_one_go(demo_db, browser, size) -> None:
    """The approver lands on the review queue; in the browser, filtered to submitted reports, they tick
    two, confirm once, and the result names both as gone through; each page fits the window.

    The set-up is committed (``demo_db``), since the live server's own connection sees only committed
    rows on PostgreSQL, and put back afterwards: two of MoD's reports in open periods that are not yet
    approved (so the figures' rollups, which count approved reports, are untouched), made submitted."""
    demo_site = demo_db
    mod_reports = list(
        ProgressReport.objects.filter(
            agency__key="mod",
            period__locked_at__isnull=True,
            status__in=[Status.DRAFT, Status.SUBMITTED, Status.RETURNED],
        ).order_by("pk")[:2]
    )
    assert len(mod_reports) == 2
    before = {r.pk: (r.status, r.version) for r in mod_reports}
    ProgressReport.objects.filter(pk__in=before).update(status=Status.SUBMITTED)
    walk = Walk(demo_site, VIEWPORTS[size]["width"], axe=True)
    try:
        context, page = _page(browser, demo_site, VIEWPORTS[size], "mod.approver")
        try:
            assert page.url.removeprefix(demo_site) == "/reports/queue/"
            walk.visit(page, "/reports/browse/?status=submitted")
            for pk in before:
                page.check(f"#choose-{pk}")
            with page.expect_navigation():
                page.get_by_role("button", name="Endorse the chosen reports").click()
            walk.check(page, "/reports/browse/bulk/ (confirm)")
            assert page.locator(".bulk-rows > li").count() == 2
            with page.expect_navigation():
                page.get_by_role("button", name="Endorse the chosen reports").click()
            walk.check(page, "/reports/browse/bulk/run/ (result)")
            done = page.locator(".bulk-done > li").evaluate_all(
                "(items) => items.map((i) => i.dataset.report)"
            )
            assert sorted(done) == sorted(str(pk) for pk in before)
        finally:
            context.close()
        statuses = set(ProgressReport.objects.filter(pk__in=before).values_list("status", flat=True))
    finally:
        for pk, (status, version) in before.items():
            ProgressReport.objects.filter(pk=pk).update(status=status, version=version)
    assert statuses == {"endorsed"}
    assert [str(f) for f in walk.findings] == []


@pytest.mark.django_db
@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_focal_point_lands_on_the_workspace_and_a_refusal_is_styled(demo_site, browser, size) -> None:
    """The focal point lands on /reports/, whose first group is the overdue work; the reports browser
    refuses them with the styled 403 offering the way back to their work; both fit the window."""
    walk = Walk(demo_site, VIEWPORTS[size]["width"], axe=True)
    context, page = _page(browser, demo_site, VIEWPORTS[size], "mod.focal")
    try:
        assert page.url.removeprefix(demo_site) == "/reports/"
        walk.check(page, "/reports/")
        groups = page.locator("section.activity-group").evaluate_all(
            "(sections) => sections.map((s) => s.dataset.group)"
        )
        assert groups and groups[0] == "overdue"
        walk.visit(page, "/reports/browse/", expect_status=403)
        assert page.get_by_role("heading", name="You may not open this page").is_visible()
        assert page.get_by_role("link", name="Go to your work").get_attribute("href") == "/reports/"
    finally:
        context.close()
    assert [str(f) for f in walk.findings] == []
