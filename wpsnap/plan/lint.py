"""The plan quality check behind ``wpsnap plan lint``: rules that find the defects of a plan file.

A plan file can be valid (:mod:`wpsnap.plan.schema` accepts it) and still be wrong: numbers repeated
or filed under the wrong priority area, activities nobody implements, indicators with no baseline, a
resolution number with its digits swapped. :func:`lint_plan` reports each such defect as a
:class:`Finding` that names its place, so that the official who owns the plan can fix the source.

The rules are data (:data:`RULES`); their order is the order of the report. This module is pure
Python: no Django, no gettext; the command line prints the messages as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from wpsnap.plan.schema import (
    Activity,
    Dimension,
    Indicator,
    Period,
    PlanFile,
    PriorityArea,
    Role,
    reference_errors,
)

Severity = Literal["error", "warning"]


class Rule(NamedTuple):
    severity: Severity
    description: str


# rule id -> (severity, one-line description). The order here is the order of the report.
RULES: Final[dict[str, Rule]] = {
    "duplicate-activity-number": Rule("error", "Two or more activities carry the same published number."),
    "activity-number-outside-area": Rule(
        "error",
        "An activity's number does not start with the number of the priority area it is listed under.",
    ),
    "activity-without-number": Rule("warning", "An activity has no published number."),
    "empty-priority-area": Rule("warning", "A priority area has no activities."),
    "priority-area-without-period": Rule("warning", "A priority area has no implementation period."),
    "period-outside-plan": Rule(
        "error", "A priority area's or activity's period starts before or ends after the plan's period."
    ),
    "activity-without-indicator": Rule("warning", "An activity has no indicator to measure it."),
    "indicator-without-activity": Rule(
        "error", "An indicator listed for a priority area belongs to none of its activities."
    ),
    "indicator-without-baseline": Rule("warning", "An indicator has no baseline."),
    "indicator-without-target": Rule("warning", "An indicator has no target."),
    "disaggregation-differs": Rule(
        "warning", "An indicator is disaggregated differently from indicators with the same wording."
    ),
    "disaggregation-mismatch": Rule(
        "error", "An indicator's text says how it is disaggregated, and its recorded disaggregation differs."
    ),
    "unknown-agency": Rule("error", "The plan names an agency it does not define."),
    "unknown-pillar": Rule("error", "A priority area points at a pillar the plan does not define."),
    "unknown-resolution": Rule(
        "error",
        "The text cites a Security Council resolution that is not a women, peace and security resolution.",
    ),
    "duplicate-text": Rule(
        "warning", "Two activities, or two indicators of one activity, have the same text."
    ),
    "area-without-implementer": Rule(
        "warning", "A priority area has activities but no agency with the role of implementer."
    ),
}

# The Security Council resolutions on women, peace and security.
WPS_RESOLUTIONS: Final[frozenset[str]] = frozenset(
    {"1325", "1820", "1888", "1889", "1960", "2106", "2122", "2242", "2467", "2493"}
)

# How indicator texts name each disaggregation dimension ("disaggregated by gender and age").
DIMENSION_WORDS: Final[dict[Dimension, tuple[str, ...]]] = {
    Dimension.SEX: ("sex", "gender", "men and women", "women and men", "male and female", "female and male"),
    Dimension.AGE: ("age", "ages", "age group", "age groups"),
    Dimension.SERVICE: ("service", "services", "type of service", "service type"),
    Dimension.POPULATION_GROUP: ("population group", "population groups", "target group", "target groups"),
    Dimension.DISTRICT: ("district", "districts", "region", "regions", "location", "municipality"),
}

_DIMENSION_LABELS: Final[dict[Dimension, str]] = {
    Dimension.SEX: "sex",
    Dimension.AGE: "age",
    Dimension.SERVICE: "service",
    Dimension.POPULATION_GROUP: "population group",
    Dimension.DISTRICT: "district",
}


@dataclass(frozen=True)
class Finding:
    """One defect of a plan: which rule found it, where, how serious, and what to tell the official."""

    rule: str
    ref: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "ref": self.ref, "severity": self.severity, "message": self.message}


def lint_plan(plan: PlanFile) -> list[Finding]:
    """Every finding of every rule, in the order of :data:`RULES`, then in the order of the document."""
    context = _Context(plan)
    found: list[Finding] = []
    for check in _CHECKS:
        found.extend(check(context))
    order = {rule: index for index, rule in enumerate(RULES)}
    # A stable sort: within a rule, the checks already yield in document order.
    return sorted(found, key=lambda finding: order.get(finding.rule, len(order)))


# --- shared helpers ------------------------------------------------------------------------------


def _finding(rule: str, ref: str, message: str) -> Finding:
    severity: Severity = RULES[rule].severity if rule in RULES else "error"
    return Finding(rule=rule, ref=ref, severity=severity, message=message)


def _number(code: str) -> str:
    """A published number without its trailing dot: "5.1.1." and "5.1.1" are the same number."""
    return code.rstrip(".")


def _excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return f"“{text}”"
    return f"“{text[: limit - 1].rstrip()}…”"


def _listing(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _dimensions(dimensions: Iterable[Dimension]) -> str:
    chosen = set(dimensions)
    if not chosen:
        return "nothing"
    return _listing([_DIMENSION_LABELS[d] for d in Dimension if d in chosen])


@dataclass(frozen=True)
class _IndicatorPlace:
    ref: str
    indicator: Indicator
    area: PriorityArea
    activity: Activity | None


class _Context:
    """The plan with what several rules need worked out once: refs, and indicators in document order."""

    def __init__(self, plan: PlanFile) -> None:
        self.plan = plan
        codes = Counter(_number(act.code) for act in plan.activities() if act.code is not None)
        self.repeated_codes = {code for code, count in codes.items() if count > 1}
        self.indicators: list[_IndicatorPlace] = []
        # id(activity) or id(priority area, for its unpaired indicators) -> its indicators.
        self._by_owner: dict[int, list[_IndicatorPlace]] = {}
        for area in plan.priority_areas:
            for activity in area.activities:
                for n, indicator in enumerate(activity.indicators, start=1):
                    ref = f"{self.activity_ref(activity)} indicator {n}"
                    self.indicators.append(_IndicatorPlace(ref, indicator, area, activity))
            for n, indicator in enumerate(area.unpaired_indicators, start=1):
                self.indicators.append(
                    _IndicatorPlace(f"{area.code} unpaired indicator {n}", indicator, area, None)
                )
        for place in self.indicators:
            owner = place.activity if place.activity is not None else place.area
            self._by_owner.setdefault(id(owner), []).append(place)

    def indicators_of(self, owner: Activity | PriorityArea) -> list[_IndicatorPlace]:
        """An activity's indicators, or a priority area's unpaired ones."""
        return self._by_owner.get(id(owner), [])

    def activity_ref(self, activity: Activity) -> str:
        """The activity's published number, or its key when it has none or shares it with another."""
        if activity.code is None or _number(activity.code) in self.repeated_codes:
            return activity.key
        return activity.code

    def activity_label(self, activity: Activity) -> str:
        """The activity as a message names it: "5.3.1.3 (5.3.2-2)", or just the key when it has no number."""
        if activity.code is None:
            return activity.key
        return f"{activity.code} ({activity.key})"


