"""Reporting fixtures: the Azerbaijan plan set up for reporting, and people at the Ministry of Defense."""

from __future__ import annotations

import pytest

from ..conftest import sign_in  # noqa: F401 - re-exported for the reporting tests


@pytest.fixture
def reporting(az_plan):
    """The plan with its dimensions, breakdowns and annual periods 2020-2023."""
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    return az_plan


@pytest.fixture
def period_2020(reporting):
    return reporting.reporting_periods.get(label="2020")


@pytest.fixture
def people(make_user):
    """A focal point and an approver at MoD, a coordinator, an evaluator, and a focal point at MIA."""
    return {
        "focal": make_user("focal_point", "mod", "mod-focal"),
        "approver": make_user("approver", "mod", "mod-approver"),
        "coordinator": make_user("coordinator", "scfwca", "coord"),
        "evaluator": make_user("evaluator", "test-evaluators", "eval"),
        "other_focal": make_user("focal_point", "mia", "mia-focal"),
    }


@pytest.fixture
def activity_512_3(reporting):
    """5.1.2.3: trainings for the defence and security sector, MoD implements; one count indicator by sex x age."""
    return reporting.activities.get(code="5.1.2.3")
