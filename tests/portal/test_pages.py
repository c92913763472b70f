"""The public portal's pages: anonymous, in Azerbaijani, English and Russian; figures only as
``public_results`` releases them (a suppressed figure is the one mark, never its value or reason); a
report's figures on its pages the moment it is published; downloads equal to the release; 404 for what
does not exist or is a draft; a fixed number of queries per page."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from wpsnap.plan.models import Activity, Indicator
from wpsnap.publishing.public import public_results
from wpsnap.reporting.services import report_publish
from wpsnap.reporting.workflow import Status

from ..conftest import sign_in
from ..publishing.conftest import PUBLIC_STATISTICS, SEX_AND_AGE, by_hand

pytestmark = pytest.mark.django_db

SLUG = "az-2020-2023"
LANGUAGES = ("az", "en", "ru")
# Every kind of portal page, after its language prefix.
PAGES = (
    "/",
    "/search/",
    f"/plans/{SLUG}/",
    f"/plans/{SLUG}/pillars/prevention/",
    f"/plans/{SLUG}/areas/5.1.2/",
    f"/plans/{SLUG}/activities/5.1.2-3/",
    f"/plans/{SLUG}/indicators/5.1.2-3-i1/",
    f"/plans/{SLUG}/open-data/",
    f"/plans/{SLUG}/reports/",
)
MARK = "\u00d7"
CELL = re.compile(r'<td class="text-end" data-cell="([^"]*)">(.*?)</td>', re.S)


def html(response) -> str:
    return response.content.decode()


def page_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return html(response)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_anonymously_in_its_language(client, az_plan, lang, path) -> None:
    """200 without a login, the page in the path's language (html lang, Content-Language), landmarks, a
    skip link, one h1, and the same page in the other two languages linked from the switcher and the head."""
    response = client.get(f"/{lang}{path}")
    assert response.status_code == 200
    assert response["Content-Language"] == lang
    page = html(response)
    assert f'<html lang="{lang}"' in page
    assert 'href="#main"' in page
    for tag in ("<header", "<nav", '<main id="main"', "<footer"):
        assert tag in page
    assert page.count("<h1") == 1
    for other in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{other}" href="/{other}{path}">' in page
        assert re.search(
            rf'<a class="nav-link" href="/{other}{re.escape(path)}" hreflang="{other}" lang="{other}"', page
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_links_stay_inside_the_language(client, az_plan, lang) -> None:
    """Every site-absolute link of the plan page stays under its language prefix, except the switcher's
    links to the other languages, static files and the exports' downloads."""
    page = page_of(client, f"/{lang}/plans/{SLUG}/")
    links = re.findall(r'<a [^>]*href="(/[^"]*)"', page)
    others = {f"/{other}/plans/{SLUG}/" for other in LANGUAGES if other != lang}
    strays = [
        link
        for link in links
        if not link.startswith((f"/{lang}/", "/static/", "/exports/")) and link not in others
    ]
    assert len(links) > 50
    assert strays == []


def test_the_home_without_a_prefix_is_the_portal_in_azerbaijani(client, az_plan, make_user) -> None:
    """A visitor at "/" reads the portal in Azerbaijani; signed-in staff keep their list of plans there."""
    visitor = client.get("/")
    assert visitor["Content-Language"] == "az"
    assert '<html lang="az"' in html(visitor)
    assert f'href="/az/plans/{SLUG}/"' in html(visitor)
    sign_in(client, make_user("focal_point"))
    staff = html(client.get("/"))
    assert f'href="/plans/{SLUG}/"' in staff
    assert "portal-languages" not in staff


@pytest.mark.parametrize(
    "path",
    [
        "/en/plans/no-such-plan/",
        f"/en/plans/{SLUG}/pillars/nothing/",
        f"/en/plans/{SLUG}/areas/9.9.9/",
        f"/en/plans/{SLUG}/activities/9.9.9-9/",
        f"/en/plans/{SLUG}/indicators/nothing/",
        f"/ru/plans/{SLUG}/indicators/nothing/figures.csv",
        f"/az/plans/{SLUG}/indicators/nothing/figures.json",
        "/en/plans/no-such-plan/open-data/",
        "/de/plans/az-2020-2023/",
    ],
)
def test_what_does_not_exist_is_a_404_page(client, az_plan, path) -> None:
    page = page_of(client, path, status=404)
    assert "<h1" in page


