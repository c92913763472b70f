"""Setting a plan up for events: its districts (options of the "district" dimension) and the
suggested bindings of indicators to event data. Idempotent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from wpsnap.core import params
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.plan.models import Plan
from wpsnap.reporting.models import Dimension, DimensionOption

from .rules import rules_setup

DISTRICTS_FORMAT = "wpsnap-districts/1"


@dataclass
class EventsSetupResult:
    districts: int = 0
    rules: int = 0


def read_districts(path: Path) -> list[dict[str, str]]:
    """The districts of a ``wpsnap-districts/1`` file (see plans/az-districts.yaml)."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidInput.one(
            "", "unreadable", _("The file cannot be read (%(error)s).") % {"error": error}
        ) from error
    if not isinstance(data, dict) or data.get("format") != DISTRICTS_FORMAT:
        raise InvalidInput.one("format", "invalid", _("Expected %(format)s.") % {"format": DISTRICTS_FORMAT})
    problems: list[Problem] = []
    entries = data.get("districts") or []
    if not isinstance(entries, list):
        raise InvalidInput.one("districts", "invalid", _("List the districts, each with a code and a name."))
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("code") or not entry.get("name"):
            problems.append(Problem(f"districts[{i}]", "required", _("Give a code and a name.")))
            continue
        problems += _unfit(i, entry)
        if str(entry["code"]) in seen:
            problems.append(
                Problem(
                    f"districts[{i}]",
                    "duplicate",
                    _("The code %(code)s appears twice.") % {"code": entry["code"]},
                )
            )
        else:
            seen.add(str(entry["code"]))
    if problems:
        raise InvalidInput(problems)
    return [{k: str(v) for k, v in entry.items()} for entry in entries]


# What the district's option row holds (reporting.DimensionOption: a slug of 40, a name of 100).
_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")
_NAME_MAX = 100


def _unfit(i: int, entry: dict[Any, Any]) -> list[Problem]:
    """The problems of a district's code and names that the database could not hold, each named."""
    problems = []
    if not _CODE.fullmatch(str(entry["code"])):
        problems.append(
            Problem(
                f"districts[{i}].code",
                "invalid",
                _("Write the code in at most 40 letters, digits, dashes or underscores."),
            )
        )
    for name in ("name", "az", "ru"):
        value = entry.get(name)
        if value is None and name != "name":
            continue
        try:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise params.Refused(_("Give a text."))
            params.text_of(str(value), max_length=_NAME_MAX)
        except params.Refused as refused:
            problems.append(Problem(f"districts[{i}].{name}", "invalid", str(refused)))
    return problems


def events_setup(*, plan: Plan, districts: list[dict[str, str]] | None = None) -> EventsSetupResult:
    """Add the districts ``plan`` lacks and bind its indicators that event data can answer. The plan
    must be set up for reporting first (``wpsnap reports setup``)."""
    result = EventsSetupResult()
    dimension = Dimension.objects.filter(plan=plan, code="district").first()
    if dimension is None:
        raise InvalidInput.one(
            "plan", "not_set_up", _("Set the plan up for reporting first (wpsnap reports setup).")
        )
    with transaction.atomic():
        if districts:
            existing = set(dimension.options.values_list("code", flat=True))
            start = dimension.options.count()
            new = [entry for entry in districts if entry["code"] not in existing]
            DimensionOption.objects.bulk_create(
                [
                    DimensionOption(
                        dimension=dimension,
                        code=entry["code"],
                        name=entry["name"],
                        position=start + i,
                        translations={
                            lang: {"name": entry[lang]} for lang in ("az", "ru") if entry.get(lang)
                        },
                    )
                    for i, entry in enumerate(new)
                ]
            )
            result.districts = len(new)
        result.rules = rules_setup(plan=plan)
    return result
