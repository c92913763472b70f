"""The policy, workforce and resources registries by every path a person takes (pages, export, API):
signed-out visitors reach nothing; another agency's staff read the records (staff of every agency) and
change nothing of theirs; readers export them; lists, exports and the API read a fixed number of queries
whatever the number of records."""

from __future__ import annotations

from random import Random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wpsnap.registries.kinds.catalogue import kind_named
from wpsnap.registries.kinds.services import record_create

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

NAMES = (
    "policy-reviews",
    "policy-recommendations",
    "workforce-counts",
    "workforce-reviews",
    "projects",
    "idp-settlements",
)


# Queries of the list page, the CSV export and the API list, as an evaluator reads them (session, user,
# plan, records with their owners and activities, counts, menu; the settlements' list also reads the
# district names; the staff counts' list page and API list their share of women per level and year).
PINNED = {name: [9, 10, 5] for name in NAMES} | {
    "idp-settlements": [10, 10, 5],
    "workforce-counts": [10, 10, 6],
}


def page(name, kind_name, ref=None):
    kwargs = {"kind": kind_name} | ({"ref": ref} if ref is not None else {})
    return reverse(f"registry_kinds:{name}", kwargs=kwargs)


def api(kind_name, ref=None):
    return f"/api/v1/registries/{kind_name}/" + (f"{ref}/" if ref is not None else "")


def export(kind_name):
    return f"/exports/registries/{kind_name}/?plan=az-2020-2023&format=csv"


def make(kind_name, plan, actor, seed):
    """A record of the kind from its example (a recommendation's review made first; staff counts one per
    year, so that many of them never meet the one-row-per-level-and-year rule)."""
    kind = kind_named(kind_name)
    row = kind.examples(Random(seed)) | {"activities": kind.activity_codes[0]}
    if kind_name == "policy-reviews":
        row["document_agency"] = "Ministry of Internal Affairs"
    if kind_name == "policy-recommendations":
        review = make("policy-reviews", plan, actor, seed)
        row["review"] = str(review.ref)
    if kind_name == "workforce-counts":
        row["year"] = str(2000 + seed)
    return record_create(kind=kind, actor=actor, plan=plan, values=row)


@pytest.fixture
def mod_records(events_plan, people):
    """One record of each kind, kept by MoD (its focal point recorded them)."""
    return {name: make(name, events_plan, people["focal"], 1) for name in NAMES}


@pytest.mark.parametrize("kind_name", NAMES)
def test_signed_out_reach_nothing(client, mod_records, kind_name):
    ref = mod_records[kind_name].ref
    for url in (
        page("list", kind_name),
        page("create", kind_name),
        page("import", kind_name),
        page("detail", kind_name, ref),
        page("edit", kind_name, ref),
        export(kind_name),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in (api(kind_name), api(kind_name, ref)):
        assert client.get(url).status_code == 401, url


@pytest.mark.parametrize("kind_name", NAMES)
def test_another_agency_reads_but_does_not_change(client, people, mod_records, kind_name):
    """MIA's focal point reads MoD's records (staff statistics of every agency) and may not change them."""
    record = mod_records[kind_name]
    sign_in(client, people["other_focal"])
    listed = client.get(page("list", kind_name))
    assert listed.status_code == 200
    assert str(record.ref) in listed.content.decode()
    assert client.get(page("detail", kind_name, record.ref)).status_code == 200
    assert client.get(page("edit", kind_name, record.ref)).status_code == 403
    assert client.post(page("delete", kind_name, record.ref), {"version": record.version}).status_code == 403
    assert kind_named(kind_name).model.objects.filter(pk=record.pk).exists()
    assert client.get(api(kind_name, record.ref)).status_code == 200


@pytest.mark.parametrize("kind_name", NAMES)
@pytest.mark.parametrize("who", ("evaluator", "other_focal"))
def test_readers_export(client, people, mod_records, kind_name, who):
    sign_in(client, people[who])
    response = client.get(export(kind_name))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert str(mod_records[kind_name].ref).encode() in body


def _queries(client, url) -> int:
    client.get(url)  # the first request of a session fills caches the next ones read
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("kind_name", NAMES)
def test_queries_do_not_grow_with_records(client, events_plan, people, kind_name):
    """The list page, the export and the API list: the same number of queries for 2 records as for 6,
    pinned."""
    sign_in(client, people["evaluator"])
    counts = []
    for seed in range(6):
        make(kind_name, events_plan, people["focal"], seed)
        if seed in (1, 5):
            counts.append(
                [
                    _queries(client, url)
                    for url in (page("list", kind_name), export(kind_name), api(kind_name))
                ]
            )
    assert counts[0] == counts[1] == PINNED[kind_name]
