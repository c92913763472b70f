"""The rules of disclosure control on small, hand-made tables: what is suppressed, why, and what the public
can still work out (tests/publishing/attacker.py, independent of the module). No database."""

from __future__ import annotations

import pytest

from tests.publishing.attacker import attacker_range, recoverable_small_cells
from wpsnap.publishing.disclosure import (
    Family,
    Reason,
    Release,
    Table,
    cell_from_key,
    family_from_values,
    key_from_cell,
    make_table,
    protect,
    table_from_values,
)
from wpsnap.reporting.disaggregation import BreakdownSpec, DimensionSpec, Option

SEX_AGE = [("sex", ["women", "men"]), ("age", ["18-24", "25-34", "35+"])]
# One small cell: women aged 18-24.
FIGURES = {
    "sex:women|age:18-24": 3,
    "sex:women|age:25-34": 20,
    "sex:women|age:35+": 30,
    "sex:men|age:18-24": 15,
    "sex:men|age:25-34": 25,
    "sex:men|age:35+": 40,
}


def shown(release: Release, name: str = "figures") -> dict[str, int | str]:
    """Each cell by its key: the value published, or the reason it is not."""
    return {
        key: cell.value if cell.value is not None else str(cell.reason)
        for key, cell in release.table(name).by_key().items()
    }


def suppressed(release: Release, name: str = "figures") -> set[str]:
    return {key for key, cell in release.table(name).by_key().items() if cell.suppressed}


def test_a_small_cell_is_suppressed_with_the_cheapest_rectangle_of_complements():
    """Women aged 18-24 (3) is suppressed as small; the cheapest cells that keep it from being worked
    out of the row and column totals (20, 15 and 25, all inner cells) as complementary; the rest, margins
    included, published as they are."""
    release = protect(family_from_values(FIGURES, dimensions=SEX_AGE), threshold=10)

    assert shown(release) == {
        "sex:women|age:18-24": "small",
        "sex:women|age:25-34": "complementary",
        "sex:women|age:35+": 30,
        "sex:women": 53,
        "sex:men|age:18-24": "complementary",
        "sex:men|age:25-34": "complementary",
        "sex:men|age:35+": 40,
        "sex:men": 80,
        "age:18-24": 18,
        "age:25-34": 45,
        "age:35+": 70,
        "": 133,
    }
    family = family_from_values(FIGURES, dimensions=SEX_AGE)
    assert attacker_range(family, release.published(), "figures", ("women", "18-24")) == (0, 18)


def test_without_complements_the_small_cell_is_worked_out_from_the_totals():
    """Suppressing the small cell alone is not enough: the row total minus the other cells gives it back."""
    family = family_from_values(FIGURES, dimensions=SEX_AGE)
    published = {
        (table.name, cell): value
        for table in family.tables
        for cell, value in table.cells.items()
        if value >= 10
    }

    assert recoverable_small_cells(family, published) == [("figures", ("women", "18-24"), 3, (3, 3))]


def test_zero_is_small():
    """Nobody in a group is itself disclosive ("no women took part"): a zero is suppressed like a 3."""
    release = protect(
        family_from_values({**FIGURES, "sex:women|age:18-24": 0}, dimensions=SEX_AGE), threshold=10
    )

    assert shown(release)["sex:women|age:18-24"] == "small"
    assert len(suppressed(release)) == 4


def test_public_statistics_suppress_nothing():
    """An indicator the coordinator marked as public statistics (staff in posts) is published whole, each
    cell marked public, small ones included."""
    release = protect(family_from_values(FIGURES, dimensions=SEX_AGE, public_statistics=True), threshold=10)

    cells = release.table("figures").by_key()
    assert {cell.value for cell in cells.values()} >= {3, 15, 20}
    assert {cell.reason for cell in cells.values()} == {Reason.PUBLIC}


def test_a_margin_below_the_threshold_is_suppressed_and_protected():
    """Women's total (8) is small too: suppressed, and so is enough of the men's row that it cannot be
    worked out as the grand total minus the men; every small figure still ranges from 0 to the threshold."""
    values = {"sex:women|age:a": 3, "sex:women|age:b": 5, "sex:men|age:a": 40, "sex:men|age:b": 50}
    family = family_from_values(values, dimensions=[("sex", ["women", "men"]), ("age", ["a", "b"])])
    release = protect(family, threshold=10)

    assert shown(release) == {
        "sex:women|age:a": "small",
        "sex:women|age:b": "small",
        "sex:women": "small",
        "sex:men|age:a": "complementary",
        "sex:men|age:b": "complementary",
        "sex:men": "complementary",
        "age:a": 43,
        "age:b": 55,
        "": 98,
    }
    assert recoverable_small_cells(family, release.published()) == []


