"""The annual progress report and the end-of-plan review, built from the demo's data in each format and
reopened: the PDF with poppler's pdfinfo, pdftotext and pdftoppm, the DOCX with python-docx, the HTML with lxml. Each file is
built once for the module (a PDF costs seconds); the tests read the files."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from docx import Document
from lxml import html as lxml_html
from PIL import Image

from tests.conftest import seed_migration_rows
from wpsnap.accounts.models import Role, User
from wpsnap.core.errors import InvalidInput
from wpsnap.exports.annual import report_build
from wpsnap.exports.annual.internal import gather
from wpsnap.exports.models import ReportNarrative
from wpsnap.exports.public_report import SUPPRESSED
from wpsnap.plan.models import Activity, Indicator, IndicatorKind, Plan
from wpsnap.publishing.public import public_results
from wpsnap.reporting.models import IndicatorValue, ReportingPeriod
from wpsnap.reporting.workflow import COUNTED

SUMMARY = "The plan moved forward in every pillar.\n\nSecond paragraph of the summary."
NOTE = "This activity was held up by the pandemic."
RECOMMENDATIONS = "Keep the inter-agency group meeting every quarter."

# (format, first year, last year, public, language)
BUILDS = {
    "review-pdf": ("pdf", 2020, 2023, False, "en"),
    "review-docx": ("docx", 2020, 2023, False, "en"),
    "review-html": ("html", 2020, 2023, False, "en"),
    "review-public-html": ("html", 2020, 2023, True, "en"),
    "annual-az-html": ("html", 2021, 2021, False, "az"),
    "annual-ru-public-html": ("html", 2022, 2022, True, "ru"),
}


def evaluator() -> User:
    return User(username="report-reader", role=Role.EVALUATOR, is_active=True)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once (its reports), with the coordinator's narratives of the review, and
    every file of ``BUILDS`` built from it; all rolled back at the end."""
    from wpsnap.demo.data import demo_load

    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("files")), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            STORAGES=storages, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        transaction.atomic(),
    ):
        seed_migration_rows()
        # The events' participants add one series to one chart: left out, the load takes half the time.
        demo_load(password="demo-pass-2026", events=False)
        plan = Plan.objects.get(slug="az-2020-2023")
        first = Activity.objects.filter(plan=plan).order_by("priority_area__position", "position").first()
        assert first is not None
        for section, language, text in (
            ("summary", "en", SUMMARY),
            ("summary", "az", "Plan bütün istiqamətlərdə irəlilədi."),
            (f"activity:{first.key}", "en", NOTE),
            ("recommendations", "en", RECOMMENDATIONS),
        ):
            ReportNarrative.objects.create(
                plan=plan, first_year=2020, last_year=2023, section=section, language=language, text=text
            )
        files = {}
        for name, (fmt, first_year, last_year, public, language) in BUILDS.items():
            out = BytesIO()
            suggested = report_build(
                plan=plan,
                first_year=first_year,
                last_year=last_year,
                fmt=fmt,
                language=language,
                public=public,
                viewer=evaluator(),
                out=out,
            )
            files[name] = (suggested, out.getvalue())
        yield {"plan": plan, "first": first, "files": files}
        transaction.set_rollback(True)


def page(demo, name: str):
    return lxml_html.fromstring(demo["files"][name][1])


def number(text: str) -> Decimal | None:
    digits = re.sub(r"[^0-9.]", "", text.replace(",", ""))
    return Decimal(digits) if digits else None


@pytest.mark.django_db
def test_the_pdf_opens_and_its_pages_render(demo, tmp_path):
    """The review's PDF opens (pdfinfo, pdftotext), holds the title, an activity and the coordinator's
    summary, is A4, numbers its pages, and every page renders with pdftoppm."""
    name, content = demo["files"]["review-pdf"]
    assert name == "wpsnap-az-2020-2023-review-2020-2023-internal-en.pdf"
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))
    assert pages > 5
    assert "595.276 x 841.89 pts (A4)" in info
    raw = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = " ".join(raw.split())
    assert "End-of-plan review 2020\u20132023" in text
    assert "The plan moved forward in every pillar." in text
    assert " ".join(demo["first"].text.split()[:6]) in text
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == pages
    with Image.open(rendered[0]) as first:
        assert first.convert("L").getextrema()[0] < 100  # something dark is drawn: the title


