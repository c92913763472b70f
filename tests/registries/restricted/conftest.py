"""Fixtures of the restricted registries (women candidates, legal aid): the plan set up for reporting and
events (its sexes, age bands and districts), people at the recruiting authorities (MIA, MoD), at the
legal-aid providers (MoJ, MLSPP) and elsewhere, and records made from each kind's examples."""

from __future__ import annotations

from datetime import date, datetime, time
from random import Random

import pytest
from django.utils import timezone

from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.services import record_create


@pytest.fixture
def candidates_kind():
    return catalogue.kind_named("candidates")


@pytest.fixture
def legal_aid_kind():
    return catalogue.kind_named("legal-aid")


@pytest.fixture
def staff(make_user):
    """One person per role and organisation the restricted registries care about."""
    return {
        "coordinator": make_user("coordinator", "scfwca", "coord"),
        "evaluator": make_user("evaluator", "test-evaluators", "eval"),
        "mia_focal": make_user("focal_point", "mia", "mia-focal"),
        "mia_approver": make_user("approver", "mia", "mia-approver"),
        "mod_focal": make_user("focal_point", "mod", "mod-focal"),
        "moj_focal": make_user("focal_point", "moj", "moj-focal"),
        "moj_approver": make_user("approver", "moj", "moj-approver"),
        "mlspp_focal": make_user("focal_point", "mlspp", "mlspp-focal"),
        "mlspp_approver": make_user("approver", "mlspp", "mlspp-approver"),
        "ngo": make_user("ngo_contributor", "test-ngo", "ngo"),
    }


def make_record(kind, plan, actor, *, owner=None, seed: int = 0, today: date | None = None, **overrides):
    """A record of ``kind`` from its examples (``overrides`` by header), written by ``actor`` through the
    generic ``record_create`` (on ``today``, if given), kept by ``owner`` (default: the actor's
    organisation)."""
    raw = {**kind.examples(Random(seed)), **overrides}
    now = timezone.make_aware(datetime.combine(today, time(12))) if today else None
    return record_create(kind=kind, actor=actor, plan=plan, values=raw, owner=owner, now=now)