# --- the rules ------------------------------------------------------------------------------------


def _duplicate_activity_number(ctx: _Context) -> Iterator[Finding]:
    by_code: dict[str, list[Activity]] = {}
    for activity in ctx.plan.activities():
        if activity.code is not None:
            by_code.setdefault(_number(activity.code), []).append(activity)
    for activities in by_code.values():
        if len(activities) > 1:
            keys = [a.key for a in activities]
            yield _finding(
                "duplicate-activity-number",
                activities[0].code or "",
                f"The number {activities[0].code} is used by {len(activities)} activities ({_listing(keys)}). "
                "Each activity needs a number of its own.",
            )


def _activity_number_outside_area(ctx: _Context) -> Iterator[Finding]:
    for area in ctx.plan.priority_areas:
        prefix = _number(area.code) + "."
        for activity in area.activities:
            if activity.code is not None and not _number(activity.code).startswith(prefix):
                yield _finding(
                    "activity-number-outside-area",
                    ctx.activity_ref(activity),
                    f"Activity {activity.code} ({activity.key}) is listed under priority area {area.code}, "
                    f"but its number does not start with the area's number, {_number(area.code)}.",
                )


def _activity_without_number(ctx: _Context) -> Iterator[Finding]:
    for area in ctx.plan.priority_areas:
        for activity in area.activities:
            if activity.code is None:
                yield _finding(
                    "activity-without-number",
                    activity.key,
                    f"An activity of priority area {area.code} has no number in the document: "
                    f"{_excerpt(activity.text)}.",
                )


