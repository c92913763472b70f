"""A registry's API (issue 14), /api/v1/registries/<name>/: list and read as the gate allows, create
(values as the files write them, each problem named by its column), change with If-Match (428 without,
409 with both values when stale), delete, import a file (409 for the same file again unless
allow_duplicate); the schema names every path and a component per kind."""

from __future__ import annotations

import io

import pytest
from rest_framework.test import APIClient

from ...conftest import problems_of
from .conftest import add_records, kind
from .test_import import csv_file

pytestmark = pytest.mark.django_db

BASE = "/api/v1/registries/publications/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_and_read_a_record(people, publications, django_assert_num_queries) -> None:
    client = api(people["other_focal"])
    with django_assert_num_queries(3):
        response = client.get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["results"][0]
    assert set(first) >= {"record_id", "version", "plan", "owner", "activities", "title", "audience"}
    assert first["owner"] == "mod" and first["activities"] == ["5.2.6.4"]
    one = client.get(f"{BASE}{first['record_id']}/")
    assert one.status_code == 200 and one["ETag"] == f'"{first["version"]}"'
    # 30 records cost the same queries as 3.
    add_records("publications", people["focal"], publications[0].plan, 27, seed=5)
    with django_assert_num_queries(3):
        assert client.get(BASE).json()["count"] == 30


def test_create_names_each_problem_by_its_column_and_saves_nothing(people, events_plan) -> None:
    from wpsnap.registries.publications.models import Publication

    client = api(people["focal"])
    response = client.post(
        BASE,
        {"title": "", "material_type": "nothing", "published_on": "2021-02-30", "audience": ["youth"]},
        format="json",
    )
    assert response.status_code == 400
    fields = {p["field"] for p in problems_of(response)}
    assert {"title", "material_type", "published_on"} <= fields
    refused = client.post(BASE, {"title": "A", "created_by": 1}, format="json")
    assert refused.status_code == 400 and "created_by" in {p["field"] for p in problems_of(refused)}
    assert Publication.objects.count() == 0

    made = client.post(
        BASE,
        {
            "title": "Guide",
            "material_type": "guide",
            "published_on": "2021-02-03",
            "audience": ["youth"],
            "activities": ["5.2.6.4"],
            "copies": 10,
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["owner"] == "mod" and made.json()["copies"] == 10
    assert Publication.objects.get().title == "Guide"


def test_a_change_needs_if_match_and_a_stale_one_is_refused_with_both_values(people, publications) -> None:
    from wpsnap.registries.kinds.services import record_update

    record = publications[0]
    client = api(people["focal"])
    address = f"{BASE}{record.ref}/"
    assert client.patch(address, {"title": "Mine"}, format="json").status_code == 428
    version = record.version
    record_update(
        kind=kind("publications"),
        actor=people["coordinator"],
        record=record,
        values={"title": "Theirs"},
        version=None,
    )
    stale = client.patch(address, {"title": "Mine"}, format="json", HTTP_IF_MATCH=f'"{version}"')
    assert stale.status_code == 409
    body = stale.json()
    assert body["conflicts"] == [{"field": "title", "current": "Theirs", "yours": "Mine"}]
    # Another column: merged with the other write.
    merged = client.patch(address, {"summary": "New"}, format="json", HTTP_IF_MATCH=f'"{version}"')
    assert merged.status_code == 200
    assert (merged.json()["title"], merged.json()["summary"]) == ("Theirs", "New")
    assert merged["ETag"] == f'"{merged.json()["version"]}"'
    # Another agency may read it, not change it.
    other = api(people["other_focal"]).patch(address, {"title": "X"}, format="json", HTTP_IF_MATCH="*")
    assert other.status_code == 403


def test_delete_with_if_match(people, publications) -> None:
    from wpsnap.registries.publications.models import Publication

    record = publications[0]
    client = api(people["focal"])
    assert client.delete(f"{BASE}{record.ref}/").status_code == 428
    assert client.delete(f"{BASE}{record.ref}/", HTTP_IF_MATCH=f'"{record.version}"').status_code == 204
    assert not Publication.objects.filter(pk=record.pk).exists()


def test_legal_aid_is_not_found_by_another_agency(people, events_plan) -> None:
    records = add_records("legal-aid", people["focal"], events_plan, 1)
    client = api(people["other_focal"])
    assert client.get("/api/v1/registries/legal-aid/").json()["count"] == 0
    assert client.get(f"/api/v1/registries/legal-aid/{records[0].ref}/").status_code == 404
    assert api(people["evaluator"]).get("/api/v1/registries/legal-aid/").status_code == 403


def test_import_a_file_then_the_same_file_again(people, events_plan) -> None:
    from wpsnap.registries.publications.models import Publication

    client = api(people["focal"])
    content = csv_file("publications", 3, activities="5.2.6.4")

    def send(**extra):
        upload = io.BytesIO(content)
        upload.name = "materials.csv"
        return client.post(f"{BASE}import/", {"file": upload, **extra}, format="multipart")

    first = send()
    assert first.status_code == 201 and first.json() == {"created": 3, "updated": 0, "unchanged": 0}
    again = send()
    assert again.status_code == 409
    assert (
        problems_of(again)[0]["code"] == "duplicate" and "allow_duplicate" in problems_of(again)[0]["message"]
    )
    assert send(allow_duplicate="true").status_code == 201
    assert Publication.objects.count() == 6


def test_the_schema_has_the_paths_and_a_component_per_kind(people) -> None:
    from wpsnap.registries.kinds import catalogue

    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    for registry in catalogue.kinds():
        assert f"/api/v1/registries/{registry.name}/" in schema["paths"]
        assert f"/api/v1/registries/{registry.name}/{{record_id}}/" in schema["paths"]
    component = schema["components"]["schemas"]["PublicationsRecord"]
    assert {"record_id", "title", "audience", "published_on"} <= set(component["properties"])
    assert schema["components"]["schemas"]["PublicationsRecord"]["properties"]["audience"]["type"] == "array"
