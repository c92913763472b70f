"""The candidate and legal-aid records are invisible to every other agency and to the public, by every path
there is: the gate, the scope, the registries' index, list (and its search), detail, edit and delete
pages, the export, the API, the portal's search; evaluators get counts only. The people who may see them
do (so that the refusals are not vacuous).

A record is "seen" when any of its personal values, its record id or its number is in an answer."""

from __future__ import annotations

from urllib.parse import unquote_plus, urlencode

import pytest
from django.test import Client
from django.urls import reverse

from wpsnap.accounts import permissions
from wpsnap.registries.kinds.selectors import records_visible_to

from ..conftest import sign_in
from .conftest import make_record

pytestmark = pytest.mark.django_db

NAME = "Gulnar Probeyeva"
CONTACT = "probe.contact@example.org"
CODE = "PRB-2022-0917"

# Who must not see the candidates: agencies the plan does not name for 5.2.1.2, an NGO, evaluators (counts
# only); and who must not see MoJ's legal aid: another provider (MLSPP also implements 5.3.3), the
# recruiting authorities, an NGO, evaluators (counts only).
CANDIDATE_OUTSIDERS = ("moj_focal", "moj_approver", "mlspp_focal", "mlspp_approver", "ngo", "evaluator")
LEGAL_AID_OUTSIDERS = (
    "mlspp_focal",
    "mlspp_approver",
    "mia_focal",
    "mia_approver",
    "mod_focal",
    "ngo",
    "evaluator",
)


@pytest.fixture
def records(events_plan, staff, candidates_kind, legal_aid_kind):
    candidate = make_record(
        candidates_kind, events_plan, staff["mia_focal"], full_name=NAME, contact=CONTACT, seed=11
    )
    service = make_record(legal_aid_kind, events_plan, staff["moj_focal"], beneficiary_code=CODE, seed=12)
    return {"candidates": candidate, "legal-aid": service}


def secrets_of(kind, record) -> list[str]:
    """What must not reach an outsider: the personal values, the record id, the number."""
    values = [str(record.ref), str(getattr(record, kind.title_field))]
    for column in kind.columns:
        value = getattr(record, column.field)
        if column.personal and value not in (None, ""):
            values.append(str(value))
    return values


def paths_of(kind, record) -> list[tuple[str, str]]:
    """Every address that could show the record (those that exist in this installation), each with the
    search words it carries (a page may repeat what it was asked: that is no leak)."""
    ref = record.ref
    words = [str(getattr(record, kind.title_field))] + [
        str(getattr(record, c.field)) for c in kind.columns if c.personal and getattr(record, c.field)
    ]
    listing = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    export = reverse("registry_exports:table_registry", kwargs={"kind": kind.name})
    found = [
        (reverse("registry_kinds:index"), ""),
        (listing, ""),
        *((f"{listing}?{urlencode({'q': word})}", word) for word in words),
        (reverse("registry_kinds:detail", kwargs={"kind": kind.name, "ref": ref}), ""),
        (reverse("registry_kinds:edit", kwargs={"kind": kind.name, "ref": ref}), ""),
        (reverse("registry_kinds:delete", kwargs={"kind": kind.name, "ref": ref}), ""),
        (f"{export}?format=csv", ""),
        (f"{export}?format=xlsx", ""),
        (f"/api/v1/registries/{kind.name}/", ""),
        (f"/api/v1/registries/{kind.name}/{ref}/", ""),
        *((f"/api/v1/registries/{kind.name}/?{urlencode({'q': word})}", word) for word in words),
    ]
    return found


def answer_text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_unseen(client: Client, kind, record) -> None:
    secrets = secrets_of(kind, record)
    for address, asked in paths_of(kind, record):
        response = client.get(address)
        # 400: the API refuses names in the address of a personal registry (searched by POST).
        assert response.status_code in (200, 302, 400, 401, 403, 404, 405), (address, response.status_code)
        text = answer_text(response)
        for secret in secrets:
            # A page may repeat its own address (the language switch does): what was asked is no leak.
            if secret != asked and secret not in unquote_plus(address):
                assert secret not in text, (address, response.status_code)


def assert_unseen_by_search(client: Client, kind, record) -> None:
    """The POST searches (page and API) by each personal value find nothing for an outsider."""
    secrets = secrets_of(kind, record)
    listing = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    for word in secrets[1:]:
        for address in (listing, f"/api/v1/registries/{kind.name}/search/"):
            response = client.post(address, {"q": word})
            assert response.status_code in (200, 302, 401, 403, 404), (address, response.status_code)
            assert str(record.ref) not in answer_text(response), address


