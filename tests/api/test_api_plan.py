"""The plan API: /api/v1/plans/ and /api/v1/organisations/ — public reads, drafts hidden, token auth."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework import serializers
from rest_framework.test import APIClient

from wpsnap.accounts.models import OrganisationKind, Role
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.plan.export import plan_export
from wpsnap.plan.models import Plan, PlanStatus
from wpsnap.plan.serializers import PlanDocumentSerializer

from ..conftest import fields_of
from . import organisation, person, token_client

pytestmark = pytest.mark.django_db

SLUG = "az-2020-2023"
PLANS = "/api/v1/plans/"
PLAN = f"/api/v1/plans/{SLUG}/"
ORGANISATIONS = "/api/v1/organisations/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Anonymous calls are throttled per address; each test starts with a clean count."""
    cache.clear()


@pytest.fixture
def draft(az_plan) -> Plan:
    Plan.objects.filter(pk=az_plan.pk).update(status=PlanStatus.DRAFT)
    return az_plan


def refusals() -> int:
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count()


# --- plans ------------------------------------------------------------------------------------------


def test_anonymous_lists_the_published_plans(az_plan, django_assert_num_queries) -> None:
    """Anyone lists the adopted plans with their summary and a link to each, in one query and a count."""
    with django_assert_num_queries(2):
        response = APIClient().get(PLANS)
    assert response.status_code == 200
    assert response.data["count"] == 1
    assert response.data["results"] == [
        {
            "slug": SLUG,
            "title": az_plan.title,
            "short_title": az_plan.short_title or None,
            "country": "AZ",
            "status": az_plan.status,
            "period": {"start": 2020, "end": 2023},
            "url": f"http://testserver{PLAN}",
        }
    ]


def test_anonymous_reads_the_whole_plan(az_plan, django_assert_num_queries) -> None:
    """A plan's detail is the export document: 4 pillars and 35 activities, in a fixed number of queries."""
    with django_assert_num_queries(10):
        response = APIClient().get(PLAN)
    assert response.status_code == 200
    document = response.json()
    assert len(document["pillars"]) == 4
    activities = [
        act
        for pillar in document["pillars"]
        for area in pillar["priority_areas"]
        for act in area["activities"]
    ]
    assert len(activities) == 35
    assert document == plan_export(az_plan)


def test_an_unknown_plan_is_404() -> None:
    """A slug no plan has answers 404."""
    assert APIClient().get("/api/v1/plans/no-such-plan/").status_code == 404


def test_a_draft_is_hidden_from_anonymous_callers(draft) -> None:
    """A draft plan is neither listed nor readable without a role that sees drafts; the attempt is audited."""
    client = APIClient()
    before = refusals()
    assert client.get(PLANS).data["count"] == 0
    assert client.get(PLAN).status_code == 404
    assert refusals() == before + 1
    event = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).latest("id")
    assert (event.object_type, event.object_id, event.path) == ("plan.plan", str(draft.pk), PLAN)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Role.COORDINATOR, True),
        (Role.EVALUATOR, True),
        (Role.APPROVER, False),
        (Role.FOCAL_POINT, False),
        (Role.NGO_CONTRIBUTOR, False),
    ],
)
def test_who_sees_a_draft(draft, role, sees) -> None:
    """Coordinators and evaluators list and read a draft; the other roles get 404, as anonymous callers do."""
    client = token_client(person("reader", role))
    assert client.get(PLANS).data["count"] == (1 if sees else 0)
    assert client.get(PLAN).status_code == (200 if sees else 404)


def test_a_draft_read_by_an_evaluator_is_the_whole_document(draft) -> None:
    """An evaluator reads the draft's full document, status included."""
    response = token_client(person("eva", Role.EVALUATOR)).get(PLAN)
    assert response.status_code == 200
    assert response.data["status"] == PlanStatus.DRAFT
    assert len(response.data["pillars"]) == 4


def test_a_token_authenticates_and_a_wrong_one_is_refused(az_plan) -> None:
    """The header `Authorization: Token <key>` works on the public endpoints too; a wrong key is 401
    (not silently anonymous), and the attempt is audited."""
    good = token_client(person("focal", Role.FOCAL_POINT))
    assert good.get(PLAN).status_code == 200
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    before = refusals()
    response = bad.get(PLANS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert refusals() == before + 1


# --- the schema's description of the document stays in step with the export ------------------------


def _shape(field: Any) -> Any:
    """The keys a serializer describes, nested as the document nests them."""
    if isinstance(field, serializers.ListSerializer):
        return [_shape(field.child)]
    if isinstance(field, serializers.Serializer):
        return {name: _shape(child) for name, child in field.fields.items()}
    return None


def _document_shape(value: Any, described: Any) -> Any:
    """The keys of the document, walked where the description expects nesting."""
    if isinstance(described, dict) and isinstance(value, dict):
        return {key: _document_shape(value[key], described.get(key)) for key in value}
    if isinstance(described, list) and isinstance(value, list):
        shapes = [_document_shape(item, described[0]) for item in value]
        return [shapes[0]] if shapes else described
    if isinstance(described, dict | list) and value is None:
        return described  # a nullable object that is empty here
    return None


def test_the_documented_shape_matches_the_export(az_plan) -> None:
    """Every key the export writes is described in the schema, and nothing else."""
    described = _shape(PlanDocumentSerializer())
    assert _document_shape(plan_export(az_plan), described) == described


# --- organisations ----------------------------------------------------------------------------------


def test_anonymous_lists_the_plans_organisations(az_plan, django_assert_num_queries) -> None:
    """The agencies of visible plans are public, with their kind; organisations outside every plan are not listed."""
    organisation(OrganisationKind.NGO, key="test-outsider")
    with django_assert_num_queries(2):
        response = APIClient().get(ORGANISATIONS)
    assert response.status_code == 200
    keys = {row["key"] for row in response.data["results"]}
    assert keys == {o.key for o in az_plan.agencies.all()} | {az_plan.coordinator.key}
    assert "test-outsider" not in keys
    assert set(response.data["results"][0]) == {
        "id",
        "key",
        "name",
        "short_name",
        "kind",
        "member_kinds",
        "country",
    }


def test_organisations_filter_by_kind(az_plan) -> None:
    """`?kind=` lists the organisations of that kind only; collectives say which kinds they stand for."""
    response = APIClient().get(ORGANISATIONS, {"kind": OrganisationKind.COLLECTIVE})
    assert response.status_code == 200
    rows = response.data["results"]
    assert rows
    assert {row["kind"] for row in rows} == {OrganisationKind.COLLECTIVE}
    assert all(row["member_kinds"] for row in rows)


def test_an_unknown_kind_is_refused_naming_the_filter(az_plan) -> None:
    """A kind that does not exist is 400 with the problem named by the parameter."""
    response = APIClient().get(ORGANISATIONS, {"kind": "guild"})
    assert response.status_code == 400
    assert fields_of(response)[0] == "kind"


def test_a_drafts_organisations_are_hidden_from_anonymous_callers(draft) -> None:
    """Only the organisations of plans the caller may see are listed."""
    assert APIClient().get(ORGANISATIONS).data["count"] == 0
    assert token_client(person("eva", Role.EVALUATOR)).get(ORGANISATIONS).data["count"] > 0
