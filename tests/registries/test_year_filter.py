"""The year filter of a registry whose period is a year column (staff counts) rather than a date: the page
and the API filter by it instead of failing (a fuzzed `?year=2065` once answered 500)."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.views import year_lookup

pytestmark = pytest.mark.django_db


def test_every_kind_filters_by_a_year_lookup_its_model_has():
    for kind in catalogue.kinds():
        lookup = year_lookup(kind)
        if lookup:
            kind.model._default_manager.filter(**{lookup: 2022}).exists()  # a bad lookup raises FieldError


def test_staff_counts_by_year_on_the_page_and_in_the_api(client, make_user):
    coordinator = make_user("coordinator")
    sign_in(client, coordinator)
    page = client.get("/registries/workforce-counts/", {"plan": "az-2020-2023", "year": "2022"})
    assert page.status_code == 200
    api = client.get("/api/v1/registries/workforce-counts/", {"year": "2065"})
    assert api.status_code == 200
    assert api.json()["results"] == []
