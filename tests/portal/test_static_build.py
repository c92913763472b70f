"""The portal's static build (``wpsnap portal build``, docs/static-build.md): every language's home page
written, every internal link of every written page resolving to a written file, no suppressed value in
any file, nothing written when a page fails, and each build a release whose notes list what changed."""

from __future__ import annotations

import hashlib
import json
import re
import time
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import CommandError, call_command

from tests.analytics.conftest import Written, events_plan, people, plan, write_reports  # noqa: F401 - fixtures of the world
from tests.conftest import seed_migration_rows
from tests.publishing.conftest import NOT_PEOPLE, TOTAL_ONLY, publish_dates, world  # noqa: F401
from wpsnap.core.models import AuditEvent
from wpsnap.portal.static_build import BuildError, portal_build
from wpsnap.publishing.models import Release
from wpsnap.publishing.public import public_results

pytestmark = pytest.mark.django_db

LANGS = ["az", "en", "ru"]
_LINK = re.compile(
    r"""\s(?:href|src|action|poster|data-[a-z0-9-]*(?:url|src|href))\s*=\s*["']([^"']*)["']""", re.I
)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
IN_SCOPE = ("/az/", "/en/", "/ru/", "/static/", "/exports/open/")


def walk_links(root: Path) -> tuple[int, list[str], list[str]]:
    """Every link of every HTML and CSS file under ``root``: how many relative links resolve, those that
    do not (file and link), and the site-absolute links left (which the build does not cover)."""
    resolved, broken, absolute = 0, [], []
    for file in sorted(root.rglob("*")):
        if file.suffix not in (".html", ".css"):
            continue
        text = file.read_text(encoding="utf-8")
        for link in (_LINK if file.suffix == ".html" else _CSS_URL).findall(text):
            link = link.replace("&amp;", "&")
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "//")) or not link:
                continue
            if link.startswith("/"):
                absolute.append(f"{file.relative_to(root)}: {link}")
                continue
            target = (file.parent / unquote(parts.path)).resolve()
            if target.is_file() and root.resolve() in target.parents:
                resolved += 1
            else:
                broken.append(f"{file.relative_to(root)}: {link}")
    return resolved, broken, absolute


def listing(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


# --- the demo plan in three languages ---------------------------------------------------------------


@pytest.fixture
def demo_plan(tmp_path_factory):
    """``wpsnap demo load`` inside the test's transaction (files in a temporary folder, fast hashing)."""
    from django.test.utils import override_settings

    from wpsnap.plan.models import Plan

    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("files")), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        seed_migration_rows()
        call_command("demo", "load", "--password", "demo-pass-2026", stdout=StringIO())
        yield Plan.objects.get(slug="az-2020-2023")


@pytest.mark.suite_half("sqlite")  # the files do not depend on the database; the other tests here run on both
def test_the_demo_builds_in_three_languages(demo_plan, tmp_path) -> None:
    """Each language's home page, the root page (to Azerbaijani), release.json and the release notes page
    are written; every link of every page and style sheet resolves to a written file, none is left
    pointing at the site; forms are gone (search leaves a note); release 1 holds the figures shown."""
    out = tmp_path / "site"
    began = time.monotonic()
    result = portal_build(outdir=out, languages=LANGS, plan=demo_plan, notes="First release.")
    seconds = time.monotonic() - began
    print(
        f"\nstatic build of the demo plan, 3 languages: {seconds:.1f} s, {result.pages} pages, {result.files} files"
    )
    for code in LANGS:
        assert (out / code / "index.html").is_file()
        assert (out / code / "release-notes" / "index.html").is_file()
    assert "az/index.html" in (out / "index.html").read_text()
    resolved, broken, absolute = walk_links(out)
    assert broken == []
    assert [link for link in absolute if link.split(": ", 1)[1].startswith(IN_SCOPE)] == []
    assert resolved > result.pages
    assert not list(out.rglob("*.partial")) and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    for page in out.rglob("*.html"):
        assert "<form" not in page.read_text(encoding="utf-8")
    document = json.loads((out / "release.json").read_text())
    release = Release.objects.get(plan=demo_plan)
    assert (document["number"], document["notes"], document["languages"]) == (1, "First release.", LANGS)
    assert (
        document["changes"]["added"]
        == sum(len(c) for c in public_results(demo_plan).published().values())
        > 0
    )
    assert release.published() == public_results(demo_plan).published()


# --- a small world: suppression, a failure, a second release -------------------------------------------

SMALL = 43217  # below the threshold of these tests: suppressed
THINGS = 81953  # a count of things: shown as reported


