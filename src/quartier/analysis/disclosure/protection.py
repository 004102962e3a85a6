"""Protection intervals: hide complements until every sensitive cell keeps a wide interval.

The attacker sees every published cell, knows every relation (a total equals the sum of its
parts), knows that a hidden non-zero count is at least 1 (zeros are published as "-") and
that hidden cells in general are not negative. A sensitive cell ``p`` with value ``x_p`` is
protected when the attacker cannot rule out ``x_p + width``: then the largest value the
attacker can prove possible is at least ``x_p + width`` (≥ ``min_count``), and the feasible
interval is at least ``width`` wide.

That holds exactly when some change ``y`` of the hidden cells keeps every relation
(``A y = 0``), raises ``p`` by ``width`` and keeps each hidden cell at or above its lower
bound: the changed table is as consistent with the publication as the true one. For each
sensitive cell not yet protected, a linear program finds the cheapest such change over the
cells near ``p`` (those linked to it through a few relations), where a published cell costs
more than a hidden one, and a large one more than a small one; the cells it changes are
hidden. Hiding more cells only widens the attacker's choices, so a protection found stays
valid as later cells are protected, and the changes found are reused to skip linear programs.

Examples
--------
A district of three blocks; block 0 holds 2 people:

>>> import numpy as np
>>> from quartier.analysis.disclosure.relations import Relation, RelationSet
>>> values = np.array([2.0, 5.0, 7.0, 14.0])
>>> relations = RelationSet.of([Relation(total=3, parts=(0, 1, 2))])
>>> hidden = protect_cells(values, relations, sensitive=values < 3, width=3)
>>> hidden.tolist()
[True, True, False, False]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from .relations import BoolArray, FloatArray, IntArray, RelationSet

__all__ = ["DEFAULT_PROTECTION_WIDTH", "protect_cells"]

DEFAULT_PROTECTION_WIDTH = 3
# Neighbourhoods tried in turn: cells within this many relation steps of the sensitive cell.
_RADII = (2, 4)
# The largest neighbourhood below a cell worth a linear program of its own.
_BELOW_CELLS = 4000
# Components with more complements than this are not pruned (a linear program each).
_PRUNE_COMPLEMENTS = 300
# A complement moved by the changes of more sensitive cells than this is kept without trying.
_PRUNE_USERS = 8
# How many steps up (to totals) the neighbourhoods below a cell are tried.
_STEPS_UP = 1
_HIDDEN_COST = 1e-3
_KEEP_COST = 1e3
_TOLERANCE = 1e-7


def protect_cells(
    values: FloatArray,
    relations: RelationSet,
    *,
    sensitive: BoolArray,
    width: int = DEFAULT_PROTECTION_WIDTH,
    hidden: BoolArray | None = None,
    lower: FloatArray | None = None,
    keep: BoolArray | None = None,
) -> BoolArray:
    """Cells to hide so that every sensitive cell is protected by ``width``.

    Parameters
    ----------
    values
        One value per cell; NaN for a cell whose value is unknown (it is hidden and may
        take any value at or above its lower bound, but only its rise is relied on).
    relations
        Additive relations between the cells.
    sensitive
        Cells to protect (they are hidden). An unknown cell may be sensitive too (secret in
        the source): it is protected by a rise, the only change its unknown value allows.
    width
        The protection width.
    hidden
        Cells hidden anyway (never published, or unknown); they protect at no cost.
    lower
        The lowest value the attacker allows each hidden cell (default: 1 for positive
        cells, 0 for others).
    keep
        Cells to hide only when nothing else protects (for instance the city total).

    Returns
    -------
    numpy.ndarray of bool
        The hidden cells: the sensitive, the given hidden and the complements.
    """
    problem = _Problem.of(values, relations, sensitive, width, hidden, lower, keep)
    graph = problem.graph()
    count, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    for component in range(count):
        cells = order[bounds[component] : bounds[component + 1]]
        if problem.sensitive[cells].any():
            problem.protect_component(cells)
    return problem.hidden


@dataclass
class _Problem:
    values: FloatArray
    matrix: Any  # relations × cells, csr: -1 for the total, +1 for each part
    sensitive: BoolArray
    width: float
    hidden: BoolArray
    down: FloatArray  # how far each cell may fall before it reaches its lower bound
    up: FloatArray  # how far each cell may rise: unbounded, but 0 for published zeros
    cost: FloatArray
    given: BoolArray  # cells hidden before any complement: sensitive, unknown, never published
    pattern: Any  # |matrix|, for finding neighbourhoods
    parts: Any  # 1 where a cell is a part of a relation
    totals: Any  # 1 where a cell is the total of a relation
    degree: IntArray  # the number of relations of each cell
    directions: list[tuple[IntArray, FloatArray]] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        values: FloatArray,
        relations: RelationSet,
        sensitive: BoolArray,
        width: int,
        hidden: BoolArray | None,
        lower: FloatArray | None,
        keep: BoolArray | None,
    ) -> _Problem:
        size = values.size
        unknown = np.isnan(values)
        known = np.where(unknown, 0.0, values)
        floor = np.where(known > 0, 1.0, 0.0) if lower is None else lower
        down = np.where(unknown, 0.0, np.maximum(known - floor, 0.0))
        # A published zero can move neither way; an unknown cell only rises.
        up = np.where((known == 0) & ~unknown & ~_mask(hidden, size), 0.0, np.inf)
        cost = 1.0 + known / (1.0 + known.max(initial=0.0))
        cost = np.where(_mask(keep, size), cost * _KEEP_COST, cost)
        given = _mask(hidden, size) | unknown | np.asarray(sensitive, dtype=np.bool_)
        matrix = relations.incidence(size).tocsr().astype(np.float64)
        pattern = abs(matrix).tocsr()
        return cls(
            values=known,
            matrix=matrix,
            pattern=pattern,
            parts=(matrix > 0).astype(np.float64).tocsr(),
            totals=(matrix < 0).astype(np.float64).tocsr(),
            degree=np.diff(pattern.tocsc().indptr),
            sensitive=np.asarray(sensitive, dtype=np.bool_),
            width=float(width),
            hidden=given.copy(),
            given=given,
            down=down,
            up=up,
            cost=cost,
        )

    def graph(self) -> Any:
        """Cells linked when they share a relation (cell × cell, through the relations)."""
        return (self.pattern.T @ self.pattern).tocsr()

    def protect_component(self, cells: IntArray) -> None:
        self.directions = []
        # Cells in many relations (totals of others) first: their changes reach far and
        # often protect the cells below them on the way.
        order = cells[np.lexsort((-self.degree[cells], ~self.sensitive[cells]))]
        chosen: dict[int, tuple[IntArray, FloatArray]] = {}
        for cell in order[self.sensitive[order]].tolist():
            found = self._protected(cell) or self._protect(cell)
            if found is not None:
                chosen[cell] = found
        self._prune(cells, chosen)

    def _protected(self, cell: int) -> tuple[IntArray, FloatArray] | None:
        """A change found before that raises ``cell`` far enough within what is hidden."""
        for support, change in self.directions:
            at = np.searchsorted(support, cell)
            if at >= support.size or support[at] != cell or change[at] <= _TOLERANCE:
                continue
            scaled = change * (self.width / change[at])
            falls = scaled < 0
            if (-scaled[falls] <= self.down[support[falls]] + _TOLERANCE).all() and (
                self.hidden[support].all()
            ):
                return support, change
        return None

    def _protect(self, cell: int) -> tuple[IntArray, FloatArray] | None:
        for near in self._neighbourhoods(cell):
            change = self._cheapest_change(cell, near)
            if change is not None:
                moved = np.abs(change) > _TOLERANCE
                found = near[moved], change[moved]
                self.hidden[found[0]] = True
                self.directions.append(found)
                return found
        # No change at all: hide the cell's whole component (never seen in practice).
        self.hidden[self._near(cell, self.values.size)] = True
        return None

    def _prune(self, cells: IntArray, chosen: dict[int, tuple[IntArray, FloatArray]]) -> None:
        """Publish again complements that turn out unneeded, largest first.

        A complement is unneeded when every sensitive cell whose change moves it has another
        change within the other hidden cells.
        """
        complements = cells[self.hidden[cells] & ~self.given[cells]]
        if complements.size > _PRUNE_COMPLEMENTS:
            return
        for complement in complements[np.argsort(-self.values[complements], kind="stable")]:
            users = [cell for cell, (support, _) in chosen.items() if complement in support]
            if len(users) > _PRUNE_USERS:
                continue
            self.hidden[complement] = False
            inside = cells[self.hidden[cells]]
            replaced = {cell: self._within(cell, inside) for cell in users}
            if all(found is not None for found in replaced.values()):
                chosen.update(replaced)  # type: ignore[arg-type]
            else:
                self.hidden[complement] = True

    def _within(self, cell: int, inside: IntArray) -> tuple[IntArray, FloatArray] | None:
        """A change raising ``cell`` by the width that moves only the cells ``inside``."""
        change = self._cheapest_change(cell, inside)
        if change is None:
            return None
        moved = np.abs(change) > _TOLERANCE
        return inside[moved], change[moved]

    def _neighbourhoods(self, cell: int) -> Iterator[IntArray]:
        """Cells to try changes over, smallest first.

        First the cells *beside and below* the cell: the other parts of each relation it is
        in, and the parts of the relations it is the total of, and so on (its totals stay
        fixed, so the change must balance within them). Then everything within a few steps
        over shared relations, totals included, and finally the whole component.
        """
        start = np.zeros(self.values.size, dtype=np.bool_)
        start[cell] = True
        for _ in range(_STEPS_UP + 1):
            yield self._below(start)
            # Then the same a step up: the totals of the relations reached may change too.
            rows = np.flatnonzero(self.parts @ start.astype(np.float64))
            start[self.totals[rows].indices] = True
        for radius in _RADII:
            yield self._near(cell, radius)
        yield self._near(cell, self.values.size)

    def _below(self, start: BoolArray) -> IntArray:
        reached = start.copy()
        count = int(reached.sum())
        while count < _BELOW_CELLS:
            rows = np.flatnonzero(self.pattern @ reached.astype(np.float64))
            reached[self.parts[rows].indices] = True
            grown = int(reached.sum())
            if grown == count:
                break
            count = grown
        return np.flatnonzero(reached)

    def _near(self, cell: int, radius: int) -> IntArray:
        """The cells reached from ``cell`` in up to ``radius`` steps over shared relations."""
        reached = np.zeros(self.values.size, dtype=np.bool_)
        reached[cell] = True
        for _ in range(radius):
            rows = np.flatnonzero(self.pattern @ reached.astype(np.float64))
            grown = reached.copy()
            grown[self.matrix[rows].indices] = True
            if grown.sum() == reached.sum():
                break
            reached = grown
        return np.flatnonzero(reached)

    def _cheapest_change(self, cell: int, near: IntArray) -> FloatArray | None:
        """The cheapest change over ``near`` raising ``cell`` by the width, if there is one.

        Variables are each cell's rise and fall; the relations touching ``near`` must hold,
        with the cells outside ``near`` unchanged.
        """
        columns = self.matrix[:, near]
        rows = np.flatnonzero(np.diff(columns.tocsr().indptr))
        local = columns[rows]
        equations = sparse.hstack([local, -local], format="csr")
        cost = np.where(self.hidden[near], _HIDDEN_COST, self.cost[near])
        rise = np.column_stack([np.zeros(near.size), self.up[near]])
        fall = np.column_stack([np.zeros(near.size), self.down[near]])
        at = int(np.searchsorted(near, cell))
        rise[at] = (self.width, self.width)
        fall[at] = (0.0, 0.0)
        result = linprog(
            np.concatenate([cost, cost]),
            A_eq=equations,
            b_eq=np.zeros(rows.size),
            bounds=np.vstack([rise, fall]),
            method="highs",
        )
        if result.status != 0:
            return None
        solution = np.asarray(result.x)
        return np.asarray(solution[: near.size] - solution[near.size :], dtype=np.float64)


def _mask(values: Any, size: int) -> BoolArray:
    if values is None:
        return np.zeros(size, dtype=np.bool_)
    return np.asarray(values, dtype=np.bool_).reshape(-1)