def _empty_priority_area(ctx: _Context) -> Iterator[Finding]:
    for area in ctx.plan.priority_areas:
        if not area.activities:
            yield _finding(
                "empty-priority-area",
                area.code,
                f"Priority area {area.code} has no activities: {_excerpt(area.title, 60)}.",
            )


def _priority_area_without_period(ctx: _Context) -> Iterator[Finding]:
    for area in ctx.plan.priority_areas:
        if area.period is None:
            yield _finding(
                "priority-area-without-period",
                area.code,
                f"Priority area {area.code} has no implementation period.",
            )


def _period_outside_plan(ctx: _Context) -> Iterator[Finding]:
    plan_period = ctx.plan.period

    def outside(period: Period | None) -> bool:
        return period is not None and (period.start < plan_period.start or period.end > plan_period.end)

    for area in ctx.plan.priority_areas:
        if outside(area.period):
            yield _finding(
                "period-outside-plan",
                area.code,
                f"Priority area {area.code} runs {area.period}, outside the plan's period {plan_period}.",
            )
        for activity in area.activities:
            if outside(activity.period):
                yield _finding(
                    "period-outside-plan",
                    ctx.activity_ref(activity),
                    f"Activity {ctx.activity_label(activity)} runs {activity.period}, "
                    f"outside the plan's period {plan_period}.",
                )


def _activity_without_indicator(ctx: _Context) -> Iterator[Finding]:
    for activity in ctx.plan.activities():
        if not activity.indicators:
            yield _finding(
                "activity-without-indicator",
                ctx.activity_ref(activity),
                f"Activity {ctx.activity_label(activity)} has no indicator, so its progress cannot be measured.",
            )


def _indicator_without_activity(ctx: _Context) -> Iterator[Finding]:
    for place in ctx.indicators:
        if place.activity is None:
            yield _finding(
                "indicator-without-activity",
                place.ref,
                f"Priority area {place.area.code} lists an indicator that belongs to none of its activities: "
                f"{_excerpt(place.indicator.text)}.",
            )


def _indicator_without_baseline(ctx: _Context) -> Iterator[Finding]:
    for place in ctx.indicators:
        if place.indicator.baseline is None:
            yield _finding(
                "indicator-without-baseline",
                place.ref,
                f"The indicator {_excerpt(place.indicator.text)} has no baseline to measure progress from.",
            )


def _indicator_without_target(ctx: _Context) -> Iterator[Finding]:
    for place in ctx.indicators:
        if place.indicator.target is None:
            yield _finding(
                "indicator-without-target",
                place.ref,
                f"The indicator {_excerpt(place.indicator.text)} has no target to measure progress against.",
            )


# "disaggregated by gender and age", up to the end of the clause.
_DISAGGREGATION_CLAUSE = re.compile(r",?\s*\bdisaggregated\s+by\b([^;.()]*)", re.IGNORECASE)


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _family(text: str) -> str:
    """The indicator's wording with its disaggregation clause, case, punctuation and spacing taken out."""
    return _normalise(_DISAGGREGATION_CLAUSE.sub(" ", text))


