"""What every list of the API shares (``wpsnap.accounts.filters``): pages of 100 that refuse a page they do
not have with 400 naming ``page``, ``?ordering=`` on indexed keys only (400 naming ``ordering`` for any
other), and the filters of the lists that had none: people by role, organisation and status; plans by
country, status and year; organisations by key and plan."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from wpsnap.accounts.models import Organisation, Role

from ..conftest import fields_of
from . import person, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Refusals are throttled per address; each test starts with a clean count."""
    cache.clear()


@pytest.fixture
def coordinator(az_plan) -> APIClient:
    mod = Organisation.objects.get(country="AZ", key="mod")
    person("mod-focal", Role.FOCAL_POINT, org=mod)
    person("mod-approver", Role.APPROVER, org=mod)
    person("eval", Role.EVALUATOR)
    return token_client(person("coord", Role.COORDINATOR))


def test_people_filter_by_role_organisation_and_status(coordinator) -> None:
    """The coordinator finds MoD's people with ``?organisation=mod``, the focal points with ``?role=``;
    ``?is_active=false`` lists nobody while everyone is active; a role that is none is 400."""
    mod = coordinator.get("/api/v1/users/", {"organisation": "mod"}).json()["results"]
    assert sorted(row["username"] for row in mod) == ["mod-approver", "mod-focal"]
    focal = coordinator.get("/api/v1/users/", {"role": "focal_point"}).json()["results"]
    assert [row["username"] for row in focal] == ["mod-focal"]
    assert coordinator.get("/api/v1/users/", {"is_active": "false"}).json()["count"] == 0
    refused = coordinator.get("/api/v1/users/", {"role": "king"})
    assert refused.status_code == 400
    assert fields_of(refused) == ["role"]


def test_people_order_by_name_or_id_and_nothing_else(coordinator) -> None:
    """``?ordering=-username`` reverses the default order by user name; ``?ordering=email`` is refused
    with 400 naming ``ordering`` (no index serves it)."""
    names = [row["username"] for row in coordinator.get("/api/v1/users/").json()["results"]]
    assert names == sorted(names)
    backwards = coordinator.get("/api/v1/users/", {"ordering": "-username"}).json()["results"]
    assert [row["username"] for row in backwards] == list(reversed(names))
    ids = [row["id"] for row in coordinator.get("/api/v1/users/", {"ordering": "-id"}).json()["results"]]
    assert ids == sorted(ids, reverse=True)
    refused = coordinator.get("/api/v1/users/", {"ordering": "email"})
    assert refused.status_code == 400
    assert fields_of(refused) == ["ordering"]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/users/", "/api/v1/audit/", "/api/v1/events/", "/api/v1/topics/", "/api/v1/periods/"],
)
def test_every_list_refuses_a_page_it_does_not_have(coordinator, url) -> None:
    """Past the last page, page 0 or a page that is not a whole number: 400 naming ``page``."""
    for page in ("50", "0", "-1", "x"):
        response = coordinator.get(url, {"page": page})
        assert response.status_code == 400, (url, page)
        assert fields_of(response) == ["page"]
    assert coordinator.get(url, {"page": "1"}).status_code == 200


def test_plans_filter_by_country_status_and_year(az_plan) -> None:
    """The adopted plan is found by its country, status and a year it runs in, and not by others."""
    client = APIClient()
    assert client.get("/api/v1/plans/", {"country": "AZ", "year": 2021}).json()["count"] == 1
    assert client.get("/api/v1/plans/", {"year": 2030}).json()["count"] == 0
    assert client.get("/api/v1/plans/", {"status": az_plan.status}).json()["count"] == 1
    refused = client.get("/api/v1/plans/", {"year": "twenty"})
    assert refused.status_code == 400
    assert fields_of(refused) == ["year"]


def test_organisations_filter_by_plan_and_key(az_plan) -> None:
    """``?plan=`` lists the plan's agencies and coordinator; ``?key=`` one of them."""
    client = APIClient()
    keys = {
        row["key"] for row in client.get("/api/v1/organisations/", {"plan": az_plan.slug}).json()["results"]
    }
    assert keys == {o.key for o in az_plan.agencies.all()} | {az_plan.coordinator.key}
    assert client.get("/api/v1/organisations/", {"plan": "no-such-plan"}).json()["count"] == 0
    mod = client.get("/api/v1/organisations/", {"key": "mod"}).json()["results"]
    assert [row["key"] for row in mod] == ["mod"]
