"""Cells of a breakdown: the cross-tabulation of its dimensions' options (women aged 18-24 is one
cell), and the canonical key each value is stored under. Pure: no database.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

TOTAL = ""


@dataclass(frozen=True)
class Option:
    code: str
    label: str


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    label: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Cell:
    key: str
    # {dimension code: option code}; empty for the total.
    options: tuple[tuple[str, str], ...]
    labels: tuple[str, ...]

    @property
    def is_total(self) -> bool:
        return self.key == TOTAL


@dataclass(frozen=True)
class BreakdownSpec:
    """An ordered set of dimensions; ``dimensions == ()`` means the indicator has a total only."""

    dimensions: tuple[DimensionSpec, ...] = ()

    @property
    def size(self) -> int:
        size = 1
        for dimension in self.dimensions:
            size *= len(dimension.options)
        return size if self.dimensions else 0

    def cells(self) -> list[Cell]:
        """Every full cell (one option of each dimension), in row-major order; not the total."""
        if not self.dimensions:
            return []
        found = []
        for combo in itertools.product(*(d.options for d in self.dimensions)):
            pairs = tuple((d.code, o.code) for d, o in zip(self.dimensions, combo, strict=True))
            found.append(Cell(key=cell_key(pairs), options=pairs, labels=tuple(o.label for o in combo)))
        return found

    def keys(self) -> set[str]:
        return {TOTAL} | {cell.key for cell in self.cells()}

    def grid(self) -> tuple[DimensionSpec | None, DimensionSpec | None]:
        """(rows, columns) for a table: the last dimension across, the one before it down."""
        if not self.dimensions:
            return None, None
        if len(self.dimensions) == 1:
            return self.dimensions[0], None
        return self.dimensions[-2], self.dimensions[-1]


def cell_key(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """The canonical key of a cell: "dimension:option" joined by "|" in the breakdown's order."""
    return "|".join(f"{dimension}:{option}" for dimension, option in pairs)


def parse_cell_key(key: str) -> tuple[tuple[str, str], ...]:
    if key == TOTAL:
        return ()
    return tuple(tuple(part.split(":", 1)) for part in key.split("|"))  # type: ignore[misc]


def field_name(indicator_id: int, key: str) -> str:
    """The form field of one cell: safe in HTML names and ids."""
    suffix = "total" if key == TOTAL else key.replace(":", "-").replace("|", "--")
    return f"v{indicator_id}-{suffix}"
