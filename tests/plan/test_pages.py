"""The public plan pages: what each shows, its filters, htmx partials, 404s and query counts."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wpsnap.accounts.models import Organisation
from wpsnap.plan.schema import PlanFile, parse_plan_text
from wpsnap.plan.services import plan_load

from ..conftest import sign_in
from .minimal import MINIMAL_PLAN

pytestmark = pytest.mark.django_db

SLUG = "az-2020-2023"
PLAN_URL = f"/plans/{SLUG}/"
HTMX = {"HX-Request": "true"}
DASH = "\u2013"  # periods print with an en dash: 2020<en dash>2023

# Every page, with the most queries it may make. The plan page's count does not grow with the plan.
# "/" is the list of plans for signed-in staff only: a visitor gets the public portal there (tests/portal).
PAGES = {
    PLAN_URL: 7,
    f"{PLAN_URL}?agency=moe&year=2021&pillar=participation": 7,
    f"{PLAN_URL}activities/5.2.4-1/": 6,
    f"{PLAN_URL}activities/5.3.3-4/": 6,
    f"{PLAN_URL}agencies/": 3,
    f"{PLAN_URL}agencies/mod/": 5,
    f"{PLAN_URL}agencies/all-ministries-and-state-committees/": 5,
    f"{PLAN_URL}timeline/": 2,
}


def html(response) -> str:
    return response.content.decode()


def shown_areas(response) -> list[str]:
    """The priority area codes a page lists, in order."""
    return re.findall(r'data-area="([^"]+)"', html(response))


def area_html(response, code: str) -> str:
    """The markup of one priority area's card."""
    page = html(response)
    start = page.index(f'data-area="{code}"')
    return page[start : page.index("</article>", start)]


