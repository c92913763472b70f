"""The validation rules and cells, as pure functions (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from wpsnap.reporting.disaggregation import (
    TOTAL,
    BreakdownSpec,
    DimensionSpec,
    Option,
    cell_key,
    field_name,
    parse_cell_key,
)
from wpsnap.reporting.validation import RULES, check_dates, check_money, check_values, parse_number

SEX = DimensionSpec("sex", "Sex", (Option("women", "Women"), Option("men", "Men")))
AGE = DimensionSpec("age", "Age", tuple(Option(c, c) for c in ("0-17", "18-24", "25-34", "35-59", "60-plus")))
SEX_AGE = BreakdownSpec((SEX, AGE))


def test_cells_cross_tabulate_the_dimensions() -> None:
    """Sex x age band gives 10 cells, women aged 18-24 being one; the total is the empty key."""
    cells = SEX_AGE.cells()
    assert len(cells) == SEX_AGE.size == 10
    assert cells[1].key == "sex:women|age:18-24"
    assert cells[1].labels == ("Women", "18-24")
    assert SEX_AGE.keys() == {TOTAL, *(c.key for c in cells)}
    assert parse_cell_key("sex:women|age:18-24") == (("sex", "women"), ("age", "18-24"))
    assert cell_key(parse_cell_key("sex:men|age:60-plus")) == "sex:men|age:60-plus"
    assert SEX_AGE.grid() == (SEX, AGE)


def test_field_names_are_safe_in_html() -> None:
    """A cell's field name has no characters that need escaping in a name or id."""
    assert field_name(7, "sex:women|age:18-24") == "v7-sex-women--age-18-24"
    assert field_name(7, TOTAL) == "v7-total"


def test_numbers_are_read_as_people_type_them() -> None:
    """Spaces as thousands separators and a decimal comma are accepted; text is not, nor digits other
    than 0-9."""
    assert parse_number(" 1 200 ") == Decimal(1200)
    assert parse_number("3,5") == Decimal("3.5")
    assert parse_number("") is None
    for bad in ("lots", "1e999999", "NaN", "12abc", "١٢", "²", "１２"):  # noqa: RUF001 - full-width digits on purpose
        try:
            parse_number(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_each_bad_figure_is_named_by_its_cell() -> None:
    """Text, a negative, a fraction of a person and a wrong total each get a message on their own cell;
    negatives and text are not kept, the rest is."""
    checked = check_values(
        "count",
        SEX_AGE,
        {
            TOTAL: "30",
            "sex:women|age:18-24": "10",
            "sex:men|age:18-24": "lots",
            "sex:men|age:25-34": "-2",
            "sex:women|age:25-34": "2.5",
        },
    )
    by_cell = {(p.field, p.code) for p in checked.problems}
    assert by_cell == {
        ("sex:men|age:18-24", "number"),
        ("sex:men|age:25-34", "non-negative"),
        ("sex:women|age:25-34", "whole-number"),
        (TOTAL, "parts-sum-to-total"),
    }
    assert set(checked.clean) == {TOTAL, "sex:women|age:18-24", "sex:women|age:25-34"}


def test_a_blank_total_becomes_the_sum_of_the_parts() -> None:
    """Typing the parts only fills the total."""
    checked = check_values(
        "count", SEX_AGE, {TOTAL: "", "sex:women|age:18-24": "4", "sex:men|age:60-plus": "3"}
    )
    assert checked.problems == []
    assert checked.clean[TOTAL] == 7


def test_unknown_cells_are_refused() -> None:
    """A cell that is not in the breakdown (a tampered form) is named and ignored."""
    checked = check_values("count", SEX_AGE, {"sex:other|age:18-24": "4"})
    assert [(p.field, p.code) for p in checked.problems] == [("sex:other|age:18-24", "unknown-cell")]
    assert checked.clean == {}


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=10, max_size=10), st.integers(-5, 5))
def test_sum_rule_accepts_exactly_the_matching_total(parts: list[int], offset: int) -> None:
    """For any parts, the total passes if and only if it equals their sum (a negative total is also
    named by the non-negative rule; it is still not the sum)."""
    raw = {cell.key: str(v) for cell, v in zip(SEX_AGE.cells(), parts, strict=True)}
    raw[TOTAL] = str(sum(parts) + offset)
    checked = check_values("count", SEX_AGE, raw)
    mismatch = any(p.code == "parts-sum-to-total" for p in checked.problems)
    assert mismatch is (offset != 0)


def test_rules_are_data() -> None:
    """The rule table names each rule and the indicator kinds it applies to."""
    assert [r.id for r in RULES] == ["non-negative", "whole-number", "too-large", "parts-sum-to-total"]
    assert all(r.kinds == {"count"} for r in RULES)


def test_dates_must_lie_in_the_period() -> None:
    """Work dates outside the period, or in the wrong order, are named by their field."""
    problems = check_dates(date(2019, 12, 1), date(2020, 3, 1), date(2020, 1, 1), date(2020, 12, 31))
    assert [(p.field, p.code) for p in problems] == [("started_on", "date-in-period")]
    problems = check_dates(date(2020, 5, 1), date(2020, 3, 1), date(2020, 1, 1), date(2020, 12, 31))
    assert [(p.field, p.code) for p in problems] == [("finished_on", "dates-ordered")]


def test_money() -> None:
    """Amounts are zero or more, with at most two decimals."""
    assert check_money("1500.50") == (Decimal("1500.50"), None)
    assert check_money("")[0] is None and check_money("")[1] is None
    assert check_money("-1")[1] is not None
    assert check_money("12.345")[1] is not None
    assert check_money("abc")[1] is not None
