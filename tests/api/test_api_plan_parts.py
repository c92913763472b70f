"""The plan's parts one by one: /api/v1/pillars/, /objectives/, /expected-results/, /priority-areas/,
/activities/, /indicators/, /assignments/ and one organisation. Public like their plan, a draft's parts
hidden (404), paged, filtered and ordered on indexed keys only, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from wpsnap.accounts.models import Role
from wpsnap.plan.models import Activity, Assignment, Indicator, Plan, PlanStatus

from ..conftest import fields_of
from . import person, token_client

pytestmark = pytest.mark.django_db

PARTS = {
    "pillars": "Pillar",
    "objectives": "Objective",
    "expected-results": "ExpectedResult",
    "priority-areas": "PriorityArea",
    "activities": "Activity",
    "indicators": "Indicator",
    "assignments": "Assignment",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Anonymous calls are throttled per address; each test starts with a clean count."""
    cache.clear()


@pytest.mark.parametrize("name", list(PARTS))
def test_anyone_lists_and_reads_each_part_of_a_published_plan(
    az_plan, name, django_assert_num_queries
) -> None:
    """Each list answers the plan's parts with their ids, paged with a count, in two queries (the count
    and the page, with what each row names joined in); each row's detail reads the same."""
    with django_assert_num_queries(2):
        response = APIClient().get(f"/api/v1/{name}/", {"plan": az_plan.slug})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]) or body["count"] > 100
    assert body["count"] > 0
    first = body["results"][0]
    assert first["plan"] == az_plan.slug
    detail = APIClient().get(f"/api/v1/{name}/{first['id']}/")
    assert detail.status_code == 200
    assert detail.json() == first


def test_the_activity_list_pages_by_100_and_filters(az_plan) -> None:
    """The plan's activities come 100 a page; filters by pillar, priority area, key and agency narrow the
    list to what they name."""
    total = Activity.objects.filter(plan=az_plan).count()
    response = APIClient().get("/api/v1/activities/", {"plan": az_plan.slug})
    assert response.json()["count"] == total
    assert len(response.json()["results"]) == min(total, 100)
    activity = Activity.objects.filter(plan=az_plan, code="5.1.2.3").select_related("priority_area").get()
    by_key = APIClient().get("/api/v1/activities/", {"key": activity.key}).json()
    assert [row["code"] for row in by_key["results"]] == ["5.1.2.3"]
    area = APIClient().get("/api/v1/activities/", {"priority_area": activity.priority_area.code}).json()
    assert {row["priority_area"] for row in area["results"]} == {activity.priority_area.code}
    assert activity.key in {row["key"] for row in area["results"]}
    agency = Assignment.objects.filter(plan=az_plan).select_related("agency").first()
    assert agency is not None
    assigned = APIClient().get("/api/v1/activities/", {"agency": agency.agency.key}).json()
    assert assigned["count"] >= 1


def test_indicators_filter_by_activity_and_kind(az_plan) -> None:
    """``?activity=`` gives that activity's indicators; ``?kind=`` those of one kind; a kind that is not
    one is refused with 400 naming ``kind``."""
    indicator = (
        Indicator.objects.filter(plan=az_plan, activity__isnull=False).select_related("activity").first()
    )
    assert indicator is not None
    rows = APIClient().get("/api/v1/indicators/", {"activity": indicator.activity.key}).json()["results"]
    assert indicator.key in {row["key"] for row in rows}
    assert {row["activity"] for row in rows} == {indicator.activity.key}
    counts = APIClient().get("/api/v1/indicators/", {"kind": "count"}).json()["results"]
    assert counts and {row["kind"] for row in counts} == {"count"}
    refused = APIClient().get("/api/v1/indicators/", {"kind": "many"})
    assert refused.status_code == 400
    assert fields_of(refused) == ["kind"]


def test_ordering_is_on_indexed_keys_only(az_plan) -> None:
    """``?ordering=id`` and ``-id`` reverse each other; an order on anything else (the text) is refused
    with 400 naming ``ordering`` rather than silently ignored."""
    up = [row["id"] for row in APIClient().get("/api/v1/pillars/", {"ordering": "id"}).json()["results"]]
    down = [row["id"] for row in APIClient().get("/api/v1/pillars/", {"ordering": "-id"}).json()["results"]]
    assert up == sorted(up) and down == list(reversed(up))
    keys = [
        row["key"] for row in APIClient().get("/api/v1/indicators/", {"ordering": "key"}).json()["results"]
    ]
    assert keys == sorted(keys)
    refused = APIClient().get("/api/v1/activities/", {"ordering": "text"})
    assert refused.status_code == 400
    assert fields_of(refused) == ["ordering"]


def test_a_page_past_the_last_is_refused_naming_page(az_plan) -> None:
    """A page that is not there, or not a whole number, answers 400 naming ``page`` (not DRF's 404)."""
    for page in ("999", "0", "two", "1.0"):
        response = APIClient().get("/api/v1/pillars/", {"page": page})
        assert response.status_code == 400, page
        assert fields_of(response) == ["page"]
    assert APIClient().get("/api/v1/pillars/", {"page": "1"}).status_code == 200


def test_a_drafts_parts_are_seen_only_by_those_who_see_drafts(az_plan) -> None:
    """Once the plan is a draft, its parts leave the lists of the public and of agencies, and each
    answers 404 to them (the attempt audited); coordinators and evaluators still read them."""
    activity = Activity.objects.filter(plan=az_plan).first()
    assert activity is not None
    Plan.objects.filter(pk=az_plan.pk).update(status=PlanStatus.DRAFT)
    focal = token_client(person("focal", Role.FOCAL_POINT))
    evaluator = token_client(person("evaluator", Role.EVALUATOR))
    for client in (APIClient(), focal):
        assert client.get("/api/v1/activities/").json()["count"] == 0
        assert client.get(f"/api/v1/activities/{activity.pk}/").status_code == 404
    assert evaluator.get(f"/api/v1/activities/{activity.pk}/").status_code == 200
    assert evaluator.get("/api/v1/activities/").json()["count"] > 0


def test_one_organisation_by_id(az_plan) -> None:
    """An agency of the plan is read at its id, as the list shows it; one outside every plan is 404."""
    listed = APIClient().get("/api/v1/organisations/", {"key": az_plan.coordinator.key}).json()["results"]
    assert [row["key"] for row in listed] == [az_plan.coordinator.key]
    detail = APIClient().get(f"/api/v1/organisations/{listed[0]['id']}/")
    assert detail.status_code == 200
    assert detail.json() == listed[0]
    outsider = person("outsider", Role.NGO_CONTRIBUTOR).organisation
    assert APIClient().get(f"/api/v1/organisations/{outsider.pk}/").status_code == 404
