"""The people and publications registries by every path a person takes (pages, export, API): signed-out
visitors and the public reach nothing; another agency's staff read the people (staff of every agency) but
change nothing of theirs; people's rows leave the platform only by a coordinator's hand; the trainings a
form offers and takes are the writer's visible events only. Lists of people read their trainings along
(a fixed number of queries, pinned)."""

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

NAMES = ("peacebuilding-actors", "gender-officers", "publications")
SECRET = "Sevinj Secretname"
# The list of peacebuilding actors as an evaluator sees it (session, user, plan, organisations, activities,
# the count, the records, their activities and trainings, the districts).
PINNED_LIST_QUERIES = 11


def page(name, kind_name, ref=None):
    kwargs = {"kind": kind_name} | ({"ref": ref} if ref is not None else {})
    return reverse(f"registry_kinds:{name}", kwargs=kwargs)


def api(kind_name, ref=None):
    return f"/api/v1/registries/{kind_name}/" + (f"{ref}/" if ref is not None else "")


def export(kind_name):
    return f"/exports/registries/{kind_name}/?plan=az-2020-2023&format=csv"


def values(kind_name, seed=1, **changes):
    kind = kind_named(kind_name)
    row = kind.examples(Random(seed)) | {"activities": kind.activity_codes[0]}
    if kind_name == "peacebuilding-actors":
        row |= {"actor_type": "individual", "sex": "women", "affiliation": "", "consent": "yes"}
    if "name" in row:
        row["name"] = SECRET
    return row | changes


@pytest.fixture
def mod_records(events_plan, people):
    """One record of each kind, kept by MoD (its focal point recorded them)."""
    return {
        name: record_create(
            kind=kind_named(name), actor=people["focal"], plan=events_plan, values=values(name)
        )
        for name in NAMES
    }


@pytest.mark.parametrize("kind_name", NAMES)
def test_signed_out_reach_nothing(client, mod_records, kind_name):
    ref = mod_records[kind_name].ref
    for url in (
        page("list", kind_name),
        page("create", kind_name),
        page("import", kind_name),
        page("template_csv", kind_name),
        page("detail", kind_name, ref),
        page("edit", kind_name, ref),
        page("delete", kind_name, ref),
        export(kind_name),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in (api(kind_name), api(kind_name, ref)):
        response = client.get(url)
        assert response.status_code == 401, url
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize("kind_name", NAMES)
def test_another_agency_reads_but_does_not_change(client, people, mod_records, kind_name):
    """MIA's focal point reads MoD's people (staff of every agency), and may not change them."""
    record = mod_records[kind_name]
    sign_in(client, people["other_focal"])
    listed = client.get(page("list", kind_name))
    assert listed.status_code == 200
    assert str(record.ref) in listed.content.decode()
    detail = client.get(page("detail", kind_name, record.ref))
    assert detail.status_code == 200
    if kind_name != "publications":
        assert SECRET in detail.content.decode()
        assert record.code in detail.content.decode()
    assert client.get(page("edit", kind_name, record.ref)).status_code == 403
    assert client.post(page("delete", kind_name, record.ref), {"version": record.version}).status_code == 403
    assert kind_named(kind_name).model.objects.filter(pk=record.pk).exists()
    assert client.get(api(kind_name, record.ref)).status_code == 200


@pytest.mark.parametrize(
    ("kind_name", "who", "status"),
    [
        ("peacebuilding-actors", "focal", 403),
        ("peacebuilding-actors", "evaluator", 403),
        ("peacebuilding-actors", "coordinator", 200),
        ("gender-officers", "focal", 403),
        ("gender-officers", "coordinator", 200),
        ("publications", "other_focal", 200),
        ("publications", "evaluator", 200),
    ],
)
def test_export(client, people, mod_records, kind_name, who, status):
    """People's rows are exported by coordinators only; publications by whoever reads them."""
    sign_in(client, people[who])
    response = client.get(export(kind_name))
    assert response.status_code == status
    if status == 200:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert str(mod_records[kind_name].ref).encode() in body


def test_the_form_offers_only_visible_trainings(client, events_plan, people, training):
    """MIA's focal point is not offered MoD's training, and a form naming it saves nothing."""
    kind = kind_named("peacebuilding-actors")
    sign_in(client, people["other_focal"])
    form = client.get(page("create", kind.name))
    assert form.status_code == 200
    assert training.title not in form.content.decode()
    posted = values(kind.name, trainings=str(training.pk))
    data = {k: v for k, v in posted.items() if k not in ("fields", "needs", "activities", "trainings")}
    data |= {
        "fields": posted["fields"].split("; "),
        "needs": [n for n in posted["needs"].split("; ") if n],
        "activities": ["5.2.3.1"],
        "trainings": [str(training.pk)],
    }
    response = client.post(page("create", kind.name), data)
    assert response.status_code == 400
    assert not kind.model.objects.exists()
    # MoD's own focal point is offered it, and it is linked.
    client.logout()
    sign_in(client, people["focal"])
    assert training.title in client.get(page("create", kind.name)).content.decode()
    response = client.post(page("create", kind.name), data)
    assert response.status_code == 302
    assert list(kind.model.objects.get().trainings.all()) == [training]


def _list_queries(client, url) -> int:
    client.get(url)  # the first request of a session fills caches the next ones read
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind_name", ("peacebuilding-actors", "gender-officers"))
def test_list_queries_do_not_grow(client, events_plan, people, training, kind_name):
    """The list of people reads their owners, activities and trainings along: the same number of queries
    for 2 records as for 8, each with a training."""
    kind = kind_named(kind_name)
    sign_in(client, people["evaluator"])
    counts = []
    for seed in range(8):
        record_create(
            kind=kind,
            actor=people["focal"],
            plan=events_plan,
            values=values(kind_name, seed, trainings=str(training.pk), name=f"Person {seed}"),
        )
        if seed in (1, 7):
            counts.append(_list_queries(client, page("list", kind_name)))
    assert counts[0] == counts[1]
    assert counts[0] <= 20


def test_list_query_count_pinned(client, events_plan, people, training, django_assert_num_queries):
    kind = kind_named("peacebuilding-actors")
    for seed in range(3):
        record_create(
            kind=kind,
            actor=people["focal"],
            plan=events_plan,
            values=values(kind.name, seed, trainings=str(training.pk), name=f"Person {seed}"),
        )
    sign_in(client, people["evaluator"])
    client.get(page("list", kind.name))  # warm the caches a first request fills
    with django_assert_num_queries(PINNED_LIST_QUERIES):
        assert client.get(page("list", kind.name)).status_code == 200