def _disaggregation_differs(ctx: _Context) -> Iterator[Finding]:
    families: dict[str, list[_IndicatorPlace]] = {}
    for place in ctx.indicators:
        families.setdefault(_family(place.indicator.text), []).append(place)
    flagged: dict[int, Finding] = {}
    for family, members in families.items():
        if not family or len(members) < 2:
            continue
        counts = Counter(frozenset(m.indicator.disaggregation) for m in members)
        if len(counts) < 2:
            continue
        (common, top), *rest = counts.most_common()
        tied = bool(rest) and rest[0][1] == top
        for member in members:
            mine = frozenset(member.indicator.disaggregation)
            if not tied and mine == common:
                continue
            others = [m.ref for m in members if m is not member]
            if tied:
                message = (
                    f"Indicators with the same wording as this one ({_listing(others)}) are disaggregated in "
                    f"different ways; this one by {_dimensions(mine)}. Check which is meant."
                )
            else:
                like = [m.ref for m in members if frozenset(m.indicator.disaggregation) == common]
                message = (
                    f"This indicator is disaggregated by {_dimensions(mine)}, but indicators with the same "
                    f"wording ({_listing(like)}) are disaggregated by {_dimensions(common)}. "
                    "Check whether this one should be too."
                )
            flagged[id(member)] = _finding("disaggregation-differs", member.ref, message)
    # Report in document order, whichever family an indicator belongs to.
    for place in ctx.indicators:
        if id(place) in flagged:
            yield flagged[id(place)]


def _dimensions_in_text(text: str) -> tuple[bool, set[Dimension]]:
    """Whether the text says "disaggregated by", and the dimensions it names there."""
    clauses = [m.group(1) for m in _DISAGGREGATION_CLAUSE.finditer(text)]
    named: set[Dimension] = set()
    for clause in clauses:
        words = f" {_normalise(clause)} "
        for dimension, spellings in DIMENSION_WORDS.items():
            if any(f" {spelling} " in words for spelling in spellings):
                named.add(dimension)
    return bool(clauses), named


def _disaggregation_mismatch(ctx: _Context) -> Iterator[Finding]:
    for place in ctx.indicators:
        says, named = _dimensions_in_text(place.indicator.text)
        # A clause naming nothing the plan format knows ("by ethnicity") cannot be compared.
        if not says or not named:
            continue
        recorded = set(place.indicator.disaggregation)
        if recorded != named:
            yield _finding(
                "disaggregation-mismatch",
                place.ref,
                f"The indicator's text asks for figures by {_dimensions(named)}, but the plan records its "
                f"disaggregation as {_dimensions(recorded)}: {_excerpt(place.indicator.text)}.",
            )


def _reference_errors(ctx: _Context) -> Iterator[Finding]:
    for error in reference_errors(ctx.plan):
        message = error.message[:1].upper() + error.message[1:]
        if not message.endswith("."):
            message += "."
        yield _finding(error.rule, error.ref, message)


# "Resolution 3125", "Resolutions 1325, 1820, 1888 and 2242", "resolution 1325 (2000)", "UNSCR 2467",
# "S/RES/1325 (2000)". A year in brackets after a number is not a resolution number.
_NUMBER = r"(?<!\d)\d{4}(?!\d|\s*[-\u2013]\s*\d)(?:\s*\(\d{4}\))?"
_RESOLUTION = re.compile(
    rf"(?:\b(?:resolutions?|UNSCRs?)\s+(?:(?:no|nos|number|numbers)\.?\s*)?|\bS/RES/)"
    rf"{_NUMBER}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*){_NUMBER})*",
    re.IGNORECASE,
)
_YEAR_IN_BRACKETS = re.compile(r"\(\d{4}\)")


