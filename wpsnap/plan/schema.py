"""The plan file format (``wpsnap-plan/1``): a pydantic schema, and reading it with errors that name the place.

A plan file is YAML. Every mapping forbids unknown keys, every value is strictly typed, and a
duplicate key anywhere is an error. Cross-references (a priority area's pillar, an assignment's
agency) are checked by :func:`reference_errors`, shared by the loader (which refuses the file)
and the linter (which reports them).

This module imports nothing from Django: it is used by the parser, the linter and the loader alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError, model_validator

FORMAT = "wpsnap-plan/1"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)]
Code = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*\.?$", max_length=32)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]
Year = Annotated[int, Field(ge=1900, le=2200)]
# {"az": {"name": "..."}}: a translation of this item's text fields, keyed by language.
Translations = dict[LanguageCode, dict[str, Text]]


class AgencyKind(StrEnum):
    MINISTRY = "ministry"
    STATE_COMMITTEE = "state_committee"
    STATE_AGENCY = "state_agency"
    OMBUDSMAN = "ombudsman"
    NGO = "ngo"
    LOCAL_EXECUTIVE = "local_executive"
    COLLECTIVE = "collective"
    INTERNATIONAL = "international"
    EVALUATOR = "evaluator"
    DONOR = "donor"
    OTHER = "other"


class Role(StrEnum):
    IMPLEMENTER = "implementer"
    RECOMMENDED = "recommended"


class IndicatorKind(StrEnum):
    COUNT = "count"
    QUALITATIVE = "qualitative"
    DOCUMENT = "document"


class Dimension(StrEnum):
    """Disaggregation dimensions an indicator's text can ask for."""

    SEX = "sex"
    AGE = "age"
    SERVICE = "service"
    POPULATION_GROUP = "population_group"
    DISTRICT = "district"


