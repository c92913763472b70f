"""The plan's content in other languages: what a coordinator translates, part by part, and saving it.

Every translatable text of a plan (its title, expected results, agencies, and each pillar's objective,
priority areas, activities and indicators) is an :class:`Entry`: the item, the field, the text in the
plan's default language and its translation. The translation screen shows one part at a time (the
plan's general texts, or one pillar), so that it stays fast whatever the plan's size;
:func:`plan_translations_save` writes only the fields that changed, refusing the whole save when an
item changed since the screen was opened (its ``updated_at``). docs/languages.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Organisation
from wpsnap.core import audit
from wpsnap.core.errors import InvalidInput, Problem, WpsnapError
from wpsnap.core.models import AuditAction

from .models import Activity, ExpectedResult, Indicator, Objective, Pillar, Plan, PriorityArea

# The translatable fields of each kind of item, and the kind's name in form fields.
FIELDS: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "plan": (Plan, ("title", "short_title", "purpose", "financing", "source_title")),
    "result": (ExpectedResult, ("text",)),
    "agency": (Organisation, ("name", "short_name")),
    "pillar": (Pillar, ("title", "definition")),
    "objective": (Objective, ("text",)),
    "area": (PriorityArea, ("title", "note")),
    "activity": (Activity, ("text", "note")),
    "indicator": (Indicator, ("text", "unit", "baseline", "target", "note")),
}
KIND_LABELS = {
    "plan": gettext_lazy("The plan"),
    "result": gettext_lazy("Expected result"),
    "agency": gettext_lazy("Agency"),
    "pillar": gettext_lazy("Pillar"),
    "objective": gettext_lazy("Objective"),
    "area": gettext_lazy("Priority area"),
    "activity": gettext_lazy("Activity"),
    "indicator": gettext_lazy("Indicator"),
}
GENERAL = "general"  # the part of the plan's own texts, expected results and agencies
TEXT_MAX = 5000


@dataclass
class Field:
    name: str
    label: str
    source: str
    text: str
    # On the screen: the text to show (what was sent, after a refusal) and the field's problem.
    value: str | None = None
    error: str = ""

    @property
    def shown(self) -> str:
        return self.text if self.value is None else self.value

    @property
    def missing(self) -> bool:
        return not self.text


@dataclass
class Item:
    kind: str
    obj: Any
    label: str
    stamp: str
    fields: list[Field]

    @property
    def prefix(self) -> str:
        return f"{self.kind}-{self.obj.pk}"


def stamp_of(obj: Any) -> str:
    return obj.updated_at.isoformat()


def _item(kind: str, obj: Any, label: str, language: str) -> Item:
    model, names = FIELDS[kind]
    translations = (obj.translations or {}).get(language, {})
    fields = [
        Field(
            name,
            str(getattr(model._meta.get_field(name), "verbose_name", name)),
            str(getattr(obj, name) or ""),
            str(translations.get(name, "")),
        )
        for name in names
        if getattr(obj, name, "")
    ]
    return Item(kind, obj, label, stamp_of(obj), fields)


def _code(code: str, fallback: str = "") -> str:
    return code or fallback


def part_items(plan: Plan, part: str, language: str) -> list[Item]:
    """The items of ``part`` (``GENERAL`` or a pillar's key), in the plan's order, each with its fields.
    Raises ``Pillar.DoesNotExist`` for an unknown part. Four queries for a pillar, three for the rest."""
    if part == GENERAL:
        items = [_item("plan", plan, str(KIND_LABELS["plan"]), language)]
        items += [
            _item("result", r, f"{KIND_LABELS['result']} {r.code}", language)
            for r in ExpectedResult.objects.filter(plan=plan).order_by("position")
        ]
        items += [
            _item("agency", org, f"{KIND_LABELS['agency']}: {org.name}", language)
            for org in plan.agencies.order_by("name")
        ]
        return [item for item in items if item.fields]
    pillar = Pillar.objects.select_related("objective").get(plan=plan, key=part)
    items = [_item("pillar", pillar, f"{KIND_LABELS['pillar']} {pillar.number}", language)]
    objective = getattr(pillar, "objective", None)
    if objective is not None:
        items.append(_item("objective", objective, f"{KIND_LABELS['objective']} {objective.code}", language))
    areas = list(PriorityArea.objects.filter(pillar=pillar).order_by("position"))
    activities: dict[int, list[Activity]] = {area.pk: [] for area in areas}
    for act in Activity.objects.filter(priority_area__pillar=pillar).order_by("position"):
        activities[act.priority_area_id].append(act)
    indicators: dict[tuple[int, int | None], list[Indicator]] = {}
    for ind in Indicator.objects.filter(priority_area__pillar=pillar).order_by("position"):
        indicators.setdefault((ind.priority_area_id, ind.activity_id), []).append(ind)
    for area in areas:
        items.append(_item("area", area, f"{KIND_LABELS['area']} {area.code}", language))
        for act in activities[area.pk]:
            items.append(_item("activity", act, f"{KIND_LABELS['activity']} {act.code or act.key}", language))
            for ind in indicators.get((area.pk, act.pk), []):
                items.append(
                    _item("indicator", ind, f"{KIND_LABELS['indicator']} ({act.code or act.key})", language)
                )
        for ind in indicators.get((area.pk, None), []):
            items.append(_item("indicator", ind, f"{KIND_LABELS['indicator']} ({area.code})", language))
    return [item for item in items if item.fields]


def translatable_languages(plan: Plan) -> list[str]:
    """The plan's languages but its default one: those its text is translated into."""
    return [code for code in plan.languages if code != plan.default_language]


class TranslationsStale(WpsnapError):
    """Some of the items were changed by someone else since the screen was opened (409)."""

    status = 409
    code = "stale"

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        super().__init__(
            _(
                "Someone else changed some of these texts since you opened the page. Nothing was saved: "
                "check the marked texts and save again."
            )
        )

    @property
    def problems(self) -> list[Problem]:
        return [Problem("", self.code, str(self))] + [
            Problem(name, self.code, _("Changed by someone else since you opened the page."))
            for name in self.fields
        ]


@dataclass(frozen=True)
class Submitted:
    """What the screen sent for one item: the stamp it was opened with and each field's text."""

    kind: str
    pk: int
    stamp: str
    texts: dict[str, str]


def plan_translations_save(
    *, actor: Any, plan: Plan, language: str, part: str, submitted: list[Submitted], request: Any = None
) -> int:
    """Write the translations of ``part``'s items into ``language``; only fields whose text changed are
    written (an emptied field loses its translation). Returns how many fields changed. Refused whole:
    an item not in the part, a text too long (``InvalidInput``, naming the field), or an item changed
    since its stamp (``TranslationsStale``, naming its fields)."""
    if not permissions.can(actor, "plan.translate", plan):
        permissions.refuse(request, "plan.translate", plan)
    if language not in translatable_languages(plan):
        raise InvalidInput.one(
            "language", "invalid_choice", _("This plan is not translated into that language.")
        )
    with transaction.atomic():
        items = {(item.kind, item.obj.pk): item for item in part_items(plan, part, language)}
        problems: list[Problem] = []
        stale: list[str] = []
        changes: list[tuple[Item, dict[str, str]]] = []
        for sent in submitted:
            item = items.get((sent.kind, sent.pk))
            if item is None:
                problems.append(
                    Problem(f"{sent.kind}-{sent.pk}", "unknown", _("This text is not part of this page."))
                )
                continue
            known = {f.name: f for f in item.fields}
            changed: dict[str, str] = {}
            for name, text in sent.texts.items():
                key = f"{item.prefix}-{name}"
                if name not in known:
                    problems.append(Problem(key, "unknown", _("This text is not part of this page.")))
                    continue
                text = text.strip()
                if len(text) > TEXT_MAX:
                    problems.append(
                        Problem(key, "too_long", _("At most %(count)d characters.") % {"count": TEXT_MAX})
                    )
                elif text != known[name].text:
                    changed[name] = text
            if changed and sent.stamp != item.stamp:
                stale += [f"{item.prefix}-{name}" for name in changed]
            elif changed:
                changes.append((item, changed))
        if problems:
            raise InvalidInput(problems)
        if stale:
            raise TranslationsStale(stale)
        count = 0
        for item, changed in changes:
            model, _names = FIELDS[item.kind]
            obj: Any = model._default_manager.select_for_update().get(pk=item.obj.pk)
            if stamp_of(obj) != item.stamp:
                raise TranslationsStale([f"{item.prefix}-{name}" for name in changed])
            translations = dict(obj.translations or {})
            mine = dict(translations.get(language, {}))
            for name, text in changed.items():
                if text:
                    mine[name] = text
                else:
                    mine.pop(name, None)
            if mine:
                translations[language] = mine
            else:
                translations.pop(language, None)
            obj.translations = translations
            obj._history_user = actor
            obj.save(update_fields=["translations", "updated_at"])
            count += len(changed)
        if count:
            audit.record(
                AuditAction.UPDATE,
                actor=actor,
                obj=plan,
                request=request,
                note=f"translations {language}: {count} texts in {part}",
            )
    return count
