"""The proof that disclosure control holds: on hundreds of random table families (two and three dimensions
with margins, linked tables sharing margins, families with a previous release, totals that are not the sum
of their parts), every cell suppressed because it was small has a feasible range, given everything the
public knows, that reaches both 0 and the threshold.

The attacker (tests/publishing/attacker.py) is written independently of wpsnap.publishing.disclosure: it
builds its own integer program from the raw tables and what was published (scipy's milp, minimising and
maximising the cell), and never calls the module's audit. It is shown to catch broken suppression (no complementary cells,
tables protected one by one, the previous release ignored), so its silence on the real one means something.
No database: the tables are generated with a seeded random generator, the same every run.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.publishing.attacker import THRESHOLD, Known, recoverable_small_cells
from wpsnap.publishing.disclosure import (
    Cell,
    Family,
    Reason,
    Table,
    make_table,
    protect,
    table_from_values,
)

# --- random families -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    label: str
    family: Family


def _count(rng: random.Random, small_share: float) -> int:
    return rng.randint(0, THRESHOLD - 1) if rng.random() < small_share else rng.randint(THRESHOLD, 90)


def _dimensions(rng: random.Random, sizes: list[int]) -> list[tuple[str, list[str]]]:
    return [(f"d{k}", [f"o{i}" for i in range(size)]) for k, size in enumerate(sizes)]


def _inner(rng: random.Random, dims: list[tuple[str, list[str]]], small_share: float) -> dict[Cell, int]:
    return {
        cell: _count(rng, small_share) for cell in itertools.product(*(options for _code, options in dims))
    }


def _margin_table(name: str, dims, inner: dict[Cell, int], keep: tuple[int, ...]) -> Table:
    """The table over some of the hidden data's dimensions: what a linked table is."""
    summed: dict[Cell, int] = {}
    for cell, value in inner.items():
        key = tuple(cell[k] for k in keep)
        summed[key] = summed.get(key, 0) + value
    return make_table(name, [dims[k] for k in keep], summed)


@dataclass(frozen=True)
class Hidden:
    """The people counted, by every dimension, and the cross-tabulations published of them."""

    dims: list[tuple[str, list[str]]]
    inner: dict[Cell, int]
    published: tuple[tuple[int, ...], ...]

    def tables(self) -> tuple[Table, ...]:
        return tuple(
            _margin_table(f"t{i}", self.dims, self.inner, keep) for i, keep in enumerate(self.published)
        )


def _hidden(rng: random.Random, shape: str) -> Hidden:
    small_share = rng.choice([0.15, 0.3, 0.45])
    if shape == "2d":
        dims = _dimensions(rng, [rng.randint(2, 5), rng.randint(2, 5)])
        return Hidden(dims, _inner(rng, dims, small_share), ((0, 1),))
    if shape == "3d":
        sizes = (
            [5, 4, 3] if rng.random() < 0.15 else [rng.randint(2, 4), rng.randint(2, 3), rng.randint(2, 3)]
        )
        dims = _dimensions(rng, sizes)
        return Hidden(dims, _inner(rng, dims, small_share), ((0, 1, 2),))
    # Linked: several cross-tabulations of one hidden three-way table (sex x age x district, say), sharing
    # margins and the grand total; sometimes the three-way table itself is published beside one of them.
    dims = _dimensions(rng, [2, rng.randint(2, 4), rng.randint(2, 4)])
    published = rng.choice([((0, 1), (0, 2)), ((0, 1), (0, 2), (1, 2)), ((0, 1, 2), (1, 2))])
    return Hidden(dims, _inner(rng, dims, small_share), published)


def _earlier(rng: random.Random, hidden: Hidden) -> Hidden:
    """The same people as an earlier release saw them: a few counts different (late or corrected reports),
    and perhaps one table fewer (added since)."""
    inner = dict(hidden.inner)
    for cell in rng.sample(sorted(inner), k=min(len(inner), rng.randint(1, 6))):
        inner[cell] = max(0, inner[cell] + rng.choice([-12, -5, -2, 3, 6, 15]))
    published = hidden.published
    if len(published) > 1 and rng.random() < 0.4:
        published = published[:-1]
    return Hidden(hidden.dims, inner, published)


