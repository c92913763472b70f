"""Validation rules as data, and the pure functions that apply them. No database.

Each rule has an id, the kinds of indicator it applies to, and a check returning problems
(``wpsnap.core.errors.Problem``): the cell key ("" for the total) or field, the rule's id as the code,
and the message. A report with problems can be saved as a draft (its valid figures
are kept) but not submitted. Messages are shown next to the field they name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from wpsnap.core.errors import Problem

from .disaggregation import TOTAL, BreakdownSpec

# ASCII digits only, as every number read from outside (wpsnap.core.params): "١٢" and "²" are not 12 or 2.
_PLAIN_NUMBER = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$")

# Figures above this are refused as typing mistakes (a plan's counts are people, events, projects).
MAX_VALUE = Decimal("1000000000")


def parse_number(raw: str) -> Decimal | None:
    """A typed number, accepting a comma as decimal mark and spaces as thousands separators; None
    for a blank; raises ValueError for anything else."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    # Plain decimal notation only: "1e9" or "NaN" are not what a person means by a count.
    if not _PLAIN_NUMBER.match(text):
        raise ValueError(text)
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    # Indicator kinds the rule applies to ("count", "qualitative", "document").
    kinds: frozenset[str]
    check: Callable[[Mapping[str, Decimal], BreakdownSpec], list[Problem]]


def _non_negative(values: Mapping[str, Decimal], spec: BreakdownSpec) -> list[Problem]:
    return [
        Problem(key, "non-negative", _("Enter zero or more; a count cannot be negative."))
        for key, value in values.items()
        if value < 0
    ]


def _whole_numbers(values: Mapping[str, Decimal], spec: BreakdownSpec) -> list[Problem]:
    return [
        Problem(key, "whole-number", _("Enter a whole number: people and events are counted in units."))
        for key, value in values.items()
        if value >= 0 and value != value.to_integral_value()
    ]


def _not_too_large(values: Mapping[str, Decimal], spec: BreakdownSpec) -> list[Problem]:
    return [
        Problem(key, "too-large", _("This figure is too large to be right; check for a typing mistake."))
        for key, value in values.items()
        if value > MAX_VALUE
    ]


def _parts_sum_to_total(values: Mapping[str, Decimal], spec: BreakdownSpec) -> list[Problem]:
    parts = [values[cell.key] for cell in spec.cells() if cell.key in values]
    if not parts or TOTAL not in values:
        return []
    if sum(parts, Decimal(0)) != values[TOTAL]:
        return [
            Problem(
                TOTAL,
                "parts-sum-to-total",
                _(
                    "The total (%(total)s) is not the sum of the parts (%(sum)s). Correct the total or the parts."
                )
                % {"total": _plain(values[TOTAL]), "sum": _plain(sum(parts, Decimal(0)))},
            )
        ]
    return []


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


RULES: tuple[Rule, ...] = (
    Rule("non-negative", "Figures are zero or more.", frozenset({"count"}), _non_negative),
    Rule("whole-number", "Counts are whole numbers.", frozenset({"count"}), _whole_numbers),
    Rule("too-large", "Figures stay below a billion.", frozenset({"count"}), _not_too_large),
    Rule(
        "parts-sum-to-total",
        "The disaggregated parts add up to the total.",
        frozenset({"count"}),
        _parts_sum_to_total,
    ),
)


@dataclass
class CheckedValues:
    """Typed figures after validation: ``clean`` holds the numbers that can be stored (valid as
    numbers and not negative); ``problems`` everything to show, by cell."""

    clean: dict[str, Decimal]
    problems: list[Problem]


def check_values(kind: str, spec: BreakdownSpec, raw: Mapping[str, str]) -> CheckedValues:
    """Parse and check one indicator's typed cells. A blank total with parts becomes their sum."""
    parsed: dict[str, Decimal] = {}
    problems: list[Problem] = []
    allowed = spec.keys()
    for key, text in raw.items():
        if key not in allowed:
            problems.append(
                Problem(key, "unknown-cell", _("This cell is not part of the indicator's breakdown."))
            )
            continue
        try:
            value = parse_number(text)
        except ValueError:
            problems.append(Problem(key, "number", _("Enter a number, for example 12.")))
            continue
        if value is not None:
            parsed[key] = value
    parts = [parsed[cell.key] for cell in spec.cells() if cell.key in parsed]
    if TOTAL not in parsed and parts and not any(p.field == TOTAL for p in problems):
        parsed[TOTAL] = sum(parts, Decimal(0))
    for rule in RULES:
        if kind in rule.kinds:
            problems.extend(rule.check(parsed, spec))
    refused = {p.field for p in problems if p.code in {"non-negative", "too-large"}}
    clean = {key: value for key, value in parsed.items() if key not in refused}
    return CheckedValues(clean=clean, problems=problems)


def check_dates(
    started_on: date | None, finished_on: date | None, period_start: date, period_end: date
) -> list[Problem]:
    """Dates of the work lie within the reporting period, and in order."""
    problems = []
    for name, value in (("started_on", started_on), ("finished_on", finished_on)):
        if value is not None and not (period_start <= value <= period_end):
            problems.append(
                Problem(
                    name,
                    "date-in-period",
                    _("Enter a date within the reporting period (%(start)s to %(end)s).")
                    % {"start": period_start.isoformat(), "end": period_end.isoformat()},
                )
            )
    if started_on and finished_on and finished_on < started_on:
        problems.append(
            Problem("finished_on", "dates-ordered", _("The work cannot finish before it starts."))
        )
    return problems


def check_money(raw: str) -> tuple[Decimal | None, str | None]:
    """An amount in the plan's currency: (value, None) or (None, message)."""
    try:
        value = parse_number(raw)
    except ValueError:
        return None, _("Enter an amount, for example 1500 or 1500.50.")
    if value is not None and value < 0:
        return None, _("Enter zero or more.")
    if value is not None and value > MAX_VALUE * 100:
        return None, _("This amount is too large to be right; check for a typing mistake.")
    if value is not None and value != value.quantize(Decimal("0.01")):
        return None, _("Use at most two decimals.")
    return value, None
