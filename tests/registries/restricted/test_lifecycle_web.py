"""Consent withdrawal and erasure on request from the record page and the API (kinds/lifecycle_views.py):
offered to whoever the gate allows, a confirmation page then a POST (CSRF), back to the list with counts
only; refused 403 (404 outside what one may see); the API's withdraw-consent/ (204) and erase/ (200
``{"deleted": n}``, 400 naming ``reason``); audit lines without personal data."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from wpsnap.core.models import AuditEvent
from wpsnap.registries.candidates.models import Candidate
from wpsnap.registries.legal_aid.models import LegalAidService

from ..conftest import sign_in
from .conftest import make_record

pytestmark = pytest.mark.django_db

NAME = "Aytən Sınaqlı"  # noqa: RUF001 - an Azerbaijani name
CODE = "BAK-2023-0777"


@pytest.fixture
def people(staff, make_user):
    """The roles the brief names: coordinator, the owner's approver, another agency, evaluator."""
    return {**staff, "mod_approver": make_user("approver", "mod", "mod-approver")}


@pytest.fixture
def candidate(events_plan, people, candidates_kind):
    return make_record(candidates_kind, events_plan, people["mia_focal"], full_name=NAME, seed=21)


@pytest.fixture
def services(events_plan, people, legal_aid_kind):
    """Two of MoJ's services to one beneficiary, one to another, and MLSPP's to the same code."""
    moj = people["moj_focal"]
    return [
        make_record(legal_aid_kind, events_plan, moj, beneficiary_code=CODE, seed=31),
        make_record(legal_aid_kind, events_plan, moj, beneficiary_code=CODE, seed=32),
        make_record(legal_aid_kind, events_plan, moj, beneficiary_code="BAK-2023-0001", seed=33),
        make_record(legal_aid_kind, events_plan, people["mlspp_focal"], beneficiary_code=CODE, seed=34),
    ]


def page(name: str, kind: str, record) -> str:
    return reverse(f"registry_kinds:{name}", kwargs={"kind": kind, "ref": record.ref})


def signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def audit_since(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def audit_text(lines: list[AuditEvent]) -> str:
    return json.dumps(
        [
            [line.actor_label, line.object_label, line.object_id, line.changes, line.path, line.note]
            for line in lines
        ],
        ensure_ascii=False,
        default=str,
    )


# --- the record page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "withdraw", "erase"),
    [
        ("coordinator", True, True),
        ("mia_approver", True, True),  # the owner's approver
        ("mia_focal", True, False),  # the owner's focal point takes the call, cannot erase
        ("mod_approver", False, False),  # another agency (sees the record: also a recruiting authority)
    ],
)
def test_the_record_page_offers_what_the_gate_allows(people, candidate, who, withdraw, erase) -> None:
    response = signed_in(people[who]).get(page("detail", "candidates", candidate))
    assert response.status_code == 200
    text = response.content.decode()
    assert (page("withdraw_consent", "candidates", candidate) in text) is withdraw
    assert (page("erase", "candidates", candidate) in text) is erase


def test_a_registry_without_consent_offers_only_erasure(people, services) -> None:
    record = services[0]
    text = signed_in(people["moj_approver"]).get(page("detail", "legal-aid", record)).content.decode()
    assert page("erase", "legal-aid", record) in text
    assert "withdraw-consent" not in text
    with pytest.raises(NoReverseMatch):
        page("withdraw_consent", "legal-aid", record)
    assert (
        api(people["coordinator"])
        .post(f"/api/v1/registries/legal-aid/{record.ref}/withdraw-consent/")
        .status_code
        == 404
    )


def test_consent_withdrawn_from_the_page(people, candidate, django_assert_num_queries) -> None:
    """GET asks, POST deletes the record and returns to the list with a count; the audit line names the
    record's number, never the person."""
    client = signed_in(people["mia_focal"])
    address = page("withdraw_consent", "candidates", candidate)
    client.get(address)  # warm the session
    with django_assert_num_queries(6):
        response = client.get(address)
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    since = last_audit_id()
    response = client.post(address)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("registry_kinds:list", kwargs={"kind": "candidates"}))
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Consent withdrawn: 1 record deleted."]
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    lines = audit_since(since)
    assert [(line.note, line.changes) for line in lines] == [
        ("consent withdrawn", [{"field": "records", "old": 1, "new": 0}])
    ]
    assert NAME not in audit_text(lines)


