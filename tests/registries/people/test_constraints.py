"""The database holds the registries' own rules whatever path writes (a form, a file, the API, the
shell): a person's name only with consent, sex only for people, an organisation always named; an officer
leaves after being appointed; a publication has a title, a known type and a web link. And nothing that
reaches logs or audit lines shows a person's name."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from wpsnap.registries.gender_officers.models import GenderOfficer
from wpsnap.registries.peacebuilding.models import PeacebuildingActor
from wpsnap.registries.publications.models import Publication

from .conftest import organisation

pytestmark = pytest.mark.django_db


def refused(model, **values) -> bool:
    try:
        with transaction.atomic():
            model.objects.create(**values)
    except IntegrityError:
        return True
    return False


def actor_values(plan, **changes):
    values = {
        "plan": plan,
        "owner": organisation("mod"),
        "actor_type": "individual",
        "name": "Aynur Testova",
        "registered_on": date(2021, 1, 5),
        "consent": True,
    }
    return values | changes


def officer_values(plan, **changes):
    values = {
        "plan": plan,
        "owner": organisation("mia"),
        "name": "Rashad Testov",
        "position": "Senior adviser",
        "appointed_on": date(2020, 2, 1),
    }
    return values | changes


def publication_values(plan, **changes):
    values = {
        "plan": plan,
        "owner": organisation("scfwca"),
        "title": "A guide",
        "material_type": "guide",
        "published_on": date(2022, 3, 1),
    }
    return values | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"consent": False},  # a person's name without consent
        {"actor_type": "organisation", "name": ""},  # a nameless organisation
        {"actor_type": "organisation", "sex": "women"},  # an organisation has no sex
        {"actor_type": "group"},  # not a type
    ],
)
def test_actor_refused(az_plan, changes):
    assert refused(PeacebuildingActor, **actor_values(az_plan, **changes))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"actor_type": "organisation", "consent": False, "name": "Women for Peace Network"},
        # Consent withdrawn: the personal columns cleared, the row kept (counted, nameless).
        {"name": "", "consent": False},
    ],
)
def test_actor_accepted(az_plan, changes):
    assert not refused(PeacebuildingActor, **actor_values(az_plan, **changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"left_on": date(2020, 1, 31)},  # left before appointed
        {"position": ""},
    ],
)
def test_officer_refused(az_plan, changes):
    assert refused(GenderOfficer, **officer_values(az_plan, **changes))


@pytest.mark.parametrize("changes", [{}, {"left_on": date(2020, 2, 1)}, {"name": ""}])
def test_officer_accepted(az_plan, changes):
    assert not refused(GenderOfficer, **officer_values(az_plan, **changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"material_type": "tweet"},
        {"link": "javascript:alert(1)"},
        {"link": "ftp://example.org/a.pdf"},
    ],
)
def test_publication_refused(az_plan, changes):
    assert refused(Publication, **publication_values(az_plan, **changes))


@pytest.mark.parametrize(
    "changes", [{}, {"link": "https://example.org/guide.pdf"}, {"material_type": "video"}]
)
def test_publication_accepted(az_plan, changes):
    assert not refused(Publication, **publication_values(az_plan, **changes))


def test_one_agency_may_have_several_officers(az_plan):
    """Gender officers: one or more per agency."""
    GenderOfficer.objects.create(**officer_values(az_plan))
    GenderOfficer.objects.create(**officer_values(az_plan, name="Gunel Testova"))
    assert GenderOfficer.objects.filter(owner__key="mia").count() == 2


def test_names_stay_out_of_labels(actor, officer):
    """What reaches audit labels and logs (``__str__``) and what names a record in lists and links (its
    title) never shows the person's name."""
    for record in (actor, officer):
        assert record.name not in str(record)
        assert record.name not in record.code
        assert record.code in str(record)


def test_codes_are_made_and_differ(az_plan):
    codes = {PeacebuildingActor.objects.create(**actor_values(az_plan)).code for _ in range(5)}
    codes |= {GenderOfficer.objects.create(**officer_values(az_plan)).code for _ in range(5)}
    assert len(codes) == 10
    assert all(code[:3] in ("PB-", "GO-") for code in codes)