def assert_seen(client: Client, kind, record) -> None:
    """The record's page, the list searched by its title and the API show it (the paths the outsiders
    are refused are real)."""
    title = str(getattr(record, kind.title_field))
    listing = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    for address in (
        reverse("registry_kinds:detail", kwargs={"kind": kind.name, "ref": record.ref}),
        f"/api/v1/registries/{kind.name}/{record.ref}/",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        assert str(record.ref) in answer_text(response), address
    # Names and codes are searched by POST (never in an address): the page's search and the API's.
    for address, body in ((listing, {"q": title}), (f"/api/v1/registries/{kind.name}/search/", {"q": title})):
        response = client.post(address, body)
        assert response.status_code == 200, address
        assert str(record.ref) in answer_text(response), address


@pytest.mark.parametrize("who", CANDIDATE_OUTSIDERS)
def test_candidates_invisible_to_other_agencies(client, records, staff, candidates_kind, who):
    user = staff[who]
    record = records["candidates"]
    for verb in ("list", "view", "edit", "delete", "export"):
        assert not permissions.can(user, candidates_kind.action(verb), record)
    assert record not in records_visible_to(candidates_kind, user)
    sign_in(client, user)
    assert_unseen(client, candidates_kind, record)
    assert_unseen_by_search(client, candidates_kind, record)


@pytest.mark.parametrize("who", LEGAL_AID_OUTSIDERS)
def test_legal_aid_invisible_to_other_agencies(client, records, staff, legal_aid_kind, who):
    user = staff[who]
    record = records["legal-aid"]
    # "list" is theirs (their own services); the scope leaves MoJ's out.
    for verb in ("view", "edit", "delete", "export"):
        assert not permissions.can(user, legal_aid_kind.action(verb), record)
    assert record not in records_visible_to(legal_aid_kind, user)
    sign_in(client, user)
    assert_unseen(client, legal_aid_kind, record)
    assert_unseen_by_search(client, legal_aid_kind, record)


@pytest.mark.parametrize("name", ["candidates", "legal-aid"])
def test_invisible_to_the_public(client, records, name):
    """A visitor is sent to sign in or refused everywhere, and the portal's search finds nothing."""
    from wpsnap.registries.kinds import catalogue

    kind = catalogue.kind_named(name)
    record = records[name]
    assert_unseen(client, kind, record)
    secrets = secrets_of(kind, record)
    for asked in secrets:
        for lang in ("az", "en", "ru"):
            text = answer_text(client.get(reverse("portal:search", kwargs={"lang": lang}), {"q": asked}))
            # The page repeats what it was asked (its box, its links in other languages): nothing else.
            assert [secret for secret in secrets if secret != asked and secret in text] == []


def test_evaluators_get_counts_only(client, records, staff, candidates_kind, legal_aid_kind):
    """An evaluator may count both registries (the counts page) and nothing more."""
    evaluator = staff["evaluator"]
    sign_in(client, evaluator)
    for kind in (candidates_kind, legal_aid_kind):
        assert permissions.can(evaluator, kind.action("counts"))
        assert not permissions.can(evaluator, kind.action("list"))
        response = client.get(reverse("registry_kinds:list", kwargs={"kind": kind.name}))
        assert response.status_code == 200
        for secret in secrets_of(kind, records[kind.name]):
            assert secret not in answer_text(response)


def test_the_people_who_may_see_do(client, records, staff, candidates_kind, legal_aid_kind):
    """Both authorities see the candidate (one database), the provider its service, coordinators both;
    only the coordinator may export candidates person by person, nobody legal aid."""
    for who in ("mia_focal", "mia_approver", "mod_focal"):
        assert records["candidates"] in records_visible_to(candidates_kind, staff[who])
        assert_seen(sign_in(Client(), staff[who]), candidates_kind, records["candidates"])
    for who in ("moj_focal", "moj_approver"):
        assert records["legal-aid"] in records_visible_to(legal_aid_kind, staff[who])
        assert_seen(sign_in(Client(), staff[who]), legal_aid_kind, records["legal-aid"])
    coordinator = staff["coordinator"]
    assert_seen(sign_in(Client(), coordinator), candidates_kind, records["candidates"])
    assert_seen(sign_in(Client(), coordinator), legal_aid_kind, records["legal-aid"])
    assert permissions.can(coordinator, candidates_kind.action("export"))
    assert not permissions.can(staff["mia_focal"], candidates_kind.action("export"))
    for user in staff.values():
        assert not permissions.can(user, legal_aid_kind.action("export"))
