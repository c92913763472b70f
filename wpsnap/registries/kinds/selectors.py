"""Reads of any registry's records, scoped by the gate (issue 14). Lists cost a fixed number of queries
whatever their length (:func:`with_relations`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .base import ColumnType, RegistryKind, RegistryRecord
from .permissions import scope_q

__all__ = ["records_visible_to", "with_relations"]


def records_visible_to(kind: RegistryKind, user: Any) -> QuerySet[RegistryRecord]:
    """The records of ``kind`` that ``user`` may read (list and view), in the kind's order."""
    records: QuerySet[RegistryRecord] = kind.model._default_manager.all()
    scope = scope_q(kind, user)
    if scope is not None:
        records = records.filter(scope)
    return records.order_by(*kind.ordering)


def with_relations(kind: RegistryKind, records: QuerySet[RegistryRecord]) -> QuerySet[RegistryRecord]:
    """``records`` with what their columns show read along: the owner and the records RECORD columns
    point at (joined), the activities, events and other many-to-many columns (one query each)."""
    joined = ["owner"] + [c.field for c in kind.columns if c.data_type == ColumnType.RECORD]
    many = ["activities"] + [
        c.field for c in kind.columns if c.data_type in (ColumnType.ACTIVITIES, ColumnType.EVENTS)
    ]
    return records.select_related(*joined).prefetch_related(*dict.fromkeys(many))
