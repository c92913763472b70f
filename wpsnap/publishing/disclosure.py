"""Disclosure control: which counts of people in a family of tables may be published, and which must be
suppressed so that nobody can tell a small group from none or from many. Pure: no database.

The rules, the threat model and the algorithm are in docs/disclosure.md. In short:

- a *family* is every table published of one population (one indicator's figures for one period): the
  tables share figures (the grand total, a sex margin, ...), and a figure is identified by the options it
  fixes, so "women" in sex x age and "women" in sex x district are one figure;
- every figure below the threshold (``WPSNAP_DISCLOSURE_THRESHOLD``, zero included) is suppressed
  (``small``), margins included, unless the indicator is marked as public statistics (``public``);
- complementary suppression (``complementary``) until, for every small figure, the values consistent with
  everything the public knows (this release's published figures in all tables of the family, the additive
  relations between them, non-negative integers, and the figures the previous release published that are
  unchanged) reach both 0 and the threshold. The audit is an exact integer program (``scipy.optimize.milp``):
  a linear relaxation can claim a range that no integer table reaches once there are three dimensions.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from django.conf import settings
from scipy.optimize import Bounds, LinearConstraint, milp

from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec, cell_key, parse_cell_key

# One position per dimension of a table: an option code, or None for the total over that dimension.
Cell = tuple[str | None, ...]
# A figure of the population, whichever table shows it: its (dimension, option) pairs, sorted.
FigureId = tuple[tuple[str, str], ...]
Dimensions = Sequence[tuple[str, Sequence[str]]] | BreakdownSpec


class Reason(StrEnum):
    SMALL = "small"  # primary: below the threshold
    COMPLEMENTARY = "complementary"  # suppressed so that a small figure cannot be recovered
    PUBLIC = "public"  # the indicator is public statistics: nothing is suppressed


@dataclass(frozen=True)
class Table:
    """Counts of people over ``dimensions`` (each with its ordered ``options``), with every margin.

    ``cells`` holds every cell of the lattice: each position an option or None (the total over that
    dimension), so ``(None,) * len(dimensions)`` is the grand total. Build one with ``make_table`` or
    ``table_from_values``, which compute the margins that are not given.
    """

    name: str
    dimensions: tuple[str, ...]
    options: Mapping[str, tuple[str, ...]]
    cells: Mapping[Cell, int]

    def __post_init__(self) -> None:
        if len(set(self.dimensions)) != len(self.dimensions):
            raise ValueError(f"table {self.name!r}: a dimension is named twice in {self.dimensions}")
        if set(self.options) != set(self.dimensions):
            raise ValueError(f"table {self.name!r}: options must be given for exactly {self.dimensions}")
        for dimension in self.dimensions:
            options = self.options[dimension]
            if not options or len(set(options)) != len(options) or None in options:
                raise ValueError(f"table {self.name!r}: dimension {dimension!r} needs distinct options")
        lattice = set(self.lattice())
        missing = lattice - set(self.cells)
        extra = set(self.cells) - lattice
        if missing or extra:
            raise ValueError(
                f"table {self.name!r}: cells must be exactly the lattice with its margins "
                f"(missing {sorted(missing, key=repr)[:3]}, unknown {sorted(extra, key=repr)[:3]})"
            )
        for cell, value in self.cells.items():
            if type(value) is not int or value < 0:
                raise ValueError(f"table {self.name!r}: {cell} is {value!r}, not a count of people")

    def lattice(self) -> list[Cell]:
        """Every cell, options in their order and each dimension's total after its options."""
        return list(itertools.product(*((*self.options[d], None) for d in self.dimensions)))

    def figure(self, cell: Cell) -> FigureId:
        return tuple(sorted((d, o) for d, o in zip(self.dimensions, cell, strict=True) if o is not None))

    def key(self, cell: Cell) -> str:
        return key_from_cell(cell, self.dimensions)