@pytest.mark.django_db
def test_no_table_runs_off_the_pdf_page(demo, tmp_path):
    """Rendered at 50 dpi, every page's right margin (the last 15 of its 18 mm) is blank: no table, chart
    or line runs past the content box."""
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(demo["files"]["review-pdf"][1])
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True)
    for path in sorted(tmp_path.glob("p-*.png")):
        with Image.open(path) as opened:
            image = opened.convert("L")
            width, height = image.size
            margin = image.crop((width - round(width * 15 / 210), 0, width, height))
            darkest = margin.getextrema()[0]
            assert darkest > 200, f"{path.name}: something is drawn in the right margin ({darkest})"


@pytest.mark.django_db
def test_the_docx_reopens_with_its_headings_tables_and_charts(demo):
    """The review's DOCX reopens with python-docx: the sections as headings, a heading per activity,
    tables with their heading row repeated, the charts as pictures, the narratives as text."""
    document = Document(BytesIO(demo["files"]["review-docx"][1]))
    headings = Counter(
        p.style.name
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    )
    titles = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert titles == [
        "Summary",
        "Progress per pillar and objective",
        "Activities",
        "Figures",
        "Financing",
        "Challenges",
        "Conclusions",
        "Recommendations",
    ]
    running = Activity.objects.filter(plan=demo["plan"]).count()
    indicators = Indicator.objects.filter(plan=demo["plan"], kind=IndicatorKind.COUNT).count()
    assert headings["Heading 3"] == running + indicators
    assert len(document.tables) > running
    assert all(t.rows[0]._tr.trPr is not None for t in document.tables)  # the repeated heading row
    assert len(document.inline_shapes) >= 3  # status, people reached, targets, financing
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Second paragraph of the summary." in text
    assert NOTE in text and RECOMMENDATIONS in text


@pytest.mark.django_db
def test_the_review_has_a_section_per_activity(demo):
    """The review's HTML has a section per activity (not a row per report), each with its status period by
    period, and the coordinator's note on the activity in its own section."""
    tree = page(demo, "review-html")
    assert tree.get("lang") == "en"
    sections = tree.xpath("//section[@class='activity']")
    keys = [s.get("id").removeprefix("activity-") for s in sections]
    assert sorted(keys) == sorted(Activity.objects.filter(plan=demo["plan"]).values_list("key", flat=True))
    first = tree.xpath(f"//section[@id='activity-{demo['first'].key}']")[0]
    assert NOTE in first.text_content()
    assert "Period by period: its status and its indicators' totals" in first.text_content()


@pytest.mark.django_db
def test_figures_equal_an_independent_count(demo):
    """Each count indicator's totals in the review equal the sum of the approved and published reports'
    totals counted here directly, period by period (every indicator with a figure)."""
    tree = page(demo, "review-html")
    periods = {p.label: p.pk for p in ReportingPeriod.objects.filter(plan=demo["plan"])}
    checked = 0
    for indicator in Indicator.objects.filter(plan=demo["plan"], kind=IndicatorKind.COUNT):
        rows = tree.xpath(f"//section[@id='indicator-{indicator.key}']//table[1]/tbody/tr")
        assert len(rows) == len(periods)
        for row in rows:
            label, total, _reports = (c.text_content().strip() for c in row)
            values = IndicatorValue.objects.filter(
                indicator=indicator, cell="", report__period_id=periods[label], report__status__in=COUNTED
            ).values_list("value", flat=True)
            expected = sum(values, Decimal(0)) if values else None
            assert number(total) == expected, (indicator.key, label)
            checked += expected is not None
    assert checked > 20


@pytest.mark.django_db
def test_the_public_version_shows_no_suppressed_value(demo):
    """The public review's figures are exactly those publishing releases: in each indicator's tables the
    figures shown are the release's published values and every suppressed one is the mark, no other
    number; nothing internal (status, financing) is in it."""
    tree = page(demo, "review-public-html")
    released = public_results(demo["plan"])
    suppressed_in_all = 0
    for indicator in released.indicators:
        section = tree.xpath(f"//section[@id='indicator-{indicator.indicator}']")[0]
        tables = section.xpath(".//table")
        totals, crosstabs = tables[0], tables[1:]
        figures = [f for p in indicator.periods if p.total is not None and p.dimensions for f in p.figures()]
        shown = [td.text_content().strip() for table in crosstabs for td in table.xpath("./tbody/tr/td")]
        assert sorted(t for t in shown if t != SUPPRESSED) == sorted(
            f"{int(f.value):,}" for f in figures if f.value is not None
        )
        assert shown.count(SUPPRESSED) == sum(1 for f in figures if f.suppressed)
        column = [row.xpath("./td")[0].text_content().strip() for row in totals.xpath("./tbody/tr")]
        assert column == [
            "\N{EN DASH}"
            if p.total is None
            else SUPPRESSED
            if p.total.suppressed
            else f"{int(p.total.value):,}"
            for p in indicator.periods
        ]
        suppressed_in_all += sum(1 for p in indicator.periods for f in p.figures() if f.suppressed)
    assert suppressed_in_all > 0  # the demo has small groups: the test has something to check
    text = tree.text_content()
    assert "Public version" in text
    assert not tree.xpath("//section[@id='financing']") and "its status and its indicators" not in text