def generate(kind: str, count: int, seed: int) -> Iterator[Case]:
    rng = random.Random(f"{kind}-{seed}")
    made = 0
    while made < count:
        shape = {"two": "2d", "three": "3d", "linked": "linked"}.get(kind) or rng.choice(
            ["2d", "3d", "linked"]
        )
        hidden = _hidden(rng, shape)
        tables = hidden.tables()
        previous: dict[tuple[str, Cell], int] = {}
        if kind == "previous":
            # What the previous release published (protected the same way) is known to the public.
            earlier = _earlier(rng, hidden)
            previous = protect(Family(tables=earlier.tables()), threshold=THRESHOLD).published()
        if kind == "reported total":
            # A grand total reported as given, above or below the sum of the parts.
            table = tables[0]
            values = {table.key(cell): value for cell, value in table.cells.items() if None not in cell}
            values[""] = max(0, table.cells[(None,) * len(table.dimensions)] + rng.choice([-7, -3, 2, 5, 11]))
            tables = (table_from_values("t0", values, [(d, table.options[d]) for d in table.dimensions]),)
        family = Family(tables=tables, previous=previous)
        if not any(value < THRESHOLD for table in tables for value in table.cells.values()):
            continue
        made += 1
        yield Case(label=f"{kind} #{made} ({shape})", family=family)


KINDS = {"two": 70, "three": 55, "linked": 45, "previous": 40, "reported total": 20}


def test_the_proof_covers_at_least_200_families_of_every_shape():
    """Two and three dimensions with margins, linked tables, a previous release and reported totals:
    at least 200 families in all."""
    assert sum(KINDS.values()) >= 200
    assert set(KINDS) == {"two", "three", "linked", "previous", "reported total"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_small_cell_can_be_recovered(kind):
    """For each cell suppressed as small, what the public knows (this release's tables, their sums, the
    previous release's unchanged figures) leaves a range from 0 to at least the threshold; nothing
    published is small, and every published figure is the true one."""
    small_cells = 0
    for case in generate(kind, KINDS[kind], seed=2026):
        release = protect(case.family, threshold=THRESHOLD)
        assert release.exposed == (), case.label
        published = release.published()
        for protected in release.tables:
            for cell, shown in protected.shown.items():
                true_value = protected.table.cells[cell]
                assert (shown.reason is Reason.SMALL) == (true_value < THRESHOLD), (case.label, cell)
                if shown.value is not None:
                    assert shown.value == true_value, (case.label, cell)
        assert all(value >= THRESHOLD for value in published.values()), case.label
        assert recoverable_small_cells(case.family, published) == [], case.label
        small_cells += sum(value < THRESHOLD for t in case.family.tables for value in t.cells.values())
    assert small_cells >= KINDS[kind]


# --- the attacker catches broken suppression -----------------------------------------------------------


def primary_only(family: Family) -> Known:
    """Broken on purpose: small cells suppressed, no complementary suppression."""
    return {
        (table.name, cell): value
        for table in family.tables
        for cell, value in table.cells.items()
        if value >= THRESHOLD
    }


def table_by_table(family: Family) -> Known:
    """Broken on purpose: each table protected alone, as if the tables shared nothing."""
    published: dict[tuple[str, Cell], int] = {}
    for table in family.tables:
        published.update(protect(Family(tables=(table,)), threshold=THRESHOLD).published())
    return published


def forgetting_the_previous_release(family: Family) -> Known:
    """Broken on purpose: protected as if nothing had been published before."""
    return protect(Family(tables=family.tables), threshold=THRESHOLD).published()


def _first_recovered(kind: str, broken: Callable[[Family], Known]) -> tuple[str, list] | None:
    for case in generate(kind, KINDS[kind], seed=2026):
        found = recoverable_small_cells(case.family, broken(case.family))
        if found:
            return case.label, found
    return None


@pytest.mark.parametrize(
    ("kind", "broken"),
    [("two", primary_only), ("three", primary_only), ("linked", table_by_table)],
    ids=["primary-only-2d", "primary-only-3d", "table-by-table-linked"],
)
def test_the_attacker_recovers_small_cells_from_broken_suppression(kind, broken):
    """The same attacker, given a release without complementary suppression or one that protects linked
    tables one by one, works out a small cell: its silence on the real release is evidence."""
    assert _first_recovered(kind, broken) is not None


def test_the_attacker_uses_the_previous_release():
    """A release protected as if nothing had been published before lets the attacker combine it with the
    previous release and narrow a small cell; the real release, given the previous one, does not."""
    found = _first_recovered("previous", forgetting_the_previous_release)
    assert found is not None