@dataclass(frozen=True)
class Family:
    """The tables published of one population, and what the previous release published of them.

    ``previous`` maps ``(table name, cell)`` to the value the previous release published. A value equal to
    today's is a known fact to the public; one that differs was revised since and says nothing certain
    about today's figure (docs/disclosure.md, "The previous release").
    """

    tables: tuple[Table, ...]
    previous: Mapping[tuple[str, Cell], int] = field(default_factory=dict)
    public_statistics: bool = False

    def __post_init__(self) -> None:
        if not self.tables:
            raise ValueError("a family needs at least one table")
        names = [table.name for table in self.tables]
        if len(set(names)) != len(names):
            raise ValueError(f"table names must be distinct: {names}")
        seen: dict[FigureId, tuple[str, Cell, int]] = {}
        for table in self.tables:
            for cell, value in table.cells.items():
                figure = table.figure(cell)
                first = seen.setdefault(figure, (table.name, cell, value))
                if first[2] != value:
                    raise ValueError(
                        f"one figure, two values: {first[0]!r} {first[1]} is {first[2]}, "
                        f"{table.name!r} {cell} is {value}"
                    )
        by_name = {table.name: table for table in self.tables}
        for (name, cell), value in self.previous.items():
            if name not in by_name or cell not in by_name[name].cells:
                raise ValueError(f"previous release: no cell {cell} in a table {name!r} of this family")
            if type(value) is not int or value < 0:
                raise ValueError(f"previous release: {name!r} {cell} is {value!r}, not a count of people")


@dataclass(frozen=True)
class Shown:
    """One cell of a release: its value, or None when suppressed, and why. The reason is for the
    coordinator's view and the audit; the public sees every suppressed cell with one and the same mark
    (docs/disclosure.md, "What a reader sees")."""

    value: int | None
    reason: Reason | None = None

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class ProtectedTable:
    table: Table
    shown: Mapping[Cell, Shown]

    @property
    def name(self) -> str:
        return self.table.name

    def by_key(self) -> dict[str, Shown]:
        """The cells under the platform's cell keys ("sex:women|age:18-24", "" for the grand total)."""
        return {self.table.key(cell): shown for cell, shown in self.shown.items()}


@dataclass(frozen=True)
class Release:
    tables: tuple[ProtectedTable, ...]
    threshold: int
    # Small cells the previous release already gave away (an unchanged published figure pins them):
    # suppressed, but no suppression today can protect them. Empty when every release went through here.
    exposed: tuple[tuple[str, Cell], ...] = ()

    def table(self, name: str) -> ProtectedTable:
        return next(table for table in self.tables if table.name == name)

    def published(self) -> dict[tuple[str, Cell], int]:
        """What this release shows, in the shape the next release takes as ``Family.previous``."""
        return {
            (table.name, cell): shown.value
            for table in self.tables
            for cell, shown in table.shown.items()
            if shown.value is not None
        }


# --- building tables -----------------------------------------------------------------------------------


def _dimension_list(dimensions: Dimensions) -> list[tuple[str, tuple[str, ...]]]:
    if isinstance(dimensions, BreakdownSpec):
        return [(d.code, tuple(o.code for o in d.options)) for d in dimensions.dimensions]
    return [(code, tuple(options)) for code, options in dimensions]


def cell_from_key(key: str, dimensions: Sequence[str]) -> Cell:
    """The cell of a platform cell key ("sex:women|age:18-24"; "" the grand total, "sex:women" a margin)."""
    pairs = dict(parse_cell_key(key))
    unknown = set(pairs) - set(dimensions)
    if unknown:
        raise ValueError(f"cell {key!r}: dimension {sorted(unknown)[0]!r} is not one of {tuple(dimensions)}")
    return tuple(pairs.get(dimension) for dimension in dimensions)


def key_from_cell(cell: Cell, dimensions: Sequence[str]) -> str:
    """The platform cell key of a cell: its options in the dimensions' order; "" for the grand total."""
    pairs = [(d, o) for d, o in zip(dimensions, cell, strict=True) if o is not None]
    return cell_key(pairs) if pairs else TOTAL


