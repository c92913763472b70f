"""The loaded plan as one JSON-ready document (``wpsnap plan export SLUG --json``).

The shape is a contract that acceptance checks and integrations read: keep existing keys stable.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from .models import Activity, Assignment, Indicator, Pillar, Plan, PriorityArea


def _period(start: int | None, end: int | None) -> dict[str, Any] | None:
    if start is None or end is None:
        return None
    return {"start": start, "end": end, "start_date": f"{start}-01-01", "end_date": f"{end}-12-31"}


def _agency(assignment: Assignment) -> dict[str, Any]:
    org = assignment.agency
    return {
        "key": org.key,
        "name": org.name,
        "short_name": org.short_name or None,
        "kind": org.kind,
        "role": assignment.role,
    }


def _indicator(ind: Indicator) -> dict[str, Any]:
    return {
        "key": ind.key,
        "text": ind.text,
        "kind": ind.kind,
        "disaggregation": list(ind.disaggregation),
        "unit": ind.unit or None,
        "baseline": ind.baseline or None,
        "target": ind.target or None,
        "note": ind.note or None,
        "counts_people": ind.counts_people,
    }


def areas_with_parts() -> QuerySet[PriorityArea]:
    """Priority areas in order, each with its agencies' roles, its activities and their indicators, and
    its unpaired indicators (``unpaired``), prefetched: what the export and the plan file both write."""
    return PriorityArea.objects.order_by("position").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(activity__isnull=True)
            .select_related("agency")
            .order_by("position"),
        ),
        Prefetch(
            "activities",
            queryset=Activity.objects.order_by("position").prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
            ),
        ),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.filter(activity__isnull=True).order_by("position"),
            to_attr="unpaired",
        ),
    )


def plan_export(plan: Plan) -> dict[str, Any]:
    """Every pillar, objective, priority area, activity, indicator and agency role of ``plan``.

    Reads in a fixed number of queries, whatever the plan's size.
    """
    areas_qs = areas_with_parts()
    pillars = (
        Pillar.objects.filter(plan=plan)
        .select_related("objective")
        .order_by("position")
        .prefetch_related(Prefetch("priority_areas", queryset=areas_qs))
    )
    plan = (
        Plan.objects.select_related("coordinator")
        .prefetch_related("agencies", "expected_results")
        .get(pk=plan.pk)
    )
    return {
        "slug": plan.slug,
        "country": plan.country,
        "title": plan.title,
        "short_title": plan.short_title or None,
        "status": plan.status,
        "languages": list(plan.languages),
        "default_language": plan.default_language,
        **(
            {"unofficial_translations": list(plan.unofficial_translations)}
            if plan.unofficial_translations
            else {}
        ),
        "period": _period(plan.start_year, plan.end_year),
        "source": {
            "title": plan.source_title,
            "file": plan.source_file or None,
            "sha256": plan.source_sha256 or None,
        }
        if plan.source_title
        else None,
        "coordinator": {
            "key": plan.coordinator.key,
            "name": plan.coordinator.name,
            "short_name": plan.coordinator.short_name or None,
        }
        if plan.coordinator
        else None,
        "purpose": {"code": plan.purpose_code, "text": plan.purpose} if plan.purpose else None,
        "financing": {"code": plan.financing_code, "text": plan.financing} if plan.financing else None,
        "expected_results": [{"code": r.code, "text": r.text} for r in plan.expected_results.all()],
        "agencies": [
            {
                "key": o.key,
                "name": o.name,
                "short_name": o.short_name or None,
                "kind": o.kind,
                "member_kinds": list(o.member_kinds),
            }
            for o in sorted(plan.agencies.all(), key=lambda o: o.key)
        ],
        "pillars": [
            {
                "key": pillar.key,
                "code": pillar.number,
                "title": pillar.title,
                "definition": pillar.definition or None,
                "objective": {"code": pillar.objective.code, "text": pillar.objective.text},
                "priority_areas": [
                    {
                        "code": area.code,
                        "title": area.title,
                        "period": _period(area.start_year, area.end_year),
                        "note": area.note or None,
                        "agencies": [_agency(a) for a in area.assignments.all()],
                        "activities": [
                            {
                                "key": act.key,
                                "code": act.code or None,
                                "text": act.text,
                                "period": _period(act.effective_start_year, act.effective_end_year),
                                "note": act.note or None,
                                "indicators": [_indicator(i) for i in act.indicators.all()],
                            }
                            for act in area.activities.all()
                        ],
                        "unpaired_indicators": [_indicator(i) for i in area.unpaired],  # type: ignore[attr-defined]
                    }
                    for area in pillar.priority_areas.all()
                ],
            }
            for pillar in pillars
        ],
    }
