"""The route to the public (``publishing.public_results``): on a realistic world of reports, what leaves
for the public is the published reports' figures only, nothing small unless it is public statistics or
not a count of people, nothing small that can be worked out from what is published (the proof's attacker,
tests/publishing/attacker.py), every figure shown equal to the read model's, and the previous release's
unchanged figures held as known."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wpsnap.analytics.results import results
from wpsnap.analytics.scope import PUBLIC
from wpsnap.plan.models import Indicator, PlanStatus
from wpsnap.publishing.disclosure import Family, Reason
from wpsnap.publishing.public import (
    WITHHELD,
    PublicFigure,
    PublicResults,
    public_results,
    table_dimensions,
)
from wpsnap.reporting.disaggregation import BreakdownSpec, DimensionSpec, Option, parse_cell_key
from wpsnap.reporting.workflow import Status

from .attacker import recoverable_small_cells
from .conftest import (
    BY_AGE,
    NOT_PEOPLE,
    PREVIOUS,
    PUBLIC_STATISTICS,
    SEX_AGE,
    SEX_AND_AGE,
    THRESHOLD,
    TOTAL_ONLY,
    Written,
    by_hand,
    publish_dates,
    write_reports,
)
from .release import family_of, published_of

pytestmark = pytest.mark.django_db


def indicator_of(release: PublicResults, world, activity: int):
    return next(i for i in release.indicators if i.indicator_id == world.indicators[activity].pk)


def test_only_published_reports_give_figures(world) -> None:
    """The approved report's figures (each over 1,000) and the draft's are nowhere in the release: every
    total equals the published reports' sum where it is shown, and the grand total of sex x age in 2020
    is the two published reports' total, not three."""
    release = public_results(world.plan, threshold=THRESHOLD)
    shown = [
        figure.value
        for indicator in release.indicators
        for period in indicator.periods
        for figure in period.figures()
        if figure.value is not None
    ]
    assert shown and max(shown) < 1000
    periods = indicator_of(release, world, SEX_AND_AGE).periods
    assert periods[0].total is not None
    assert periods[0].total.value == by_hand(world.written, SEX_AND_AGE, 0)[""]
    assert periods[0].reports == 2
    assert periods[1].reports == 1


def test_nothing_small_is_published_unless_public_statistics_or_not_people(world) -> None:
    """No figure of people below the threshold is shown, margins and totals included; the indicator
    marked as public statistics shows its small cells (reason ``public``), and the count of things shows
    its total of 3 as reported."""
    release = public_results(world.plan, threshold=THRESHOLD)
    for indicator in release.indicators:
        if indicator.public_statistics or not indicator.counts_people:
            continue
        for period in indicator.periods:
            for figure in period.figures():
                assert figure.value is None or figure.value >= THRESHOLD, (indicator.indicator, figure)
    marked = indicator_of(release, world, PUBLIC_STATISTICS)
    assert marked.public_statistics
    figures = marked.periods[0].figures()
    assert {figure.reason for figure in figures} == {Reason.PUBLIC}
    assert any(figure.value is not None and figure.value < THRESHOLD for figure in figures)
    things = indicator_of(release, world, NOT_PEOPLE)
    assert not things.counts_people
    assert things.periods[0].total is not None
    assert things.periods[0].total.value == Decimal(3)
    assert things.periods[0].total.reason is None
    small_total = indicator_of(release, world, TOTAL_ONLY).periods[0].total
    assert small_total is not None
    assert (small_total.value, small_total.reason) == (None, Reason.SMALL)


def test_every_suppressed_small_cell_is_unrecoverable(world) -> None:
    """For every protected indicator and period, the attacker of the proof, given everything the release
    shows of it, cannot narrow any small figure (cells, margins, totals) below the threshold or above 0;
    and the world has small figures to protect."""
    release = public_results(world.plan, threshold=THRESHOLD)
    checked = 0
    for activity in (SEX_AND_AGE, BY_AGE, TOTAL_ONLY):
        indicator = indicator_of(release, world, activity)
        for number, period in enumerate(indicator.periods):
            if period.total is None:
                continue
            family = family_of(period, dict(by_hand(world.written, activity, number)))
            assert recoverable_small_cells(family, published_of(period), THRESHOLD) == [], period
            checked += sum(value < THRESHOLD for value in family.tables[0].cells.values())
    assert checked >= 10


