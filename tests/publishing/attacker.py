"""The attacker of the disclosure proof, written independently of wpsnap.publishing.disclosure: its own
integer program (scipy's milp) from the raw tables and what the public knows; it never calls the module's
audit. Used by the proof and by the unit tests to say what a release lets anyone work out."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from wpsnap.publishing.disclosure import Cell, Family, Table

THRESHOLD = 10
Known = Mapping[tuple[str, Cell], int]


def _figure(table: Table, cell: Cell) -> frozenset[tuple[str, str]]:
    return frozenset((d, o) for d, o in zip(table.dimensions, cell, strict=True) if o is not None)


class Attacker:
    """Everything the public knows of a family, as one integer program: a variable per figure (a figure is
    the options it fixes, whichever table shows it), the additive relations of every table (a margin that
    is not the sum of its parts differs from it in the direction the data shows, by an unknown amount),
    non-negative integers, and the known figures held at their values. Values are capped far above
    anything in the family, which can only narrow a range, never widen it."""

    def __init__(self, family: Family, known: Known, threshold: int = THRESHOLD) -> None:
        self.tables = {table.name: table for table in family.tables}
        self.names: dict[frozenset[tuple[str, str]], int] = {}
        truth: dict[int, int] = {}
        for table in family.tables:
            for lattice_cell, value in table.cells.items():
                number = self.names.setdefault(_figure(table, lattice_cell), len(self.names))
                truth[number] = value
        size = len(self.names)
        rows, lower, upper = [], [], []
        for table in family.tables:
            for lattice_cell in table.cells:
                for position, option in enumerate(lattice_cell):
                    if option is not None:
                        continue
                    row = np.zeros(size)
                    row[self.names[_figure(table, lattice_cell)]] += 1
                    parts_sum = 0
                    for part_option in table.options[table.dimensions[position]]:
                        part = (*lattice_cell[:position], part_option, *lattice_cell[position + 1 :])
                        row[self.names[_figure(table, part)]] -= 1
                        parts_sum += table.cells[part]
                    gap = table.cells[lattice_cell] - parts_sum
                    rows.append(row)
                    lower.append(0 if gap >= 0 else -np.inf)
                    upper.append(0 if gap <= 0 else np.inf)
        self.constraints = [LinearConstraint(np.array(rows), lower, upper)] if rows else []
        cap = 10 * (sum(truth.values()) + threshold)
        self.low = np.zeros(size)
        self.high = np.full(size, float(cap))
        for (name, known_cell), value in known.items():
            number = self.names[_figure(self.tables[name], known_cell)]
            self.low[number] = self.high[number] = value

    def range(self, table_name: str, cell: Cell) -> tuple[int, int]:
        """The least and greatest value the cell takes in any table that agrees with what is known."""
        target = self.names[_figure(self.tables[table_name], cell)]
        ends = []
        for sign in (1, -1):
            objective = np.zeros(len(self.names))
            objective[target] = sign
            result = milp(
                objective,
                integrality=np.ones(len(self.names)),
                bounds=Bounds(self.low, self.high),
                constraints=self.constraints,
            )
            assert result.status == 0, "the true table always agrees with what was published"
            ends.append(round(result.x[target]))
        return ends[0], ends[1]


def attacker_range(
    family: Family, known: Known, table_name: str, cell: Cell, threshold: int = THRESHOLD
) -> tuple[int, int]:
    return Attacker(family, known, threshold).range(table_name, cell)


def known_to_public(family: Family, published: Known) -> dict[tuple[str, Cell], int]:
    """This release's published figures, and the previous release's figures that have not changed since."""
    tables = {table.name: table for table in family.tables}
    unchanged = {
        key: value for key, value in family.previous.items() if tables[key[0]].cells[key[1]] == value
    }
    return {**unchanged, **published}


def recoverable_small_cells(
    family: Family, published: Known, threshold: int = THRESHOLD
) -> list[tuple[str, Cell, int, tuple[int, int]]]:
    """Every small cell (below the threshold, not published) whose range does not reach 0 and the threshold."""
    attacker = Attacker(family, known_to_public(family, published), threshold)
    found = []
    checked: set[frozenset[tuple[str, str]]] = set()
    for table in family.tables:
        for cell, value in table.cells.items():
            figure = _figure(table, cell)
            if value >= threshold or (table.name, cell) in published or figure in checked:
                continue
            checked.add(figure)
            low, high = attacker.range(table.name, cell)
            if low > 0 or high < threshold:
                found.append((table.name, cell, value, (low, high)))
    return found
