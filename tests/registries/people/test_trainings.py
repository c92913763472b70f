"""Trainings taken (an EVENTS column of peacebuilding actors and gender officers) link a record to the
events its writer may see, by event number: an agency's event reaches its own staff, its partners and
coordinators; another agency's writer cannot link it, or learn that it exists (the refusal is the same as
for a number no event has)."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.kinds.catalogue import kind_named
from wpsnap.registries.kinds.columns import clean_values, parse_value

pytestmark = pytest.mark.django_db

KINDS = ("peacebuilding-actors", "gender-officers")


def trainings(kind_name, plan, user, text):
    kind = kind_named(kind_name)
    return parse_value(kind.column("trainings"), text, plan=plan, user=user, model=kind.model)


def refusal(kind_name, plan, user, text):
    with pytest.raises(InvalidInput) as refused:
        trainings(kind_name, plan, user, text)
    return [(p.field, p.code) for p in refused.value.problems]


@pytest.mark.parametrize("kind_name", KINDS)
@pytest.mark.parametrize("who", ["focal", "coordinator"])
def test_visible_event_links(kind_name, events_plan, people, training, who):
    assert trainings(kind_name, events_plan, people[who], f"{training.pk}") == [training]


@pytest.mark.parametrize("kind_name", KINDS)
def test_other_agencys_event_refused(kind_name, events_plan, people, training):
    """MIA's writer cannot link MoD's training: refused as if it did not exist."""
    assert refusal(kind_name, events_plan, people["other_focal"], str(training.pk)) == [
        ("trainings", "not_found")
    ]
    assert refusal(kind_name, events_plan, people["other_focal"], "999999") == [("trainings", "not_found")]


@pytest.mark.parametrize("kind_name", KINDS)
def test_partner_sees_and_links(kind_name, events_plan, people, training):
    """A partner organisation of the event sees it, so its writer may link it."""
    training.partners.add(people["other_focal"].organisation)
    assert trainings(kind_name, events_plan, people["other_focal"], str(training.pk)) == [training]


@pytest.mark.parametrize("kind_name", KINDS)
def test_several_events_one_refused_names_it(kind_name, events_plan, people, training):
    """In a list of numbers, the one the writer may not see is named; nothing is linked."""
    from wpsnap.registries.models import Event

    theirs = Event.objects.create(
        plan=events_plan,
        organiser=people["other_focal"].organisation,
        kind="training",
        title="Negotiation skills",
        starts_on=date(2021, 6, 1),
        ends_on=date(2021, 6, 2),
    )
    kind = kind_named(kind_name)
    row = kind.examples(Random(5)) | {"trainings": f"{training.pk}; {theirs.pk}"}
    with pytest.raises(InvalidInput) as refused:
        clean_values(kind, events_plan, row, user=people["focal"])
    [problem] = refused.value.problems
    assert problem.field == "trainings"
    assert str(theirs.pk) in problem.message
    assert trainings(kind_name, events_plan, people["other_focal"], str(theirs.pk)) == [theirs]