def cited_resolutions(text: str) -> list[str]:
    """The Security Council resolution numbers a text cites, in order, each once."""
    found: list[str] = []
    for match in _RESOLUTION.finditer(text):
        for number in re.findall(r"\d{4}", _YEAR_IN_BRACKETS.sub(" ", match.group(0))):
            if number not in found:
                found.append(number)
    return found


def _plan_texts(ctx: _Context) -> Iterator[tuple[str, str]]:
    """(ref, text) for every text of the plan a reader sees, in document order."""
    plan = ctx.plan
    yield "title", plan.title
    if plan.short_title:
        yield "short title", plan.short_title
    for n, paragraph in enumerate(plan.introduction, start=1):
        yield f"introduction[{n}]", paragraph
    if plan.purpose is not None:
        yield "purpose", plan.purpose.text
    if plan.financing is not None:
        yield "financing", plan.financing.text
    for pillar in plan.pillars:
        yield f"pillar {pillar.number}", pillar.title
        if pillar.definition:
            yield f"pillar {pillar.number} definition", pillar.definition
        yield f"pillar {pillar.number} objective", pillar.objective.text
    for result in plan.expected_results:
        yield f"expected result {result.code}", result.text
    for area in plan.priority_areas:
        yield area.code, area.title
        for activity in area.activities:
            yield ctx.activity_ref(activity), activity.text
            for place in ctx.indicators_of(activity):
                yield place.ref, place.indicator.text
        for place in ctx.indicators_of(area):
            yield place.ref, place.indicator.text


def _unknown_resolution(ctx: _Context) -> Iterator[Finding]:
    for ref, text in _plan_texts(ctx):
        for number in cited_resolutions(text):
            if number in WPS_RESOLUTIONS:
                continue
            meant = sorted(r for r in WPS_RESOLUTIONS if sorted(r) == sorted(number))
            hint = f" Did you mean {' or '.join(meant)}?" if meant else ""
            yield _finding(
                "unknown-resolution",
                ref,
                f"Resolution {number} is not one of the Security Council resolutions on women, peace and "
                f"security.{hint}",
            )


def _duplicate_text(ctx: _Context) -> Iterator[Finding]:
    seen: dict[str, Activity] = {}
    for activity in ctx.plan.activities():
        first = seen.setdefault(_normalise(activity.text), activity)
        if first is not activity:
            yield _finding(
                "duplicate-text",
                ctx.activity_ref(activity),
                f"Activity {ctx.activity_label(activity)} has the same text as activity "
                f"{ctx.activity_label(first)}: {_excerpt(activity.text)}.",
            )
        indicator_seen: dict[str, int] = {}
        for n, indicator in enumerate(activity.indicators, start=1):
            earlier = indicator_seen.setdefault(_normalise(indicator.text), n)
            if earlier != n:
                yield _finding(
                    "duplicate-text",
                    f"{ctx.activity_ref(activity)} indicator {n}",
                    f"Indicators {earlier} and {n} of activity {ctx.activity_label(activity)} have the same "
                    f"text: {_excerpt(indicator.text)}.",
                )


def _area_without_implementer(ctx: _Context) -> Iterator[Finding]:
    for area in ctx.plan.priority_areas:
        if area.activities and not any(a.role == Role.IMPLEMENTER for a in area.agencies):
            named = "only recommended agencies" if area.agencies else "no agencies"
            yield _finding(
                "area-without-implementer",
                area.code,
                f"Priority area {area.code} has activities but no implementing agency ({named} are named).",
            )


_CHECKS: Final[tuple[Callable[[_Context], Iterable[Finding]], ...]] = (
    _duplicate_activity_number,
    _activity_number_outside_area,
    _activity_without_number,
    _empty_priority_area,
    _priority_area_without_period,
    _period_outside_plan,
    _activity_without_indicator,
    _indicator_without_activity,
    _indicator_without_baseline,
    _indicator_without_target,
    _disaggregation_differs,
    _disaggregation_mismatch,
    _reference_errors,
    _unknown_resolution,
    _duplicate_text,
    _area_without_implementer,
)
