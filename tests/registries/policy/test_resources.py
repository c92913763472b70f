"""Projects and funds (5.4.4.1) and IDP settlements (5.4.5.1): funds by source and their total, the
beneficiaries, the standards applied, and what the database and the file reader refuse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.resources.kinds import IDP_SETTLEMENTS, PROJECTS
from wpsnap.registries.resources.models import IdpSettlement

pytestmark = pytest.mark.django_db

PROJECT = {
    "title": "Vocational courses for displaced women",
    "starts_on": "2021-02-01",
    "ends_on": "2021-11-30",
    "district": "barda",
    "funds_state_budget": "120 000,50",
    "funds_donor": "80000",
    "women": "140",
    "men": "",
    "girls": "25",
    "boys": "0",
}
SETTLEMENT = {
    "district": "aghjabadi",
    "name": "Residential complex No. 3",
    "units": "240",
    "standards_applied": "lighting; Water and toilets inside each home",
    "to_new_standards": "yes",
    "consultations_held": "4",
    "completed_on": "2022-09-15",
}


def test_a_project_with_two_sources(add) -> None:
    """Amounts by source in the ways people type them; the total adds up the sources given, an empty
    count of people stays unknown (not zero)."""
    project = add(PROJECTS, PROJECT)
    assert project.funds_by_source == {"state_budget": Decimal("120000.50"), "donor": Decimal("80000")}
    assert project.total_funds == Decimal("200000.50")
    assert (project.women, project.men, project.girls, project.boys) == (140, None, 25, 0)
    assert project.beneficiaries == 165
    assert str(project) == PROJECT["title"]


def test_a_project_without_amounts_has_no_total(add) -> None:
    project = add(PROJECTS, {"title": "Summer school", "starts_on": "2022-06-01"})
    assert (project.total_funds, project.beneficiaries, project.ends_on) == (None, None, None)


def test_project_rows_refused_by_header(events_plan, staff) -> None:
    """An end before the start, a negative or badly written amount, an unknown district are refused, each
    named by its column."""
    from wpsnap.registries.kinds.columns import clean_values

    with pytest.raises(InvalidInput) as refused:
        clean_values(
            PROJECTS,
            events_plan,
            {**PROJECT, "funds_donor": "-5", "funds_private": "a lot", "district": "atlantis"},
            user=staff["coordinator"],
        )
    assert {p.field for p in refused.value.problems} == {"funds_donor", "funds_private", "district"}
    with pytest.raises(InvalidInput) as refused:
        clean_values(PROJECTS, events_plan, {**PROJECT, "ends_on": "2021-01-31"}, user=staff["coordinator"])
    assert [p.field for p in refused.value.problems] == ["ends_on"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", ""),
        ("funds_state_budget", Decimal("-1")),
        ("funds_donor", Decimal("-0.01")),
        ("funds_private", Decimal("-7")),
        ("funds_other", Decimal("-100")),
        ("girls", -1),
    ],
)
def test_database_refuses_a_bad_project(add, field, value) -> None:
    project = add(PROJECTS, PROJECT)
    setattr(project, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()


def test_database_refuses_a_project_ending_before_it_starts(add) -> None:
    from datetime import date

    project = add(PROJECTS, PROJECT)
    project.ends_on = date(2021, 1, 1)
    with pytest.raises(ValidationError) as invalid:
        project.full_clean()
    assert set(invalid.value.message_dict) == {"ends_on"}
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()


def test_a_settlement_read_from_a_row(add) -> None:
    """Standards by code or label, in the order given; yes/no; the count of meetings."""
    settlement = add(IDP_SETTLEMENTS, SETTLEMENT)
    assert settlement.standards_applied == ["lighting", "sanitation"]
    assert (settlement.to_new_standards, settlement.consultations_held, settlement.units) == (True, 4, 240)
    assert str(settlement) == "Residential complex No. 3"


def test_settlement_rows_refused_by_header(events_plan, staff) -> None:
    from wpsnap.registries.kinds.columns import clean_values

    with pytest.raises(InvalidInput) as refused:
        clean_values(
            IDP_SETTLEMENTS,
            events_plan,
            {
                **SETTLEMENT,
                "district": "",
                "units": "",
                "standards_applied": "gold taps",
                "to_new_standards": "perhaps",
            },
            user=staff["coordinator"],
        )
    assert {p.field for p in refused.value.problems} == {
        "district",
        "units",
        "standards_applied",
        "to_new_standards",
    }


@pytest.mark.parametrize("field, value", [("name", ""), ("district", ""), ("units", 0)])
def test_database_refuses_a_bad_settlement(add, field, value) -> None:
    settlement = add(IDP_SETTLEMENTS, SETTLEMENT)
    setattr(settlement, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        settlement.save()


@pytest.mark.parametrize("standards", [["gold_taps"], ["lighting", "lighting"], "lighting"])
def test_the_model_checks_the_standards(add, standards) -> None:
    """Whatever path a record comes by, its standards are codes of the list, each once."""
    settlement = add(IDP_SETTLEMENTS, SETTLEMENT)
    settlement.standards_applied = standards
    with pytest.raises(ValidationError) as invalid:
        settlement.full_clean()
    assert set(invalid.value.message_dict) == {"standards_applied"}


def test_unknown_meetings_stay_unknown(add) -> None:
    settlement = add(IDP_SETTLEMENTS, {**SETTLEMENT, "consultations_held": "", "completed_on": ""})
    assert (settlement.consultations_held, settlement.completed_on) == (None, None)
    assert IdpSettlement.objects.get(pk=settlement.pk).standards_applied == ["lighting", "sanitation"]
