"""Fixtures of the registries' generic pages, API and files: the plan set up for events (districts,
sexes, age bands), people in several roles and organisations, and records made through the services
from each kind's own examples generator."""

from __future__ import annotations

from random import Random

import pytest

from ..conftest import sign_in  # noqa: F401 - re-exported for the tests here


def kind(name: str):
    from wpsnap.registries.kinds import catalogue

    found = catalogue.kind_named(name)
    assert found is not None, name
    return found


def add_records(kind_name: str, actor, plan, n: int, *, seed: int = 1, **extra):
    """``n`` records of the kind, each from its examples generator, through ``record_create``."""
    from wpsnap.registries.kinds.services import record_create

    registry = kind(kind_name)
    rng = Random(seed)
    made = []
    for _ in range(n):
        values = {**registry.examples(rng), **extra}
        made.append(record_create(kind=registry, actor=actor, plan=plan, values=values))
    return made


@pytest.fixture
def publications(events_plan, people):
    """Three publications kept by MoD (its focal point recorded them)."""
    return add_records("publications", people["focal"], events_plan, 3, activities="5.2.6.4")
