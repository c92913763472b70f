"""Demo records of the media registry (5.4.1.3): the outlets that took part (kept by the State Committee
for Family, Women and Children Affairs, as the coordinator records them) and the articles and broadcasts
MoD's press service and the Committee placed with them.

Rows come from the kinds' ``examples`` generators and are written with the generic ``record_create`` as
each organisation's writer (the real gate, checks, lock and audit line). Dates fall in the plan's open
reporting periods. Everything is drawn from ``rng`` before anything is looked up, so a load draws the same
records every time; a second load writes nothing (each record is found by its title in the plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from django.utils import timezone

from wpsnap.accounts.models import User
from wpsnap.plan.models import Plan
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.services import record_create
from wpsnap.registries.media.kinds import _OUTLETS
from wpsnap.registries.media.models import MediaItem, MediaOutlet
from wpsnap.reporting.models import ReportingPeriod

# (writer's user name, how many items).
ITEM_WRITERS = (("mod.focal", 6), ("coordinator", 4))


@dataclass
class Result:
    outlets: int = 0
    items: int = 0
    skipped: int = 0


def load(plan: Plan, rng: Random) -> Result:
    """Add the demo's media outlets and items to ``plan`` (nothing that is already there)."""
    result = Result()
    outlets_kind, items_kind = catalogue.kind_named("media-outlets"), catalogue.kind_named("media-items")
    assert outlets_kind is not None and items_kind is not None and items_kind.examples is not None
    today = timezone.localdate()
    spans = sorted(
        (p.start, min(p.end, today))
        for p in ReportingPeriod.objects.filter(plan=plan, locked_at__isnull=True, start__lte=today)
    )
    # Drawn first (no database), so that the same rng gives the same records.
    outlets = [
        {"name": name, "outlet_type": outlet_type.value, "website": "", "notes": ""}
        for name, outlet_type in rng.sample(_OUTLETS, 6)
    ]
    items = []
    for writer, n in ITEM_WRITERS:
        for _ in range(n):
            row = items_kind.examples(rng)
            if spans:
                start, end = rng.choice(spans)
                row["published_on"] = (start + timedelta(days=rng.randint(0, (end - start).days))).isoformat()
            row["outlet"] = rng.choice(outlets)["name"]
            row["activities"] = "5.4.1.3"
            items.append((writer, row))
    coordinator = _writer("coordinator")
    if coordinator is None:
        result.skipped += len(outlets) + len(items)
        return result
    known = set(MediaOutlet.objects.filter(plan=plan).values_list("name", flat=True))
    for row in outlets:
        if row["name"] in known:
            result.skipped += 1
            continue
        record_create(kind=outlets_kind, actor=coordinator, plan=plan, values=row | {"activities": "5.4.1.3"})
        result.outlets += 1
    titles = set(MediaItem.objects.filter(plan=plan).values_list("title", flat=True))
    for writer, row in items:
        actor = _writer(writer)
        if actor is None or row["title"] in titles or not _open(row["published_on"], spans):
            result.skipped += 1
            continue
        record_create(kind=items_kind, actor=actor, plan=plan, values=row)
        titles.add(row["title"])
        result.items += 1
    return result


def _writer(username: str) -> User | None:
    return User.objects.select_related("organisation").filter(username=username, is_active=True).first()


def _open(day: str, spans: list[tuple[date, date]]) -> bool:
    found = date.fromisoformat(day)
    return any(start <= found <= end for start, end in spans)
