"""Searching a personal registry by name goes through POST (security-and-disclosure row 28: no personal
data in addresses or query strings): the list page's words search is a POST form (CSRF) answered with the
first page of what matches, ``?q=`` is ignored there; the API refuses ``?q=`` with 400 naming ``q`` and
searches by POST to ``search/`` (in the schema). Registries without personal data keep ``GET ?q=``."""

from __future__ import annotations

from random import Random

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from wpsnap.registries.kinds import catalogue, views
from wpsnap.registries.kinds.services import record_create

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

FIRST = "Aytan Axtarova"
SECOND = "Nigar Sorğuyeva"


def _kind(name: str):
    found = catalogue.kind_named(name)
    assert found is not None
    return found


@pytest.fixture
def candidates(events_plan, make_user):
    """Two women candidates recorded by MIA (an authority of 5.2.1.2), and MIA's focal point."""
    kind = _kind("candidates")
    writer = make_user("focal_point", "mia", "mia-writer")
    made = [
        record_create(
            kind=kind,
            actor=writer,
            plan=events_plan,
            values={**kind.examples(Random(seed)), "full_name": name},
        )
        for seed, name in ((1, FIRST), (2, SECOND))
    ]
    return kind, writer, made


def _refs(text: str, records) -> set[str]:
    return {str(r.ref) for r in records if str(r.ref) in text}


def test_the_list_ignores_q_in_the_address_of_a_personal_registry(client, candidates) -> None:
    kind, writer, made = candidates
    sign_in(client, writer)
    listing = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    response = client.get(listing, {"q": FIRST})
    assert response.status_code == 200
    # Not filtered: both records, and the words are not echoed in a field of the GET form.
    assert _refs(response.content.decode(), made) == {str(r.ref) for r in made}
    page = response.content.decode()
    assert 'method="post"' in page and 'id="search-form"' in page and "csrfmiddlewaretoken" in page
    assert f'value="{FIRST}"' not in page


def test_the_list_searches_by_post_with_the_first_page(client, candidates, django_assert_num_queries) -> None:
    kind, writer, made = candidates
    sign_in(client, writer)
    listing = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    client.get(listing)  # warm the session and the plan's caches
    with django_assert_num_queries(13):
        response = client.post(f"{listing}?plan={made[0].plan.slug}", {"q": FIRST})
    assert response.status_code == 200
    text = response.content.decode()
    assert _refs(text, made) == {str(made[0].ref)}
    assert response["Cache-Control"] == "private, no-store"
    # Nothing of the search in the addresses the page links to (paging, export).
    assert "q=" not in text.replace('name="q"', "")


def test_a_post_search_without_the_csrf_token_is_refused(candidates) -> None:
    kind, writer, made = candidates
    client = sign_in(Client(enforce_csrf_checks=True), writer)
    listing = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    response = client.post(listing, {"q": FIRST})
    assert response.status_code == 403
    assert str(made[0].ref) not in response.content.decode()


def test_more_than_a_page_found_by_post_says_so(client, candidates, monkeypatch) -> None:
    kind, writer, made = candidates
    monkeypatch.setattr(views, "PER_PAGE", 1)
    sign_in(client, writer)
    listing = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    response = client.post(listing, {"q": "va"})  # both names end so
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="search-more"' in text and len(_refs(text, made)) == 1


def test_a_registry_without_people_keeps_get_q_and_refuses_post(client, events_plan, make_user) -> None:
    kind = _kind("media-outlets")
    assert not kind.personal
    writer = make_user("focal_point", "mod", "mod-writer")
    made = [
        record_create(kind=kind, actor=writer, plan=events_plan, values=kind.examples(Random(seed)))
        for seed in (1, 2)
    ]
    title = getattr(made[0], kind.title_field)
    sign_in(client, writer)
    listing = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    response = client.get(listing, {"q": title})
    assert response.status_code == 200
    assert str(made[0].ref) in response.content.decode()
    assert 'id="search-form"' not in response.content.decode()
    assert client.post(listing, {"q": title}).status_code == 405
    api = APIClient()
    api.force_authenticate(writer)
    found = api.get(f"/api/v1/registries/{kind.name}/", {"q": title})
    assert found.status_code == 200
    assert str(made[0].ref) in {row["record_id"] for row in found.json()["results"]}


def test_the_api_refuses_q_in_the_address_of_a_personal_registry(candidates) -> None:
    kind, writer, _made = candidates
    api = APIClient()
    api.force_authenticate(writer)
    response = api.get(f"/api/v1/registries/{kind.name}/", {"q": FIRST})
    assert response.status_code == 400
    assert '"q"' in response.content.decode()
    assert FIRST not in response.content.decode()


def test_the_api_searches_a_personal_registry_by_post(candidates, django_assert_num_queries) -> None:
    kind, writer, made = candidates
    api = APIClient()
    api.force_authenticate(writer)
    address = f"/api/v1/registries/{kind.name}/search/"
    with django_assert_num_queries(3):  # as the list: the user, the count, the page
        response = api.post(address, {"q": FIRST}, format="json")
    assert response.status_code == 200
    assert [row["record_id"] for row in response.json()["results"]] == [str(made[0].ref)]
    assert "no-store" in response["Cache-Control"]
    empty = api.post(address, {}, format="json")
    assert empty.status_code == 400 and '"q"' in empty.content.decode()
    assert api.get(address).status_code == 405  # never answered by GET


def test_the_search_follows_the_gate(candidates, make_user) -> None:
    """Another agency (not named for 5.2.1.2), an evaluator and a signed-out caller find nothing."""
    kind, _writer, made = candidates
    address = f"/api/v1/registries/{kind.name}/search/"
    assert APIClient().post(address, {"q": FIRST}, format="json").status_code == 401
    for role, org in (("focal_point", "moj"), ("evaluator", "test-evaluators")):
        api = APIClient()
        api.force_authenticate(make_user(role, org, f"search-{role}"))
        response = api.post(address, {"q": FIRST}, format="json")
        assert response.status_code == 403
        assert str(made[0].ref) not in response.content.decode()


def test_the_schema_documents_the_search(events_plan) -> None:
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    for kind in catalogue.kinds():
        assert "post" in schema["paths"][f"/api/v1/registries/{kind.name}/search/"]
        parameters = schema["paths"][f"/api/v1/registries/{kind.name}/"]["get"].get("parameters", [])
        assert any(p["name"] == "q" for p in parameters) is (not kind.personal), kind.name


def test_the_export_of_a_personal_registry_ignores_q_in_its_address(client, candidates, make_user) -> None:
    kind, _writer, made = candidates
    sign_in(client, make_user("coordinator"))
    response = client.get(
        f"/exports/registries/{kind.name}/", {"plan": "az-2020-2023", "format": "csv", "q": FIRST}
    )
    assert response.status_code == 200
    text = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else response.content.decode("utf-8-sig")
    )
    # Not filtered by the words: both candidates are in the file.
    assert _refs(text, made) == {str(r.ref) for r in made}
