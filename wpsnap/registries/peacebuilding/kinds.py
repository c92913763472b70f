"""The peacebuilding actors registry as the generic parts read it (``wpsnap.registries.kinds.base``).

Who sees it: staff of every agency, coordinators and evaluators (``Visibility.STAFF``); never the
public, which gets counts only, through ``publishing``. Individuals' names, organisations and contacts
are personal columns.

The needs assessment is kept as a few structured answers (the needs from a fixed list, the date of
the assessment) plus their own words: the lists count and filter, the words keep what a list cannot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from random import Random
from typing import Any

from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import Column, ColumnType, Count, RegistryKind, Visibility

from .models import ActorType, Need, PeacebuildingActor, PeaceField

# Five years after the last change, then purged (the plan runs 2020-2023; its follow-up reads them).
RETENTION_DAYS = 5 * 365 + 1

COLUMNS = (
    Column(
        "actor_type",
        "actor_type",
        _("Individual or organisation"),
        ColumnType.CHOICE,
        required=True,
        choices=ActorType,
        in_list=True,
    ),
    Column(
        "name",
        "name",
        _("Name"),
        ColumnType.TEXT,
        required=True,
        help=_("A person's own name, or the organisation's name."),
        in_list=True,
        personal=True,
    ),
    Column("sex", "sex", _("Sex"), ColumnType.SEX, help=_("Individuals only.")),
    Column(
        "affiliation",
        "affiliation",
        _("Organisation or position"),
        ColumnType.TEXT,
        help=_("Individuals only: where they work, or their role."),
        personal=True,
    ),
    Column("contact", "contact", _("Phone or email"), ColumnType.TEXT, personal=True),
    Column(
        "fields",
        "fields",
        _("Fields of work"),
        ColumnType.CHOICES,
        required=True,
        choices=PeaceField,
        in_list=True,
    ),
    Column(
        "district",
        "district",
        _("District"),
        ColumnType.DISTRICT,
        help=_("Leave empty if national."),
        in_list=True,
    ),
    Column(
        "capacities",
        "capacities",
        _("Capacities"),
        ColumnType.LONG_TEXT,
        help=_("What they can offer: experience, skills, languages, networks."),
    ),
    Column(
        "needs", "needs", _("Needs"), ColumnType.CHOICES, choices=Need, help=_("From the needs assessment.")
    ),
    Column(
        "needs_notes",
        "needs_notes",
        _("Needs in their words"),
        ColumnType.LONG_TEXT,
        help=_("What they said they need, and how the needs were assessed."),
    ),
    Column("needs_assessed_on", "needs_assessed_on", _("Needs assessed on"), ColumnType.DATE),
    Column(
        "trainings",
        "trainings",
        _("Trainings taken"),
        ColumnType.EVENTS,
        help=_("The trainings they took, by event number."),
    ),
    Column(
        "registered_on", "registered_on", _("Registered on"), ColumnType.DATE, required=True, in_list=True
    ),
    Column(
        "consent",
        "consent",
        _("Consent given"),
        ColumnType.BOOLEAN,
        help=_("Individuals only: they agreed to be in the database. Without it, no name is kept."),
    ),
)


def validate(values: Mapping[str, Any]) -> Iterable[tuple[str, str, Any]]:
    """Checks across columns: a person only with consent; sex and an affiliation are a person's."""
    if values.get("actor_type") == ActorType.INDIVIDUAL:
        if values.get("name") and not values.get("consent"):
            yield (
                "consent",
                "consent_required",
                _("A person is kept in the database only with their consent: write yes once they agreed."),
            )
    elif values.get("actor_type") == ActorType.ORGANISATION:
        if values.get("sex"):
            yield (
                "sex",
                "individuals_only",
                _("Leave empty for an organisation: sex is recorded for people."),
            )
        if values.get("affiliation"):
            yield (
                "affiliation",
                "individuals_only",
                _("Leave empty for an organisation: this is where a person works."),
            )


_FIRST_NAMES = ("Aynur", "Leyla", "Nigar", "Sevinj", "Gunel", "Rashad", "Elchin", "Kamala", "Farid", "Samira")
_LAST_NAMES = (
    "Aliyeva",
    "Mammadova",
    "Hasanova",
    "Huseynov",
    "Guliyeva",
    "Ismayilov",
    "Karimova",
    "Abbasova",
)
_ORGANISATIONS = (
    "Women for Peace Network",
    "Centre for Dialogue and Reconciliation",
    "Young Mediators Union",
    "Peacebuilding Research Centre",
    "Humanitarian Aid Society",
    "Karabakh Women's Initiative",
)
_DISTRICTS = ("", "baku", "ganja", "sumgayit", "shaki", "aghjabadi", "aghdam", "lankaran")


def example(rng: Random) -> dict[str, str]:
    """A realistic actor as a file row (owner, activities and trainings left to the caller). Names are
    fictitious."""
    individual = rng.random() < 0.6
    registered = date(2020, 3, 1) + timedelta(days=rng.randrange(0, 3 * 365))
    fields = rng.sample(PeaceField.values, rng.randint(1, 3))
    needs = rng.sample(Need.values, rng.randint(0, 3))
    row = {
        "actor_type": (ActorType.INDIVIDUAL if individual else ActorType.ORGANISATION).value,
        "name": f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        if individual
        else rng.choice(_ORGANISATIONS),
        "sex": rng.choice(("women", "women", "men")) if individual else "",
        "affiliation": rng.choice(("", "Baku State University", "Independent mediator", "NGO volunteer"))
        if individual
        else "",
        "contact": "",
        "fields": "; ".join(sorted(fields)),
        "district": rng.choice(_DISTRICTS),
        "capacities": rng.choice(
            (
                "",
                "Ten years of community mediation; speaks Azerbaijani, Russian and English.",
                "Runs dialogue sessions between displaced and host communities.",
                "Trains young women as facilitators.",
            )
        ),
        "needs": "; ".join(sorted(needs)),
        "needs_notes": rng.choice(("", "Asked for training in negotiation and for travel support."))
        if needs
        else "",
        "needs_assessed_on": (registered + timedelta(days=rng.randrange(0, 120))).isoformat()
        if needs
        else "",
        "trainings": "",
        "registered_on": registered.isoformat(),
        "consent": "yes" if individual else "no",
    }
    return {key: str(value) for key, value in row.items()}


KIND = RegistryKind(
    name="peacebuilding-actors",
    model=PeacebuildingActor,
    label=_("Peacebuilding actor"),
    label_plural=_("Peacebuilding actors"),
    description=_(
        "People and organisations working in conflict resolution and peacebuilding: what they do, where, "
        "what they can offer and need, and the trainings they took."
    ),
    title_field="code",
    columns=COLUMNS,
    visibility=Visibility.STAFF,
    activity_codes=("5.2.3.1",),
    counts=(
        Count("actors", _("People and organisations in the database"), date_field="registered_on"),
        Count(
            "individuals",
            _("People in the database"),
            date_field="registered_on",
            sex_field="sex",
            where={"actor_type": ActorType.INDIVIDUAL.value},
        ),
        Count(
            "organisations",
            _("Organisations in the database"),
            date_field="registered_on",
            where={"actor_type": ActorType.ORGANISATION.value},
        ),
    ),
    personal=True,
    retention_days=RETENTION_DAYS,
    consent_field="consent",
    ordering=("-registered_on", "-id"),
    examples=example,
    validate=validate,
)