# Enumerations are read from their string values (strict mode would want Python enum instances).
AgencyKindValue = Annotated[AgencyKind, Strict(False)]
RoleValue = Annotated[Role, Strict(False)]
IndicatorKindValue = Annotated[IndicatorKind, Strict(False)]
DimensionValue = Annotated[Dimension, Strict(False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Period(_Strict):
    start: Year
    end: Year

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


class Section(_Strict):
    code: Code
    text: Text
    translations: Translations = {}


class Objective(Section):
    pass


class ExpectedResult(Section):
    pass


class Source(_Strict):
    title: Text
    file: Text | None = None
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    url: Text | None = None


class Agency(_Strict):
    key: Key
    name: Text
    short_name: Text | None = None
    kind: AgencyKindValue
    # For a collective implementer: the kinds of agency it stands for ("all ministries and state committees").
    member_kinds: list[AgencyKindValue] = []
    # The spellings the source document uses for this agency, so that the parser and linter can find it.
    aliases: list[Text] = []
    translations: Translations = {}

    @model_validator(mode="after")
    def _members_only_for_collectives(self) -> Agency:
        if self.member_kinds and self.kind != AgencyKind.COLLECTIVE:
            raise ValueError("member_kinds is only for agencies of kind 'collective'")
        return self


class Pillar(_Strict):
    key: Key
    number: Code
    title: Text
    definition: Text | None = None
    objective: Objective
    translations: Translations = {}


class Indicator(_Strict):
    key: Key
    text: Text
    kind: IndicatorKindValue
    disaggregation: list[DimensionValue] = []
    unit: Text | None = None
    baseline: Text | None = None
    target: Text | None = None
    note: Text | None = None
    # Whether a count indicator's figures count people (so that publishing suppresses small ones). True
    # unless the plan says otherwise: "number of laws adopted" is ``false``. docs/plan-format.md.
    counts_people: bool = True
    translations: Translations = {}


class Activity(_Strict):
    key: Key
    # The number the document publishes; None when it has none. Not unique: documents repeat them.
    code: Code | None = None
    text: Text
    # None: the priority area's period applies.
    period: Period | None = None
    indicators: list[Indicator] = []
    note: Text | None = None
    translations: Translations = {}


class Assignment(_Strict):
    agency: Key
    role: RoleValue


class PriorityArea(_Strict):
    code: Code
    pillar: Key
    title: Text
    # None: "to be determined"; the document gives no period.
    period: Period | None = None
    agencies: list[Assignment] = []
    activities: list[Activity] = []
    # Indicators the document lists for the area that pair with none of its activities.
    unpaired_indicators: list[Indicator] = []
    note: Text | None = None
    translations: Translations = {}

    @model_validator(mode="after")
    def _agencies_once(self) -> PriorityArea:
        # An agency has one role in an area: named twice, the loader could not keep both.
        problems: list[str] = []
        _unique(problems, "agencies", [a.agency for a in self.agencies], what="agency")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class PlanFile(_Strict):
    format: Literal["wpsnap-plan/1"]
    slug: Key
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    title: Text
    short_title: Text | None = None
    period: Period
    status: Literal["draft", "adopted", "active", "closed"]
    default_language: LanguageCode
    languages: list[LanguageCode]
    # Languages whose `translations` are not an adopted text (made for the platform): pages say so.
    unofficial_translations: list[LanguageCode] = []
    source: Source | None = None
    coordinator: Key | None = None
    introduction: list[Text] = []
    purpose: Section | None = None
    financing: Section | None = None
    pillars: list[Pillar]
    expected_results: list[ExpectedResult] = []
    agencies: list[Agency] = []
    priority_areas: list[PriorityArea] = []
    translations: Translations = {}

    @model_validator(mode="after")
    def _unique_keys(self) -> PlanFile:
        problems: list[str] = []
        _unique(problems, "pillars", [p.key for p in self.pillars])
        _unique(problems, "agencies", [a.key for a in self.agencies])
        _unique(problems, "priority_areas", [a.code for a in self.priority_areas], what="code")
        _unique(problems, "activities", [act.key for act in self.activities()])
        _unique(problems, "indicators", [i.key for i in self.indicators()])
        if self.default_language not in self.languages:
            problems.append(f"default_language {self.default_language!r} is not among languages")
        for code in self.unofficial_translations:
            if code == self.default_language or code not in self.languages:
                problems.append(
                    f"unofficial_translations: {code!r} is the default language or not among languages"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def activities(self) -> list[Activity]:
        return [act for area in self.priority_areas for act in area.activities]

    def indicators(self) -> list[Indicator]:
        found = [ind for act in self.activities() for ind in act.indicators]
        return found + [ind for area in self.priority_areas for ind in area.unpaired_indicators]


def _unique(problems: list[str], where: str, values: list[str], what: str = "key") -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            problems.append(f"{where}: {what} {value!r} is used more than once")
        seen.add(value)


# --- cross-references --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanReferenceError:
    """A reference to something the file does not define."""

    rule: str
    ref: str
    message: str


def reference_errors(plan: PlanFile) -> list[PlanReferenceError]:
    """References that point at nothing: a priority area's pillar, an assignment's agency, the coordinator."""
    pillars = {p.key for p in plan.pillars}
    agencies = {a.key for a in plan.agencies}
    found: list[PlanReferenceError] = []
    if plan.coordinator is not None and plan.coordinator not in agencies:
        found.append(
            PlanReferenceError(
                "unknown-agency",
                "coordinator",
                f"the coordinator {plan.coordinator!r} is not an agency of the plan",
            )
        )
    for area in plan.priority_areas:
        if area.pillar not in pillars:
            found.append(
                PlanReferenceError(
                    "unknown-pillar",
                    area.code,
                    f"priority area {area.code} points at pillar {area.pillar!r}, which the plan does not define",
                )
            )
        for assignment in area.agencies:
            if assignment.agency not in agencies:
                found.append(
                    PlanReferenceError(
                        "unknown-agency",
                        area.code,
                        f"priority area {area.code} names agency {assignment.agency!r}, which the plan does not define",
                    )
                )
    return found


# --- reading a file ------------------------------------------------------------------------------


class PlanFileError(Exception):
    """A plan file that cannot be read; ``problems`` lists each one with its place."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {p}" for p in self.problems)


def read_plan_file(path: str | Path) -> PlanFile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PlanFileError(str(path), ["no such file"]) from exc
    except UnicodeDecodeError as exc:
        raise PlanFileError(str(path), [f"not UTF-8 text (byte {exc.start})"]) from exc
    return parse_plan_text(text, source=str(path))


def parse_plan_text(text: str, *, source: str = "<plan>") -> PlanFile:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise PlanFileError(source, [_yaml_error(exc)]) from exc
    if root is None:
        raise PlanFileError(source, ["the file is empty"])
    duplicates = list(_duplicate_keys(root, ()))
    if duplicates:
        raise PlanFileError(source, duplicates)
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise PlanFileError(
            source, [f"line {root.start_mark.line + 1}: the file must be a mapping of plan fields"]
        )
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(source, [_describe(err, root, data) for err in exc.errors()]) from exc


def _yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {problem}"
    return f"not valid YAML: {problem}"


def _duplicate_keys(node: yaml.Node, path: tuple[str, ...]) -> Any:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                where = ".".join(path) or "the top level"
                yield f"line {line}: duplicate key {key!r} in {where} (first at line {seen[key]})"
            seen.setdefault(key, line)
            yield from _duplicate_keys(value_node, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(
                item, (*path[:-1], f"{path[-1]}[{index}]") if path else (f"[{index}]",)
            )


def _describe(error: Any, root: yaml.Node, data: Any) -> str:
    """One pydantic error as "line N: priority_areas[3] (5.2.1) > activities[0] > text: Field required"."""
    loc = [part for part in error["loc"] if not _is_pydantic_tag(part)]
    names: list[str] = []
    node: yaml.Node | None = root
    value: Any = data
    line = root.start_mark.line + 1
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            label += _item_label(value[part] if isinstance(value, list) and part < len(value) else None)
            if names:
                names[-1] += label
            else:
                names.append(label)
            value = value[part] if isinstance(value, list) and part < len(value) else None
            node = (
                node.value[part] if isinstance(node, yaml.SequenceNode) and part < len(node.value) else None
            )
        else:
            names.append(str(part))
            value = value.get(part) if isinstance(value, dict) else None
            node = _child(node, str(part))
        if node is not None:
            line = node.start_mark.line + 1
    where = " > ".join(names) or "the plan"
    message = error["msg"].removeprefix("Value error, ")
    return f"line {line}: {where}: {message}"


def _is_pydantic_tag(part: Any) -> bool:
    # Union branches and function validators appear in loc as e.g. "function-after[...]" or "str".
    return isinstance(part, str) and bool(re.match(r"^(function-|str$|int$|list\[|dict\[|literal\[)", part))


def _item_label(item: Any) -> str:
    if isinstance(item, dict):
        for field in ("key", "code", "agency"):
            if isinstance(item.get(field), str | int):
                return f" ({item[field]})"
    return ""


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if str(key_node.value) == key:
                return value_node
    return None


# --- writing a file ------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_plan_yaml(plan: PlanFile) -> str:
    """The plan as YAML, in field order, leaving out empty optional fields; stable byte for byte."""
    data = plan.model_dump(mode="json", exclude_defaults=True)
    data = {"format": FORMAT, **data}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
