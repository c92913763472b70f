"""The declarations of the resources registries (``wpsnap.registries.kinds.base``) and their examples.

- ``projects``: counts ``projects`` (by the day a project starts: a project is counted in the period it
  began).
- ``idp-settlements``: counts ``settlements`` (completed, by the day completed) and
  ``settlements_to_standards`` (those of them built to the new standards), 5.4.5.1's "number of
  settlements built according to the new standards". The consultation meetings are a number per
  settlement (``consultations_held``), added up by the page, not a count of rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import Column, ColumnType, Count, RegistryKind, Visibility

from .models import IdpSettlement, Project, SettlementStandard

# Districts with many IDP families and the regained territories (codes of plans/az-districts.yaml).
_DISTRICTS = ("baku", "sumgayit", "ganja", "barda", "aghjabadi", "absheron", "yevlakh", "beylagan", "aghdam")

_PROJECTS = (
    (
        "Vocational courses for displaced women",
        "Sewing, hairdressing and accounting courses with a grant to start work.",
    ),
    (
        "Psychosocial support centre for women and girls",
        "Counselling and group sessions in a settlement's community centre.",
    ),
    (
        "Summer schools for displaced children",
        "Catch-up classes and sport for girls and boys in IDP settlements.",
    ),
    (
        "Microcredit for women entrepreneurs",
        "Small loans and business training for women heading households.",
    ),
    ("Mobile health visits", "Gynaecologist and paediatrician visits to settlements without a health post."),
)


def _day(rng: Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _amount(rng: Random, low: int, high: int) -> str:
    return str(Decimal(rng.randrange(low, high, 500)))


def project_example(rng: Random) -> dict[str, str]:
    """One project (2020-2023) as a file row: funded by the state budget, a donor, or both."""
    title, content = rng.choice(_PROJECTS)
    starts = _day(rng, date(2020, 1, 15), date(2023, 9, 30))
    ends = starts + timedelta(days=rng.randrange(60, 540))
    sources = rng.choice((("state",), ("donor",), ("state", "donor"), ("state", "private")))
    return {
        "title": title,
        "content": content,
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat() if rng.random() < 0.8 else "",
        "district": rng.choice(_DISTRICTS),
        "funds_state_budget": _amount(rng, 5_000, 250_000) if "state" in sources else "",
        "funds_donor": _amount(rng, 10_000, 400_000) if "donor" in sources else "",
        "funds_private": _amount(rng, 1_000, 50_000) if "private" in sources else "",
        "funds_other": "",
        "women": str(rng.randint(20, 400)),
        "men": str(rng.randint(0, 60)),
        "girls": str(rng.randint(0, 200)),
        "boys": str(rng.randint(0, 200)),
    }


_SETTLEMENTS = ("Residential complex", "New settlement", "Residential building", "Housing estate")


def settlement_example(rng: Random) -> dict[str, str]:
    """One IDP settlement or building as a file row, completed (2020-2023) or still being built."""
    district = rng.choice(_DISTRICTS)
    standards = rng.sample(SettlementStandard.values[:-1], rng.randint(0, 5))
    done = rng.random() < 0.8
    return {
        "district": district,
        "name": f"{rng.choice(_SETTLEMENTS)} No. {rng.randint(1, 40)}, {district.title()}",
        "units": str(rng.randint(12, 600)),
        "standards_applied": "; ".join(standards),
        "standards_notes": "Agreed with the women of the settlement at the consultations."
        if standards
        else "",
        "to_new_standards": "yes" if len(standards) >= 3 else "no",
        "consultations_held": str(rng.randint(0, 6)),
        "completed_on": _day(rng, date(2020, 3, 1), date(2023, 12, 20)).isoformat() if done else "",
    }


def project_validate(values: Mapping[str, Any]) -> Iterable[tuple[str, str, Any]]:
    """A project ends on or after the day it starts."""
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        yield ("ends_on", "invalid", _("The project cannot end before it starts."))


PROJECTS = RegistryKind(
    name="projects",
    model=Project,
    label=_("Project"),
    label_plural=_("Projects"),
    description=_(
        "Projects for the social needs of women, girls and children where displaced and conflict-affected "
        "people live: the funds allocated by source and the people reached."
    ),
    title_field="title",
    columns=(
        Column("title", "title", _("Title"), ColumnType.TEXT, required=True, in_list=True),
        Column("content", "content", _("What the project does"), ColumnType.LONG_TEXT),
        Column("starts_on", "starts_on", _("From"), ColumnType.DATE, required=True, in_list=True),
        Column("ends_on", "ends_on", _("To"), ColumnType.DATE, help=_("Leave empty while the project runs.")),
        Column(
            "district",
            "district",
            _("District"),
            ColumnType.DISTRICT,
            help=_("Leave empty for several districts."),
        ),
        Column(
            "funds_state_budget",
            "funds_state_budget",
            _("Funds from the state budget (AZN)"),
            ColumnType.DECIMAL,
            in_list=True,
        ),
        Column(
            "funds_donor",
            "funds_donor",
            _("Funds from international donors (AZN)"),
            ColumnType.DECIMAL,
            in_list=True,
        ),
        Column(
            "funds_private", "funds_private", _("Funds from the private sector (AZN)"), ColumnType.DECIMAL
        ),
        Column("funds_other", "funds_other", _("Funds from other sources (AZN)"), ColumnType.DECIMAL),
        Column("women", "women", _("Women reached"), ColumnType.INTEGER),
        Column("men", "men", _("Men reached"), ColumnType.INTEGER),
        Column("girls", "girls", _("Girls reached"), ColumnType.INTEGER),
        Column("boys", "boys", _("Boys reached"), ColumnType.INTEGER),
    ),
    visibility=Visibility.STAFF,
    activity_codes=("5.4.4.1",),
    counts=(Count("projects", _("Projects"), date_field="starts_on"),),
    ordering=("-starts_on", "-id"),
    examples=project_example,
    validate=project_validate,
)

IDP_SETTLEMENTS = RegistryKind(
    name="idp-settlements",
    model=IdpSettlement,
    label=_("IDP settlement"),
    label_plural=_("IDP settlements"),
    description=_(
        "Settlements and residential buildings for internally displaced people: the homes built, the "
        "standards for women and girls applied, and the consultation meetings held."
    ),
    title_field="name",
    columns=(
        Column("district", "district", _("District"), ColumnType.DISTRICT, required=True, in_list=True),
        Column(
            "name",
            "name",
            _("Name of the settlement or building"),
            ColumnType.TEXT,
            required=True,
            in_list=True,
        ),
        Column(
            "units", "units", _("Homes (flats or houses)"), ColumnType.INTEGER, required=True, in_list=True
        ),
        Column(
            "standards_applied",
            "standards_applied",
            _("Standards applied"),
            ColumnType.CHOICES,
            choices=SettlementStandard,
        ),
        Column("standards_notes", "standards_notes", _("About the standards"), ColumnType.LONG_TEXT),
        Column(
            "to_new_standards",
            "to_new_standards",
            _("Built to the new standards"),
            ColumnType.BOOLEAN,
            in_list=True,
        ),
        Column(
            "consultations_held",
            "consultations_held",
            _("Consultation meetings held"),
            ColumnType.INTEGER,
            help=_("Meetings with women and girls about their needs, before or during the building."),
        ),
        Column(
            "completed_on",
            "completed_on",
            _("Date completed"),
            ColumnType.DATE,
            in_list=True,
            help=_("Leave empty while it is being built."),
        ),
    ),
    visibility=Visibility.STAFF,
    activity_codes=("5.4.5.1",),
    counts=(
        Count("settlements", _("Settlements completed"), date_field="completed_on"),
        Count(
            "settlements_to_standards",
            _("Settlements built to the new standards"),
            date_field="completed_on",
            where={"to_new_standards": True},
        ),
    ),
    ordering=("-completed_on", "-id"),
    examples=settlement_example,
)
