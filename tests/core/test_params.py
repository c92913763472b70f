"""The one set of parsers for values from outside (``wpsnap.core.params``): ASCII digits only, bounded
ranges, no floats where a whole number is asked, no control characters in text, bounded length; each
refusal names the parameter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wpsnap.core import params
from wpsnap.core.errors import InvalidInput, Problem


@pytest.mark.parametrize(
    "value", ["²", "١٢", "1.0", "1e3", "", " ", "-", "+1", "0x10", "1_000", 1.0, True, None, [1], "9" * 30]
)
def test_only_ascii_digits_make_a_whole_number(value) -> None:
    """Unicode digits (which pass ``isdigit()``, and some ``int()``), floats, booleans and signs are
    refused, naming the parameter."""
    with pytest.raises(InvalidInput) as raised:
        params.identifier("period", value)
    [problem] = raised.value.problems
    assert (problem.field, problem.code) == ("period", "invalid")


@pytest.mark.parametrize(
    ("value", "parsed"), [("1", 1), (" 42 ", 42), (7, 7), (str(params.ID_MAX), params.ID_MAX)]
)
def test_ascii_digits_in_range_are_whole_numbers(value, parsed) -> None:
    assert params.identifier("id", value) == parsed


@pytest.mark.parametrize("value", ["0", str(params.ID_MAX + 1)])
def test_ids_are_bounded(value) -> None:
    """An id is 1 .. 2**31-1 (PostgreSQL's integer)."""
    with pytest.raises(InvalidInput) as raised:
        params.identifier("id", value)
    assert raised.value.problems == [Problem("id", "invalid", "Give a whole number from 1 to 2147483647.")]


@pytest.mark.parametrize(
    ("value", "ok"), [("1899", False), ("1900", True), ("2100", True), ("2101", False), ("0", False)]
)
def test_years_are_bounded(value, ok) -> None:
    assert (params.digits(value) is not None and params.YEAR_MIN <= int(value) <= params.YEAR_MAX) is ok
    if ok:
        assert params.year("year", value) == int(value)
    else:
        with pytest.raises(InvalidInput) as raised:
            params.year("year", value)
        assert [p.field for p in raised.value.problems] == ["year"]


def test_negative_numbers_only_where_the_range_has_them() -> None:
    assert params.integer("delta", "-5", low=-10, high=10) == -5
    with pytest.raises(InvalidInput):
        params.integer("count", "-5", low=0, high=10)


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "line\nbreak", "\x7f"])
def test_text_carries_no_control_characters(value) -> None:
    """NUL (which PostgreSQL refuses with an error) and other control characters are refused in a
    line of text."""
    with pytest.raises(InvalidInput) as raised:
        params.text("plan", value)
    [problem] = raised.value.problems
    assert problem.field == "plan"
    assert problem.message.startswith("The text contains a control character")


def test_text_spanning_lines_may_hold_tabs_and_line_breaks_but_no_nul() -> None:
    assert params.text("done", "a\tb\r\nc", lines=True, max_length=100) == "a\tb\r\nc"
    with pytest.raises(InvalidInput):
        params.text("done", "a\x00b", lines=True, max_length=100)


def test_text_has_a_bounded_length() -> None:
    assert params.text("q", "x" * params.QUERY_TEXT_MAX) == "x" * params.QUERY_TEXT_MAX
    with pytest.raises(InvalidInput) as raised:
        params.text("q", "x" * 201)
    [problem] = raised.value.problems
    assert problem.field == "q"
    assert problem.message.startswith("The text is 201 characters long; at most 200")


def test_unfit_values_are_found_by_their_place_in_a_body() -> None:
    """A NUL in a value or a key, or a number beyond a float, anywhere in a parsed body."""
    body = {"rows": [{"name": "ok"}, {"name": "bad\x00"}], "k\x00ey": 1, "n": float("inf"), "t": "a\tb\n"}
    assert list(params.unfit_values(body)) == ["rows[1].name", "k\\x00ey", "n"]


@given(st.text())
def test_no_text_passes_that_postgresql_would_refuse(value) -> None:
    """Whatever the text, what passes holds no NUL."""
    try:
        parsed = params.text("q", value, max_length=10_000, lines=True)
    except InvalidInput:
        return
    assert "\x00" not in parsed


@given(st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=5))
def test_no_digit_but_0_to_9_makes_a_number(value) -> None:
    """Of all the world's digits, only 0-9 are read."""
    found = params.digits(value)
    assert found is None or value.strip().isascii()
