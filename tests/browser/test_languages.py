"""Issue 13's acceptance: switching language on five pages (public and staff) leaves no English interface
text in Azerbaijani or Russian. Plan content without a translation falls back to English inside
``lang="en"`` elements, marked as such: that is left out of the comparison.

For each page: the English version's visible text tells which of the catalogue's messages the page shows;
after switching with the page's own switcher, none of them may still show in English (a message whose
translation is the same word, "PDF", is allowed). It passes once the translators' catalogues are merged and
compiled (`make compilemessages`)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TEST_PASSWORD, create_user
from tests.core.test_locale import catalogue, entries

from .conftest import DESKTOP

pytestmark = pytest.mark.browser

PAGES = (
    "/",
    "/plans/az-2020-2023/",
    "/plans/az-2020-2023/agencies/mod/",
    "/plans/az-2020-2023/timeline/",
    "/reports/",
)

# The visible text of the page, leaving out what is marked as another language than the page's.
VISIBLE_TEXT = """() => {
  const page = (document.documentElement.lang || "").split("-")[0];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest("script, style, template, noscript")) continue;
    const marked = element.closest("[lang]");
    if (marked && marked.lang.split("-")[0] !== page) continue;
    parts.push(node.textContent);
  }
  return parts.join(" ").replace(/\\s+/g, " ");
}"""


def _messages(language: str) -> dict[str, str]:
    """English messages without placeholders, and their translation into ``language``."""
    found = {}
    for entry in entries(catalogue(language)):
        if entry.msgid_plural or re.search(r"%|\{", entry.msgid) or len(entry.msgid) < 4:
            continue
        if " " not in entry.msgid and not entry.msgid[0].isupper():
            continue  # a lone lower-case word ("language", a field's name) is found inside longer text
        found[entry.msgid] = entry.msgstr.get(0, "")
    return found


def _shown(text: str, message: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(message)}(?![\w-])", text) is not None


def _switch(page, language: str) -> None:
    page.locator("#language-select").select_option(language)
    with page.expect_navigation():
        page.locator(".language-form button[type=submit]").click()


@pytest.mark.parametrize("language", ["az", "ru"])
def test_no_english_interface_text_is_left(az_live, open_page, language: str) -> None:
    create_user("focal_point", "mod", "languages-focal")
    messages = _messages(language)
    page = open_page(DESKTOP)
    page.goto(f"{az_live}/accounts/login/")
    page.locator("#id_username").fill("languages-focal")
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    left: dict[str, list[str]] = {}
    for path in PAGES:
        page.goto(f"{az_live}{path}")
        if page.locator("html").get_attribute("lang") != "en":
            _switch(page, "en")
        english = page.evaluate(VISIBLE_TEXT)
        on_page = [m for m in messages if _shown(english, m)]
        assert on_page, f"{path}: no catalogue message found on the English page"
        _switch(page, language)
        assert page.url == f"{az_live}{path}", "the switcher keeps the page"
        assert page.locator("html").get_attribute("lang") == language
        text = page.evaluate(VISIBLE_TEXT)
        still = [m for m in on_page if messages[m] != m and _shown(text, m)]
        # Report whole messages only: "Period" left inside "Reporting period" is the longer one's.
        still = [m for m in still if not any(m != other and m in other for other in still)]
        if still:
            left[path] = still
    summary = "\n".join(f"{path}: {len(found)} left, e.g. {found[:8]}" for path, found in left.items())
    assert left == {}, f"English interface text left in {language}:\n{summary}"
    assert page.problems.all(page) == []
