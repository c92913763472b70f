"""Each kind's examples generator draws rows its own columns accept: read by ``clean_values`` (as an
import, a form or the API reads them) and stored without breaking a database rule; written back by
``format_value`` they read as the same values (the export imports back). The checks across columns
(``validate``) refuse what a single column cannot see, naming the column."""

from __future__ import annotations

from random import Random

import pytest

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.kinds.columns import clean_values, format_value, input_columns

from .conftest import organisation

pytestmark = pytest.mark.django_db

SEEDS = range(40)


def problems_of(kind, plan, row, user):
    try:
        clean_values(kind, plan, row, user=user)
    except InvalidInput as refused:
        return {(p.field, p.code) for p in refused.problems}
    return set()


def store(kind, plan, values, owner):
    many = {f: v for f, v in values.items() if isinstance(v, list) and f in ("activities", "trainings")}
    plain = {f: v for f, v in values.items() if f not in many}
    record = kind.model.objects.create(plan=plan, owner=owner, **plain)
    for field, items in many.items():
        getattr(record, field).set(items)
    return record


def test_examples_are_valid_records(kind, events_plan, people):
    """Forty drawn rows of each kind read without a problem and store without breaking a constraint."""
    rng = Random(1325)
    owner = organisation("mod")
    for _ in SEEDS:
        row = kind.examples(rng)
        values = clean_values(kind, events_plan, row, user=people["focal"])
        store(kind, events_plan, values, owner)
    assert kind.model.objects.count() == len(SEEDS)


def test_examples_round_trip(kind, events_plan, people):
    """A row read, written back as an export writes it, and read again gives the same values."""
    rng = Random(2000)
    for _ in SEEDS:
        values = clean_values(kind, events_plan, kind.examples(rng), user=people["focal"])
        written = {c.header: format_value(c, values[c.field]) for c in input_columns(kind)}
        assert clean_values(kind, events_plan, written, user=people["focal"]) == values


def test_examples_hold_every_column(kind):
    """The generator names every column of the kind (the demo and the import template agree)."""
    row = kind.examples(Random(7))
    assert set(row) == {c.header for c in kind.columns}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"consent": "no"}, ("consent", "consent_required")),
        ({"actor_type": "organisation", "sex": "women"}, ("sex", "individuals_only")),
        (
            {"actor_type": "organisation", "sex": "", "affiliation": "Ministry"},
            ("affiliation", "individuals_only"),
        ),
        ({"fields": ""}, ("fields", "required")),
        ({"fields": "mediation; juggling"}, ("fields", "invalid_choice")),
        ({"district": "atlantis"}, ("district", "invalid_choice")),
        ({"registered_on": "31.02.2021"}, ("registered_on", "invalid")),
    ],
)
def test_actor_problems_named(events_plan, people, changes, problem):
    from wpsnap.registries.kinds.catalogue import kind_named

    kind = kind_named("peacebuilding-actors")
    row = kind.examples(Random(1)) | {"actor_type": "individual", "sex": "women", "consent": "yes"}
    assert problem in problems_of(kind, events_plan, row | changes, people["focal"])


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"appointed_on": "2021-05-01", "left_on": "2021-04-30"}, ("left_on", "before_appointed")),
        ({"powers": "advise; veto"}, ("powers", "invalid_choice")),
        ({"position": ""}, ("position", "required")),
        ({"name": ""}, ("name", "required")),
    ],
)
def test_officer_problems_named(events_plan, people, changes, problem):
    from wpsnap.registries.kinds.catalogue import kind_named

    kind = kind_named("gender-officers")
    assert problem in problems_of(kind, events_plan, kind.examples(Random(1)) | changes, people["focal"])


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"link": "javascript:alert(1)"}, ("link", "invalid")),
        ({"audience": ""}, ("audience", "required")),
        ({"material_type": "tweet"}, ("material_type", "invalid_choice")),
        ({"copies": "-3"}, ("copies", "invalid")),
    ],
)
def test_publication_problems_named(events_plan, people, changes, problem):
    from wpsnap.registries.kinds.catalogue import kind_named

    kind = kind_named("publications")
    assert problem in problems_of(kind, events_plan, kind.examples(Random(1)) | changes, people["focal"])


def test_labels_read_as_codes(events_plan, people):
    """People may type a choice's label in their language, as the template's drop-down shows it."""
    from django.utils import translation

    from wpsnap.registries.kinds.catalogue import kind_named

    kind = kind_named("publications")
    row = kind.examples(Random(3)) | {
        "material_type": "Video (film, clip, recorded lecture)",
        "audience": "Gender officers",
    }
    with translation.override("en"):
        values = clean_values(kind, events_plan, row, user=people["focal"])
    assert values["material_type"] == "video"
    assert values["audience"] == ["gender_officers"]
