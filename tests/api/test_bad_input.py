"""Bad values in queries and bodies answer 400 naming the parameter, never a server error (issue 9,
item 5): years out of range and floats, Unicode digits that pass ``isdigit()`` and fail ``int()``, NUL
characters (which PostgreSQL refuses with an error), numbers beyond a float. Every answer under /api/ is
JSON in the one error body (``{"problems": [...]}``), 404 and 500 included; pages answer 400 or 404 with a
page."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from wpsnap.accounts.models import User
from wpsnap.plan.models import Plan
from wpsnap.registries.models import Event, Participation
from wpsnap.registries.services.events import EventInput, event_create
from wpsnap.reporting import services as reporting

from ..conftest import fields_of, messages_of, problems_of, sign_in
from ..registries.conftest import DISTRICTS
from . import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(az_plan) -> Plan:
    """The plan set up for reporting and events."""
    from wpsnap.registries.services.setup import events_setup, read_districts

    reporting.reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    return az_plan


@pytest.fixture
def people(plan, make_user) -> dict[str, User]:
    return {
        "focal": make_user("focal_point", "mod", "mod-focal"),
        "coordinator": make_user("coordinator", "scfwca", "coord"),
    }


@pytest.fixture
def focal(people) -> APIClient:
    return token_client(people["focal"])


@pytest.fixture
def coordinator(people) -> APIClient:
    return token_client(people["coordinator"])


@pytest.fixture
def counted_event(plan, people) -> Event:
    """A 2022 MoD training recorded by counts (no list)."""
    return event_create(
        actor=people["focal"],
        plan=plan,
        data=EventInput(
            kind="training",
            title="Counted training",
            starts_on=date(2022, 5, 10),
            ends_on=date(2022, 5, 10),
            activities=[plan.activities.get(code="5.1.2.3")],
            district="baku",
            participation=Participation.COUNTS,
        ),
    )


# --- numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["0", "-1", "99999999999999999999999999999", "2021.5", "1e3", "²", "١٢"])
def test_a_year_out_of_range_or_not_in_ascii_digits_is_refused_by_name(coordinator, year) -> None:
    """?year= takes a year from 1900 to 2100 in the digits 0-9; anything else answers 400 naming it
    (year 0 used to reach the date arithmetic of the lookup and answer 500)."""
    response = coordinator.get("/api/v1/events/", {"year": year})
    assert response.status_code == 400
    assert fields_of(response) == ["year"]


def test_a_year_in_range_filters(coordinator) -> None:
    """A good year still filters."""
    assert coordinator.get("/api/v1/events/", {"year": "2021"}).status_code == 200


@pytest.mark.parametrize("value", ["¹", "²", "١٢"])
def test_unicode_digits_name_no_period_or_activity(coordinator, value) -> None:
    """?period= and ?activity= take a label, a key or an id: digits other than 0-9 are none of these
    and find nothing (``"²".isdigit()`` is true and ``int("²")`` used to raise: 500)."""
    for path, name in (("/api/v1/reports/", "period"), ("/api/v1/events/", "activity")):
        response = coordinator.get(path, {name: value})
        assert response.status_code == 200, (path, response.content[:200])
        assert response.json()["results"] == []


def test_derived_values_refuse_a_period_that_is_not_an_id(coordinator) -> None:
    """/derived/?period=² answers 400 naming the period."""
    response = coordinator.get("/api/v1/derived/", {"period": "²", "agency": "mod"})
    assert response.status_code == 400
    assert fields_of(response) == ["period"]


def test_a_new_report_for_a_period_in_unicode_digits_is_refused_by_name(focal) -> None:
    """``"period": "²"`` in a new report names no period: 400 naming it, not 500."""
    response = focal.post("/api/v1/reports/", {"activity": "5.1.2-3", "period": "²"}, format="json")
    assert response.status_code == 400
    assert "period" in fields_of(response)


def test_counts_in_unicode_digits_are_refused_by_cell(focal, counted_event) -> None:
    """A count written "²" is not a whole number of people: 400 naming the cell, nothing saved."""
    cell = "sex:women|age:18-24"
    response = focal.put(
        f"/api/v1/events/{counted_event.pk}/counts/",
        {"counts": {cell: "²"}},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert problems_of(response)[0]["field"] == f"counts[{cell}]"
    assert "is not a whole number of people" in messages_of(response)[0]
    assert not counted_event.counts.exists()


def test_a_number_beyond_a_float_in_a_body_is_refused_by_place(focal, counted_event) -> None:
    """1e400 parses as infinity; the body is refused naming where it is."""
    response = focal.generic(
        "PUT",
        f"/api/v1/events/{counted_event.pk}/counts/",
        '{"counts": {"sex:women|age:18-24": 1e400}}',
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert fields_of(response) == ["counts[sex:women|age:18-24]"]


# --- NUL and other control characters ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/results/", "/api/v1/periods/", "/api/v1/events/", "/api/v1/reports/"]
)
def test_a_nul_in_a_query_is_refused_by_name(coordinator, path) -> None:
    """?plan=a%00b answers 400 naming the parameter before any query is made (PostgreSQL refuses NUL in
    text with an error, which answered 500)."""
    response = coordinator.get(f"{path}?plan=a%00b")
    assert response.status_code == 400
    assert fields_of(response) == ["plan"]


def test_a_nul_in_a_page_query_answers_a_400_page(client, people) -> None:
    """The periods page with ?plan=a%00b answers a 400 page naming the parameter."""
    sign_in(client, people["coordinator"])
    response = client.get("/reports/periods/?plan=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "<code>plan</code>" in response.content.decode()


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_nul_in_a_body_is_refused_by_place(coordinator, content_type) -> None:
    """``"organisation": "m\\u0000od"`` in an invitation is refused naming the field, before the
    serializer looks the organisation up."""
    body = {"email": "new@example.org", "first_name": "N", "last_name": "P", "role": "focal_point"}
    body["organisation"] = "m\x00od"
    response = coordinator.post("/api/v1/users/", body, format="json" if "json" in content_type else None)
    assert response.status_code == 400
    problems = problems_of(response)
    assert problems[0]["field"] == "organisation"
    assert "control character" in problems[0]["message"]
    assert not User.objects.filter(email="new@example.org").exists()


def test_a_nul_in_a_json_key_is_refused(focal, counted_event) -> None:
    """A NUL in a key of a body (here a cell's name) is refused too."""
    response = focal.put(
        f"/api/v1/events/{counted_event.pk}/counts/",
        {"counts": {"sex:wo\x00men": "3"}},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert fields_of(response) == ["counts[sex:wo\\x00men]"]


def test_a_nul_in_an_address_is_refused(client, plan) -> None:
    """A NUL in a part of an address that takes any text (an activity's key) answers 400 before the
    view looks the activity up (PostgreSQL answered 500), on pages and in the API."""
    page = client.get("/plans/az-2020-2023/activities/a%00b/")
    assert page.status_code == 400
    assert "<code>path</code> The address contains a control character" in page.content.decode()
    api = client.get("/api/v1/plans/a%00b/")
    assert api.status_code == 400
    assert fields_of(api) == ["path"]


# --- pages ------------------------------------------------------------------------------------------


def test_the_reports_page_with_a_period_in_unicode_digits_answers_404(client, people) -> None:
    """/reports/?period=² names no period: 404, as any other id that is not one (it answered 500)."""
    sign_in(client, people["focal"])
    assert client.get("/reports/", {"period": "²"}).status_code == 404


# --- every answer under /api/ is JSON ---------------------------------------------------------------


def test_an_unknown_api_address_answers_json_404(coordinator) -> None:
    """An address the API does not have answers 404 in the error body, not an HTML page, as an object not
    found does."""
    response = coordinator.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert problems_of(response) == [
        {"field": "path", "code": "not_found", "message": "The API has no such address; see /api/v1/docs/."}
    ]


def test_a_body_that_is_not_json_is_refused_in_the_error_shape(focal) -> None:
    """A body that does not parse answers 400 with the problem at ``body``, as the schema says, not DRF's
    ``{"detail": ...}``."""
    response = focal.generic("POST", "/api/v1/reports/", "\x00", content_type="application/json")
    assert response.status_code == 400
    [problem] = problems_of(response)
    assert (problem["field"], problem["code"]) == ("body", "parse_error")
    assert problem["message"].startswith("JSON parse error")


def test_an_unknown_page_still_answers_the_html_404(client) -> None:
    """Outside /api/ the styled page stays."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@override_settings(ROOT_URLCONF="tests.api.failing_urls")
def test_a_server_error_under_the_api_answers_json_500() -> None:
    """A view that fails answers 500 in the error body under /api/, and the HTML page elsewhere."""
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/fails/")
    assert response.status_code == 500
    assert [p["code"] for p in problems_of(response)] == ["server_error"]
    page = client.get("/fails/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
    assert "Something went wrong" in page.content.decode()


@override_settings(ROOT_URLCONF="tests.api.failing_urls")
def test_refused_input_a_page_did_not_catch_answers_400_with_its_message(client) -> None:
    """A parameter refused by the parsers in a page's view answers 400 with the message, not 500."""
    response = client.get("/refuses/")
    assert response.status_code == 400
    assert "<code>period</code> Give a whole number from 1 to 2147483647." in response.content.decode()