def _digits(text: str, number: int) -> bool:
    """Whether ``number`` appears in ``text``, grouped in any way (81,953 / 81 953 / 81.953 / 81953)."""
    digits = str(number)
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return re.search(r"(?<!\d)" + r"[\s,.\u00a0\u202f]?".join(groups) + r"(?!\d)", text) is not None


@pytest.fixture
def small_world(world, settings):  # noqa: F811 - the imported fixture
    """The publishing world with a small total of people (suppressed) and a count of things (shown), both
    in 2022, under a threshold of 50,000."""
    settings.WPSNAP_DISCLOSURE_THRESHOLD = 50_000
    publish_dates(
        write_reports(
            world.plan,
            world.activities,
            [
                Written(TOTAL_ONLY, "moe", 2, "published", values=(("", SMALL),)),
                Written(NOT_PEOPLE, "moe", 2, "published", values=(("", THINGS),)),
            ],
        )
    )
    return world


def test_no_suppressed_value_in_any_file_and_a_second_release_lists_a_change(small_world, tmp_path) -> None:
    """The small total is in no written file, in any grouping; the count of things is. A report published
    after the first build changes that count: the second build replaces the first, is release 2, and its
    release.json and notes page list the change (old and new value)."""
    out = tmp_path / "site"
    portal_build(outdir=out, languages=["en"], plan=small_world.plan, notes="One.")
    texts = {p: p.read_bytes().decode("utf-8", errors="replace") for p in out.rglob("*") if p.is_file()}
    assert not [str(p) for p, text in texts.items() if _digits(text, SMALL)]
    assert [p for p, text in texts.items() if _digits(text, THINGS)]

    publish_dates(
        write_reports(
            small_world.plan,
            small_world.activities,
            [Written(NOT_PEOPLE, "mia", 2, "published", values=(("", 1000),))],
        )
    )
    first = listing(out)
    result = portal_build(outdir=out, languages=["en"], plan=small_world.plan, notes="MIA's late report.")
    assert result.releases[0].number == 2
    document = json.loads((out / "release.json").read_text())
    key = small_world.indicators[NOT_PEOPLE].key
    assert document["number"] == 2
    assert [(p["indicator"], p["changed"]) for p in document["changes"]["periods"]] == [
        (key, [{"cell": "", "old": str(THINGS), "new": str(THINGS + 1000)}])
    ]
    notes = (out / "en" / "release-notes" / "index.html").read_text()
    assert "MIA&#x27;s late report." in notes and key in notes
    assert listing(out) != first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_failing_page_writes_nothing(small_world, tmp_path) -> None:
    """A build whose crawl meets a page answering 404 stops naming the URL: the earlier build in OUTDIR is
    untouched, no temporary folder is left, and no release is stored."""
    out = tmp_path / "site"
    portal_build(outdir=out, languages=["en"], plan=small_world.plan)
    before = listing(out)
    with pytest.raises(BuildError, match="/en/no-such-page/"):
        portal_build(outdir=out, languages=["en"], plan=small_world.plan, start=["/en/", "/en/no-such-page/"])
    assert listing(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert Release.objects.filter(plan=small_world.plan).count() == 1


def test_a_folder_of_other_files_is_refused(small_world, tmp_path) -> None:
    """OUTDIR holding files that are not a build is never replaced."""
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(BuildError, match="not an earlier build"):
        portal_build(outdir=tmp_path, languages=["en"], plan=small_world.plan)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not Release.objects.exists()


def test_the_command(small_world, tmp_path, capsys) -> None:
    """``wpsnap portal build --help`` explains itself; the command builds and says what it released; a
    named user must be a coordinator (a focal point is refused before anything is built, and the refusal
    is in the audit trail)."""
    with pytest.raises(SystemExit) as exit_code:
        call_command("portal", "build", "--help")
    assert exit_code.value.code == 0
    assert "--lang" in capsys.readouterr().out
    out = tmp_path / "site"
    stdout = StringIO()
    call_command(
        "portal",
        "build",
        str(out),
        "--lang",
        "en",
        "--plan",
        small_world.plan.slug,
        "--notes",
        "x",
        stdout=stdout,
    )
    assert "Release 1" in stdout.getvalue()
    assert (out / "en" / "index.html").is_file()
    with pytest.raises(CommandError, match="coordinator"):
        call_command("portal", "build", str(tmp_path / "other"), "--lang", "en", "--user", "mod-focal")
    assert AuditEvent.objects.filter(action="access_refused", note="publishing.release").count() == 1
    assert not (tmp_path / "other").exists()
    call_command("portal", "build", str(out), "--lang", "en", "--user", "coord", stdout=StringIO())
    assert Release.objects.get(number=2).created_by.username == "coord"
