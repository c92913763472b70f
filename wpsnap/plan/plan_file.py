"""A loaded plan written back as a plan file (``wpsnap plan export SLUG --plan-file``), translations and
all, so that what coordinators translated on the translation screen survives ``plan export`` then
``plan load`` (docs/languages.md). The same format as plans/*.yaml (docs/plan-format.md); empty
optional values are left out."""

from __future__ import annotations

from typing import Any

from .export import areas_with_parts
from .models import Indicator, Plan
from .schema import FORMAT, PlanFile, dump_plan_yaml


def _tidy(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


def _period(start: int | None, end: int | None) -> dict[str, int] | None:
    return None if start is None or end is None else {"start": start, "end": end}


def _indicator(ind: Indicator) -> dict[str, Any]:
    return _tidy(
        {
            "key": ind.key,
            "text": ind.text,
            "kind": ind.kind,
            "disaggregation": list(ind.disaggregation),
            "unit": ind.unit,
            "baseline": ind.baseline,
            "target": ind.target,
            "note": ind.note,
            "translations": ind.translations,
        }
    ) | ({} if ind.counts_people else {"counts_people": False})


def plan_file(plan: Plan) -> dict[str, Any]:
    """``plan`` as a plan file's mapping, in a fixed number of queries."""
    plan = Plan.objects.select_related("coordinator").get(pk=plan.pk)
    pillars = list(plan.pillars.select_related("objective").order_by("position"))
    areas = areas_with_parts().filter(plan=plan).select_related("pillar")
    source = (
        _tidy({"title": plan.source_title, "file": plan.source_file, "sha256": plan.source_sha256})
        if plan.source_title
        else None
    )
    return _tidy(
        {
            "format": FORMAT,
            "slug": plan.slug,
            "country": plan.country,
            "title": plan.title,
            "short_title": plan.short_title,
            "period": _period(plan.start_year, plan.end_year),
            "status": plan.status,
            "default_language": plan.default_language,
            "languages": list(plan.languages),
            "unofficial_translations": list(plan.unofficial_translations or []),
            "source": source,
            "coordinator": plan.coordinator.key if plan.coordinator else None,
            "introduction": list(plan.introduction or []),
            "purpose": {"code": plan.purpose_code, "text": plan.purpose} if plan.purpose else None,
            "financing": {"code": plan.financing_code, "text": plan.financing} if plan.financing else None,
            "pillars": [
                _tidy(
                    {
                        "key": p.key,
                        "number": p.number,
                        "title": p.title,
                        "definition": p.definition,
                        "objective": _tidy(
                            {
                                "code": p.objective.code,
                                "text": p.objective.text,
                                "translations": p.objective.translations,
                            }
                        ),
                        "translations": p.translations,
                    }
                )
                for p in pillars
            ],
            "expected_results": [
                _tidy({"code": r.code, "text": r.text, "translations": r.translations})
                for r in plan.expected_results.order_by("position")
            ],
            "agencies": [
                _tidy(
                    {
                        "key": o.key,
                        "name": o.name,
                        "short_name": o.short_name,
                        "kind": o.kind,
                        "member_kinds": list(o.member_kinds or []),
                        "aliases": list(o.aliases or []),
                        "translations": o.translations,
                    }
                )
                for o in plan.agencies.order_by("pk")
            ],
            "priority_areas": [
                _tidy(
                    {
                        "code": area.code,
                        "pillar": area.pillar.key,
                        "title": area.title,
                        "period": _period(area.start_year, area.end_year),
                        "agencies": [
                            {"agency": a.agency.key, "role": a.role} for a in area.assignments.all()
                        ],
                        "activities": [
                            _tidy(
                                {
                                    "key": act.key,
                                    "code": act.code,
                                    "text": act.text,
                                    "period": _period(act.start_year, act.end_year),
                                    "indicators": [_indicator(i) for i in act.indicators.all()],
                                    "note": act.note,
                                    "translations": act.translations,
                                }
                            )
                            for act in area.activities.all()
                        ],
                        "unpaired_indicators": [_indicator(i) for i in getattr(area, "unpaired", [])],
                        "note": area.note,
                        "translations": area.translations,
                    }
                )
                for area in areas
            ],
            "translations": plan.translations,
        }
    )


def plan_file_yaml(plan: Plan) -> str:
    """The plan file as ``plan parse`` writes one (field order, stable byte for byte), checked by the
    schema on the way."""
    return dump_plan_yaml(PlanFile.model_validate(plan_file(plan)))
