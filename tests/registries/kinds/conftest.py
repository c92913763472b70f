"""Fixtures of the generic registry tests: every registered kind (``catalogue.kinds()``), a writer who may
keep its records, and complete file rows drawn from the kind's own ``examples`` (RECORD columns filled
with a record of the target registry made for the purpose)."""

from __future__ import annotations

from random import Random
from typing import Any

import pytest

from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.base import ColumnType, RegistryKind

KINDS = catalogue.kinds()
KIND_NAMES = [k.name for k in KINDS]


def kind_params() -> list[Any]:
    return [pytest.param(kind, id=kind.name) for kind in KINDS]


def writer_for(kind: RegistryKind, people: dict[str, Any]) -> Any:
    """MoD's focal point where MoD may keep the kind's records, else the coordinator."""
    from wpsnap.accounts.permissions import can

    return people["focal"] if can(people["focal"], kind.action("create")) else people["coordinator"]


def example_row(kind: RegistryKind, rng: Random, plan: Any, actor: Any, *, depth: int = 0) -> dict[str, str]:
    """A complete row of ``kind`` as a file gives it ({header: text}), from its examples; its activities
    the kind's own, and each RECORD column a record of the target made now (by ``actor``)."""
    from wpsnap.registries.kinds.services import record_create

    assert kind.examples is not None, f"{kind.name} declares no examples"
    row = dict(kind.examples(rng))
    codes = [c for c in kind.activity_codes if plan.activities.filter(code=c).exists()]
    row["activities"] = "; ".join(codes)
    for column in kind.columns:
        if (
            column.data_type == ColumnType.RECORD
            and (column.required or not row.get(column.header))
            and depth < 2
        ):
            target = catalogue.kind_named(column.target or "")
            if target is None:
                continue
            target_actor = actor
            record = record_create(
                kind=target,
                actor=target_actor,
                plan=plan,
                values=example_row(target, rng, plan, target_actor, depth=depth + 1),
            )
            row[column.header] = str(getattr(record, target.title_field))
        if column.data_type == ColumnType.EVENTS:
            row[column.header] = ""
    return row


@pytest.fixture
def rng() -> Random:
    return Random(1325)
