"""Fixtures of the policy, workforce and resources registries: the plan set up with its districts, people
of several roles, and ``add``: a record made from a file row the way an import reads it (the generic
``kinds.columns.clean_values``), owned by an agency."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest


@pytest.fixture
def staff(make_user):
    """A focal point at MoD and at MIA, an approver at MoD, a coordinator, an evaluator, an NGO contributor."""
    return {
        "focal": make_user("focal_point", "mod", "mod-focal"),
        "other_focal": make_user("focal_point", "mia", "mia-focal"),
        "approver": make_user("approver", "mod", "mod-approver"),
        "coordinator": make_user("coordinator", "scfwca", "coord"),
        "evaluator": make_user("evaluator", "test-evaluators", "eval"),
        "ngo": make_user("ngo_contributor", "test-ngo", "ngo"),
    }


def make_record(kind: Any, plan: Any, user: Any, row: Mapping[str, Any], *, owner: Any = None) -> Any:
    """A record of ``kind`` from a file row, read as an import reads it, kept by ``owner`` (the user's
    organisation by default)."""
    from wpsnap.registries.kinds.columns import clean_values

    values = clean_values(kind, plan, row, user=user)
    activities = values.pop("activities", [])
    record = kind.model(plan=plan, owner=owner or user.organisation, created_by=user, **values)
    record.save()
    record.activities.set(activities)
    return record


@pytest.fixture
def add(events_plan, staff) -> Callable[..., Any]:
    """``add(kind, row, owner=None, user=None)``: a saved record of the plan (as the coordinator reads it)."""

    def add(kind: Any, row: Mapping[str, Any], *, owner: Any = None, user: Any = None) -> Any:
        return make_record(kind, events_plan, user or staff["coordinator"], row, owner=owner)

    return add
