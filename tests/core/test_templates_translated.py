"""Every user-facing string in a template goes through gettext (issue 10, item 7): text between tags and
the attributes people read (title, alt, aria-label, placeholder, ...) are inside {% translate %} or
{% blocktranslate %}, or come from variables. A test, not a review habit, because the first Azerbaijani
catalogue would otherwise leave English behind."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

import wpsnap

TEMPLATES = sorted((Path(wpsnap.__file__).parent / "templates").rglob("*.html"))
# A stand-in for whatever the template language fills in: never a letter.
FILLED = "\ue000"
# Attributes a person reads or hears.
READ_ATTRIBUTES = {"title", "alt", "aria-label", "aria-description", "placeholder"}
# Words that are the same in every language: names, not interface text.
NAMES = {"wpsnap"}
LETTER = re.compile(r"[^\W\d_]")
# Elements whose text is code, or machine names (a file's column names), not words to translate.
RAW = ("script", "style", "code", "kbd", "samp")


def filled(source: str) -> str:
    """The template with every tag, variable and comment, and the text of every translation block,
    replaced by FILLED: what remains is literal text."""
    out: list[str] = []
    block = comment = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            block += name in ("blocktranslate", "blocktrans")
            block -= name in ("endblocktranslate", "endblocktrans")
            comment += name == "comment"
            comment -= name == "endcomment"
            out.append(FILLED)
        elif token.token_type == TokenType.TEXT and not (block or comment):
            out.append(token.contents)
        else:
            out.append(FILLED)
    return "".join(out)


def _literal(text: str) -> str | None:
    words = [w for w in re.split(r"\s+", text.replace(FILLED, " ").strip()) if w]
    rest = [w for w in words if LETTER.search(w) and w.strip(".,:;()") not in NAMES]
    return " ".join(words) if rest else None


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.raw = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.raw += tag in RAW
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and (text := _literal(value)):
                self.found.append(f'{name}="{text}"')

    def handle_endtag(self, tag: str) -> None:
        self.raw -= tag in RAW

    def handle_data(self, data: str) -> None:
        if not self.raw and (text := _literal(data)):
            self.found.append(text)


def untranslated(source: str) -> list[str]:
    finder = _Finder()
    finder.feed(filled(source))
    return finder.found


def test_the_check_finds_unmarked_text_and_passes_marked_text() -> None:
    """The check itself: literal words and a literal title are found; translated text, variables and
    names are not."""
    source = (
        '{% load i18n %}<p title="Open it">Save the report</p>'
        '<p title="{% translate "Open it" %}">{% translate "Save" %} {{ report }} wpsnap</p>'
        "{% blocktranslate %}Saved at {{ time }}.{% endblocktranslate %}{# a note #}<code>age_band</code>"
    )
    assert untranslated(source) == ['title="Open it"', "Save the report"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_templates_have_no_unmarked_text(template: Path) -> None:
    assert untranslated(template.read_text(encoding="utf-8")) == []