def test_shown_figures_are_the_read_models(world) -> None:
    """Every figure shown equals what analytics sums for the public: a total its total, an inner cell its
    cell, a margin the sum of its cells; the suppressed ones are the small ones and their complements."""
    release = public_results(world.plan, threshold=THRESHOLD)
    model = {
        (i.indicator_id, p.period_id): p
        for i in results(PUBLIC, plan=world.plan).indicators
        for p in i.periods
    }
    compared = 0
    for indicator in release.indicators:
        for period in indicator.periods:
            summed = model[(indicator.indicator_id, period.period_id)]
            cells = {c.cell: c.value for c in summed.cells}
            for figure in period.figures():
                if figure.value is None:
                    assert figure.reason in {Reason.SMALL, Reason.COMPLEMENTARY}
                    continue
                fixed = set(parse_cell_key(figure.cell))
                expected = (
                    summed.total
                    if figure.cell == ""
                    else sum((v for k, v in cells.items() if fixed <= set(parse_cell_key(k))), Decimal(0))
                )
                assert figure.value == expected, (indicator.indicator, period.period, figure)
                compared += 1
    assert compared >= 20


def test_the_table_is_the_breakdowns_with_every_margin(world) -> None:
    """Sex x age in 2020: the total, 10 inner cells, 2 sex margins and 5 age margins, in the breakdown's
    order; by age only with a total-only report beside: 5 cells, and the total is the reports' total (the
    part not broken down is no figure of its own)."""
    release = public_results(world.plan, threshold=THRESHOLD)
    period = indicator_of(release, world, SEX_AND_AGE).periods[0]
    assert [code for code, _options in period.dimensions] == ["sex", "age"]
    assert len(period.cells) == 17
    assert [f.cell for f in period.cells[:6]] == [
        *SEX_AGE[:5],
        "sex:women",
    ]
    by_age = indicator_of(release, world, BY_AGE).periods[0]
    assert len(by_age.cells) == 5
    expected_total = by_hand(world.written, BY_AGE, 0)[""]
    assert by_age.total == PublicFigure("", Decimal(expected_total), None)
    assert not by_age.cells_withheld


def test_last_updated_and_threshold(world, settings) -> None:
    """The release says when the latest published report was published, and which threshold it used (the
    setting unless given)."""
    settings.WPSNAP_DISCLOSURE_THRESHOLD = 12
    release = public_results(world.plan)
    assert release.last_updated == world.last_published
    assert release.threshold == 12
    assert release.plan == world.plan.slug


def test_qualitative_indicators_are_not_published_here(world) -> None:
    """Only count indicators pass: answers are text that may name people and have no route to the public
    yet."""
    release = public_results(world.plan, threshold=THRESHOLD)
    kinds = set(
        Indicator.objects.filter(pk__in=[i.indicator_id for i in release.indicators]).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"count"}
    assert len(release.indicators) == Indicator.objects.filter(plan=world.plan, kind="count").count()


def test_a_draft_plan_gives_nothing(world) -> None:
    """A plan the public may not see has no public figures."""
    world.plan.status = PlanStatus.DRAFT
    world.plan.save(update_fields=["status"])
    release = public_results(world.plan, threshold=THRESHOLD)
    assert release.indicators == ()
    assert release.last_updated is None


def test_the_queries_do_not_grow_with_the_reports(world, django_assert_num_queries) -> None:
    """Nine queries for the world (the last one the latest release's figures), and nine with twelve more
    published reports."""
    with django_assert_num_queries(9):
        public_results(world.plan, threshold=THRESHOLD)
    more = [
        Written(activity, agency, period, Status.PUBLISHED, values=(("", 40), (cell, 40)))
        for activity, cell in ((SEX_AND_AGE, SEX_AGE[0]), (BY_AGE, "age:0-17"))
        for agency in ("mod", "mia", "moe")
        for period in (2, 3)
    ]
    publish_dates(write_reports(world.plan, world.activities, more))
    with django_assert_num_queries(9):
        public_results(world.plan, threshold=THRESHOLD)


# --- the previous release -----------------------------------------------------------------------------

# Women by age: one small cell (18-24); men by age. A second report, published later, adds men only.
FIRST = {
    "sex:women|age:0-17": 20,
    "sex:women|age:18-24": 4,
    "sex:women|age:25-34": 30,
    "sex:women|age:35-59": 25,
    "sex:women|age:60-plus": 15,
    "sex:men|age:0-17": 12,
    "sex:men|age:18-24": 18,
    "sex:men|age:25-34": 22,
    "sex:men|age:35-59": 14,
    "sex:men|age:60-plus": 11,
}