def test_linked_tables_suppress_a_shared_figure_in_both():
    """Sex x age and sex x district of the same people share the sex margin and the grand total: women (7)
    is one figure, suppressed in both tables, and neither table gives it back."""
    age = make_table(
        "by age",
        [("sex", ["w", "m"]), ("age", ["a", "b"])],
        {("w", "a"): 3, ("w", "b"): 4, ("m", "a"): 30, ("m", "b"): 40},
    )
    district = make_table(
        "by district",
        [("sex", ["w", "m"]), ("district", ["x", "y"])],
        {("w", "x"): 2, ("w", "y"): 5, ("m", "x"): 35, ("m", "y"): 35},
    )
    family = Family(tables=(age, district))
    release = protect(family, threshold=10)

    assert release.table("by age").shown[("w", None)].reason is Reason.SMALL
    assert release.table("by district").shown[("w", None)].reason is Reason.SMALL
    assert recoverable_small_cells(family, release.published()) == []


def test_linked_tables_must_agree_on_a_shared_figure():
    """Two tables of one population that give different grand totals are refused, naming both."""
    first = make_table("first", [("sex", ["w", "m"])], {("w",): 20, ("m",): 30})
    second = make_table("second", [("age", ["a", "b"])], {("a",): 20, ("b",): 31})

    with pytest.raises(
        ValueError, match=r"one figure, two values: 'first' \(None,\) is 50, 'second' \(None,\) is 51"
    ):
        Family(tables=(first, second))


def test_the_previous_release_is_known_to_the_public():
    """Women aged 25-34 (20) was published last time and has not changed: suppressing it now would hide
    nothing, so the complements are taken from the next column instead, and it is published again."""
    family = family_from_values(FIGURES, dimensions=SEX_AGE, previous={"sex:women|age:25-34": 20})
    release = protect(family, threshold=10)

    assert suppressed(release) == {
        "sex:women|age:18-24",
        "sex:women|age:35+",
        "sex:men|age:18-24",
        "sex:men|age:35+",
    }
    assert recoverable_small_cells(family, release.published()) == []


def test_a_revised_figure_of_the_previous_release_is_not_a_fact_about_this_one():
    """A figure published last time that has changed since (a late report) says nothing certain about
    today's: the suppression is the one made without it."""
    revised = protect(
        family_from_values(FIGURES, dimensions=SEX_AGE, previous={"sex:women|age:25-34": 18}), threshold=10
    )
    fresh = protect(family_from_values(FIGURES, dimensions=SEX_AGE), threshold=10)

    assert suppressed(revised) == suppressed(fresh)


def test_a_small_cell_the_previous_release_published_is_suppressed_and_named_exposed():
    """A small cell published before (an earlier, unprotected release) cannot be protected now: it is still
    suppressed, no complement is spent on it, and the release names it as exposed."""
    release = protect(
        family_from_values(FIGURES, dimensions=SEX_AGE, previous={"sex:women|age:18-24": 3}), threshold=10
    )

    assert release.exposed == (("figures", ("women", "18-24")),)
    assert suppressed(release) == {"sex:women|age:18-24"}


def test_a_reported_total_above_its_parts_is_published_as_reported():
    """A total of 120 reported over parts that add up to 100 (people not broken down) is kept as
    reported. The public cannot tell how many were not broken down, so women (3) ranges up to 23 with
    men and other published; a total equal to its parts would give the 3 away and needs a complement."""
    dimensions = [("sex", ["women", "men", "other"])]
    parts = {"sex:women": 3, "sex:men": 50, "sex:other": 47}
    above = family_from_values({**parts, "": 120}, dimensions=dimensions)
    exact = family_from_values(parts, dimensions=dimensions)

    assert shown(protect(above, threshold=10)) == {
        "sex:women": "small",
        "sex:men": 50,
        "sex:other": 47,
        "": 120,
    }
    assert attacker_range(
        above,
        {("figures", ("men",)): 50, ("figures", ("other",)): 47, ("figures", (None,)): 120},
        "figures",
        ("women",),
    ) == (0, 23)
    assert shown(protect(exact, threshold=10)) == {
        "sex:women": "small",
        "sex:men": 50,
        "sex:other": "complementary",
        "": 100,
    }


