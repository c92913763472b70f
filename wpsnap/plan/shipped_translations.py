"""The unofficial Azerbaijani and Russian translations shipped with the Azerbaijan plan
(``az_translations.json``), merged into what the parser makes of the English source, so that
plans/az-2020-2023.yaml stays exactly the parse (docs/languages.md, "Unofficial plan translations").

Each text names its place (``where``: ``plan``, ``plan.purpose``, ``pillar KEY``, ``pillar KEY objective``,
``expected_result CODE``, ``priority_area CODE``, ``activity KEY``, ``indicator KEY``, ``agency KEY``),
its field and the English it translates: a translation whose English no longer matches is left out, so
a corrected source never shows a translation of the old text. Agencies keep the names already attested.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .schema import PlanFile

PATH = Path(__file__).with_name("az_translations.json")


@cache
def _shipped() -> dict[str, Any]:
    return json.loads(PATH.read_text(encoding="utf-8"))


def _places(data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str | None]]:
    """Each ``where`` of a plan file's mapping: the mapping holding the text, and the name of the plan
    section (purpose, financing) whose text it is."""
    places: dict[str, tuple[dict[str, Any], str | None]] = {
        "plan": (data, None),
        "plan.purpose": (data, "purpose"),
        "plan.financing": (data, "financing"),
    }
    for pillar in data.get("pillars", []):
        places[f"pillar {pillar['key']}"] = (pillar, None)
        places[f"pillar {pillar['key']} objective"] = (pillar["objective"], None)
    for result in data.get("expected_results", []):
        places[f"expected_result {result['code']}"] = (result, None)
    for agency in data.get("agencies", []):
        places[f"agency {agency['key']}"] = (agency, None)
    for area in data.get("priority_areas", []):
        places[f"priority_area {area['code']}"] = (area, None)
        for indicator in area.get("unpaired_indicators", []):
            places[f"indicator {indicator['key']}"] = (indicator, None)
        for activity in area.get("activities", []):
            places[f"activity {activity['key']}"] = (activity, None)
            for indicator in activity.get("indicators", []):
                places[f"indicator {indicator['key']}"] = (indicator, None)
    return places


def with_shipped_translations(plan: PlanFile) -> PlanFile:
    """``plan`` with the shipped translations of its texts, and those languages marked unofficial."""
    if plan.slug != "az-2020-2023":
        return plan
    shipped = _shipped()
    data = plan.model_dump(mode="json", exclude_defaults=True)
    places = _places(data)
    for entry in shipped["texts"]:
        place = places.get(entry["where"])
        if place is None:
            continue
        holder, section = place
        english = (holder.get(section) or {}).get("text") if section else holder.get(entry["field"])
        if english != entry["en"]:
            continue
        field = section or entry["field"]
        for language in shipped["unofficial"]:
            texts = holder.setdefault("translations", {}).setdefault(language, {})
            if entry["where"].startswith("agency ") and field in texts:
                continue
            texts[field] = entry[language]
    data["unofficial_translations"] = list(shipped["unofficial"])
    return PlanFile.model_validate({"format": plan.format, **data})