def make_table(name: str, dimensions: Dimensions, cells: Mapping[Cell, int]) -> Table:
    """A table from its inner cells and whichever margins are given.

    An inner cell not given counts nobody (0). A margin not given is the sum of the inner cells under it.
    A margin given is kept as given even when it is not the sum of its parts (a total reported without
    a full breakdown): the audit then relates it to its parts by an unknown remainder of the sign the data
    shows (docs/disclosure.md, "Totals that are not the sum of their parts").
    """
    dims = _dimension_list(dimensions)
    codes = tuple(code for code, _options in dims)
    table_options = dict(dims)
    inner = list(itertools.product(*(options for _code, options in dims)))
    full: dict[Cell, int] = {cell: cells.get(cell, 0) for cell in inner}
    lattice = itertools.product(*((*options, None) for _code, options in dims))
    complete: dict[Cell, int] = {}
    for cell in lattice:
        if cell in cells:
            complete[cell] = cells[cell]
        else:
            complete[cell] = sum(
                value
                for inner_cell, value in full.items()
                if all(o is None or o == i for o, i in zip(cell, inner_cell, strict=True))
            )
    return Table(name=name, dimensions=codes, options=table_options, cells=complete)


def table_from_values(name: str, values: Mapping[str, int], dimensions: Dimensions) -> Table:
    """A table from the one cell shape ``{cell key: value}`` and the breakdown's dimensions and options."""
    codes = [code for code, _options in _dimension_list(dimensions)]
    return make_table(name, dimensions, {cell_from_key(key, codes): value for key, value in values.items()})


def family_from_values(
    values: Mapping[str, int],
    *,
    dimensions: Dimensions,
    name: str = "figures",
    previous: Mapping[str, int] | None = None,
    public_statistics: bool = False,
) -> Family:
    """The family of one indicator's figures for one period: one table over the breakdown's dimensions,
    with every margin; ``previous`` is what the previous release published, by cell key."""
    table = table_from_values(name, values, dimensions)
    known = {(name, cell_from_key(key, table.dimensions)): value for key, value in (previous or {}).items()}
    return Family(tables=(table,), previous=known, public_statistics=public_statistics)


# --- the audit and the suppression --------------------------------------------------------------------


def default_threshold() -> int:
    return int(settings.WPSNAP_DISCLOSURE_THRESHOLD)


