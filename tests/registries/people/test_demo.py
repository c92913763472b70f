"""The demo's people and publications registries (wpsnap/demo/registries_people.py): written through the
generic services by the demo writers, some people linked to the trainings their agency sees; a second
load writes nothing."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest

from wpsnap.demo.registries_people import load
from wpsnap.registries.gender_officers.models import GenderOfficer
from wpsnap.registries.models import Event
from wpsnap.registries.peacebuilding.models import PeacebuildingActor
from wpsnap.registries.permissions import events_visible_to
from wpsnap.registries.publications.models import Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def writers(make_user):
    return [
        make_user("coordinator", "scfwca", "coordinator"),
        make_user("focal_point", "mod", "mod.focal"),
        make_user("focal_point", "mia", "mia.focal"),
        make_user("focal_point", "scridp", "scridp.focal"),
        make_user("focal_point", "mlspp", "mlspp.focal"),
        make_user("ngo_contributor", "test-ngo", "ngo.contributor"),
    ]


@pytest.fixture
def trainings(events_plan, writers):
    """A peacebuilding training by MoD and a gender officers' training by the coordinator's committee."""
    made = []
    for org, code in ((writers[1].organisation, "5.2.3.2"), (writers[0].organisation, "5.2.6.2")):
        event = Event.objects.create(
            plan=events_plan,
            organiser=org,
            kind="training",
            title=f"Training for {code}",
            starts_on=date(2021, 4, 1),
            ends_on=date(2021, 4, 2),
        )
        event.activities.add(events_plan.activities.get(code=code))
        made.append(event)
    return made


def test_demo_records(events_plan, writers, trainings):
    result = load(events_plan, Random(11))
    # moe.focal is missing here: its officer and its two publications are skipped.
    assert result.skipped == 3
    assert result.actors == PeacebuildingActor.objects.count() > 0
    assert result.officers == GenderOfficer.objects.count() > 0
    assert result.publications == Publication.objects.count() > 0
    assert set(GenderOfficer.objects.values_list("owner__key", flat=True)) == {
        "mod",
        "mia",
        "scridp",
        "mlspp",
        "scfwca",
    }
    people = [*PeacebuildingActor.objects.all(), *GenderOfficer.objects.all()]
    assert all(record.retain_until is not None for record in people)
    assert all(record.activities.exists() for record in people)
    # Trainings only among the events the record's writer sees; some were linked.
    linked = 0
    for record in people:
        visible = set(events_visible_to(record.created_by).values_list("pk", flat=True))
        taken = set(record.trainings.values_list("pk", flat=True))
        assert taken <= visible
        linked += len(taken)
    assert linked > 0

    again = load(events_plan, Random(11))
    assert (again.actors, again.officers, again.publications) == (0, 0, 0)
    assert PeacebuildingActor.objects.count() == result.actors