@pytest.mark.django_db
def test_other_languages_carry_their_attribute_and_date_format(demo):
    """The az and ru builds say their language in the page, give the date built in its format, and their
    headings in the language where its catalogue has them."""
    today = timezone.localdate()
    for name, language in (("annual-az-html", "az"), ("annual-ru-public-html", "ru")):
        tree = page(demo, name)
        assert tree.get("lang") == language
        with translation.override(language):
            built = date_format(today, "DATE_FORMAT", use_l10n=True)
        assert tree.xpath("//header//time")[0].text_content() == built
    with translation.override("en"):
        assert date_format(today, "DATE_FORMAT", use_l10n=True) != built
    # Headings in the language where its catalogue has them (Russian has "Summary").
    with translation.override("ru"):
        summary = translation.gettext("Summary")
    assert summary != "Summary"
    assert (
        page(demo, "annual-ru-public-html").xpath("//section[@id='summary']/h2")[0].text_content() == summary
    )
    # The az summary is used in an az build of the same years (the annual report has none: other years).
    assert "Plan bütün" not in page(demo, "annual-az-html").text_content()


@pytest.mark.django_db
def test_the_content_is_gathered_in_a_fixed_number_of_queries(demo):
    """The internal content costs the same queries for one year as for four."""
    counts = []
    for first, last in ((2021, 2021), (2020, 2023)):
        with CaptureQueriesContext(connection) as queries:
            gather(plan=demo["plan"], first_year=first, last_year=last, viewer=evaluator(), language="en")
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 30


@pytest.mark.django_db
def test_the_command_refuses_bad_input_naming_the_option_and_writes_nothing(demo, tmp_path):
    """Unknown plan, a year outside the plan, --to before --period and a year that is not one: a clear
    error naming the option, and no file."""
    target = tmp_path / "report.pdf"
    cases = [
        (["nope", "--period", "2020"], "SLUG"),
        (["az-2020-2023", "--period", "2019"], "--period"),
        (["az-2020-2023", "--period", "2022", "--to", "2021"], "--to"),
        (["az-2020-2023", "--period", "2020", "--to", "2031"], "--to"),
        (["az-2020-2023", "--period", "twenty"], "--period"),
    ]
    for args, option in cases:
        with pytest.raises(CommandError, match=re.escape(option)):
            call_command("report", "build", *args, "--format", "pdf", "-o", str(target))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_the_command_writes_the_file(demo, tmp_path):
    """``wpsnap report build`` writes the annual report where -o says, and nothing beside it."""
    target = tmp_path / "annual.html"
    out = StringIO()
    call_command(
        "report",
        "build",
        "az-2020-2023",
        "--period",
        "2022",
        "--format",
        "html",
        "--public",
        "-o",
        str(target),
        stdout=out,
    )
    assert [p.name for p in tmp_path.iterdir()] == ["annual.html"]
    tree = lxml_html.fromstring(Path(target).read_bytes())
    assert tree.xpath("//h1")[0].text_content() == "Annual progress report 2022"
    assert str(target) in out.getvalue()


@pytest.mark.django_db
def test_the_builder_refuses_bad_parameters_naming_them(demo):
    """An unknown format or language, or years outside the plan, are refused before anything is read,
    each problem naming its parameter; nothing is written."""
    out = BytesIO()
    cases = [
        ({"fmt": "odt"}, "fmt"),
        ({"language": "fr"}, "language"),
        ({"first_year": 2024, "last_year": 2024}, "first_year"),
        ({"first_year": 2022, "last_year": 2021}, "last_year"),
    ]
    for changed, field in cases:
        arguments = {"first_year": 2020, "last_year": 2020, "fmt": "html", "language": "en", **changed}
        with pytest.raises(InvalidInput) as refused:
            report_build(plan=demo["plan"], public=False, viewer=evaluator(), out=out, **arguments)
        assert [p.field for p in refused.value.problems] == [field]
    assert out.getvalue() == b""
