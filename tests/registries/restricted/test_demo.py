"""The demo's restricted registries (wpsnap/demo/registries_restricted.py): written through the generic
services by the demo writers, with repeat beneficiaries; a second load writes nothing."""

from __future__ import annotations

from random import Random

import pytest

from wpsnap.demo.registries_restricted import load
from wpsnap.registries.candidates.models import Candidate
from wpsnap.registries.legal_aid.models import LegalAidService

pytestmark = pytest.mark.django_db


@pytest.fixture
def writers(make_user):
    return [
        make_user("focal_point", "mia", "mia.focal"),
        make_user("focal_point", "mod", "mod.focal"),
        make_user("focal_point", "mlspp", "mlspp.focal"),
        make_user("focal_point", "scridp", "scridp.focal"),
        make_user("ngo_contributor", "test-ngo", "ngo.contributor"),
    ]


def test_demo_records(events_plan, writers):
    result = load(events_plan, Random(7))
    assert (result.candidates, result.services, result.skipped) == (16, 30, 0)
    assert Candidate.objects.count() == 16
    assert set(Candidate.objects.values_list("owner__key", flat=True)) == {"mia", "mod"}
    assert all(
        name.startswith("Demo Candidate ") for name in Candidate.objects.values_list("full_name", flat=True)
    )
    services = LegalAidService.objects.all()
    assert services.count() == 30
    people = services.values("owner", "beneficiary_code").distinct().count()
    assert people < 30  # some people got more than one service
    assert all(record.retain_until is not None for record in services)
    assert all(record.activities.exists() for record in services)

    again = load(events_plan, Random(7))
    assert (again.candidates, again.services) == (0, 0)
    assert (Candidate.objects.count(), LegalAidService.objects.count()) == (16, 30)
