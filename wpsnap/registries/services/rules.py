"""Binding indicators to event data: which event types and topics count, and what is counted."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Indicator, IndicatorKind, Plan

from ..models import DerivationRule, EventKind, Measure, RegistryRule, Topic


def rule_set(
    *,
    actor: Any,
    indicator: Indicator,
    measure: str,
    kinds: list[str],
    topics: list[Topic],
    request: Any = None,
) -> DerivationRule:
    """Bind ``indicator`` to events (or change its binding)."""
    if not permissions.can(actor, "derivation.manage", indicator):
        permissions.refuse(request, "derivation.manage", indicator)
    problems = []
    if indicator.kind != IndicatorKind.COUNT:
        problems.append(("indicator", "invalid", _("Only a count indicator can be derived from events.")))
    if measure not in Measure.values:
        problems.append(("measure", "invalid_choice", _("Choose participants or events.")))
    unknown = [k for k in kinds if k not in EventKind.values]
    if unknown:
        problems.append(
            (
                "kinds",
                "invalid_choice",
                _("%(unknown)s is not an event type (%(kinds)s).")
                % {"unknown": ", ".join(unknown), "kinds": ", ".join(EventKind.values)},
            )
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        rule = DerivationRule.objects.filter(indicator=indicator).first() or DerivationRule(
            indicator=indicator
        )
        rule.measure = measure
        rule.kinds = [k for k in EventKind.values if k in kinds]
        rule._history_user = actor  # type: ignore[attr-defined]
        rule.save()
        rule.topics.set(topics)
    return rule


def rule_remove(*, actor: Any, indicator: Indicator, request: Any = None) -> None:
    if not permissions.can(actor, "derivation.manage", indicator):
        permissions.refuse(request, "derivation.manage", indicator)
    with transaction.atomic():
        for rule in DerivationRule.objects.filter(indicator=indicator):
            rule._history_user = actor  # type: ignore[attr-defined]
            rule.delete()


# Suggested bindings, read from the indicator's wording (English, the plan files' default language):
# (words that must all appear, measure, event kinds).
SUGGESTIONS: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("dialogue mechanism",), Measure.PARTICIPANTS, (EventKind.CONSULTATION, EventKind.SURVEY)),
    (
        ("training", "awareness", "participants"),
        Measure.PARTICIPANTS,
        (EventKind.TRAINING, EventKind.AWARENESS),
    ),
    (("training", "participants"), Measure.PARTICIPANTS, (EventKind.TRAINING,)),
    (("awareness", "participants"), Measure.PARTICIPANTS, (EventKind.AWARENESS,)),
    (("assessments and awareness-raising",), Measure.PARTICIPANTS, (EventKind.AWARENESS, EventKind.SURVEY)),
    (("awareness-raising activities",), Measure.PARTICIPANTS, (EventKind.AWARENESS,)),
)


def rules_suggest(plan: Plan) -> list[tuple[Indicator, str, tuple[str, ...]]]:
    """The bindings suggested for ``plan``'s count indicators that have none yet."""
    bound = set(DerivationRule.objects.filter(indicator__plan=plan).values_list("indicator_id", flat=True))
    found = []
    for indicator in Indicator.objects.filter(plan=plan, kind=IndicatorKind.COUNT).order_by("position"):
        if indicator.pk in bound:
            continue
        text = indicator.text.lower()
        for words, measure, kinds in SUGGESTIONS:
            if all(word in text for word in words):
                found.append((indicator, measure, kinds))
                break
    return found


def rules_setup(*, plan: Plan) -> int:
    """Bind the suggested indicators (an operator's setup step, idempotent). Returns how many."""
    suggested = rules_suggest(plan)
    with transaction.atomic():
        for indicator, measure, kinds in suggested:
            DerivationRule.objects.create(indicator=indicator, measure=measure, kinds=list(kinds))
    return len(suggested)


# --- indicators counted from a registry (issue 14) ---------------------------------------------------


def registry_counts() -> list[tuple[str, str]]:
    """Every count a registry offers, as ("<registry>:<count>", "Registry: what it counts")."""
    from ..kinds import catalogue

    return [
        (f"{kind.name}:{count.key}", f"{kind.label_plural}: {count.label}")
        for kind in catalogue.kinds()
        for count in kind.counts
    ]


def registry_rule_set(*, actor: Any, indicator: Indicator, count: str, request: Any = None) -> RegistryRule:
    """Bind ``indicator`` to a registry's count (``count``: "<registry>:<count key>"), or change it."""
    from ..kinds import catalogue
    from ..kinds.figures import count_named

    if not permissions.can(actor, "derivation.manage", indicator):
        permissions.refuse(request, "derivation.manage", indicator)
    name, _sep, key = count.partition(":")
    kind = catalogue.kind_named(name)
    problems = []
    if indicator.kind != IndicatorKind.COUNT:
        problems.append(("indicator", "invalid", _("Only a count indicator can be derived from a registry.")))
    if kind is None or count_named(kind, key) is None:
        problems.append(("count", "invalid_choice", _("Choose one of the registries' counts.")))
    if DerivationRule.objects.filter(indicator=indicator).exists():
        problems.append(
            (
                "count",
                "bound",
                _("This indicator is counted from events: stop counting it from events first."),
            )
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        rule = RegistryRule.objects.filter(indicator=indicator).first() or RegistryRule(indicator=indicator)
        rule.kind, rule.count = name, key
        rule._history_user = actor  # type: ignore[attr-defined]
        rule.save()
    return rule


def registry_rule_remove(*, actor: Any, indicator: Indicator, request: Any = None) -> None:
    if not permissions.can(actor, "derivation.manage", indicator):
        permissions.refuse(request, "derivation.manage", indicator)
    with transaction.atomic():
        for rule in RegistryRule.objects.filter(indicator=indicator):
            rule._history_user = actor  # type: ignore[attr-defined]
            rule.delete()
