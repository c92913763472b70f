"""The user guides (docs/guides/) hold together: every guide there in English (the role guides in
Azerbaijani too), every picture a guide shows is there and is a real screenshot of the size
``scripts/guides`` takes, every picture taken is shown somewhere, the links between guides land, and
every page address a guide names is one the site answers. No browser: the pictures are retaken by
``make guides``, not here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve
from PIL import Image

GUIDES_DIR = Path(__file__).resolve().parents[2] / "docs" / "guides"
IMG = GUIDES_DIR / "img"
ROLE_GUIDES = ("coordinator", "focal-point", "approver", "ngo-contributor", "evaluator")
GUIDES = (*ROLE_GUIDES, "administrator")
# The window sizes of scripts/guides: 1,280 px wide (900 tall at most), and the phone's 375 by 800.
SIZES = {1280: 900, 375: 800}

IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
DOC_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s#]+\.md)(?:#[^)]*)?\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# Code spans that are files on a server, not pages of the site.
FILE_ROOTS = ("/etc/", "/var/", "/srv/", "/usr/", "/opt/", "/tmp/", "/home/", "/run/", "/lib/")  # noqa: S108
# What a guide writes in a page's address for the parts that vary.
PLACEHOLDERS = {
    "<id>": "1",
    "<pk>": "1",
    "<slug>": "az-2020-2023",
    "<plan>": "az-2020-2023",
    "<name>": "media-outlets",
    "<years>": "2022-2022",
}


def guide_files() -> list[Path]:
    return [
        *(GUIDES_DIR / f"{name}.md" for name in GUIDES),
        *(GUIDES_DIR / "az" / f"{name}.md" for name in ROLE_GUIDES),
    ]


def images_of(guide: Path) -> list[tuple[str, Path]]:
    text = guide.read_text(encoding="utf-8")
    return [(alt, (guide.parent / target).resolve()) for alt, target in IMAGE_LINK.findall(text)]


@pytest.mark.parametrize("guide", guide_files(), ids=lambda p: str(p.relative_to(GUIDES_DIR)))
def test_guide_exists_with_a_title_and_pictures(guide):
    assert guide.is_file(), f"{guide.relative_to(GUIDES_DIR)} is missing"
    text = guide.read_text(encoding="utf-8")
    assert text.startswith("# "), f"{guide.name}: a guide starts with its title"
    if guide.stem in ROLE_GUIDES:
        assert images_of(guide), f"{guide.relative_to(GUIDES_DIR)} shows no screenshot"
    if guide.parent.name == "az":
        # Drafted, not written by a native speaker: the reader is told so before the text.
        assert "native speaker should review" in text[:600], f"az/{guide.name}: the review note is missing"


@pytest.mark.parametrize("guide", guide_files(), ids=lambda p: str(p.relative_to(GUIDES_DIR)))
def test_every_picture_is_a_real_screenshot_in_the_guides_language(guide):
    language = "az" if guide.parent.name == "az" else "en"
    for alt, path in images_of(guide):
        assert alt.strip(), f"{guide.name}: {path.name} has no alternative text"
        assert path.is_file(), f"{guide.name} shows {path}, which is missing"
        assert path.parent == IMG / language, (
            f"{guide.name} ({language}) shows {path.relative_to(GUIDES_DIR)}"
        )
        with Image.open(path) as image:
            assert image.format == "PNG", f"{path.name} is not a PNG"
            width, height = image.size
            image.load()  # the whole file decodes, not only its header
        assert width in SIZES, f"{path.name} is {width} px wide, not one of {sorted(SIZES)}"
        assert 20 <= height <= SIZES[width], f"{path.name} is {height} px tall"


def test_every_picture_taken_is_shown():
    shown = {path for guide in guide_files() if guide.is_file() for _alt, path in images_of(guide)}
    taken = {path.resolve() for path in IMG.rglob("*") if path.is_file()}
    assert taken, "docs/guides/img is empty: run `make guides`"
    unused = sorted(str(path.relative_to(IMG)) for path in taken - shown)
    assert not unused, f"pictures no guide shows: {unused}"


def test_the_index_and_the_links_between_guides_land():
    index = GUIDES_DIR / "README.md"
    text = index.read_text(encoding="utf-8")
    for guide in guide_files():
        assert f"({guide.relative_to(GUIDES_DIR)})" in text, f"README.md does not link {guide.name}"
    for page in [index, *guide_files()]:
        for target in DOC_LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).resolve().is_file(), f"{page.name} links to {target}, missing"


def page_paths(text: str) -> list[str]:
    """The site's addresses a guide names in code spans (``/reports/queue/``), placeholders filled."""
    found = []
    for span in CODE_SPAN.findall(text):
        if not span.startswith("/") or " " in span or span.startswith(FILE_ROOTS):
            continue
        path = span.split("?")[0].split("#")[0]
        for placeholder, value in PLACEHOLDERS.items():
            path = path.replace(placeholder, value)
        found.append(path)
    return found


def test_page_paths_are_recognised():
    assert page_paths("open `/reports/<id>/edit/?x=1`, not `/etc/nginx/` nor `wpsnap backup FILE`") == [
        "/reports/1/edit/"
    ]


@pytest.mark.parametrize("guide", guide_files(), ids=lambda p: str(p.relative_to(GUIDES_DIR)))
def test_every_page_a_guide_names_is_one_the_site_answers(guide):
    paths = page_paths(guide.read_text(encoding="utf-8"))
    if guide.stem in ROLE_GUIDES:
        assert paths, f"{guide.name} names no page address"
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"{guide.relative_to(GUIDES_DIR)} names {path}, which is no page of the site")