def test_the_threshold_comes_from_the_setting(settings):
    """WPSNAP_DISCLOSURE_THRESHOLD decides what is small when no threshold is given."""
    settings.WPSNAP_DISCLOSURE_THRESHOLD = 3
    release = protect(family_from_values(FIGURES, dimensions=SEX_AGE))

    assert release.threshold == 3
    assert suppressed(release) == set()


def test_a_threshold_below_one_is_refused():
    """A threshold of 0 would publish everything while claiming control: refused."""
    with pytest.raises(ValueError, match="at least 1"):
        protect(family_from_values(FIGURES, dimensions=SEX_AGE), threshold=0)


@pytest.mark.parametrize(("total", "expected"), [(4, "small"), (12, 12)], ids=["small", "large"])
def test_a_figure_without_a_breakdown_is_suppressed_only_when_small(total, expected):
    """An indicator counted as a total only is one figure: suppressed below the threshold, else published."""
    release = protect(family_from_values({"": total}, dimensions=[]), threshold=10)

    assert shown(release) == {"": expected}


def test_ties_are_broken_by_the_tables_order():
    """Every rectangle of complements costs the same here: the one nearest the start of the table (first
    rows, first columns) is taken, every time."""
    values = {f"a:{a}|b:{b}": 20 for a in "pqr" for b in "xyz"} | {"a:q|b:y": 4}
    dimensions = [("a", list("pqr")), ("b", list("xyz"))]

    for _run in range(2):
        release = protect(family_from_values(values, dimensions=dimensions), threshold=10)
        assert suppressed(release) == {"a:q|b:y", "a:p|b:x", "a:p|b:y", "a:q|b:x"}


# --- building tables from the platform's cell shape ------------------------------------------------------


def test_cell_keys_convert_both_ways():
    """ "sex:women|age:18-24" is a cell, "sex:women" a margin and "" the grand total, and back."""
    dims = ("sex", "age")

    assert cell_from_key("sex:women|age:18-24", dims) == ("women", "18-24")
    assert cell_from_key("sex:women", dims) == ("women", None)
    assert cell_from_key("", dims) == (None, None)
    assert [key_from_cell(cell, dims) for cell in [("women", "18-24"), (None, "18-24"), (None, None)]] == [
        "sex:women|age:18-24",
        "age:18-24",
        "",
    ]


def test_a_key_naming_another_dimension_is_refused():
    """A value under a dimension the breakdown does not have is an error, not a silent zero."""
    with pytest.raises(ValueError, match="dimension 'district' is not one of"):
        cell_from_key("district:baku", ("sex", "age"))


def test_margins_not_given_are_summed_and_missing_cells_count_nobody():
    """From the one cell shape: margins are the sums of the cells under them; a cell not given is 0."""
    table = table_from_values("t", {"sex:women|age:18-24": 4, "sex:men|age:25-34": 6}, SEX_AGE)

    assert table.cells[("women", "25-34")] == 0
    assert table.cells[("women", None)] == 4
    assert table.cells[(None, "25-34")] == 6
    assert table.cells[(None, None)] == 10


def test_a_breakdown_spec_gives_the_dimensions():
    """The platform's BreakdownSpec can stand for the dimensions and their options."""
    spec = BreakdownSpec(
        dimensions=(DimensionSpec("sex", "Sex", (Option("women", "Women"), Option("men", "Men"))),)
    )
    table = table_from_values("t", {"sex:women": 12, "sex:men": 3}, spec)

    assert table.dimensions == ("sex",)
    assert table.cells[(None,)] == 15


def test_a_table_must_hold_every_cell_and_only_counts():
    """A table is the whole lattice of non-negative whole numbers: a missing margin or a negative value is
    refused."""
    with pytest.raises(ValueError, match="missing"):
        Table(name="t", dimensions=("sex",), options={"sex": ("w", "m")}, cells={("w",): 1, ("m",): 2})
    with pytest.raises(ValueError, match="not a count of people"):
        make_table("t", [("sex", ["w", "m"])], {("w",): -1, ("m",): 2})
