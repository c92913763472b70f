"""Checking participant rows (``participants.py``), without a database: the spellings a row may use,
the fast way good rows are checked, which must agree with the row-by-row check that words the problems
(``_row``) on every row, and COPY's text format. (Reading the tables: tests/core/test_tables.py.)"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpsnap.registries.participants import (
    COLUMNS,
    SPELLINGS,
    Checked,
    Vocabulary,
    _row,
    _Spellings,
    age_band,
    check_rows,
    columns_of,
    normalise,
)
from wpsnap.registries.services.participants import _copy_text

BANDS = ("0-17", "18-24", "25-34", "35-59", "60-plus")


def _names(*options: tuple[str, ...]) -> dict[str, str]:
    return {normalise(spelling): option[0] for option in options for spelling in option}


VOCABULARY = Vocabulary(
    sexes=_names(("women", "Women", "qadın", "ж"), ("men", "Men", "kişi", "м")),  # noqa: RUF001
    bands=tuple(band for code in BANDS if (band := age_band(code)) is not None),
    band_names=_names(
        ("0-17", "0–17"),  # noqa: RUF001 - the en dash of the bands' names
        ("18-24", "18–24"),  # noqa: RUF001
        ("25-34", "25–34"),  # noqa: RUF001
        ("35-59", "35–59"),  # noqa: RUF001
        ("60-plus", "60 and over"),
    ),
    groups=_names(("idp", "Internally displaced"), ("host-community", "Host community")),
    districts=_names(("baku", "Baku", "Bakı", "Баку"), ("ganja", "Ganja", "Gəncə")),  # noqa: RUF001
)


def _check(header: list[str], rows: list[list[str]]) -> tuple[Checked, list[tuple]]:
    accepted: list[tuple] = []
    checked = check_rows(
        header, ((n, cells) for n, cells in enumerate(rows, start=2)), VOCABULARY, accept=accepted.append
    )
    return checked, accepted


# --- spellings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "spelling"),
    [
        ("KİŞİ", "kişi"),
        ("QADIN", "qadın"),  # noqa: RUF001
        ("İsmayıllı", "ISMAYILLI"),  # noqa: RUF001
        (" Age Band ", "age_band"),
        ("population - group", "population_group"),
        ("60 and  over", "60_and_over"),
    ],
)
def test_spellings_match_whatever_their_case_spaces_and_dashes(typed, spelling) -> None:
    """Capitals (dotted and dotless i included), spaces, underscores and dashes do not matter."""
    assert normalise(typed) == normalise(spelling)


def test_the_tables_of_spellings_stop_growing() -> None:
    """Each other spelling of a good value is remembered once, up to a bound."""
    spellings = _Spellings(VOCABULARY)
    known = len(spellings.sexes)
    assert [spellings.sexes[" " * n + "Women"] for n in range(SPELLINGS + 50)] == ["women"] * (SPELLINGS + 50)
    assert known < len(spellings.sexes) == SPELLINGS
    with pytest.raises(KeyError):
        spellings.sexes["woman-ish"]


# --- checking rows -------------------------------------------------------------------------------


def test_good_rows_are_handed_over_as_codes() -> None:
    header = ["Sex", "AGE", "age band", "district", "name", "consent", "organisation or position"]
    checked, accepted = _check(
        header,
        [
            [" Women ", "34", "", "Bakı", "", "", " Teacher "],  # noqa: RUF001
            ["м", "", "60 and over", "", "Leyla Q.", "Yes"],  # a short row: the last cell is empty
            ["", "", "", "", "", "", ""],
            ["kişi", "17.0", "0–17", "gəncə", "", "no", ""],  # noqa: RUF001
        ],
    )
    assert checked.ok and checked.rows == 3
    assert accepted == [
        ("women", 34, "25-34", "", "baku", "Teacher", "", False),
        ("men", None, "60-plus", "", "", "", "Leyla Q.", True),
        ("men", 17, "0-17", "", "ganja", "", "", False),
    ]


def test_rows_stop_being_handed_over_at_the_first_problem() -> None:
    """After the first bad row the file is refused anyway: later good rows are only checked."""
    checked, accepted = _check(["sex", "age"], [["women", "30"], ["x", "30"], ["men", "40"], ["men", "-1"]])
    assert accepted == [("women", 30, "25-34", "", "", "", "", False)]
    assert checked.rows == 4
    assert [str(p) for p in checked.problems] == [
        "rows[3].sex: “x” is not one of men, women.",
        "rows[5].age: “-1” is not an age between 0 and 120.",
    ]


def test_a_long_name_or_position_is_refused() -> None:
    checked, _ = _check(["sex", "age", "organisation_or_position"], [["women", "30", "x" * 201]])
    assert [str(p) for p in checked.problems] == [
        "rows[2].organisation_or_position: Longer than 200 characters."
    ]


# Cells a row may hold: good spellings in several forms, and bad ones.
CELLS = {
    "sex": ["women", "Men", " QADIN ", "kişi", "м", "", "x", "female?"],
    "age": ["34", "0", "120", "17.0", "34,0", "", " 61 ", "250", "-3", "abc", "12.5"],
    "age_band": ["", "", "18-24", "25–34", "60 and over", "0-17", "9-99"],  # noqa: RUF001
    "population_group": ["", "idp", "Host community", "refugee"],
    "district": ["", "baku", "BAKI", "Gəncə", "Atlantis"],
    "organisation_or_position": ["", "Teacher", " Police, inspector ", "x" * 201],
    "name": ["", "", "Aysel Məmmədova", "y" * 201],
    "consent": ["", "yes", "no", "Bəli", "X", "maybe", "да"],
}


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header with sex, age and/or age band and some other columns in any order, and rows whose
    cells are drawn from CELLS (some rows short, some with an extra cell, some blank)."""
    others = draw(st.lists(st.sampled_from(COLUMNS[3:]), unique=True))
    ages = draw(st.sampled_from([["age"], ["age_band"], ["age", "age_band"]]))
    columns = draw(st.permutations(["sex", *ages, *others]))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        cells = [draw(st.sampled_from(CELLS[column])) for column in columns]
        shape = draw(st.sampled_from(["whole", "whole", "short", "long", "blank"]))
        if shape == "short":
            cells = cells[: draw(st.integers(0, len(cells)))]
        elif shape == "long":
            cells.append("stray")
        elif shape == "blank":
            cells = [" "] * len(cells)
        rows.append(cells)
    return columns, rows


