"""The figures API on the demo data gives what it gave before the figures moved into the read model
(``wpsnap.analytics``): ``data/results_demo.json`` and ``data/derived_demo.json`` were written by the API
as it stood before (commit 62f195f, ``reporting.api.results`` and ``registries.api.derived_and_reported``),
for the demo loaded by ``tests/demo/conftest.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from wpsnap.accounts.models import Organisation, Role, User
from wpsnap.accounts.services import token_create
from wpsnap.reporting.models import ReportingPeriod

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def coordinator_client(plan) -> APIClient:
    user = User.objects.create_user(
        username="figures-coordinator",
        email="figures-coordinator@example.org",
        password="a long test passphrase",
        role=Role.COORDINATOR,
        organisation=Organisation.objects.get(country="AZ", key="scfwca"),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user)}")
    return client


def test_the_results_api_gives_the_same_bytes_as_before(coordinator_client) -> None:
    """/api/v1/results/ answers the demo's results byte for byte as before the move."""
    response = coordinator_client.get("/api/v1/results/")
    assert response.status_code == 200
    assert response.content == (DATA / "results_demo.json").read_bytes()


def test_the_derived_api_gives_the_same_figures_as_before(coordinator_client, plan) -> None:
    """/api/v1/derived/ answers, for every period and every agency with reports or events in the demo,
    what it answered before its figures came from the read model."""
    before = json.loads((DATA / "derived_demo.json").read_text())
    periods = {p.label: p.pk for p in ReportingPeriod.objects.filter(plan=plan)}
    now = {}
    for name in before:
        label, agency = name.split("/")
        response = coordinator_client.get("/api/v1/derived/", {"period": periods[label], "agency": agency})
        assert response.status_code == 200
        now[name] = json.loads(response.content)
    assert len(now) == 24
    assert now == before
