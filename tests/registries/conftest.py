"""Registries fixtures: the Azerbaijan plan set up for reporting and for events (districts, rules),
and people at the Ministry of Defense (the organiser) and elsewhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ..conftest import sign_in  # noqa: F401 - re-exported for the registries tests

DISTRICTS = Path(__file__).resolve().parents[2] / "plans" / "az-districts.yaml"


@pytest.fixture
def events_plan(az_plan):
    """The plan with its dimensions, periods 2020-2023, districts and suggested derivation rules."""
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    return az_plan


@pytest.fixture
def people(make_user):
    """A focal point and an approver at MoD, a coordinator, an evaluator, a focal point at MIA."""
    return {
        "focal": make_user("focal_point", "mod", "mod-focal"),
        "approver": make_user("approver", "mod", "mod-approver"),
        "coordinator": make_user("coordinator", "scfwca", "coord"),
        "evaluator": make_user("evaluator", "test-evaluators", "eval"),
        "other_focal": make_user("focal_point", "mia", "mia-focal"),
    }


@pytest.fixture
def training(events_plan, people):
    """A 2021 training by MoD for activity 5.1.2.3 (its indicator counts training participants by sex x age)."""
    from wpsnap.registries.services.events import EventInput, event_create

    activity = events_plan.activities.get(code="5.1.2.3")
    return event_create(
        actor=people["focal"],
        plan=events_plan,
        data=EventInput(
            kind="training",
            title="UNSCR 1325 for officers",
            starts_on=date(2021, 3, 10),
            ends_on=date(2021, 3, 11),
            activities=[activity],
            district="baku",
        ),
    )