@settings(max_examples=300, deadline=None)
@given(tables())
def test_the_fast_check_agrees_with_the_row_by_row_check(table) -> None:
    """Over random headers and rows, what ``check_rows`` hands over and reports is what checking each
    row on its own with ``_row`` gives: the rows before the first problem, every problem, the count of
    non-blank rows."""
    header, rows = table
    index, header_problems = columns_of(header)
    assert header_problems == []
    expected = Checked()
    results = []
    for number, cells in enumerate(rows, start=2):
        if any(cell.strip() for cell in cells):
            expected.rows += 1
            results.append(_row(number, cells, index, VOCABULARY, expected))
    first_bad = next((i for i, row in enumerate(results) if row is None), len(results))
    checked, accepted = _check(header, rows)
    assert accepted == results[:first_bad]
    assert checked.problems == expected.problems
    assert checked.rows == expected.rows


# --- COPY's text format --------------------------------------------------------------------------


def test_rows_are_written_in_copys_text_format() -> None:
    rows = [
        ("women", 34, "25-34", "idp", "baku", "Teacher, school", "", False),
        ("men", None, "60-plus", "", "", "", "Leyla", True),
    ]
    assert _copy_text("7\t9\t", rows) == (
        "7\t9\twomen\t34\t25-34\tidp\tbaku\tTeacher, school\t\tf\n7\t9\tmen\t\\N\t60-plus\t\t\t\tLeyla\tt\n"
    )


@pytest.mark.parametrize(
    ("affiliation", "written"),
    [
        ("a\tb", "a\\tb"),
        ("a\nb\r\nc", "a\\nb\\r\\nc"),
        ("C:\\folder", "C:\\\\folder"),
        ("\\N", "\\\\N"),  # a cell that reads \N is that text, not NULL
        ("nul\x00here", "nulhere"),  # PostgreSQL cannot store NUL
    ],
)
def test_values_copy_would_misread_are_escaped(affiliation, written) -> None:
    rows = [
        ("women", None, "0-17", "", "", affiliation, "", False),
        ("men", 30, "25-34", "", "", "", "", False),
    ]
    assert _copy_text("1\t2\t", rows) == (
        f"1\t2\twomen\t\\N\t0-17\t\t\t{written}\t\tf\n1\t2\tmen\t30\t25-34\t\t\t\t\tf\n"
    )
