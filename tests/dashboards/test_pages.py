"""The dashboard pages: who may open them (every role, each with the exact status), whose figures each
sees and is told about, who is shown whom to chase, and the filters: a value that is not one of the
plan's answers 400 naming the parameter."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

PAGES = ("", "people/", "financing/", "indicators/")
ROLES = ("coordinator", "evaluator", "mod_approver", "mod", "ngo")


def url(plan, page: str = "", query: str = "") -> str:
    return f"/plans/{plan.slug}/dashboard/{page}" + (f"?{query}" if query else "")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_opens_every_page(plan, people, role, page) -> None:
    """Coordinators, evaluators, approvers, focal points and NGO contributors each get the page (200),
    with the dashboards' sub-navigation and the filters."""
    response = sign_in(Client(), people[role]).get(url(plan, page))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-label="Dashboards"' in body
    assert 'name="period"' in body and 'name="pillar"' in body


@pytest.mark.parametrize("page", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(plan, page) -> None:
    """An anonymous visitor is redirected to the sign-in page, which brings them back."""
    response = Client().get(url(plan, page))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url(plan, page)}"


def test_the_start_leads_to_the_newest_plans_dashboard(plan, people) -> None:
    """/dashboard/ redirects a signed-in person to the newest plan's overview, and an anonymous one to
    sign in."""
    response = sign_in(Client(), people["mod"]).get("/dashboard/")
    assert (response.status_code, response["Location"]) == (302, url(plan))
    assert Client().get("/dashboard/")["Location"].startswith("/accounts/login/")


def test_the_navigation_offers_the_dashboard_to_the_signed_in(plan, people) -> None:
    """The main navigation links to the dashboard for anyone signed in, never for an anonymous visitor."""
    signed_in = sign_in(Client(), people["mod"]).get(f"/plans/{plan.slug}/").content.decode()
    assert f'href="{url(plan)}"' in signed_in
    assert "/dashboard/" not in Client().get(f"/plans/{plan.slug}/").content.decode()


@pytest.mark.parametrize(
    ("role", "whose"),
    [
        ("coordinator", "These are the whole plan's figures, from every agency."),
        ("evaluator", "These are the whole plan's figures, from every agency."),
        ("mod", "These are the figures of MoD only"),
        ("mod_approver", "These are the figures of MoD only"),
    ],
)
def test_each_page_says_whose_figures_it_shows(plan, people, role, whose) -> None:
    """Coordinators and evaluators are told they see the whole plan, an agency's people that they see
    their agency's figures only."""
    for page in PAGES:
        body = sign_in(Client(), people[role]).get(url(plan, page)).content.decode()
        assert whose in html.unescape(body), page


def test_an_agencys_people_see_their_agency_alone(plan, people) -> None:
    """MoD's focal point is offered no other agency to filter by, and the compliance table lists MoD
    alone; another agency's id is refused, naming the parameter."""
    from wpsnap.accounts.models import Organisation

    client = sign_in(Client(), people["mod"])
    response = client.get(url(plan))
    page = response.context["page"]
    # Focal points have their own workspace, not the reports browser: the agency is named, not linked.
    assert {row[0] for row in page.compliance[0].table.rows} == {"MoD"}
    assert 'name="agency"' not in response.content.decode()
    mia = Organisation.objects.get(country="AZ", key="mia")
    refused = client.get(url(plan, query=f"agency={mia.pk}"))
    assert refused.status_code == 400
    assert "<code>agency</code>" in refused.content.decode()


@pytest.mark.parametrize(
    ("role", "shown"), [("coordinator", True), ("evaluator", False), ("mod_approver", False)]
)
def test_who_to_chase_is_for_coordinators(plan, people, role, shown) -> None:
    """The coordinator sees, for each agency with overdue reports, its focal points by name with a mailto
    link; evaluators and approvers do not."""
    body = sign_in(Client(), people[role]).get(url(plan)).content.decode()
    assert ("Who to chase" in body) is shown
    assert ('href="mailto:mod-focal@example.org"' in body) is shown


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("period=abc", "period"),
        ("period=999999", "period"),
        ("period=1.0", "period"),
        ("pillar=-1", "pillar"),
        ("pillar=999999", "pillar"),
        ("agency=%D9%A1%D9%A2", "agency"),
        ("agency=999999", "agency"),
    ],
)
def test_bad_filter_values_answer_400_naming_the_parameter(plan, people, page, query, name) -> None:
    """A value that is not a whole number, or names no period, pillar or agency of those offered, is
    refused with 400 and the parameter's name, never a server error or an empty dashboard."""
    response = sign_in(Client(), people["coordinator"]).get(url(plan, page, query))
    assert response.status_code == 400
    assert f"<code>{name}</code>" in response.content.decode()


@pytest.mark.parametrize("query", ["district=nowhere", "district=" + "x" * 300])
def test_an_unknown_district_is_refused_where_districts_filter(plan, people, query) -> None:
    """The people page filters event figures by district: a code the plan does not have answers 400
    naming ``district``."""
    response = sign_in(Client(), people["coordinator"]).get(url(plan, "people/", query))
    assert response.status_code == 400
    assert "<code>district</code>" in response.content.decode()


def test_good_filters_are_kept_in_the_sub_navigation(plan, people) -> None:
    """The filters chosen stay chosen in the form and follow the sub-navigation to the other pages."""
    period = plan.reporting_periods.get(label="2021")
    pillar = plan.pillars.order_by("position").first()
    body = sign_in(Client(), people["coordinator"]).get(
        url(plan, query=f"period={period.pk}&pillar={pillar.pk}")
    )
    text = body.content.decode()
    assert body.status_code == 200
    assert f'<option value="{period.pk}" selected>' in text
    assert f'href="{url(plan, "people/")}?period={period.pk}&amp;pillar={pillar.pk}"' in text


def test_a_draft_plans_dashboard_is_hidden_from_agencies(plan, people) -> None:
    """A draft plan's dashboard is 404 to an agency's people (it is outside their scope) and opens for a
    coordinator."""
    from wpsnap.plan.models import PlanStatus

    plan.status = PlanStatus.DRAFT
    plan.save(update_fields=["status"])
    assert sign_in(Client(), people["mod"]).get(url(plan)).status_code == 404
    assert sign_in(Client(), people["coordinator"]).get(url(plan)).status_code == 200
