"""The interface's catalogues (issue 10, item 7): Azerbaijani and Russian exist, compile, and hold every
message the code and templates mark, so that `make messages` is run whenever text changes and no string
is left out of translation."""

from __future__ import annotations

import shutil
import subprocess
import sys
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
