"""Writes to the plan. One entry point per use case; every write is atomic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from wpsnap.accounts.models import Organisation
from wpsnap.core.errors import InvalidInput

from . import schema
from .models import Activity, Assignment, ExpectedResult, Indicator, Objective, Pillar, Plan, PriorityArea


@dataclass
class LoadResult:
    """What loading a plan file changed, counted in rows."""

    plan: Plan
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def plan_load(*, plan_file: schema.PlanFile) -> LoadResult:
    """Create or update a plan from a validated plan file, keyed by the file's stable keys.

    Loading the same file twice changes nothing (and writes no history). A changed file updates
    the plan in place: rows are updated, added or removed, each change recorded by
    django-simple-history. The whole load is one transaction: a refused file leaves nothing behind.
    """
    problems = [(err.ref, err.rule, err.message) for err in schema.reference_errors(plan_file)]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        return _Loader(plan_file).run()


class _Loader:
    def __init__(self, plan_file: schema.PlanFile) -> None:
        self.f = plan_file
        self.result: LoadResult

    def run(self) -> LoadResult:
        f = self.f
        existing = Plan.objects.filter(slug=f.slug).first()
        plan = existing or Plan(slug=f.slug)
        self.result = LoadResult(plan=plan)
        agencies = self._load_agencies()
        coordinator = agencies[f.coordinator] if f.coordinator else None
        self._save(plan, {**self._plan_values(), "coordinator": coordinator}, fresh=existing is None)
        current_agencies = set(plan.agencies.values_list("pk", flat=True))
        wanted_agencies = {agencies[a.key].pk for a in f.agencies}
        if current_agencies != wanted_agencies:
            plan.agencies.set(wanted_agencies)
            if existing is not None:
                self.result.updated += 1
                self.result.changes.append("plan agencies")

        pillars = self._load_pillars(plan)
        self._sync(
            ExpectedResult.objects.filter(plan=plan),
            "code",
            [
                (r.code, {"text": r.text, "translations": r.translations, "position": i})
                for i, r in enumerate(f.expected_results)
            ],
            plan=plan,
        )
        areas = self._sync(
            PriorityArea.objects.filter(plan=plan),
            "code",
            [
                (
                    a.code,
                    {
                        "pillar": pillars[a.pillar],
                        "title": a.title,
                        "note": a.note or "",
                        "translations": a.translations,
                        "position": i,
                        **_years(a.period),
                    },
                )
                for i, a in enumerate(f.priority_areas)
            ],
            plan=plan,
            delete=False,
        )
        activities = self._sync(
            Activity.objects.filter(plan=plan),
            "key",
            [
                (
                    act.key,
                    {
                        "priority_area": areas[area.code],
                        "code": act.code or "",
                        "text": act.text,
                        "note": act.note or "",
                        "translations": act.translations,
                        "position": i,
                        **_years(act.period),
                    },
                )
                for area in f.priority_areas
                for i, act in enumerate(area.activities)
            ],
            plan=plan,
        )
        self._sync(
            Indicator.objects.filter(plan=plan),
            "key",
            list(self._indicator_rows(areas, activities)),
            plan=plan,
        )
        self._sync_assignments(plan, areas, agencies)
        self._delete_missing(
            PriorityArea.objects.filter(plan=plan), "code", {a.code for a in f.priority_areas}
        )
        self._delete_missing(Pillar.objects.filter(plan=plan), "key", {p.key for p in f.pillars})
        return self.result

    # -- the plan itself ---------------------------------------------------------------------

    def _plan_values(self) -> dict[str, Any]:
        f = self.f
        return {
            "country": f.country,
            "title": f.title,
            "short_title": f.short_title or "",
            "status": f.status,
            "default_language": f.default_language,
            "languages": list(f.languages),
            "unofficial_translations": list(f.unofficial_translations),
            "source_title": f.source.title if f.source else "",
            "source_file": (f.source.file or "") if f.source else "",
            "source_sha256": (f.source.sha256 or "") if f.source else "",
            "introduction": list(f.introduction),
            "purpose_code": f.purpose.code if f.purpose else "",
            "purpose": f.purpose.text if f.purpose else "",
            "financing_code": f.financing.code if f.financing else "",
            "financing": f.financing.text if f.financing else "",
            "translations": _plan_translations(f),
            **_years(f.period),
        }

    def _load_agencies(self) -> dict[str, Organisation]:
        existing = {o.key: o for o in Organisation.objects.filter(country=self.f.country)}
        found: dict[str, Organisation] = {}
        for agency in self.f.agencies:
            values = {
                "name": agency.name,
                "short_name": agency.short_name or "",
                "kind": agency.kind.value,
                "member_kinds": [k.value for k in agency.member_kinds],
                "aliases": list(agency.aliases),
                "translations": agency.translations,
            }
            org = existing.get(agency.key)
            if org is None:
                org = Organisation(country=self.f.country, key=agency.key)
                self._save(org, values, fresh=True)
            else:
                self._save(org, values, fresh=False)
            found[agency.key] = org
        return found

    def _load_pillars(self, plan: Plan) -> dict[str, Pillar]:
        pillars = self._sync(
            Pillar.objects.filter(plan=plan),
            "key",
            [
                (
                    p.key,
                    {
                        "number": p.number,
                        "title": p.title,
                        "definition": p.definition or "",
                        "translations": p.translations,
                        "position": i,
                    },
                )
                for i, p in enumerate(self.f.pillars)
            ],
            plan=plan,
            delete=False,
        )
        objectives = {o.pillar_id: o for o in Objective.objects.filter(pillar__plan=plan)}
        for p in self.f.pillars:
            pillar = pillars[p.key]
            values = {
                "code": p.objective.code,
                "text": p.objective.text,
                "translations": p.objective.translations,
            }
            objective = objectives.get(pillar.pk)
            if objective is None:
                self._save(Objective(pillar=pillar), values, fresh=True)
            else:
                self._save(objective, values, fresh=False)
        return pillars

    def _indicator_rows(
        self, areas: dict[str, PriorityArea], activities: dict[str, Activity]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        for area in self.f.priority_areas:
            paired: list[tuple[Activity | None, schema.Indicator]] = [
                (activities[act.key], ind) for act in area.activities for ind in act.indicators
            ]
            unpaired: list[tuple[Activity | None, schema.Indicator]] = [
                (None, ind) for ind in area.unpaired_indicators
            ]
            for position, (activity, ind) in enumerate(paired + unpaired):
                yield (
                    ind.key,
                    {
                        "priority_area": areas[area.code],
                        "activity": activity,
                        "text": ind.text,
                        "kind": ind.kind.value,
                        "disaggregation": [d.value for d in ind.disaggregation],
                        "unit": ind.unit or "",
                        "baseline": ind.baseline or "",
                        "target": ind.target or "",
                        "note": ind.note or "",
                        "counts_people": ind.counts_people,
                        "translations": ind.translations,
                        "position": position,
                    },
                )

    def _sync_assignments(
        self, plan: Plan, areas: dict[str, PriorityArea], agencies: dict[str, Organisation]
    ) -> None:
        existing = {
            (a.priority_area_id, a.agency_id): a
            for a in Assignment.objects.filter(plan=plan, activity__isnull=True)
        }
        wanted: set[tuple[int, int]] = set()
        for area in self.f.priority_areas:
            for i, assignment in enumerate(area.agencies):
                area_row, agency = areas[area.code], agencies[assignment.agency]
                natural = (area_row.pk, agency.pk)
                wanted.add(natural)
                values = {"role": assignment.role.value, "position": i}
                row = existing.get(natural)
                if row is None:
                    self._save(
                        Assignment(plan=plan, priority_area=area_row, agency=agency), values, fresh=True
                    )
                else:
                    self._save(row, values, fresh=False)
        for natural, row in existing.items():
            if natural not in wanted:
                self._delete(row)

    # -- generic upsert by natural key ----------------------------------------------------------

    def _sync(
        self,
        queryset: models.QuerySet[Any],
        key_field: str,
        rows: list[tuple[str, dict[str, Any]]],
        *,
        plan: Plan,
        delete: bool = True,
    ) -> dict[str, Any]:
        """Make ``queryset`` hold exactly ``rows`` (natural key, values); return the rows by key."""
        existing = {getattr(obj, key_field): obj for obj in queryset}
        found: dict[str, Any] = {}
        for key, values in rows:
            obj = existing.get(key)
            if obj is None:
                obj = queryset.model(plan=plan, **{key_field: key})
                self._save(obj, values, fresh=True)
            else:
                self._save(obj, values, fresh=False)
            found[key] = obj
        if delete:
            self._delete_missing(queryset, key_field, set(found))
        return found

    def _delete_missing(self, queryset: models.QuerySet[Any], key_field: str, keep: set[str]) -> None:
        for obj in queryset:
            if getattr(obj, key_field) not in keep:
                self._delete(obj)

    def _delete(self, obj: models.Model) -> None:
        obj.delete()
        self.result.deleted += 1
        self.result.changes.append(f"deleted {obj._meta.model_name} {obj}")

    def _save(self, obj: models.Model, values: dict[str, Any], *, fresh: bool) -> None:
        changed = [
            name for name, value in values.items() if fresh or _field_value(obj, name) != _comparable(value)
        ]
        for name in changed:
            setattr(obj, name, values[name])
        if fresh or changed:
            try:
                obj.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                where = f"{obj._meta.model_name}[{_natural_key(obj)}]"
                raise InvalidInput(
                    (f"{where}.{name}", error.code or "invalid", message)
                    for name, errors in exc.error_dict.items()
                    for error in errors
                    for message in error.messages
                ) from exc
        if fresh:
            obj.save()
            self.result.created += 1
        elif changed:
            obj.save(update_fields=[*changed, "updated_at"])
            self.result.updated += 1
            self.result.changes.append(f"updated {obj._meta.model_name} {obj}: {', '.join(changed)}")
        else:
            self.result.unchanged += 1


def _natural_key(obj: models.Model) -> str:
    for name in ("key", "code", "slug"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return str(obj)


def _field_value(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname)
    return getattr(obj, name)


def _comparable(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _years(period: schema.Period | None) -> dict[str, int | None]:
    if period is None:
        return {"start_year": None, "end_year": None}
    return {"start_year": period.start, "end_year": period.end}


def _plan_translations(f: schema.PlanFile) -> dict[str, dict[str, str]]:
    return {lang: dict(fields) for lang, fields in f.translations.items()}