def text(response) -> str:
    """The page's text without tags and with single spaces, for assertions on sentences."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


@pytest.fixture
def plan(az_plan):
    return az_plan


# --- every page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "max_queries"), PAGES.items())
def test_every_page_renders_within_its_query_budget(
    client, plan, django_assert_max_num_queries, url, max_queries
):
    """Each page answers 200 with a small, fixed number of queries."""
    with django_assert_max_num_queries(max_queries):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_no_page_has_inline_script_or_style(client, plan, url):
    """The Content Security Policy forbids inline code: no style attribute, <style>, inline <script> or on* handler."""
    response = client.get(url)
    page = html(response)
    assert not re.search(r"\sstyle\s*=", page)
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+\s*=", page)
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_landmarks_skip_link_one_h1_and_language_switcher(client, plan, url):
    """Skip link to <main>, banner/navigation/main/footer landmarks, one h1, and the language form."""
    page = html(client.get(url))
    assert '<a class="visually-hidden-focusable skip-link" href="#main">Skip to main content</a>' in page
    for tag in ("<header", "<nav", '<main id="main"', "<footer"):
        assert tag in page
    assert page.count("<h1") == 1
    assert f'action="{reverse("set_language")}" method="post"' in page
    assert '<label class="visually-hidden" for="language-select">Language</label>' in page
    assert 'lang="en"' in page


def test_static_files_the_pages_use_exist(client, plan):
    """Bootstrap, htmx and our own files are vendored (with their licences), not fetched from a CDN."""
    page = html(client.get(PLAN_URL))
    paths = re.findall(r'(?:href|src)="/static/([^"]+)"', page)
    assert {
        "vendor/bootstrap-5.3.9/bootstrap.min.css",
        "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
        "vendor/htmx-2.0.11/htmx.min.js",
        "wpsnap.css",
        "wpsnap.js",
    } <= set(paths)
    for path in [
        *paths,
        "vendor/bootstrap-5.3.9/LICENSE",
        "vendor/htmx-2.0.11/LICENSE",
        "vendor/VENDORED.md",
    ]:
        assert finders.find(path), path
    assert "https://" not in "".join(re.findall(r"<(?:script|link)[^>]*>", page))


def test_htmx_is_configured_not_to_inject_its_own_styles(client, plan):
    """htmx would add a <style> element for its indicators, which the CSP refuses."""
    assert '"includeIndicatorStyles": false' in html(client.get(PLAN_URL))


# --- home --------------------------------------------------------------------------------------------


def test_home_lists_the_plans_with_a_link_to_each(client, plan, make_user):
    """Signed-in staff keep the list of plans at "/" (a visitor gets the public portal there)."""
    sign_in(client, make_user("focal_point"))
    response = client.get(reverse("plan:home"))
    assert "National Action Plan on the implementation in the Republic of Azerbaijan" in text(response)
    assert f'href="{PLAN_URL}"' in html(response)
    assert "Open the plan" in text(response)


# --- the plan page -------------------------------------------------------------------------------------


def test_plan_page_shows_the_plan_its_pillars_and_areas(client, plan):
    """Title, period, status, purpose, the four pillars with their objectives, all 17 areas, results, financing."""
    response = client.get(PLAN_URL)
    page = text(response)
    assert response.status_code == 200
    assert "National Action Plan on the implementation in the Republic of Azerbaijan" in page
    assert f"Period: 2020{DASH}2023" in page
    assert "Status: Adopted" in page
    assert "The purpose of the National Action Plan is to significantly increase" in page
    for pillar in (
        "Pillar 5.1: Prevention",
        "Pillar 5.2: Participation",
        "Pillar 5.3: Protection",
        "Pillar 5.4: Relief and recovery",
    ):
        assert pillar in page
    assert "Objective (2.2.3): Protect the human rights of conflict-affected women and girls" in page
    assert len(shown_areas(response)) == 17
    assert "Showing all 17 priority areas (35 activities)." in page
    assert "4.1.4 Dignified and safe life and return of women and girls" in page
    assert "state budget of the Republic of Azerbaijan" in page


def test_plan_page_shows_activities_with_codes_periods_and_role_badges(client, plan):
    response = client.get(PLAN_URL)
    page = html(response)
    assert f'href="{PLAN_URL}activities/5.1.1-1/"><span class="code">5.1.1.1</span>' in page
    assert f'href="{PLAN_URL}activities/5.3.3-4/"><span class="code">Unnumbered</span>' in page
    assert '<span class="badge role-badge role-implementer">Implementing</span>' in page
    assert '<span class="badge role-badge role-recommended">Recommended</span>' in page
    assert f'href="{PLAN_URL}agencies/mod/">Ministry of Defense</a>' in page


def test_plan_page_says_when_an_area_has_no_period_and_no_activities(client, plan):
    """5.1.3 (peacekeepers) has neither: the page says so instead of showing nothing."""
    page = text(client.get(PLAN_URL))
    area = page[page.index("5.1.3 Activities for peacekeepers") :]
    assert area.startswith(
        "5.1.3 Activities for peacekeepers (to be determined by the Ministry of Defense) Period: To be determined"
    )
    assert "The plan lists no activities here yet." in area[:300]


def test_filter_by_pillar_shows_only_that_pillar(client, plan):
    response = client.get(PLAN_URL, {"pillar": "protection"})
    assert response.status_code == 200
    assert shown_areas(response) == ["5.3.1", "5.3.2", "5.3.3"]
    assert "Pillar 5.1: Prevention" not in text(response)
    assert "Showing 3 of 17 priority areas" in text(response)


def test_filter_by_agency_includes_areas_through_a_collective(client, plan):
    """The Ministry of Education is a ministry: it takes part in 5.2.6 through "all ministries and state committees"."""
    response = client.get(PLAN_URL, {"agency": "moe"})
    areas = shown_areas(response)
    assert "5.2.6" in areas
    assert "5.1.2" in areas
    assert "5.4.4" not in areas
    assert "Ministry of Education takes part here through “All ministries and state committees”." in text(
        response
    )


def test_filter_by_agency_notes_only_the_areas_it_has_through_a_collective(client, plan):
    """The Ministry of Defense is named in 5.1.2 itself, and is in 5.2.6 as one of "all ministries"."""
    response = client.get(PLAN_URL, {"agency": "mod"})
    assert "5.1.2" in shown_areas(response)
    assert "takes part here through" not in area_html(response, "5.1.2")
    assert "Ministry of Defense takes part here through" in area_html(response, "5.2.6")


def test_filter_by_year_2023_leaves_the_two_areas_that_run_until_then(client, plan):
    response = client.get(PLAN_URL, {"year": "2023"})
    assert shown_areas(response) == ["5.4.4", "5.4.5"]


def test_filters_combine(client, plan):
    response = client.get(PLAN_URL, {"agency": "mod", "year": "2021", "pillar": "participation"})
    assert response.status_code == 200
    assert set(shown_areas(response)) <= {"5.2.1", "5.2.2", "5.2.3", "5.2.4", "5.2.5", "5.2.6"}
    assert "5.2.1" in shown_areas(response)
    assert "5.2.4" not in shown_areas(response)  # 2020 only


def test_filters_matching_nothing_say_so(client, plan):
    """The Ombudsman is a recommended partner in no relief-and-recovery area running in 2023."""
    response = client.get(PLAN_URL, {"agency": "ombudsman", "year": "2023"})
    assert response.status_code == 200
    assert shown_areas(response) == []
    assert "Nothing in the plan matches these filters." in text(response)


def test_empty_filter_fields_mean_all(client, plan):
    response = client.get(PLAN_URL, {"agency": "", "year": "", "pillar": ""})
    assert response.status_code == 200
    assert len(shown_areas(response)) == 17


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pillar": "nope"}, "Pillar: There is no pillar “nope” in this plan."),
        ({"agency": "nobody"}, "Agency: There is no agency “nobody” in this plan."),
        ({"year": "1999"}, "Year: The plan does not run in “1999”."),
        ({"year": "twenty"}, "Year: The plan does not run in “twenty”."),
        ({"year": "2021.5"}, "Year: The plan does not run in “2021.5”."),
        (
            {"agency": "<script>alert(1)</script>"},
            "Agency: There is no agency “&lt;script&gt;alert(1)&lt;/script&gt;”",
        ),
        ({"pillar": "x" * 5000}, "Pillar: There is no pillar"),
    ],
)
def test_bad_filter_values_give_400_with_the_form_and_a_message_naming_the_field(
    client, plan, params, message
):
    response = client.get(PLAN_URL, params)
    assert response.status_code == 400
    assert message in html(response)
    assert '<form class="filter-form"' in html(response)
    assert 'aria-invalid="true"' in html(response)
    assert shown_areas(response) == []
    assert "<script>alert(1)</script>" not in html(response)


def test_plan_page_refuses_post(client, plan):
    assert client.post(PLAN_URL).status_code == 405


def test_plan_page_queries_do_not_grow_with_the_plan(client, plan):
    """A two-area plan and the 17-area plan cost the same number of queries, filtered or not."""
    plan_load(plan_file=parse_plan_text(MINIMAL_PLAN))
    counts = []
    for url in ("/plans/test-plan/", PLAN_URL, "/plans/test-plan/?agency=ngos", f"{PLAN_URL}?agency=ngos"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] == counts[3]


# --- htmx -------------------------------------------------------------------------------------------


def test_htmx_request_gets_only_the_results_partial(client, plan):
    response = client.get(PLAN_URL, {"pillar": "protection"}, headers=HTMX)
    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="results"')
    assert "<html" not in page
    assert "<form" not in page
    assert shown_areas(response) == ["5.3.1", "5.3.2", "5.3.3"]
    assert '<p id="results-status" class="results-status" role="status" hx-swap-oob="innerHTML">' in page
    assert "HX-Request" in response["Vary"]


def test_htmx_request_with_a_bad_value_gets_the_partial_with_the_message(client, plan):
    response = client.get(PLAN_URL, {"year": "1999"}, headers=HTMX)
    assert response.status_code == 400
    assert "<html" not in html(response)
    assert "Year: The plan does not run in “1999”." in html(response)


def test_htmx_history_restore_gets_the_whole_page(client, plan):
    """After going back in the browser htmx may ask for the page again: it needs all of it."""
    response = client.get(
        PLAN_URL, {"pillar": "protection"}, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in html(response)


def test_filter_form_works_without_javascript_and_is_enhanced_with_htmx(client, plan):
    page = html(client.get(PLAN_URL))
    form = re.search(r'<form class="filter-form"[^>]*>', page, re.S).group(0)
    assert 'method="get"' in form
    assert f'action="{PLAN_URL}"' in form
    assert f'hx-get="{PLAN_URL}"' in form
    assert 'hx-target="#results"' in form
    assert 'hx-push-url="true"' in form
    for name in ("agency", "year", "pillar"):
        assert f'<label class="form-label" for="id_{name}">' in page
    assert '<button type="submit" class="btn btn-primary">Show activities</button>' in page


# --- the activity page --------------------------------------------------------------------------------


def test_activity_page_shows_the_activity_in_its_place(client, plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("plan:activity_detail", args=[SLUG, "5.2.4-1"]))
    page = text(response)
    assert "Activity 5.2.4.1" in page
    assert "Conduct trainings on human rights, peacebuilding and development of communication skills" in page
    assert "Priority area: 5.2.4 Develop female mediators" in page
    assert "Pillar: 5.2 Participation" in page
    assert "Objective: 2.2.2 Include women's and girls' interests" in page.replace("&#x27;", "'")
    assert "Period: 2020 (the priority area's period)" in page.replace("&#x27;", "'")


def test_activity_page_shows_indicators_with_kind_disaggregation_baseline_and_target(client, plan):
    page = text(client.get(reverse("plan:activity_detail", args=[SLUG, "5.2.4-1"])))
    assert "Number and content of trainings, and number of participants disaggregated by age" in page
    assert "Kind: Count" in page
    assert "Breakdown: Disaggregated by age" in page
    assert "Baseline: Not set in the plan" in page
    assert "Target: Not set in the plan" in page
    page = text(client.get(reverse("plan:activity_detail", args=[SLUG, "5.1.1-1"])))
    assert "Disaggregated by sex and age" in page


def test_activity_page_shows_agencies_with_their_roles(client, plan):
    page = html(client.get(reverse("plan:activity_detail", args=[SLUG, "5.2.4-1"])))
    assert re.search(
        r'agencies/mod/">Ministry of Defense</a>\s*<span class="badge role-badge role-implementer">Implementing</span>',
        page,
    )
    assert re.search(
        r'agencies/ombudsman/">[^<]+</a>\s*<span class="badge role-badge role-recommended">Recommended</span>',
        page,
    )


def test_unnumbered_activity_says_so_and_shows_the_documents_note(client, plan):
    page = text(client.get(reverse("plan:activity_detail", args=[SLUG, "5.3.3-4"])))
    assert "Unnumbered activity" in page
    assert "The plan gives this activity no number." in page
    assert "Note on the source document" in page
    assert "without a number in the Indicators column" in page


def test_activity_key_with_dots_and_hyphens_resolves(client, plan):
    """5.3.2-3 is published as 5.3.1.3 (a defect of the document): the key finds it, the note explains."""
    url = reverse("plan:activity_detail", args=[SLUG, "5.3.2-3"])
    assert url == f"{PLAN_URL}activities/5.3.2-3/"
    page = text(client.get(url))
    assert "Activity 5.3.1.3" in page
    assert "Priority area: 5.3.2" in page
    assert "The document numbers this activity 5.3.1.3" in page


def test_activity_in_an_area_without_a_period_is_to_be_determined(client, plan):
    data = yaml.safe_load(MINIMAL_PLAN)
    del data["priority_areas"][1]["period"]
    plan_load(plan_file=PlanFile.model_validate(data))
    page = text(client.get(reverse("plan:activity_detail", args=["test-plan", "1.2.1-1"])))
    assert "Period: To be determined" in page
    assert "The plan gives no indicator for this activity." in page


# --- agencies ----------------------------------------------------------------------------------------


def test_agency_list_is_a_table_of_every_agency(client, plan):
    response = client.get(reverse("plan:agency_list", args=[SLUG]))
    page = html(response)
    assert "<caption" in page
    assert '<th scope="col">Agency</th>' in page
    assert page.count('<th scope="row">') == 16
    for key in (
        "scfwca",
        "scridp",
        "mod",
        "mia",
        "moe",
        "moj",
        "moh",
        "mlspp",
        "moec",
        "mof",
        "scwd",
        "ombudsman",
        "asan",
        "all-ministries-and-state-committees",
        "local-executive-authorities",
        "ngos",
    ):
        assert f'href="{PLAN_URL}agencies/{key}/"' in page
    assert "Also through: All ministries and state committees" in text(response)


def test_agency_page_lists_its_activities_by_role(client, plan):
    response = client.get(reverse("plan:agency_detail", args=[SLUG, "mod"]))
    page = html(response)
    implementing, recommended = page.split('id="recommended-heading"')
    assert f'href="{PLAN_URL}activities/5.1.2-1/"><span class="code">5.1.2.1</span>' in implementing
    assert "5.1.2" in re.findall(r'data-area="([^"]+)"', implementing)
    assert "None in this plan." in recommended
    assert "<h1>Ministry of Defense</h1>" in page


def test_recommended_partner_page_lists_areas_under_recommended(client, plan):
    page = html(client.get(reverse("plan:agency_detail", args=[SLUG, "ombudsman"])))
    _implementing, recommended = page.split('id="recommended-heading"')
    assert re.findall(r'data-area="([^"]+)"', recommended)
    assert "5.2.4" in re.findall(r'data-area="([^"]+)"', recommended)


def test_agency_page_includes_areas_through_a_collective_and_says_so(client, plan):
    response = client.get(reverse("plan:agency_detail", args=[SLUG, "moe"]))
    page = text(response)
    assert "5.2.6" in shown_areas(response)
    assert "This agency also takes part where the plan names “All ministries and state committees”." in page
    assert "Through “All ministries and state committees”" in page


def test_collective_page_lists_its_member_kinds_and_members(client, plan):
    response = client.get(reverse("plan:agency_detail", args=[SLUG, "all-ministries-and-state-committees"]))
    page = text(response)
    assert (
        "This is a collective implementer: it stands for every organisation of these kinds: Ministry, State committee."
        in page
    )
    assert f'href="{PLAN_URL}agencies/mod/">Ministry of Defense</a>' in html(response)
    assert f'href="{PLAN_URL}agencies/scridp/">' in html(response)
    assert f'href="{PLAN_URL}agencies/ombudsman/">' not in html(response).split('id="implementer-heading"')[0]
    assert shown_areas(response) == ["5.2.6"]


def test_organisation_outside_the_plan_has_no_agency_page(client, plan):
    Organisation.objects.create(country="AZ", key="outsider", name="Not in the plan", kind="ministry")
    assert client.get(reverse("plan:agency_detail", args=[SLUG, "outsider"])).status_code == 404


# --- timeline ----------------------------------------------------------------------------------------


def test_timeline_positions_bars_with_classes_and_has_a_table(client, plan):
    response = client.get(reverse("plan:timeline", args=[SLUG]))
    page = html(response)
    assert '<div class="tl-row tl-years-4">' in page
    assert f'<span class="tl-bar tl-start-1 tl-span-3">2020{DASH}2022</span>' in page  # 5.1.2
    assert f'<span class="tl-bar tl-start-1 tl-span-4">2020{DASH}2023</span>' in page  # 5.4.4
    assert '<span class="tl-bar tl-tbd tl-start-1 tl-span-4">To be determined</span>' in page  # 5.1.3
    assert "<caption" in page
    assert page.count('<th scope="row">') == 17
    assert '<th scope="col" class="text-center">2023</th>' in page
    assert "Period to be determined" in text(response)
    tbd = text(response).split("Period to be determined")[1]
    assert "5.1.3 Activities for peacekeepers" in tbd


# --- not found ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/plans/no-such-plan/",
        "/plans/no-such-plan/activities/5.1.1-1/",
        "/plans/no-such-plan/agencies/",
        "/plans/no-such-plan/agencies/mod/",
        "/plans/no-such-plan/timeline/",
        f"{PLAN_URL}activities/9.9.9-9/",
        f"{PLAN_URL}activities/5.1.1.1/",  # a published code, not a key
        f"{PLAN_URL}agencies/nobody/",
        "/no/such/page/",
    ],
)
def test_unknown_things_give_a_friendly_404(client, plan, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in html(response)
    assert 'href="/"' in html(response)


def test_server_error_page_renders_without_a_request():
    """Django renders 500.html with an empty context: it must not need the request."""
    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page
    assert "style=" not in page


# --- languages ---------------------------------------------------------------------------------------


def test_switching_language_shows_the_plans_azerbaijani_text(client, plan):
    response = client.post(reverse("set_language"), {"language": "az", "next": PLAN_URL})
    assert response.status_code == 302
    assert response["Location"] == PLAN_URL
    page = html(client.get(f"{PLAN_URL}agencies/mod/"))
    assert '<html lang="az"' in page
    assert "Müdafiə Nazirliyi" in page


def test_the_activity_page_lists_the_registries_serving_it_in_one_query(
    client, plan, make_user, django_assert_num_queries
):
    """Signed in, an activity page lists the registries serving it (plan/records.py) with their records,
    at the cost of one query for every registry; the public sees none of it (PAGES above)."""
    url = f"{PLAN_URL}activities/5.4.1-3/"
    sign_in(client, make_user("coordinator", "scfwca", "coord"))
    client.get(url)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert "Records kept for it" in text(response)
    assert "Media articles and broadcasts : 0 records" in text(response)
    assert "Records kept for it" not in text(Client().get(url))