def test_the_previous_releases_unchanged_figures_are_held_known(world) -> None:
    """A later report adds men aged 60 and over. Given the previous release, the new one leaves no small
    cell recoverable from both releases together (the previous release's unchanged figures known to the
    public). Without it, the cheapest complement moves to another age band, and the women's 18-24 cell
    follows from the women's figures of the two releases: what ``previous`` is for."""
    first = [
        Written(PREVIOUS, "mod", 0, Status.PUBLISHED, values=(("", sum(FIRST.values())), *FIRST.items()))
    ]
    publish_dates(write_reports(world.plan, world.activities, first))
    before = public_results(world.plan, threshold=THRESHOLD)
    earlier = indicator_of(before, world, PREVIOUS).periods[0]
    assert earlier.figure("sex:women|age:18-24") == PublicFigure("sex:women|age:18-24", None, Reason.SMALL)
    later = {"sex:men|age:60-plus": 30}
    publish_dates(
        write_reports(
            world.plan,
            world.activities,
            [Written(PREVIOUS, "mia", 0, Status.PUBLISHED, values=(("", 30), *later.items()))],
        )
    )
    truth = {key: FIRST[key] + later.get(key, 0) for key in FIRST} | {"": sum(FIRST.values()) + 30}
    known_before = published_of(earlier)

    after = indicator_of(public_results(world.plan, previous=before, threshold=THRESHOLD), world, PREVIOUS)
    period = after.periods[0]
    family = Family(tables=family_of(period, truth).tables, previous=known_before)
    assert recoverable_small_cells(family, published_of(period), THRESHOLD) == []
    assert period.exposed == ()

    forgetful = indicator_of(public_results(world.plan, threshold=THRESHOLD), world, PREVIOUS).periods[0]
    found = recoverable_small_cells(family, published_of(forgetful), THRESHOLD)
    assert [(cell, value, bounds) for _table, cell, value, bounds in found] == [
        (("women", "18-24"), 4, (4, 4))
    ]


def test_cells_of_different_breakdowns_give_the_total_only(world) -> None:
    """Reports under breakdowns of different dimensions (age only; sex x age before the breakdown changed)
    do not make one table: the total of all of them is published, protected, and no cell."""
    mixed = [
        Written(BY_AGE, "mod", 2, Status.PUBLISHED, values=(("", 30), ("age:0-17", 30))),
        Written(BY_AGE, "mia", 2, Status.PUBLISHED, values=(("", 15), ("sex:women|age:0-17", 15))),
    ]
    publish_dates(write_reports(world.plan, world.activities, mixed))
    period = indicator_of(public_results(world.plan, threshold=THRESHOLD), world, BY_AGE).periods[2]
    assert period.cells_withheld
    assert (period.dimensions, period.cells) == ((), ())
    assert period.total == PublicFigure("", Decimal(45), None)


def test_a_figure_that_is_not_a_whole_number_withholds_the_period(world) -> None:
    """A count that is not a whole number cannot be protected as one: none of the period's figures is
    shown (reason ``withheld``); the other periods are untouched."""
    odd = [Written(TOTAL_ONLY, "moe", 2, Status.PUBLISHED, values=(("", Decimal("12.5")),))]
    publish_dates(write_reports(world.plan, world.activities, odd))
    periods = indicator_of(public_results(world.plan, threshold=THRESHOLD), world, TOTAL_ONLY).periods
    assert periods[2].total == PublicFigure("", None, WITHHELD)
    assert periods[1].total == PublicFigure("", Decimal(41), None)


# --- table shapes ---------------------------------------------------------------------------------------


def _spec(*dims: tuple[str, tuple[str, ...]]) -> BreakdownSpec:
    return BreakdownSpec(
        tuple(DimensionSpec(code, code, tuple(Option(o, o) for o in options)) for code, options in dims)
    )


def test_table_dimensions_follow_the_breakdown_and_keep_retired_options() -> None:
    """The breakdown's dimensions and options in its order; an option a report used that the breakdown no
    longer has is kept after them; no cells: a total only; cells of different dimensions: no table."""
    spec = _spec(("sex", ("women", "men")), ("age", ("0-17", "18-plus")))
    assert table_dimensions(spec, ["", "age:0-17|sex:men"]) == (
        ("sex", ("women", "men")),
        ("age", ("0-17", "18-plus")),
    )
    assert table_dimensions(spec, ["sex:men|age:60-plus"]) == (
        ("sex", ("women", "men")),
        ("age", ("0-17", "18-plus", "60-plus")),
    )
    assert table_dimensions(spec, [""]) == ()
    assert table_dimensions(spec, ["sex:men", "sex:men|age:0-17"]) is None
    assert table_dimensions(_spec(), ["district:baku"]) == (("district", ("baku",)),)