def test_erase_from_the_page(people, services, django_assert_num_queries) -> None:
    """The owner's approver chooses a reason; every MoJ record of the beneficiary goes (not MLSPP's);
    the message gives the count; no reason: 400 naming it, nothing deleted."""
    client = signed_in(people["moj_approver"])
    address = page("erase", "legal-aid", services[0])
    client.get(address)
    with django_assert_num_queries(4):
        response = client.get(address)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="reason"' in text and "person_request" in text

    refused = client.post(address, {"reason": "because"})
    assert refused.status_code == 400 and 'id="reason-error"' in refused.content.decode()
    assert LegalAidService.objects.count() == 4

    since = last_audit_id()
    response = client.post(address, {"reason": "person_request"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Erased: 2 records deleted."]
    left = set(LegalAidService.objects.values_list("pk", flat=True))
    assert left == {services[2].pk, services[3].pk}
    lines = audit_since(since)
    assert [(line.note, line.changes) for line in lines] == [
        ("erasure: person_request", [{"field": "records", "old": 2, "new": 0}])
    ]
    assert CODE not in audit_text(lines)


@pytest.mark.parametrize(
    ("who", "name", "expected"),
    [
        ("evaluator", "erase", 403),
        ("evaluator", "withdraw_consent", 403),
        ("mod_approver", "erase", 403),  # another authority: sees the record, may not
        ("mod_approver", "withdraw_consent", 403),
        ("mlspp_approver", "erase", 404),  # outside what they may see
        ("mia_focal", "erase", 403),
    ],
)
def test_the_pages_refuse(people, candidate, who, name, expected) -> None:
    client = signed_in(people[who])
    address = page(name, "candidates", candidate)
    assert client.get(address).status_code == expected
    assert client.post(address, {"reason": "person_request"}).status_code == expected
    assert Candidate.objects.filter(pk=candidate.pk).exists()


def test_the_pages_refuse_the_signed_out_a_missing_record_and_a_post_without_csrf(people, candidate) -> None:
    for name in ("erase", "withdraw_consent"):
        address = page(name, "candidates", candidate)
        response = Client().post(address, {"reason": "person_request"})
        assert response.status_code == 302 and "login" in response["Location"]
        missing = reverse(f"registry_kinds:{name}", kwargs={"kind": "candidates", "ref": uuid.uuid4()})
        assert signed_in(people["coordinator"]).get(missing).status_code == 404
        strict = Client(enforce_csrf_checks=True)
        sign_in(strict, people["coordinator"])
        assert strict.post(address, {"reason": "person_request"}).status_code == 403
    assert Candidate.objects.filter(pk=candidate.pk).exists()


# --- the API ----------------------------------------------------------------------------------------------


def test_api_consent_withdrawn(people, candidate, django_assert_num_queries) -> None:
    client = api(people["mia_approver"])
    since = last_audit_id()
    with django_assert_num_queries(13):
        response = client.post(f"/api/v1/registries/candidates/{candidate.ref}/withdraw-consent/")
    assert response.status_code == 204
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert NAME not in audit_text(audit_since(since))


def test_api_erase(people, services, django_assert_num_queries) -> None:
    client = api(people["coordinator"])
    address = f"/api/v1/registries/legal-aid/{services[0].ref}/erase/"
    for body in ({}, {"reason": "because"}):
        response = client.post(address, body, format="json")
        assert response.status_code == 400
        assert [p["field"] for p in response.json()["problems"]] == ["reason"]
    since = last_audit_id()
    with django_assert_num_queries(10):
        response = client.post(address, {"reason": "recorded_in_error"}, format="json")
    assert response.status_code == 200 and response.json() == {"deleted": 2}
    assert LegalAidService.objects.count() == 2
    lines = audit_since(since)
    assert [line.note for line in lines] == ["erasure: recorded_in_error"]
    assert CODE not in audit_text(lines)


@pytest.mark.parametrize(
    ("who", "kind", "verb", "expected"),
    [
        ("evaluator", "candidates", "erase", 403),
        ("evaluator", "candidates", "withdraw-consent", 403),
        ("mod_approver", "candidates", "erase", 403),
        ("mod_approver", "candidates", "withdraw-consent", 403),
        ("mlspp_approver", "legal-aid", "erase", 404),  # another provider: outside what they see
        ("moj_focal", "legal-aid", "erase", 403),
        (None, "candidates", "erase", 401),
        (None, "candidates", "withdraw-consent", 401),
    ],
)
def test_api_refuses(people, candidate, services, who, kind, verb, expected) -> None:
    record = candidate if kind == "candidates" else services[0]
    response = api(people[who] if who else None).post(
        f"/api/v1/registries/{kind}/{record.ref}/{verb}/", {"reason": "person_request"}, format="json"
    )
    assert response.status_code == expected
    assert Candidate.objects.count() == 1 and LegalAidService.objects.count() == 4


def test_api_missing_record(people, candidate) -> None:
    for verb in ("erase", "withdraw-consent"):
        response = api(people["coordinator"]).post(
            f"/api/v1/registries/candidates/{uuid.uuid4()}/{verb}/",
            {"reason": "person_request"},
            format="json",
        )
        assert response.status_code == 404


def test_the_schema_documents_the_steps(events_plan) -> None:
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    erase = paths["/api/v1/registries/candidates/{record_id}/erase/"]["post"]
    assert set(erase["responses"]) >= {"200", "400", "403", "404"}
    assert "reason" in json.dumps(erase["requestBody"]) or "reason" in json.dumps(schema["components"])
    assert "204" in paths["/api/v1/registries/candidates/{record_id}/withdraw-consent/"]["post"]["responses"]
    assert "/api/v1/registries/legal-aid/{record_id}/erase/" in paths
    assert "/api/v1/registries/legal-aid/{record_id}/withdraw-consent/" not in paths
    assert "/api/v1/registries/media-items/{record_id}/erase/" not in paths
