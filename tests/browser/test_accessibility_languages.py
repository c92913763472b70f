"""Issue 13's accessibility acceptance in Azerbaijani and Russian (English is covered by
test_accessibility.py and test_portal.py): on the demo site, axe-core (tests/browser/walk.py) finds no
serious or critical violation, and nothing scrolls sideways at 375 px, on the public pages (home, plan,
activity, indicator, open data, search results, the language in the path) and on the main staff pages (a
focal point's landing page, workspace and report form; the coordinator's dashboard overview, reports
browser, review page and translation screen), each person's pages in their stored language (the choice the
switcher stores). On the report form, Tab alone reaches every control of the form, the submit button
included."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from wpsnap.plan.models import Activity

from .conftest import DEMO_PASSWORD, PHONE
from .walk import PROBLEMS_LISTENER, Finding, Walk, key_pages, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SLUG = "az-2020-2023"
LANGUAGES = ("az", "ru")
# Each person's sign-ins in this module: a second-factor code is good once (walk.totp_code).
SIGN_INS: dict[str, int] = {}

# Every control of the form Tab should reach, each given a mark to recognise it when it has the focus.
MARK_CONTROLS_JS = """
(form) => {
  const controls = Array.from(form.elements).filter((el) =>
    el.matches("input:not([type=hidden]), select, textarea, button") && !el.disabled &&
    el.offsetParent !== null && el.tabIndex >= 0);
  controls.forEach((el, n) => el.setAttribute("data-tab-check", String(n)));
  return controls.length;
}
"""


def sign_in_any_language(page, base: str, username: str, code: Callable[[], str]) -> None:
    """Sign in through the pages, whatever language they are in (the person's stored choice shows from
    the second-factor page on): the fields by their ids, the forms' first submit button; ``code()`` the
    authenticator's code, for the roles that need one."""
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    if "/accounts/two-factor/" in page.url:  # the roles that need a second factor
        page.locator("#id_code").fill(code())
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
    assert "/accounts/" not in page.url, page.url


def switch_language(page, language: str) -> None:
    """Choose ``language`` in the header's switcher as a person on a phone does (opening the menu
    first); the switcher stores the choice and comes back to the same page."""
    page.wait_for_load_state("load")
    before = page.url
    select = page.locator("#language-select")
    if not select.is_visible():
        page.locator(".navbar-toggler").click()
        select.wait_for(state="visible")
    select.select_option(language)
    # The same address comes back in the new language: wait for the language, not for a "load" event
    # (which a busy machine's heavy page can keep waiting).
    button = page.locator(".language-form button[type=submit]")
    expect(button).to_be_visible()
    # The form is submitted by its button (requestSubmit runs the browser's own submission, validation
    # included): a click landing while the collapsing menu still moves was lost now and then on PostgreSQL.
    with page.expect_navigation(wait_until="commit", timeout=60_000):
        button.evaluate("(b) => b.form.requestSubmit(b)")
    expect(page.locator("html")).to_have_attribute("lang", language, timeout=60_000)
    assert page.url == before, "the switcher keeps the page"


@pytest.fixture
def person(demo_db, browser) -> Iterator:
    """``person(username, language)``: a phone-sized page signed in as ``username`` (second factor
    included), switched to ``language`` with the header's switcher unless their stored choice is already
    ``language`` (the switcher stores it: the next test of the module finds it)."""
    contexts = []

    def _open(username: str | None, language: str):
        context = browser.new_context(viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(PROBLEMS_LISTENER)
        if username:
            ahead = SIGN_INS.get(username, 0)
            SIGN_INS[username] = ahead + 1
            sign_in_any_language(page, demo_db, username, lambda: totp_code(username, ahead))
            if page.locator("html").get_attribute("lang") != language:
                switch_language(page, language)
        return page

    yield _open
    for context in contexts:
        context.close()


def visit_all(page, base: str, paths: list[str], language: str) -> Walk:
    walk = Walk(base, PHONE["width"], axe=True, fit=True)
    for path in paths:
        walk.visit(page, path)
        lang = page.locator("html").get_attribute("lang")
        if lang != language:
            walk.findings.append(Finding(path, f"html lang is {lang!r}, not {language!r}"))
    return walk


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages(person, demo_db, language) -> None:
    page = person(None, language)
    activity = Activity.objects.get(plan__slug=SLUG, key="5.1.2-3")
    text = activity.translations.get(language, {}).get("text") or activity.text
    word = max(re.findall(r"[^\W\d_]+", text), key=len)
    paths = [
        f"/{language}/",
        f"/{language}/plans/{SLUG}/",
        f"/{language}/plans/{SLUG}/activities/5.1.2-3/",
        f"/{language}/plans/{SLUG}/indicators/5.1.2-3-i1/",
        f"/{language}/plans/{SLUG}/open-data/",
        f"/{language}/search/?q={quote(word)}",
    ]
    walk = visit_all(page, demo_db, paths, language)
    assert [str(f) for f in walk.findings] == []
    assert walk.visited == paths
    found = page.locator(f'main a[href="/{language}/plans/{SLUG}/activities/5.1.2-3/"]')
    assert found.count() > 0, f"the search for {word!r} did not find the activity"


@pytest.mark.parametrize("language", LANGUAGES)
def test_focal_point_pages_and_the_form_by_keyboard(person, demo_db, language) -> None:
    page = person("mod.focal", language)
    landing = page.url.removeprefix(demo_db)
    edit = next(path for path in key_pages("mod.focal") if path.endswith("/edit/"))
    walk = visit_all(page, demo_db, [landing, "/reports/", edit], language)
    assert [str(f) for f in walk.findings] == []

    form = page.locator("#report-form")
    count = form.evaluate(MARK_CONTROLS_JS)
    assert count > 0
    page.evaluate("document.activeElement && document.activeElement.blur()")
    reached: set[str] = set()
    submit_reached = False
    presses = 0
    while presses < count * 3 + 100:
        presses += 1
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const el = document.activeElement;"
            " return el ? [el.getAttribute('data-tab-check'), el.type || '', el.value || ''] : [null, '', ''] }"
        )
        if focused[0] is not None:
            reached.add(focused[0])
            submit_reached = submit_reached or focused[1:] == ["submit", "submit"]
        if len(reached) == count:
            break
    print(f"\n{language}: {edit}: Tab reached {len(reached)} of {count} controls in {presses} presses")
    assert submit_reached, "Tab never reached the form's submit button"
    assert len(reached) == count, f"Tab reached {len(reached)} of the form's {count} controls"


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator_pages(person, demo_db, language) -> None:
    page = person("coordinator", language)
    review = next(path for path in key_pages("coordinator") if path.count("/") == 3)
    paths = [
        f"/plans/{SLUG}/dashboard/",
        "/reports/browse/",
        review,
        f"/plans/{SLUG}/translations/{language}/",
    ]
    walk = visit_all(page, demo_db, paths, language)
    assert [str(f) for f in walk.findings] == []
