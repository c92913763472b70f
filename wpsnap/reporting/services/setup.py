"""Setting a plan up for reporting: default dimensions, breakdowns and annual periods (idempotent)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Indicator, Plan

from ..models import (
    MAX_CELLS,
    Breakdown,
    BreakdownDimension,
    Dimension,
    DimensionOption,
    IndicatorBreakdown,
    ReportingPeriod,
)

# The defaults every plan starts with; a plan may add options (districts) or dimensions later.
DEFAULT_DIMENSIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("sex", gettext_noop("Sex"), (("women", gettext_noop("Women")), ("men", gettext_noop("Men")))),
    (
        "age",
        gettext_noop("Age band"),
        (
            ("0-17", gettext_noop("0–17")),  # noqa: RUF001 - en dash in ranges
            ("18-24", gettext_noop("18–24")),  # noqa: RUF001 - en dash in ranges
            ("25-34", gettext_noop("25–34")),  # noqa: RUF001 - en dash in ranges
            ("35-59", gettext_noop("35–59")),  # noqa: RUF001 - en dash in ranges
            ("60-plus", gettext_noop("60 and over")),
        ),
    ),
    (
        "population_group",
        gettext_noop("Population group"),
        (
            ("idp", gettext_noop("Internally displaced")),
            ("conflict-affected", gettext_noop("Conflict-affected")),
            ("host-community", gettext_noop("Host community")),
        ),
    ),
    (
        "service",
        gettext_noop("Service"),
        (
            ("education", gettext_noop("Education")),
            ("health", gettext_noop("Health")),
            ("social", gettext_noop("Social services")),
            ("legal", gettext_noop("Legal aid")),
            ("employment", gettext_noop("Employment")),
        ),
    ),
    ("district", gettext_noop("District"), ()),
)


@dataclass
class SetupResult:
    dimensions: int = 0
    breakdowns: int = 0
    periods: int = 0
    indicators: int = 0
    problems: list[str] = field(default_factory=list)


def reporting_setup(*, plan: Plan, frequency: str = "annual", due_after_days: int = 31) -> SetupResult:
    """Give ``plan`` its dimensions, a breakdown for each indicator's disaggregation, and its reporting
    periods: one per year (``frequency="annual"``, the default) or two (``"semiannual"``), each due
    ``due_after_days`` after it ends. Running it again adds only what is missing."""
    if frequency not in PERIOD_FREQUENCIES:
        raise InvalidInput.one("frequency", "invalid_choice", _("Choose annual or semiannual."))
    result = SetupResult()
    with transaction.atomic():
        dimensions = _dimensions(plan, result)
        _breakdowns(plan, dimensions, result)
        _periods(plan, frequency, due_after_days, result)
    return result


def _dimensions(plan: Plan, result: SetupResult) -> dict[str, Dimension]:
    found = {d.code: d for d in Dimension.objects.filter(plan=plan)}
    for position, (code, name, options) in enumerate(DEFAULT_DIMENSIONS):
        dimension = found.get(code)
        if dimension is None:
            dimension = Dimension.objects.create(plan=plan, code=code, name=name, position=position)
            found[code] = dimension
            result.dimensions += 1
        existing = set(dimension.options.values_list("code", flat=True))
        DimensionOption.objects.bulk_create(
            [
                DimensionOption(dimension=dimension, code=opt_code, name=opt_name, position=i)
                for i, (opt_code, opt_name) in enumerate(options)
                if opt_code not in existing
            ]
        )
    return found


def _breakdowns(plan: Plan, dimensions: dict[str, Dimension], result: SetupResult) -> None:
    option_codes = {
        d.code: list(d.options.order_by("position").values_list("code", flat=True))
        for d in dimensions.values()
    }
    option_counts = {code: len(codes) for code, codes in option_codes.items()}
    settings = {s.indicator_id: s for s in IndicatorBreakdown.objects.filter(indicator__plan=plan)}
    latest: dict[str, Breakdown] = {}
    for existing in Breakdown.objects.filter(plan=plan).order_by("code", "version"):
        latest[existing.code] = existing
    for indicator in Indicator.objects.filter(plan=plan).order_by("position"):
        if indicator.pk in settings:
            continue
        codes = [c for c in indicator.disaggregation if c in dimensions]
        usable = [c for c in codes if option_counts.get(c)]
        breakdown: Breakdown | None = None
        if indicator.kind == "count" and usable:
            size = 1
            for code in usable:
                size *= option_counts[code]
            if size > MAX_CELLS:
                raise InvalidInput.one(
                    indicator.key,
                    "too_large",
                    _("A breakdown by %(dimensions)s has %(size)d cells (at most %(max)d).")
                    % {"dimensions": " x ".join(usable), "size": size, "max": MAX_CELLS},
                )
            key = "-".join(usable)
            breakdown = latest.get(key)
            if breakdown is None:
                breakdown = Breakdown.objects.create(plan=plan, code=key, version=1)
                BreakdownDimension.objects.bulk_create(
                    [
                        BreakdownDimension(
                            breakdown=breakdown, dimension=dimensions[c], position=i, options=option_codes[c]
                        )
                        for i, c in enumerate(usable)
                    ]
                )
                latest[key] = breakdown
                result.breakdowns += 1
        IndicatorBreakdown.objects.create(indicator=indicator, breakdown=breakdown)
        result.indicators += 1


# Each frequency's periods within a year: (label suffix, first month, last month).
PERIOD_FREQUENCIES: dict[str, tuple[tuple[str, int, int], ...]] = {
    "annual": (("", 1, 12),),
    "semiannual": ((" H1", 1, 6), (" H2", 7, 12)),
}


def _periods(plan: Plan, frequency: str, due_after_days: int, result: SetupResult) -> None:
    existing = set(ReportingPeriod.objects.filter(plan=plan).values_list("start", "end"))
    for year in plan.years():
        for suffix, first, last in PERIOD_FREQUENCIES[frequency]:
            start = date(year, first, 1)
            end = date(year, last, calendar.monthrange(year, last)[1])
            if (start, end) in existing:
                continue
            ReportingPeriod.objects.create(
                plan=plan,
                label=f"{year}{suffix}",
                start=start,
                end=end,
                opens_on=end - timedelta(days=91),
                due_on=end + timedelta(days=due_after_days),
            )
            result.periods += 1
