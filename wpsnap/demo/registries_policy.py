"""Demo records of the policy, workforce and resources registries.

- Policy reviews (5.2.5.1, 5.3.1.1, 5.4.2.1): the State Committee (as the coordinator keeps them) reviews
  laws, programmes and strategies for gender sensitivity; MoD and MIA review their security measures;
  each review makes one to three recommendations, some accepted or implemented since.
- Workforce monitoring (5.2.5.3): each demo agency with a focal point (MoD, MIA, MoE, MLSPP, SCRIDP)
  counts its staff by position level and sex for 2020-2023, the share of women rising slowly at most
  levels (a trend to see), and records its annual monitoring result with proposals.
- Projects and funds (5.4.4.1): SCRIDP's and MLSPP's projects for displaced women, girls and children,
  funded by the state budget, donors or both; IDP settlements (5.4.5.1): SCRIDP's residential complexes
  with the standards applied and the consultations held, some still being built.

Rows come from the kinds' ``examples`` generators (the workforce counts are drawn as a trend instead),
and are written with the generic ``record_create`` as each organisation's writer, so the gate, the
checks, the one lock and the audit line are the real ones. Every date that puts a record in a reporting
period falls in one of the plan's periods that is still open (a locked period's records no longer
change). Everything is drawn from ``rng`` before anything is looked up, so a load draws the same records
every time; a second load writes nothing (each record is found by its owner and what names it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Any

from django.utils import timezone

from wpsnap.accounts.models import Organisation, User
from wpsnap.plan.models import Plan
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.base import RegistryKind
from wpsnap.registries.kinds.services import record_create
from wpsnap.registries.policy.models import PolicyReview
from wpsnap.registries.workforce.models import WorkforceCount, WorkforceReview
from wpsnap.reporting.models import ReportingPeriod

# Policy reviews per keeper: (writer, organisation kept for, how many, the activity they serve).
REVIEWERS = (
    ("coordinator", "scfwca", 3, "5.2.5.1"),
    ("coordinator", "scfwca", 2, "5.3.1.1"),
    ("mod.focal", "mod", 2, "5.4.2.1"),
    ("mia.focal", "mia", 2, "5.4.2.1"),
)
# The agencies counting their staff (their focal point writes).
WORKFORCE_WRITERS = ("mod.focal", "mia.focal", "moe.focal", "mlspp.focal", "scridp.focal")
WORKFORCE_YEARS = (2020, 2021, 2022, 2023)
PROJECT_WRITERS = (("scridp.focal", 5), ("mlspp.focal", 2))
SETTLEMENT_WRITERS = (("scridp.focal", 5),)

# Per level: (smallest and largest staff, share of women in 2020 in per cent, yearly change in points).
_LEVELS = {
    "leadership": ((4, 10), (8, 20), (0, 3)),
    "senior": ((25, 60), (15, 30), (0, 3)),
    "middle": ((90, 300), (30, 45), (-1, 2)),
    "junior": ((300, 1200), (40, 55), (-1, 2)),
    "support": ((100, 400), (50, 65), (-2, 1)),
}


@dataclass
class Result:
    reviews: int = 0
    recommendations: int = 0
    workforce_counts: int = 0
    workforce_reviews: int = 0
    projects: int = 0
    settlements: int = 0
    skipped: int = 0


def load(plan: Plan, rng: Random) -> Result:
    """Add the demo's policy reviews, workforce counts and results, projects and settlements to ``plan``
    (nothing that is already there)."""
    result = Result()
    spans = _open_days(plan)
    reviews = _draw_reviews(rng, spans)
    counts = _draw_workforce(rng)
    results = _draw_results(rng, spans)
    projects = _draw(rng, "projects", PROJECT_WRITERS, spans, "starts_on")
    settlements = _draw(rng, "idp-settlements", SETTLEMENT_WRITERS, spans, "completed_on")
    _write_reviews(plan, reviews, result)
    _write_workforce(plan, counts, results, result)
    result.projects = _write(plan, "projects", projects, ("title", "starts_on"), result)
    result.settlements = _write(plan, "idp-settlements", settlements, ("name", "district"), result)
    return result


def _open_days(plan: Plan) -> list[tuple[date, date]]:
    """The first and last day of each reporting period of the plan that is not locked, up to today."""
    today = timezone.localdate()
    spans = []
    for period in ReportingPeriod.objects.filter(plan=plan, locked_at__isnull=True, start__lte=today):
        spans.append((period.start, min(period.end, today)))
    return sorted(spans)


def _day_in(rng: Random, span: tuple[date, date]) -> date:
    start, end = span
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _writer(username: str) -> User | None:
    return User.objects.select_related("organisation").filter(username=username, is_active=True).first()


def _kind(name: str) -> RegistryKind:
    kind = catalogue.kind_named(name)
    assert kind is not None and kind.examples is not None, name
    return kind


# --- drawing (no database) ---------------------------------------------------------------------------


Drawn = list[tuple[str, str | None, dict[str, str]]]  # (writer, owner key or None: the writer's, row)


def _draw_reviews(rng: Random, spans: list[tuple[date, date]]) -> list[tuple[str, str, dict[str, str], list]]:
    """Reviews with their recommendations, each dated in an open period (a recommendation's state in the
    same period, on or after its review)."""
    reviews_kind, recommendations_kind = _kind("policy-reviews"), _kind("policy-recommendations")
    drawn = []
    for writer, owner, how_many, activity in REVIEWERS:
        for _ in range(how_many):
            row = reviews_kind.examples(rng)  # type: ignore[misc]
            span = rng.choice(spans) if spans else None
            recommendations = []
            if span is not None:
                reviewed = _day_in(rng, span)
                row["reviewed_on"] = reviewed.isoformat()
                for _n in range(rng.randint(1, 3)):
                    recommendation = recommendations_kind.examples(rng)  # type: ignore[misc]
                    recommendation["state_on"] = _day_in(rng, (reviewed, span[1])).isoformat()
                    recommendation["activities"] = activity
                    recommendations.append(recommendation)
            row["activities"] = activity
            drawn.append((writer, owner, row, recommendations))
    return drawn


def _draw_workforce(rng: Random) -> list[tuple[str, dict[str, str]]]:
    """Each agency's staff per level and year: a size per level, the share of women moving a little each
    year."""
    drawn = []
    for writer in WORKFORCE_WRITERS:
        for level, ((smallest, largest), (low, high), (down, up)) in _LEVELS.items():
            size, share = rng.randint(smallest, largest), float(rng.randint(low, high))
            for year in WORKFORCE_YEARS:
                total = max(1, size + rng.randint(-size // 20, size // 20))
                women = round(total * share / 100)
                drawn.append(
                    (
                        writer,
                        {
                            "year": str(year),
                            "level": level,
                            "women": str(women),
                            "men": str(total - women),
                            "activities": "5.2.5.3",
                        },
                    )
                )
                share = min(95.0, max(0.0, share + rng.uniform(down, up)))
    return drawn


def _draw_results(rng: Random, spans: list[tuple[date, date]]) -> list[tuple[str, dict[str, str]]]:
    """One monitoring result per agency for the years before an open period's end: completed early in
    the next year (or at the year's end), in an open period."""
    kind = _kind("workforce-reviews")
    drawn = []
    for writer in WORKFORCE_WRITERS:
        for span in spans:
            row = kind.examples(rng)  # type: ignore[misc]
            completed = _day_in(rng, span)
            row["completed_on"] = completed.isoformat()
            row["year"] = str(completed.year if completed.month == 12 else completed.year - 1)
            row["activities"] = "5.2.5.3"
            drawn.append((writer, row))
    return drawn


def _draw(
    rng: Random, name: str, writers: tuple[tuple[str, int], ...], spans: list[tuple[date, date]], dated: str
) -> Drawn:
    """``how many`` example rows per writer, the date that counts them moved into an open period (left
    empty where the example leaves it empty: a settlement still being built)."""
    kind = _kind(name)
    drawn: Drawn = []
    for writer, how_many in writers:
        for _ in range(how_many):
            row = kind.examples(rng)  # type: ignore[misc]
            if spans and row.get(dated):
                moved = _day_in(rng, rng.choice(spans))
                if row.get("ends_on"):
                    length = date.fromisoformat(row["ends_on"]) - date.fromisoformat(row[dated])
                    row["ends_on"] = (moved + length).isoformat()
                row[dated] = moved.isoformat()
            elif row.get(dated):
                row[dated] = ""
            row["activities"] = "; ".join(kind.activity_codes)
            drawn.append((writer, None, row))
    return drawn


# --- writing -------------------------------------------------------------------------------------------


def _write_reviews(plan: Plan, drawn: list[tuple[str, str, dict[str, str], list]], result: Result) -> None:
    reviews_kind, recommendations_kind = _kind("policy-reviews"), _kind("policy-recommendations")
    for username, owner_key, row, recommendations in drawn:
        writer = _writer(username)
        owner = Organisation.objects.filter(key=owner_key).first()
        if writer is None or owner is None or not recommendations:
            result.skipped += 1 + len(recommendations)
            continue
        found = PolicyReview.objects.filter(
            plan=plan, owner=owner, document=row["document"], reviewed_on=row["reviewed_on"]
        ).first()
        if found is not None:
            continue
        review = record_create(kind=reviews_kind, actor=writer, plan=plan, values=row, owner=owner)
        result.reviews += 1
        for recommendation in recommendations:
            values = {**recommendation, "review": str(review.ref)}
            record_create(kind=recommendations_kind, actor=writer, plan=plan, values=values, owner=owner)
            result.recommendations += 1


def _write_workforce(
    plan: Plan,
    counts: list[tuple[str, dict[str, str]]],
    results: list[tuple[str, dict[str, str]]],
    result: Result,
) -> None:
    counts_kind, results_kind = _kind("workforce-counts"), _kind("workforce-reviews")
    for username, row in counts:
        writer = _writer(username)
        if writer is None:
            result.skipped += 1
            continue
        exists = WorkforceCount.objects.filter(
            plan=plan, owner=writer.organisation, year=row["year"], level=row["level"]
        ).exists()
        if not exists:
            record_create(kind=counts_kind, actor=writer, plan=plan, values=row)
            result.workforce_counts += 1
    for username, row in results:
        writer = _writer(username)
        if writer is None:
            result.skipped += 1
            continue
        exists = WorkforceReview.objects.filter(
            plan=plan, owner=writer.organisation, year=row["year"]
        ).exists()
        if not exists:
            record_create(kind=results_kind, actor=writer, plan=plan, values=row)
            result.workforce_reviews += 1


def _write(plan: Plan, name: str, drawn: Drawn, identity: tuple[str, ...], result: Result) -> int:
    kind = _kind(name)
    written = 0
    for username, _owner, row in drawn:
        writer = _writer(username)
        if writer is None:
            result.skipped += 1
            continue
        found: dict[str, Any] = {field: row[field] or None for field in identity}
        if kind.model._default_manager.filter(plan=plan, owner=writer.organisation, **found).exists():
            continue
        record_create(kind=kind, actor=writer, plan=plan, values=row)
        written += 1
    return written