class _Model:
    """The family as one system of figures: a variable per figure, a row per additive relation."""

    def __init__(self, family: Family, threshold: int) -> None:
        self.threshold = threshold
        self.ids: list[FigureId] = []
        index: dict[FigureId, int] = {}
        values: list[int] = []
        for table in family.tables:
            for cell in table.lattice():
                figure = table.figure(cell)
                if figure not in index:
                    index[figure] = len(self.ids)
                    self.ids.append(figure)
                    values.append(table.cells[cell])
        self.index = index
        self.values = np.array(values, dtype=np.int64)
        self.size = len(self.ids)

        rows: dict[tuple[int, frozenset[int]], tuple[float, float]] = {}
        for table in family.tables:
            for cell in table.lattice():
                for position, option in enumerate(cell):
                    if option is not None:
                        continue
                    margin = index[table.figure(cell)]
                    parts = frozenset(
                        index[table.figure((*cell[:position], o, *cell[position + 1 :]))]
                        for o in table.options[table.dimensions[position]]
                    )
                    remainder = int(self.values[margin]) - sum(int(self.values[p]) for p in parts)
                    # A margin that is not the sum of its parts: the public may know which way it differs,
                    # not by how much (docs/disclosure.md).
                    bounds = (
                        (0.0, 0.0) if remainder == 0 else (0.0, np.inf) if remainder > 0 else (-np.inf, 0.0)
                    )
                    rows[(margin, parts)] = bounds
        matrix = np.zeros((len(rows), self.size))
        lower = np.zeros(len(rows))
        upper = np.zeros(len(rows))
        for number, ((margin, parts), (low, high)) in enumerate(rows.items()):
            matrix[number, margin] = 1.0
            for part in parts:
                matrix[number, part] = -1.0
            lower[number], upper[number] = low, high
        self.matrix, self.lower, self.upper = matrix, lower, upper

        # The previous release's figures that still hold: the public knows them.
        self.facts: dict[int, int] = {}
        tables = {table.name: table for table in family.tables}
        for (name, cell), value in family.previous.items():
            known = index[tables[name].figure(cell)]
            if int(self.values[known]) == value:
                self.facts[known] = value

        # What suppressing a figure costs: its value, more for margins (they carry more of the table), and
        # a rank so that equal costs are broken the same way every time (first in the family's order).
        depth = max((len(figure_id) for figure_id in self.ids), default=0)
        self.cost = np.array(
            [
                ((int(self.values[i]) + 1) * (1 + depth - len(self.ids[i]))) * (self.size + 1) + i
                for i in range(self.size)
            ],
            dtype=float,
        )

    def _relations(self, matrix: np.ndarray) -> list[LinearConstraint]:
        # A table without dimensions (a total only) has no relations, and milp wants no empty matrix.
        return [LinearConstraint(matrix, self.lower, self.upper)] if len(self.lower) else []

    def _known_bounds(self, published: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        lower = np.zeros(self.size)
        upper = np.full(self.size, np.inf)
        for figure in published:
            lower[figure] = upper[figure] = self.values[figure]
        for figure, value in self.facts.items():
            lower[figure] = upper[figure] = value
        return lower, upper

    def _target(self, figure: int, up: bool) -> tuple[float, float]:
        return (float(self.threshold), np.inf) if up else (0.0, 0.0)

    def reachable(
        self, figure: int, up: bool, published: Sequence[int], lean: Sequence[int] = ()
    ) -> np.ndarray | None:
        """A non-negative integer table that agrees with everything the public knows and puts this figure
        at 0 (``up`` False) or at the threshold or above (``up`` True); None when there is none. Among
        such tables it prefers one with the ``lean`` figures low, so that it can answer for them too."""
        lower, upper = self._known_bounds(published)
        low, high = self._target(figure, up)
        lower[figure], upper[figure] = max(lower[figure], low), min(upper[figure], high)
        if lower[figure] > upper[figure]:
            return None
        objective = np.zeros(self.size)
        objective[list(lean)] = 1.0
        result = milp(
            objective,
            integrality=np.ones(self.size),
            bounds=Bounds(lower, upper),
            constraints=self._relations(self.matrix),
        )
        return np.round(result.x) if result.status == 0 else None

    def cheapest_widening(
        self, figure: int, up: bool, published: Sequence[int]
    ) -> tuple[list[int], np.ndarray | None]:
        """The published figures to suppress, at the least cost, so that this figure can reach its target.

        One integer program: every published figure may move away from its value at a cost per person moved
        (``self.cost``); the figure is held at its target; the figures that moved in the cheapest solution
        are the ones to suppress, and that solution (returned with them) is itself the table that proves the
        target reachable once they are. No table (None) when nothing can free it: unchanged figures of the
        previous release pin it.
        """
        movable = [i for i in published if i not in self.facts]
        n, m = self.size, len(movable)
        lower = np.zeros(n + 2 * m)
        upper = np.full(n + 2 * m, np.inf)
        for fact, value in self.facts.items():
            lower[fact] = upper[fact] = value
        low, high = self._target(figure, up)
        lower[figure], upper[figure] = max(lower[figure], low), min(upper[figure], high)
        if lower[figure] > upper[figure]:
            return [], None
        # x[i] - rise[i] + fall[i] == value[i] for every published figure that may move.
        link = np.zeros((m, n + 2 * m))
        for row, i in enumerate(movable):
            link[row, i] = 1.0
            link[row, n + row] = -1.0
            link[row, n + m + row] = 1.0
        values = np.array([float(self.values[i]) for i in movable])
        relations = np.hstack([self.matrix, np.zeros((self.matrix.shape[0], 2 * m))])
        objective = np.zeros(n + 2 * m)
        weights = np.array([self.cost[i] for i in movable])
        objective[n : n + m] = weights
        objective[n + m :] = weights
        result = milp(
            objective,
            integrality=np.concatenate([np.ones(n), np.zeros(2 * m)]),
            bounds=Bounds(lower, upper),
            constraints=[
                *self._relations(relations),
                *([LinearConstraint(link, values, values)] if m else []),
            ],
            options={"mip_rel_gap": 0.0},
        )
        if result.status == 2:
            return [], None
        if result.status != 0:
            # Never publish on a solver's shrug: the caller's figures stay unpublished.
            raise RuntimeError(f"disclosure control could not solve its integer program: {result.message}")
        table = np.round(result.x[:n])
        return [i for i in movable if abs(table[i] - self.values[i]) > 0.5], table


def _meets(table: np.ndarray, figure: int, up: bool, threshold: int) -> bool:
    return bool(table[figure] >= threshold) if up else bool(table[figure] == 0)


def protect(family: Family, *, threshold: int | None = None) -> Release:
    """What the public may see of a family: each cell its value, or suppressed with the reason.

    Every figure below the threshold is suppressed; then, in the family's order, each small figure that the
    published figures (with the previous release's unchanged ones) keep from reaching 0 or the threshold
    gets the cheapest set of complementary suppressions that frees it, and is audited again. Suppressing
    more only widens every range, so a figure once protected stays protected, and the loop ends: each turn
    protects a figure, suppresses at least one more, or finds the figure exposed by the previous release.
    """
    threshold = default_threshold() if threshold is None else threshold
    if threshold < 1:
        raise ValueError(f"the disclosure threshold must be at least 1, not {threshold}")
    model = _Model(family, threshold)
    reasons: dict[int, Reason] = {}
    exposed: set[int] = set()
    if family.public_statistics:
        reasons = dict.fromkeys(range(model.size), Reason.PUBLIC)
    else:
        small = [i for i in range(model.size) if model.values[i] < threshold]
        reasons = dict.fromkeys(small, Reason.SMALL)
        # The true table is always consistent with what is published, so a figure already at 0 can
        # reach 0; only the other directions need checking.
        pending = deque(
            (figure, up) for figure in small for up in (False, True) if up or model.values[figure] > 0
        )
        # Tables consistent with what is published. Suppressing more only removes constraints, so each stays
        # consistent to the end, and one that already puts a figure at its target answers without a solve.
        witnesses = [model.values.astype(float)]
        while pending:
            figure, up = pending[0]
            if any(_meets(witness, figure, up, threshold) for witness in witnesses):
                pending.popleft()
                continue
            published = [i for i in range(model.size) if i not in reasons]
            lean = [other for other, other_up in pending if not other_up and other != figure]
            witness = model.reachable(figure, up, published, lean)
            if witness is not None:
                witnesses.append(witness)
                pending.popleft()
                continue
            widening, witness = model.cheapest_widening(figure, up, published)
            if witness is None:
                exposed.add(figure)
                pending = deque(pair for pair in pending if pair[0] != figure)
                continue
            witnesses.append(witness)
            for complement in widening:
                reasons[complement] = Reason.COMPLEMENTARY

    tables = []
    exposed_cells = []
    for table in family.tables:
        shown: dict[Cell, Shown] = {}
        for cell in table.lattice():
            figure = model.index[table.figure(cell)]
            reason = reasons.get(figure)
            if reason is None or reason is Reason.PUBLIC:
                shown[cell] = Shown(value=table.cells[cell], reason=reason)
            else:
                shown[cell] = Shown(value=None, reason=reason)
            if figure in exposed:
                exposed_cells.append((table.name, cell))
        tables.append(ProtectedTable(table=table, shown=shown))
    return Release(tables=tuple(tables), threshold=threshold, exposed=tuple(exposed_cells))
