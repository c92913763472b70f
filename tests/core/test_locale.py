"""The interface's catalogues (issue 10, item 7): Azerbaijani and Russian exist, compile, and hold every
message the code and templates mark, so that `make messages` is run whenever text changes and no string
is left out of translation. Issue 13: every message translated, none fuzzy, each translation keeping its
message's placeholders; dates and numbers in the Azerbaijani and Russian formats."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import wpsnap

PACKAGE = Path(wpsnap.__file__).parent
LANGUAGES = ("az", "ru")


def catalogue(language: str) -> Path:
    return PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"


def msgids(path: Path) -> set[str]:
    """The messages of a .po file (singular ids; a plural counts by its singular), without the header."""
    found: set[str] = set()
    current: list[str] | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            current = [line[6:]]
        elif current is not None and line.startswith('"'):
            current.append(line)
        elif current is not None:
            text = "".join(part.strip()[1:-1] for part in current)
            if text:
                found.add(text)
            current = None
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_exists_and_compiles(language: str, tmp_path: Path) -> None:
    """msgfmt accepts the catalogue with its format checks (placeholders kept in translations)."""
    assert shutil.which("msgfmt"), "gettext's msgfmt is needed (Debian package 'gettext')"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(catalogue(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    header = catalogue(language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert f'"Language: {language}\\n"' in header
    assert "#, fuzzy" not in header


def test_the_catalogues_hold_every_marked_message(tmp_path: Path) -> None:
    """The messages `make messages` would extract now are exactly those in the catalogues: text added or
    changed without refreshing them fails here, naming the messages."""
    copy = tmp_path / "wpsnap"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "locale", "__pycache__", "*.pyc"))
    (copy / "locale").mkdir()
    subprocess.run(
        [Path(sys.executable).parent / "wpsnap", "makemessages", "-l", "az", "--no-location"],
        cwd=copy,
        capture_output=True,
        check=True,
    )
    extracted = msgids(copy / "locale" / "az" / "LC_MESSAGES" / "django.po")
    for language in LANGUAGES:
        held = msgids(catalogue(language))
        assert sorted(extracted - held) == [], f"{language}: run `make messages`"
        assert sorted(held - extracted) == [], (
            f"{language}: messages no longer in the code; run `make messages`"
        )


# --- completeness (issue 13): every message translated, none fuzzy, placeholders kept -------------------

PLACEHOLDER = re.compile(
    r"%%|%\((?P<name>[^)]+)\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgG]|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgG]|\{(?P<brace>[A-Za-z_][A-Za-z0-9_]*)\}"
)
# Plural forms may leave out the number itself ("one report" for 1): these names only.
COUNTERS = {"count", "counter", "number", "n"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    line: int = 0


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text.startswith('"') else text


def entries(path: Path) -> list[Entry]:
    """The messages of a .po file (not the header, not obsolete ``#~`` ones), read with a small parser."""
    found: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()
    lines = path.read_text(encoding="utf-8").splitlines()

    def close() -> None:
        if current is not None and current.msgid:
            found.append(current)

    for number, line in enumerate([*lines, ""], start=1):
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("msgid "):
            close()
            current = Entry(line=number, fuzzy="fuzzy" in flags)
            flags = set()
            current.msgid = _unquote(line[6:])
            target = ("msgid", 0)
        elif current is not None and line.startswith("msgid_plural "):
            current.msgid_plural = _unquote(line[13:])
            target = ("msgid_plural", 0)
        elif current is not None and line.startswith("msgstr"):
            head, _space, rest = line.partition(" ")
            index = int(head[7:-1]) if head.startswith("msgstr[") else 0
            current.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        elif current is not None and target and line.startswith('"'):
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, kind, getattr(current, kind) + _unquote(line))
        elif not line.strip():
            target = None
    close()
    return found


def placeholders(text: str) -> tuple[set[str], int]:
    """The named placeholders (``%(name)s``, ``{name}``) of a message, and how many positional ones."""
    names: set[str] = set()
    positional = 0
    for match in PLACEHOLDER.finditer(text):
        if match[0] == "%%":
            continue
        if match["name"] or match["brace"]:
            names.add(match["name"] or "{" + match["brace"] + "}")
        else:
            positional += 1
    return names, positional


