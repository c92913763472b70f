"""The activity page lists the registries serving the activity (plan/records.py, kinds/selectors.py):
the kinds declared for it and those with records linked to it, with the records the viewer may see,
each linking to its filtered list; nothing for the public; a fixed number of queries."""

from __future__ import annotations

from random import Random

import pytest

from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.selectors import activity_registries
from wpsnap.registries.kinds.services import record_create

from ..conftest import sign_in
from .conftest import example_row

pytestmark = pytest.mark.django_db

URL = "/plans/az-2020-2023/activities/5.4.1-3/"


@pytest.fixture
def items(events_plan, people):
    kind = catalogue.kind_named("media-items")
    rng = Random(3)
    for actor in (people["focal"], people["focal"], people["other_focal"]):
        record_create(
            kind=kind, actor=actor, plan=events_plan, values=example_row(kind, rng, events_plan, actor)
        )
    return kind


def test_staff_see_the_media_registry_with_its_count(client, items, people, django_assert_num_queries):
    activity = items.model.objects.first().plan.activities.get(code="5.4.1.3")
    found = {link.label: link for link in activity_registries(activity, people["focal"])}
    assert found["Media articles and broadcasts"].count == 3
    assert found["Media outlets"].count == 3  # the outlets the items were made with
    assert (
        "/registries/media-items/?plan=az-2020-2023&activity=5.4.1.3"
        in found["Media articles and broadcasts"].link
    )
    sign_in(client, people["focal"])
    client.get(URL)
    with django_assert_num_queries(QUERIES_SIGNED_IN):
        page = client.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Records kept for it" in text
    assert "Media articles and broadcasts</a>: 3 records" in text


def test_the_public_sees_no_registry(client, items):
    page = client.get(URL).content.decode()
    assert "Records kept for it" not in page
    from django.contrib.auth.models import AnonymousUser

    activity = items.model.objects.first().plan.activities.get(code="5.4.1.3")
    assert activity_registries(activity, AnonymousUser()) == []


def test_an_activity_shows_a_registry_with_records_linked_to_it(items, events_plan, people):
    other = events_plan.activities.get(code="5.1.2.3")
    assert not any(
        link.label == "Media articles and broadcasts" for link in activity_registries(other, people["focal"])
    )
    record = items.model.objects.first()
    record.activities.add(other)
    [link] = [
        link
        for link in activity_registries(other, people["focal"])
        if link.label == "Media articles and broadcasts"
    ]
    assert link.count == 1


# The page's own 8 for a signed-in person (session, user, plan, activity, indicators, assignments), the
# gate's look-up of the plan's authorities for the women candidates' registry (3: once a request), and
# one query counting every registry's records.
QUERIES_SIGNED_IN = 12