def test_a_draft_plan_is_never_shown_even_to_a_coordinator(client, az_plan, make_user) -> None:
    from wpsnap.plan import schema
    from wpsnap.plan.services import plan_load

    from ..plan.minimal import MINIMAL_PLAN

    draft = plan_load(
        plan_file=schema.parse_plan_text(MINIMAL_PLAN.replace("status: adopted", "status: draft"))
    ).plan
    sign_in(client, make_user("coordinator"))
    assert client.get(f"/en/plans/{draft.slug}/").status_code == 404
    assert client.get(f"/en/plans/{draft.slug}/activities/1.1.1-1/").status_code == 404
    assert f"/plans/{draft.slug}/" not in page_of(client, "/en/")


def test_plan_content_without_a_translation_falls_back_to_english_marked(client, az_plan) -> None:
    """An activity with no Azerbaijani text shows its English text inside lang="en", with a visible
    note; the English page has no such note."""
    activity = Activity.objects.get(plan=az_plan, key="5.1.2-3")
    Activity.objects.filter(pk=activity.pk).update(translations={})
    az = page_of(client, f"/az/plans/{SLUG}/activities/5.1.2-3/")
    assert f'<span lang="en">{activity.text}</span> <small class="fallback-note">' in az
    translated = {"az": {"text": "Azərbaycanca mətn"}}
    Activity.objects.filter(pk=activity.pk).update(translations=translated)
    az = page_of(client, f"/az/plans/{SLUG}/activities/5.1.2-3/")
    assert "Azərbaycanca mətn" in az
    assert f'<span lang="en">{activity.text}</span>' not in az
    assert "fallback-note" not in page_of(client, f"/en/plans/{SLUG}/activities/5.1.2-3/")


def test_search_finds_plan_content_and_links_inside_the_language(client, az_plan) -> None:
    """The GET form (no JavaScript needed) asks publishing's public search; each hit links to its portal
    page in the same language; an over-long query is refused naming the field, never a server error."""
    activity = Activity.objects.get(plan=az_plan, key="5.1.2-3")
    word = max(activity.text.split(), key=len).strip(".,;:()")
    page = page_of(client, f"/ru/search/?q={word}")
    assert f'href="/ru/plans/{SLUG}/activities/5.1.2-3/"' in page
    assert f'value="{word}"' in page
    refused = client.get("/en/search/", {"q": "x" * 201})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in html(refused)


# --- figures -------------------------------------------------------------------------------------------


def shown_cells(page: str) -> list[tuple[str, str]]:
    """Each figure cell of a page: (cell key, its content as text)."""
    return [(cell, content) for cell, content in CELL.findall(page)]


def expected_cells(indicator) -> list[tuple[str, object]]:
    return [
        (figure.cell, figure.value)
        for period in indicator.periods
        if period.total is not None
        for figure in (*period.cells, period.total)
    ]


def as_number(content: str) -> int:
    return int(re.sub(r"[^0-9]", "", content))


def test_suppressed_figures_never_appear_only_the_mark(client, world) -> None:
    """The indicator page shows each figure of the release in order: a shown one as its value, a
    suppressed one as the mark with "not shown", no digit and no reason; small cells were seeded."""
    release = public_results(world.plan)
    indicator = world.indicators[SEX_AND_AGE]
    public = next(i for i in release.indicators if i.indicator == indicator.key)
    expected = expected_cells(public)
    suppressed = [cell for cell, value in expected if value is None]
    assert len(suppressed) >= 5
    page = page_of(client, f"/en/plans/{SLUG}/indicators/{indicator.key}/")
    shown = shown_cells(page)
    assert [cell for cell, _content in shown] == [cell for cell, _value in expected]
    for (cell, content), (_cell, value) in zip(shown, expected, strict=True):
        if value is None:
            assert MARK in content and "not shown" in content, cell
            assert not re.search(r"[0-9]", content), cell
        else:
            assert as_number(content) == value, cell
    assert "fewer than 10 people, or a figure from which such a group could be worked out" in page
    assert "complementary" not in page
    assert "withheld" not in page


def test_public_statistics_show_small_cells(client, world) -> None:
    """An indicator the coordinator made public statistics shows its small figures as they are."""
    public = next(
        i
        for i in public_results(world.plan).indicators
        if i.indicator == world.indicators[PUBLIC_STATISTICS].key
    )
    page = page_of(client, f"/en/plans/{SLUG}/indicators/{public.indicator}/")
    values = [as_number(content) for _cell, content in shown_cells(page)]
    assert values == [value for _cell, value in expected_cells(public)]
    assert min(values) < 10


