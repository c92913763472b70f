"""Demo records of the people and publications registries: the peacebuilding actors the Ministry of
Defense, the demo NGO and the State Committee for Family, Women and Children Affairs keep (5.2.3.1),
the gender officers of six agencies (5.2.6), and the publications and audio/video materials made for
them (5.2.6.4).

Each record is drawn from its kind's ``examples`` generator (fictitious names) and written with the
generic ``record_create`` as its organisation's writer, so the gate, the checks, the retention date and
the audit line are the real ones. Some actors and officers are linked to the trainings their writer's
agency may see (events of 5.2.3.2, and of 5.2.6.2 and 5.2.6.3). The dates that put a record in a
reporting period (registered, appointed, published) fall in periods still open (a locked period's
records no longer change), or before the plan.

A second load writes nothing: an actor is found by its owner, type and name, an officer by owner and
name, a publication by owner and title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Any

from django.utils import timezone

from wpsnap.accounts.models import User
from wpsnap.plan.models import Plan
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.base import RegistryKind
from wpsnap.registries.kinds.services import record_create
from wpsnap.registries.permissions import events_visible_to
from wpsnap.reporting.models import ReportingPeriod

# Writers per registry: (demo user name, how many records).
ACTOR_WRITERS = (("mod.focal", 5), ("ngo.contributor", 6), ("coordinator", 4))
OFFICER_WRITERS = (
    ("mod.focal", 2),
    ("mia.focal", 1),
    ("scridp.focal", 1),
    ("mlspp.focal", 2),
    ("moe.focal", 1),
    ("coordinator", 1),
)
PUBLICATION_WRITERS = (("coordinator", 4), ("moe.focal", 2), ("ngo.contributor", 2))
# The activities whose events count as the trainings each registry's people took.
TRAINING_ACTIVITIES = {
    "peacebuilding-actors": ("5.2.3.2",),
    "gender-officers": ("5.2.6.2", "5.2.6.3"),
}
# The date column that puts a record in a reporting period, per registry.
DATED = {
    "peacebuilding-actors": "registered_on",
    "gender-officers": "appointed_on",
    "publications": "published_on",
}
# Of the people, this share took a training (where their writer sees one).
TRAINED_SHARE = 0.5


@dataclass
class Result:
    actors: int = 0
    officers: int = 0
    publications: int = 0
    skipped: int = 0


def load(plan: Plan, rng: Random) -> Result:
    """Add the demo's peacebuilding actors, gender officers and publications to ``plan`` (nothing that is
    already there)."""
    result = Result()
    spans = _open_days(plan)
    result.actors = _load(
        plan, rng, "peacebuilding-actors", ACTOR_WRITERS, spans, result, ("owner", "actor_type", "name")
    )
    result.officers = _load(plan, rng, "gender-officers", OFFICER_WRITERS, spans, result, ("owner", "name"))
    result.publications = _load(
        plan, rng, "publications", PUBLICATION_WRITERS, spans, result, ("owner", "title")
    )
    return result


def _writer(username: str) -> User | None:
    return User.objects.select_related("organisation").filter(username=username, is_active=True).first()


def _open_days(plan: Plan) -> list[tuple[date, date]]:
    """The first and last day of each reporting period of the plan that is not locked, up to today."""
    today = timezone.localdate()
    spans = []
    for period in ReportingPeriod.objects.filter(plan=plan, locked_at__isnull=True, start__lte=today):
        spans.append((period.start, min(period.end, today)))
    return sorted(spans)


def _redate(kind: RegistryKind, row: dict[str, str], rng: Random, spans: list[tuple[date, date]]) -> None:
    """Move the row's period date into an open period (or, with none open, before the plan), keeping the
    other dates in order after it."""
    header = DATED[kind.name]
    if spans:
        start, end = rng.choice(spans)
        day = start + timedelta(days=rng.randint(0, (end - start).days))
    else:
        day = date(2019, 1, 15) + timedelta(days=rng.randint(0, 300))
    row[header] = day.isoformat()
    if row.get("needs_assessed_on"):
        row["needs_assessed_on"] = (day + timedelta(days=rng.randint(0, 60))).isoformat()
    if row.get("left_on"):
        row["left_on"] = (day + timedelta(days=rng.randint(180, 700))).isoformat()


def _trainings(kind: RegistryKind, plan: Plan, writer: User) -> list[int]:
    codes = TRAINING_ACTIVITIES.get(kind.name)
    if not codes:
        return []
    events = events_visible_to(writer).filter(plan=plan, kind="training", activities__code__in=codes)
    return sorted(set(events.values_list("pk", flat=True)))


def _load(
    plan: Plan,
    rng: Random,
    name: str,
    writers: tuple[tuple[str, int], ...],
    spans: list[tuple[date, date]],
    result: Result,
    identity: tuple[str, ...],
) -> int:
    kind = catalogue.kind_named(name)
    if kind is None or kind.examples is None:
        return 0
    made = 0
    activities = "; ".join(kind.activity_codes)
    for username, how_many in writers:
        # Drawn before anything is read, so that the demo is the same whoever is missing.
        rows = [kind.examples(rng) for _ in range(how_many)]
        for row in rows:
            _redate(kind, row, rng, spans)
        picks = [rng.random() for _ in rows]
        writer = _writer(username)
        if writer is None or writer.organisation is None:
            result.skipped += len(rows)
            continue
        trainings = _trainings(kind, plan, writer)
        for row, pick in zip(rows, picks, strict=True):
            if _exists(kind, plan, writer, row, identity):
                continue
            if trainings and pick < TRAINED_SHARE and "trainings" in row:
                chosen = trainings[int(pick / TRAINED_SHARE * len(trainings)) % len(trainings)]
                row["trainings"] = str(chosen)
            record_create(kind=kind, actor=writer, plan=plan, values={**row, "activities": activities})
            made += 1
    return made


def _exists(
    kind: RegistryKind, plan: Plan, writer: User, row: dict[str, str], identity: tuple[str, ...]
) -> bool:
    lookup: dict[str, Any] = {"plan": plan}
    for field in identity:
        lookup[field] = writer.organisation if field == "owner" else row[field]
    return kind.model._default_manager.filter(**lookup).exists()