def problems_of(entry: Entry) -> list[str]:
    where = f"line {entry.line}: {entry.msgid[:60]!r}"
    if entry.fuzzy:
        return [f"{where}: fuzzy"]
    if not entry.msgstr or any(not text for text in entry.msgstr.values()):
        return [f"{where}: not translated"]
    problems = []
    for index, text in entry.msgstr.items():
        source = entry.msgid_plural if entry.msgid_plural and index > 0 else entry.msgid
        wanted, positional = placeholders(source)
        got, got_positional = placeholders(text)
        missing = wanted - got
        if entry.msgid_plural:
            # A language's first form may cover more than one (Russian's: 1, 21, 31...), so any form may
            # name what either English form names, and may leave out the count.
            missing -= COUNTERS
            wanted |= placeholders(entry.msgid)[0] | placeholders(entry.msgid_plural)[0]
        if missing or got - wanted or (got_positional != positional and not entry.msgid_plural):
            problems.append(
                f"{where}: placeholders {sorted(wanted)} / {positional} positional, translation has {sorted(got)} / {got_positional}"
            )
    return problems


def test_the_parser_reads_what_msgfmt_reads(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Привет %(name)s"\n\n'
        '#, fuzzy\nmsgid "Old"\nmsgstr "Старое"\n\n'
        'msgid ""\n"Two "\n"lines"\nmsgstr ""\n\n'
        'msgid "%(count)d report"\nmsgid_plural "%(count)d reports"\nmsgstr[0] "%(count)d отчёт"\nmsgstr[1] "отчёта"\nmsgstr[2] "%(counter)d"\n\n'
        'msgid "Due %s"\nmsgstr "Срок"\n',
        encoding="utf-8",
    )
    found = {entry.msgid: entry for entry in entries(po)}
    assert set(found) == {"Hello %(name)s", "Old", "Two lines", "%(count)d report", "Due %s"}
    assert problems_of(found["Hello %(name)s"]) == []
    assert problems_of(found["Old"])[0].endswith("fuzzy")
    assert problems_of(found["Two lines"])[0].endswith("not translated")
    assert len(problems_of(found["%(count)d report"])) == 1  # the third form's %(counter)d is foreign
    assert "placeholders" in problems_of(found["Due %s"])[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_not_fuzzy_and_keeps_its_placeholders(language: str) -> None:
    """Fails until the translators' catalogues are merged: then it guards them (docs/languages.md)."""
    problems = [problem for entry in entries(catalogue(language)) for problem in problems_of(entry)]
    shown = "\n".join(problems[:40])
    assert problems == [], f"{language}: {len(problems)} messages to fix in {catalogue(language)}:\n{shown}"


def test_the_sites_default_language_is_azerbaijani() -> None:
    """Production and local settings read Azerbaijani first; only the test settings keep English."""
    import config.settings.base as base

    assert base.LANGUAGE_CODE == "az"
    for name in ("local", "production"):
        text = (Path(base.__file__).parent / f"{name}.py").read_text(encoding="utf-8")
        assert "LANGUAGE_CODE" not in text, f"{name}.py must not change the default language"


@pytest.mark.parametrize(
    ("language", "date", "number"),
    [
        ("az", "8 Mart 2021", "12 345,50"),
        ("ru", "8 марта 2021 г.", "12 345,50"),  # noqa: RUF001
        ("en", "March 8, 2021", "12,345.50"),
    ],
)
def test_dates_and_numbers_follow_the_language(language: str, date: str, number: str) -> None:
    """Django's formats of each language, as the pages use them (``|date``, ``floatformat:"2g"``,
    ``intcomma``): a narrow no-break space between thousands and a decimal comma in az and ru."""
    import datetime
    from decimal import Decimal

    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string(
        '{% load humanize %}{{ day|date }}|{{ amount|floatformat:"2g" }}|{{ count|intcomma }}|{{ share }}'
    )
    with translation.override(language):
        shown = template.render(
            {"day": datetime.date(2021, 3, 8), "amount": Decimal("12345.5"), "count": 1234567, "share": 0.5}
        )
    day, amount, count, share = shown.split("|")
    assert day == date
    assert amount.replace("\xa0", " ") == number
    separator = "," if language == "en" else "\xa0"
    assert count == f"1{separator}234{separator}567"
    assert share == ("0.5" if language == "en" else "0,5")