def test_a_report_published_shows_its_figures_at_once(client, world, people) -> None:
    """After the pages have been seen (and cached), publishing the approved report puts its figures on
    the activity and indicator pages on the next request: the 2020 total becomes the three reports'."""
    indicator = world.indicators[SEX_AND_AGE]
    activity = world.activities[SEX_AND_AGE]
    before = by_hand(world.written, SEX_AND_AGE, 0)[""]
    activity_url = f"/en/plans/{SLUG}/activities/{activity.key}/"
    indicator_url = f"/en/plans/{SLUG}/indicators/{indicator.key}/"
    assert as_number(shown_cells(page_of(client, activity_url))[0][1]) == before
    page_of(client, indicator_url)
    approved = next(r for r in world.reports if r.status == Status.APPROVED)
    report_publish(actor=people["coordinator"], report=approved)
    after = by_hand(world.written, SEX_AND_AGE, 0, statuses=(Status.PUBLISHED, Status.APPROVED))[""]
    assert after >= before + 1000
    assert as_number(shown_cells(page_of(client, activity_url))[0][1]) == after
    totals = [content for cell, content in shown_cells(page_of(client, indicator_url)) if cell == ""]
    assert as_number(totals[0]) == after
    reports = page_of(client, f"/en/plans/{SLUG}/reports/")
    assert reports.count(f'href="/en/plans/{SLUG}/activities/{activity.key}/"') == 4  # 2020: three, 2021: one


def test_downloads_equal_the_release(client, world) -> None:
    """The indicator's CSV and JSON give every figure of the release, the suppressed ones empty (null) and
    marked not shown, and nothing else."""
    release = public_results(world.plan)
    indicator = world.indicators[SEX_AND_AGE]
    public = next(i for i in release.indicators if i.indicator == indicator.key)
    expected = [
        (period.period, figure.cell, figure.value) for period in public.periods for figure in period.figures()
    ]
    response = client.get(f"/ru/plans/{SLUG}/indicators/{indicator.key}/figures.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["period"], r["cell"], int(r["value"]) if r["value"] else None) for r in rows] == expected
    assert {r["shown"] for r in rows if not r["value"]} == {"no"}
    data = json.loads(client.get(f"/en/plans/{SLUG}/indicators/{indicator.key}/figures.json").content)
    assert data["indicator"] == indicator.key
    assert data["licence"] == "CC-BY-4.0"
    assert data["threshold"] == release.threshold
    assert [
        (period["period"], figure["cell"], figure["value"])
        for period in data["periods"]
        for figure in period["figures"]
    ] == expected
    assert "reason" not in json.dumps(data)


def test_indicator_page_gives_chart_table_summary_and_metadata(client, world) -> None:
    indicator = world.indicators[SEX_AND_AGE]
    page = page_of(client, f"/en/plans/{SLUG}/indicators/{indicator.key}/")
    assert 'class="chart"' in page and "json_script" not in page
    assert f'id="chart-indicator-{indicator.pk}-spec"' in page
    assert "The latest published total, for" in page or "The latest total, for" in page
    for label in (
        "Definition",
        "Unit",
        "Source",
        "Who reports",
        "Last updated",
        "What \u00d7 means",
        "Licence",
    ):
        assert label in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page
    assert world.last_published.strftime("%Y") in page
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page


# --- queries -------------------------------------------------------------------------------------------

# Each page's queries once the plan's figures are in the cache: the digest of the published state (4),
# the cache (1), the plan (1), its structure (5), the dimensions' names on an indicator page (2).
QUERIES = {
    "/": 6,
    f"/plans/{SLUG}/": 11,
    f"/plans/{SLUG}/pillars/prevention/": 11,
    f"/plans/{SLUG}/areas/5.1.2/": 11,
    f"/plans/{SLUG}/activities/5.1.2-3/": 11,
    f"/plans/{SLUG}/indicators/5.1.2-3-i1/": 13,
    f"/plans/{SLUG}/indicators/5.1.2-3-i1/figures.csv": 7,
    f"/plans/{SLUG}/indicators/5.1.2-3-i1/figures.json": 7,
    f"/plans/{SLUG}/open-data/": 6,
    f"/plans/{SLUG}/reports/": 13,  # and the annual reports on the portal
    "/search/": 0,
}


@pytest.mark.parametrize(("path", "queries"), QUERIES.items())
def test_each_page_makes_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, path, queries
) -> None:
    """With published figures in the cache, whatever the plan's size."""
    client.get(f"/en{path}")
    with django_assert_num_queries(queries):
        assert client.get(f"/en{path}").status_code == 200


def test_figures_are_computed_once_per_published_state(world, django_assert_max_num_queries) -> None:
    """The second read of the same published state comes from the cache (digest and cache only)."""
    from wpsnap.portal.selectors import plan_results

    first = plan_results(world.plan)
    with django_assert_max_num_queries(5):
        assert plan_results(world.plan) == first
    Indicator.objects.filter(pk=world.indicators[SEX_AND_AGE].pk).update(public_statistics=True)
    changed = plan_results(world.plan)
    assert next(
        i for i in changed.indicators if i.indicator == world.indicators[SEX_AND_AGE].key
    ).public_statistics
