"""The gender officers registry as the generic parts read it (``wpsnap.registries.kinds.base``).

Who sees it: staff of every agency, coordinators and evaluators (``Visibility.STAFF``); never the
public, which gets counts only, through ``publishing``. Each agency's focal points keep their own
officers (the owner); coordinators keep any agency's.

Counts: the officers in post and the agencies with at least one (both as the registry stands: an
officer has no reporting period of their own), and the officers appointed in a period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from random import Random
from typing import Any

from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import Column, ColumnType, Count, RegistryKind, Visibility

from .models import GenderOfficer, Power

# Five years after the last change, then purged.
RETENTION_DAYS = 5 * 365 + 1

IN_POST = {"left_on__isnull": True}

COLUMNS = (
    Column("name", "name", _("Name"), ColumnType.TEXT, required=True, in_list=True, personal=True),
    Column("sex", "sex", _("Sex"), ColumnType.SEX),
    Column("position", "position", _("Position"), ColumnType.TEXT, required=True, in_list=True),
    Column("contact", "contact", _("Phone or email"), ColumnType.TEXT, personal=True),
    Column("appointed_on", "appointed_on", _("Appointed on"), ColumnType.DATE, required=True, in_list=True),
    Column(
        "left_on",
        "left_on",
        _("Left the post on"),
        ColumnType.DATE,
        help=_("Leave empty while they are in post."),
    ),
    Column(
        "powers",
        "powers",
        _("Powers"),
        ColumnType.CHOICES,
        choices=Power,
        help=_("The powers their appointment gives them."),
    ),
    Column("other_powers", "other_powers", _("Other powers"), ColumnType.TEXT),
    Column(
        "trainings",
        "trainings",
        _("Trainings taken"),
        ColumnType.EVENTS,
        help=_("The trainings they took, by event number."),
    ),
)


def validate(values: Mapping[str, Any]) -> Iterable[tuple[str, str, Any]]:
    """Checks across columns: one leaves a post after being appointed to it."""
    appointed, left = values.get("appointed_on"), values.get("left_on")
    if appointed and left and left < appointed:
        yield ("left_on", "before_appointed", _("This is before the day they were appointed."))


_NAMES = (
    "Aynur Aliyeva",
    "Leyla Mammadova",
    "Nigar Hasanova",
    "Rashad Huseynov",
    "Gunel Guliyeva",
    "Elchin Ismayilov",
)
_POSITIONS = (
    "Head of the personnel department",
    "Deputy head of the legal department",
    "Senior adviser to the minister",
    "Chief specialist, international relations",
    "Head of the human rights unit",
)


def example(rng: Random) -> dict[str, str]:
    """A realistic officer as a file row (owner, activities and trainings left to the caller). Names are
    fictitious."""
    appointed = date(2019, 6, 1) + timedelta(days=rng.randrange(0, 4 * 365))
    left = appointed + timedelta(days=rng.randrange(180, 900)) if rng.random() < 0.2 else None
    powers = rng.sample([p for p in Power.values if p != Power.OTHER], rng.randint(2, 5))
    name = rng.choice(_NAMES)
    row = {
        "name": name,
        "sex": "men" if name.split()[0] in ("Rashad", "Elchin") else "women",
        "position": rng.choice(_POSITIONS),
        "contact": "",
        "appointed_on": appointed.isoformat(),
        "left_on": left.isoformat() if left else "",
        "powers": "; ".join(sorted(powers)),
        "other_powers": "",
        "trainings": "",
    }
    return row


KIND = RegistryKind(
    name="gender-officers",
    model=GenderOfficer,
    label=_("Gender officer"),
    label_plural=_("Gender officers"),
    description=_(
        "The gender officers of each state agency: their position, when they were appointed, their powers "
        "and the trainings they took."
    ),
    title_field="code",
    columns=COLUMNS,
    visibility=Visibility.STAFF,
    activity_codes=("5.2.6.1",),
    counts=(
        Count("officers", _("Gender officers in post"), date_field=None, sex_field="sex", where=IN_POST),
        Count(
            "agencies",
            _("Agencies with a gender officer in post"),
            date_field=None,
            distinct="owner",
            where=IN_POST,
        ),
        Count("appointed", _("Gender officers appointed"), date_field="appointed_on", sex_field="sex"),
    ),
    personal=True,
    retention_days=RETENTION_DAYS,
    ordering=("owner__name", "-appointed_on", "-id"),
    examples=example,
    validate=validate,
)
