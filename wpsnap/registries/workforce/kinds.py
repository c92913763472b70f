"""The declarations of the workforce registries (``wpsnap.registries.kinds.base``), their examples, and
``summary(records)``: the share of women per position level and year and its trend.

``summary`` is what the list page or an API field shows beside the counts: give it the records the viewer
may see (already filtered by agency or year if the page is), it adds them up per year and level (all
agencies together) and per year over all levels, and says for each row how the share of women moved
since the previous year counted at that level. A pure function: no database, any objects with ``year``,
``level``, ``women`` and ``men`` do.

Counts: ``workforce-counts`` counts ``agencies`` (the distinct agencies with staff counts for a year in
the period); ``workforce-reviews`` counts ``results`` (the annual monitoring results, by the day they
were completed) and ``agencies`` (the distinct agencies with a result), for 5.2.5.3's indicator."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from random import Random
from typing import Any, NamedTuple, Protocol

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import Column, ColumnType, Count, RegistryKind, SummaryTable, Visibility

from .models import LEVEL_ORDER, PositionLevel, WorkforceCount, WorkforceReview

ACTIVITY_CODES = ("5.2.5.3",)

# The summary's row over every level of a year.
ALL_LEVELS = ""

_ONE_DECIMAL = Decimal("0.1")


class _Counted(Protocol):
    @property
    def year(self) -> int: ...
    @property
    def level(self) -> str: ...
    @property
    def women(self) -> int: ...
    @property
    def men(self) -> int: ...


@dataclass(frozen=True)
class LevelShare:
    """One row of the summary: the staff of one position level (or of all, ``level == ""``) in one year."""

    year: int
    level: str
    women: int
    men: int
    # Per cent of women, one decimal, half up; None when nobody was counted.
    share: Decimal | None
    # Percentage points since the previous year counted at this level (shares as shown); None for the
    # first year or when either year has nobody counted.
    change: Decimal | None

    @property
    def total(self) -> int:
        return self.women + self.men

    @property
    def level_label(self) -> str | Promise:
        return _("All levels") if self.level == ALL_LEVELS else PositionLevel(self.level).label

    @property
    def trend(self) -> str:
        """ "up", "down", "same", or "" (nothing to compare): a stable code for pages and the API."""
        if self.change is None:
            return ""
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"


def share_of_women(women: int, men: int) -> Decimal | None:
    total = women + men
    if total == 0:
        return None
    return (Decimal(women) * 100 / Decimal(total)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def summary(records: Iterable[_Counted]) -> list[LevelShare]:
    """The share of women per year and position level (levels top to bottom, then all levels), years in
    order, each row with its change since the previous year counted at that level."""
    cells: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        for level in (record.level, ALL_LEVELS):
            cell = cells[(record.year, level)]
            cell[0] += record.women
            cell[1] += record.men
    order = {level: position for position, level in enumerate((*LEVEL_ORDER, ALL_LEVELS))}
    rows: list[LevelShare] = []
    previous: dict[str, Decimal | None] = {}
    for year, level in sorted(cells, key=lambda key: (key[0], order[key[1]])):
        women, men = cells[(year, level)]
        share = share_of_women(women, men)
        before = previous.get(level)
        change = share - before if share is not None and before is not None else None
        rows.append(LevelShare(year=year, level=level, women=women, men=men, share=share, change=change))
        previous[level] = share
    return rows


def summary_table(records: Any) -> SummaryTable:
    """The kind's ``summary`` hook: :func:`summary` of the staff counts listed (a queryset, the list's
    filters applied) as the table above the list and the API list's ``summary``. One query."""
    rows = summary(
        _Row(*values) for values in records.order_by().values_list("year", "level", "women", "men")
    )
    return SummaryTable(
        caption=_("Share of women by position level and year"),
        columns=(
            ("year", _("Year")),
            ("level", _("Position level")),
            ("women", _("Women")),
            ("men", _("Men")),
            ("share", _("Share of women (%)")),
            ("change", _("Change since the year before (points)")),
        ),
        rows=tuple(
            {
                "year": r.year,
                "level": r.level,
                "women": r.women,
                "men": r.men,
                "share": None if r.share is None else str(r.share),
                "change": None if r.change is None else str(r.change),
                "trend": r.trend,
            }
            for r in rows
        ),
        shown=tuple(
            (
                str(r.year),
                str(r.level_label),
                number_format(r.women),
                number_format(r.men),
                "–" if r.share is None else number_format(r.share, 1),  # noqa: RUF001 - en dash: none
                "–" if r.change is None else _signed(r.change),  # noqa: RUF001 - en dash: none
            )
            for r in rows
        ),
    )


def _signed(change: Decimal) -> str:
    return ("+" if change > 0 else "") + number_format(change, 1)


class _Row(NamedTuple):
    year: int
    level: str
    women: int
    men: int


