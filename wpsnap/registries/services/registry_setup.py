"""Binding a plan's indicators to the registries' counts from a file (``plans/az-registry-rules.yaml``):
the operator's setup step behind ``wpsnap registries setup`` and the demo, like ``events setup`` for event
data. The file is plan data: which indicator counts which registry's records is the plan's, not code.

Idempotent: an indicator already bound to a registry count keeps the binding a coordinator chose; one
counted from events is left to the events. Every problem of the file is named by its line's key, and
nothing is bound unless the whole file is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.plan.models import Indicator, IndicatorKind, Plan

from ..kinds import catalogue
from ..kinds.figures import count_named
from ..models import DerivationRule, RegistryRule

RULES_FORMAT = "wpsnap-registry-rules/1"


@dataclass
class RulesSetup:
    bound: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    from_events: list[str] = field(default_factory=list)


def read_registry_rules(path: Path) -> dict[str, Any]:
    """The ``rules`` of a ``wpsnap-registry-rules/1`` file, with its ``plan``: {"plan": slug, "rules":
    {indicator key: "<registry>:<count>"}}."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidInput.one(
            "", "unreadable", _("The file cannot be read (%(error)s).") % {"error": error}
        ) from error
    if not isinstance(data, dict) or data.get("format") != RULES_FORMAT:
        raise InvalidInput.one("format", "invalid", _("Expected %(format)s.") % {"format": RULES_FORMAT})
    rules = data.get("rules")
    if not isinstance(rules, dict):
        raise InvalidInput.one("rules", "required", _("List the rules: indicator key: registry:count."))
    twice = _given_twice(text)
    if twice:
        raise InvalidInput(twice)
    return {"plan": str(data.get("plan") or ""), "rules": {str(k): str(v) for k, v in rules.items()}}


def _given_twice(text: str) -> list[Problem]:
    """The indicators the rules name more than once: YAML would keep the last silently."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # read once already: it is YAML
    rules = next(
        (value for key, value in getattr(root, "value", []) if getattr(key, "value", None) == "rules"),
        None,
    )
    if not isinstance(rules, yaml.MappingNode):
        return []
    first: dict[str, int] = {}
    problems = []
    for key, _value in rules.value:
        line = key.start_mark.line + 1
        if str(key.value) in first:
            problems.append(
                Problem(
                    f"rules.{key.value}",
                    "duplicate",
                    _("Line %(line)d: this indicator is bound already at line %(first)d.")
                    % {"line": line, "first": first[str(key.value)]},
                )
            )
        first.setdefault(str(key.value), line)
    return problems


def registry_rules_setup(*, plan: Plan, rules: dict[str, str]) -> RulesSetup:
    """Bind each indicator key of ``rules`` in ``plan`` to its "<registry>:<count>" (see the module)."""
    indicators = {i.key: i for i in Indicator.objects.filter(plan=plan, key__in=list(rules))}
    problems: list[Problem] = []
    for key, target in rules.items():
        name, _sep, count = target.partition(":")
        kind = catalogue.kind_named(name)
        indicator = indicators.get(key)
        if indicator is None:
            problems.append(
                Problem(
                    f"rules.{key}",
                    "unknown",
                    _("The plan has no indicator %(key)s.") % {"key": key},
                )
            )
        elif indicator.kind != IndicatorKind.COUNT:
            problems.append(
                Problem(
                    f"rules.{key}", "invalid", _("Only a count indicator can be derived from a registry.")
                )
            )
        if kind is None or count_named(kind, count) is None:
            problems.append(
                Problem(
                    f"rules.{key}",
                    "invalid_choice",
                    _("%(target)s is not a registry's count.") % {"target": target},
                )
            )
    if problems:
        raise InvalidInput(problems)
    result = RulesSetup()
    from_events = set(
        DerivationRule.objects.filter(indicator__in=indicators.values()).values_list(
            "indicator__key", flat=True
        )
    )
    bound = set(
        RegistryRule.objects.filter(indicator__in=indicators.values()).values_list(
            "indicator__key", flat=True
        )
    )
    with transaction.atomic():
        for key, target in rules.items():
            if key in from_events:
                result.from_events.append(key)
            elif key in bound:
                result.kept.append(key)
            else:
                name, _sep, count = target.partition(":")
                RegistryRule.objects.create(indicator=indicators[key], kind=name, count=count)
                result.bound.append(key)
    return result
