"""Each of these registries is reachable from the activities it serves (issue 14): the page of 5.2.3.1
lists the peacebuilding actors, 5.2.6.1 the gender officers, 5.2.6.4 the publications, each with the
number of records and a link to the list filtered by the activity; the public sees none of them."""

from __future__ import annotations

from random import Random

import pytest
from django.urls import reverse

from wpsnap.registries.kinds.catalogue import kind_named
from wpsnap.registries.kinds.services import record_create

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

SERVED = {"5.2.3.1": "peacebuilding-actors", "5.2.6.1": "gender-officers", "5.2.6.4": "publications"}


def activity_page(plan, code):
    activity = plan.activities.get(code=code)
    return reverse("plan:activity_detail", kwargs={"slug": plan.slug, "key": activity.key})


@pytest.fixture
def recorded(events_plan, people):
    made = {}
    for code, name in SERVED.items():
        kind = kind_named(name)
        rng = Random(4)
        made[name] = [
            record_create(
                kind=kind,
                actor=people["focal"],
                plan=events_plan,
                values=kind.examples(rng) | {"activities": code},
            )
            for _ in range(2)
        ]
    return made


@pytest.mark.parametrize("who", ["evaluator", "other_focal"])
def test_each_activity_page_links_its_registry(client, events_plan, people, recorded, who):
    sign_in(client, people[who])
    for code, name in SERVED.items():
        body = client.get(activity_page(events_plan, code)).content.decode()
        kind = kind_named(name)
        assert str(kind.label_plural) in body, code
        assert f"/registries/{name}/?" in body, code
        # The other registries of this group do not serve it.
        for other in set(SERVED.values()) - {name}:
            assert f"/registries/{other}/?" not in body, (code, other)


def test_the_public_sees_no_registry(client, events_plan, recorded):
    for code, name in SERVED.items():
        response = client.get(activity_page(events_plan, code))
        body = response.content.decode() if response.status_code == 200 else ""
        assert f"/registries/{name}/" not in body
