"""Reads of the workforce registry for pages and the API: the share of women per position level and year,
with its trend, over the staff counts the viewer may see (``kinds.summary`` on them). One query."""

from __future__ import annotations

from typing import Any, NamedTuple, cast

from django.db.models import QuerySet

from wpsnap.registries.kinds.selectors import records_visible_to

from .kinds import WORKFORCE_COUNTS, LevelShare, summary
from .models import WorkforceCount


class _Row(NamedTuple):
    year: int
    level: str
    women: int
    men: int


def workforce_summary(*, user: Any, plan: Any, owner: Any = None) -> list[LevelShare]:
    """The summary of the plan's staff counts ``user`` may read (all agencies together, or ``owner``'s)."""
    records = cast(QuerySet[WorkforceCount], records_visible_to(WORKFORCE_COUNTS, user)).filter(plan=plan)
    if owner is not None:
        records = records.filter(owner=owner)
    return summary(
        _Row(*values) for values in records.order_by().values_list("year", "level", "women", "men")
    )
