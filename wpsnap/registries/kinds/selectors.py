"""Reads of any registry's records, scoped by the gate (issue 14). Lists cost a fixed number of queries
whatever their length (:func:`with_relations`)."""

from __future__ import annotations

from types import SimpleNamespace
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


def activity_registries(activity: Any, user: Any) -> list[Any]:
    """The registries serving ``activity`` for its page (``plan.records``): the kinds declared for it (its
    code among their ``activity_codes``) and those with records linked to it, each with the number of
    records of the activity's plan ``user`` may see (or count), in one query for every kind (plus the
    gate's own look-ups for a registry kept by the plan's authorities). Nothing for whoever may neither
    list nor count a registry (the public)."""
    from django.db.models import F, Func, IntegerField, Subquery

    from wpsnap.accounts.permissions import can
    from wpsnap.plan.models import Plan
    from wpsnap.plan.records import RecordsLink

    from . import catalogue
    from .figures import registry_link

    shown = []
    for kind in catalogue.kinds():
        if can(user, kind.action("list")):
            scope = scope_q(kind, user)
        elif can(user, kind.action("counts")):
            scope = None
        else:
            continue
        declared = bool(activity.code) and activity.code in kind.activity_codes
        records = kind.model._default_manager.filter(plan_id=activity.plan_id)
        if not declared:
            records = records.filter(activities=activity)
        if scope is not None:
            records = records.filter(scope)
        shown.append((kind, declared, records))
    if not shown:
        return []
    counted = (
        records.order_by()
        .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        .values("n")
        for _kind, _declared, records in shown
    )
    row = (
        Plan.objects.filter(pk=activity.plan_id)
        .annotate(**{f"n{i}": Subquery(query) for i, query in enumerate(counted)})
        .values("slug", *(f"n{i}" for i in range(len(shown))))
        .first()
        or {}
    )
    plan = SimpleNamespace(slug=row.get("slug", ""))
    links = []
    for i, (kind, declared, _records) in enumerate(shown):
        count = int(row.get(f"n{i}") or 0)
        if declared or count:
            links.append(
                RecordsLink(
                    label=str(kind.label_plural),
                    description=str(kind.description),
                    count=count,
                    link=registry_link(kind, plan=plan, activity=activity),
                )
            )
    return links
