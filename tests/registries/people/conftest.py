"""Fixtures of the people and publications registries (peacebuilding actors, gender officers,
publications): the kinds, and a record of each made straight in the database (the generic services are
tested on their own; these tests hold the registries' own rules)."""

from __future__ import annotations

from datetime import date

import pytest

from wpsnap.registries.kinds.catalogue import kind_named

NAMES = ("peacebuilding-actors", "gender-officers", "publications")


@pytest.fixture(params=NAMES)
def kind(request):
    found = kind_named(request.param)
    assert found is not None
    return found


def organisation(key: str):
    from wpsnap.accounts.models import Organisation

    return Organisation.objects.get_or_create(
        country="AZ", key=key, defaults={"name": key.upper(), "kind": "ministry"}
    )[0]


@pytest.fixture
def actor(az_plan):
    from wpsnap.registries.peacebuilding.models import PeacebuildingActor

    return PeacebuildingActor.objects.create(
        plan=az_plan,
        owner=organisation("mod"),
        actor_type="individual",
        name="Leyla Testova",
        sex="women",
        fields=["mediation"],
        registered_on=date(2021, 5, 1),
        consent=True,
    )


@pytest.fixture
def officer(az_plan):
    from wpsnap.registries.gender_officers.models import GenderOfficer

    return GenderOfficer.objects.create(
        plan=az_plan,
        owner=organisation("mod"),
        name="Nigar Testova",
        position="Head of the personnel department",
        appointed_on=date(2020, 9, 1),
        powers=["advise", "complaints"],
    )


@pytest.fixture
def publication(az_plan):
    from wpsnap.registries.publications.models import Publication

    return Publication.objects.create(
        plan=az_plan,
        owner=organisation("scfwca"),
        title="Gender officers' handbook",
        material_type="guide",
        published_on=date(2021, 10, 1),
        audience=["gender_officers"],
    )


@pytest.fixture
def records(actor, officer, publication):
    return {"peacebuilding-actors": actor, "gender-officers": officer, "publications": publication}