# Realistic sizes and shares of women per level in a ministry (totals, per cent of women).
_LEVEL_SIZES = {
    PositionLevel.LEADERSHIP: ((3, 12), (5, 25)),
    PositionLevel.SENIOR: ((20, 70), (15, 35)),
    PositionLevel.MIDDLE: ((80, 400), (30, 50)),
    PositionLevel.JUNIOR: ((200, 1500), (40, 60)),
    PositionLevel.SUPPORT: ((80, 600), (45, 70)),
}


def count_example(rng: Random) -> dict[str, str]:
    """One agency's staff at one level in one year (2010-2023: the plan's years and the baseline before)
    as a file row."""
    level = rng.choice(LEVEL_ORDER)
    (smallest, largest), (low, high) = _LEVEL_SIZES[PositionLevel(level)]
    total = rng.randint(smallest, largest)
    women = round(total * rng.randint(low, high) / 100)
    return {
        "year": str(rng.randint(2010, 2023)),
        "level": level,
        "women": str(women),
        "men": str(total - women),
        "source": rng.choice(("Staff list of 1 January", "Human resources database", "")),
    }


_RESULTS = (
    "Women hold a third of the posts but few leadership posts; promotions in the year went mostly to men.",
    "The share of women at senior level grew; recruitment notices now invite women to apply.",
    "No woman heads a department; vacancies at senior level were filled without open competition.",
)
_PROPOSALS = (
    "Publish every vacancy openly and keep at least one woman on each shortlist.",
    "Offer leadership training to women at middle level and track their promotion.",
    "Report staff by sex and position level every year to the State Committee.",
)


def review_example(rng: Random) -> dict[str, str]:
    """One annual monitoring result (2020-2023) as a file row, completed in the first months after it."""
    year = rng.randint(2020, 2023)
    completed = date(year, 12, 1) + timedelta(days=rng.randrange(120))
    return {
        "year": str(year),
        "completed_on": completed.isoformat(),
        "result": rng.choice(_RESULTS),
        "proposals": rng.choice(_PROPOSALS),
    }


def review_validate(values: Mapping[str, Any]) -> Iterable[tuple[str, str, Any]]:
    """A year's monitoring is completed once the year has begun."""
    year, completed_on = values.get("year"), values.get("completed_on")
    if year is not None and completed_on is not None and completed_on.year < year:
        yield (
            "completed_on",
            "invalid",
            _("The monitoring cannot be completed before the year it is about."),
        )


WORKFORCE_COUNTS = RegistryKind(
    name="workforce-counts",
    model=WorkforceCount,
    label=_("Staff count"),
    label_plural=_("Staff counts"),
    description=_(
        "Each state agency's staff by position level, women and men, year by year: "
        "the share of women at each level and how it changes."
    ),
    # The year links to the record; the level, women and men are the list's columns.
    title_field="year",
    columns=(
        Column("year", "year", _("Year"), ColumnType.YEAR, required=True, in_list=True),
        Column(
            "level",
            "level",
            _("Position level"),
            ColumnType.CHOICE,
            required=True,
            choices=PositionLevel,
            in_list=True,
        ),
        Column("women", "women", _("Women"), ColumnType.INTEGER, required=True, in_list=True),
        Column("men", "men", _("Men"), ColumnType.INTEGER, required=True, in_list=True),
        Column(
            "source",
            "source",
            _("Source of the figures"),
            ColumnType.TEXT,
            help=_("For example: the staff list of 1 January."),
        ),
    ),
    visibility=Visibility.STAFF,
    activity_codes=ACTIVITY_CODES,
    counts=(
        # A year field: counted in the periods its year spans.
        Count("agencies", _("Agencies counting their staff by sex"), date_field="year", distinct="owner"),
    ),
    ordering=("-year", "owner", "level", "id"),
    examples=count_example,
    summary=summary_table,
)

WORKFORCE_REVIEWS = RegistryKind(
    name="workforce-reviews",
    model=WorkforceReview,
    label=_("Workforce monitoring result"),
    label_plural=_("Workforce monitoring results"),
    description=_(
        "The annual monitoring of equal opportunities for women in each state agency: the result and the "
        "proposals for changes."
    ),
    title_field="year",
    columns=(
        Column("year", "year", _("Year monitored"), ColumnType.YEAR, required=True, in_list=True),
        Column(
            "completed_on", "completed_on", _("Date completed"), ColumnType.DATE, required=True, in_list=True
        ),
        Column("result", "result", _("Monitoring result"), ColumnType.LONG_TEXT, required=True),
        Column("proposals", "proposals", _("Proposals for changes"), ColumnType.LONG_TEXT),
    ),
    visibility=Visibility.STAFF,
    activity_codes=ACTIVITY_CODES,
    counts=(
        Count("results", _("Monitoring results"), date_field="completed_on"),
        Count("agencies", _("Agencies monitored"), date_field="completed_on", distinct="owner"),
    ),
    ordering=("-year", "owner", "id"),
    examples=review_example,
    validate=review_validate,
)
