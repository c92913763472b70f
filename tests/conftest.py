"""Fixtures shared by the whole suite: the Azerbaijan plan, loaded once per test database."""

from __future__ import annotations

from pathlib import Path

import pytest

from wpsnap.plan import schema

ROOT = Path(__file__).resolve().parent.parent
AZ_PLAN_PATH = ROOT / "plans" / "az-2020-2023.yaml"
AZ_SOURCE_PATH = ROOT / "plans" / "source" / "az-nap-1325-2020-2023.txt"


@pytest.fixture(scope="session")
def az_plan_file() -> schema.PlanFile:
    return schema.read_plan_file(AZ_PLAN_PATH)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, az_plan_file):
    """Load the Azerbaijan plan once into the test database; each test's transaction rolls back over it."""
    from wpsnap.plan.services import plan_load

    with django_db_blocker.unblock():
        plan_load(plan_file=az_plan_file)


@pytest.fixture
def az_plan(az_plan_file):
    """The loaded Azerbaijan plan. Transactional tests flush the database, so load it again if gone
    (loading is idempotent). Tests using it need database access (``django_db`` mark)."""
    from wpsnap.plan.models import Plan
    from wpsnap.plan.services import plan_load

    return Plan.objects.filter(slug="az-2020-2023").first() or plan_load(plan_file=az_plan_file).plan
