"""The linear programs of the protection: the cheapest change for each small count left.

One `Problem` per connected component of cells and relations; `Solver` is HiGHS.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from ._cell_state import TOLERANCE, CellState
from ._relations import BoolArray, FloatArray, IntArray

# Neighbourhoods tried in turn: cells within this many relation steps of the sensitive cell.
_RADII = (2, 4)
# The largest neighbourhood below a cell worth a linear program of its own.
_BELOW_CELLS = 4000
# Components with more complements than this are not pruned (a linear program each; a
# breakdown table of 18,000 cells down to the blocks has about 2,800).
_PRUNE_COMPLEMENTS = 4000
# A complement moved by the changes of more sensitive cells than this is kept without trying.
_PRUNE_USERS = 8
# Orders of protection tried in a component with several sensitive cells and no more
# complements than `_ORDERS_COMPLEMENTS` (see `Problem.protect`), and the seed of the random
# ones among them.
_ORDERS = 4
_ORDERS_COMPLEMENTS = 300
_ORDER_SEED = 2026
# How many steps up (to totals) the neighbourhoods below a cell are tried.
_STEPS_UP = 1
# The cost of moving a cell hidden already, against about 1 for a published one.
_HIDDEN_COST = 1e-3


@dataclass
class Problem:
    """One connected component of cells and relations, indexed from 0."""

    cells: CellState
    matrix: Any  # relations × cells, csc: -1 for the total, +1 for each part
    width: float
    solver: Solver
    hidden: BoolArray
    pattern: Any  # |matrix|, csr, for finding neighbourhoods
    parts: Any  # 1 where a cell is a part of a relation
    totals: Any  # 1 where a cell is the total of a relation
    degree: IntArray  # the number of relations of each cell
    # The changes found so far, by each cell they raise.
    directions: dict[int, list[tuple[IntArray, FloatArray]]] = field(default_factory=dict)

    @classmethod
    def of(cls, cells: CellState, matrix: Any, width: float, solver: Solver) -> Problem:
        pattern = abs(matrix).tocsr()
        return cls(
            cells=cells,
            matrix=matrix.tocsc(),
            width=float(width),
            solver=solver,
            hidden=cells.given.copy(),
            pattern=pattern,
            parts=(matrix > 0).astype(np.float64).tocsr(),
            totals=(matrix < 0).astype(np.float64).tocsr(),
            degree=np.diff(pattern.tocsc().indptr),
        )

    @property
    def size(self) -> int:
        return int(self.cells.values.size)

    def protect(self) -> None:
        """Protect the sensitive cells one after the other, in a few orders; keep the best.

        Each cell takes the cheapest change given what the cells before it hid, so the
        pattern depends on the order. Where a component has several sensitive cells and its
        pattern has no more than `_ORDERS_COMPLEMENTS` complements, other orders are tried
        too, and the pattern that hides the fewest cells (then the smallest total) is kept.
        """
        start = self.hidden.copy()
        best: tuple[tuple[int, float], BoolArray] | None = None
        for order in self._orders():
            self.hidden, self.directions = start.copy(), {}
            self._protect_in(order)
            hidden = self.hidden
            score = (int(hidden.sum()), float(self.cells.values[hidden].sum()))
            if best is None or score < best[0]:
                best = (score, hidden)
            if np.count_nonzero(hidden & ~self.cells.given) > _ORDERS_COMPLEMENTS:
                break
        assert best is not None
        self.hidden = best[1]

    def _orders(self) -> Iterator[IntArray]:
        """The orders to protect the sensitive cells in, the usual one first."""
        cells = np.flatnonzero(self.cells.sensitive)
        # Cells in many relations (totals of others) first: their changes reach far and
        # often protect the cells below them on the way.
        yield cells[np.argsort(-self.degree[cells], kind="stable")]
        if cells.size < 2 or _ORDERS < 2:
            return
        # The smallest counts first, then in random orders (seeded: the same every time).
        yield cells[np.lexsort((-self.degree[cells], self.cells.values[cells]))]
        random = np.random.default_rng(_ORDER_SEED)
        for _ in range(_ORDERS - 2):
            yield random.permutation(cells)

    def _protect_in(self, order: IntArray) -> None:
        chosen: dict[int, tuple[IntArray, FloatArray]] = {}
        for cell in order.tolist():
            found = self._protected(cell) or self._protect(cell)
            if found is not None:
                chosen[cell] = found
        self._prune(chosen)

    def _protected(self, cell: int) -> tuple[IntArray, FloatArray] | None:
        """A change found before that raises ``cell`` far enough within what is hidden."""
        for support, change in self.directions.get(cell, ()):
            at = np.searchsorted(support, cell)
            scaled = change * (self.width / change[at])
            falls = scaled < 0
            if (-scaled[falls] <= self.cells.down[support[falls]] + TOLERANCE).all() and (
                self.hidden[support].all()
            ):
                return support, change
        return None

    def _remember(self, found: tuple[IntArray, FloatArray]) -> None:
        support, change = found
        for cell in support[change > TOLERANCE].tolist():
            self.directions.setdefault(cell, []).append(found)

    def _protect(self, cell: int) -> tuple[IntArray, FloatArray] | None:
        for near in self._neighbourhoods(cell):
            found = self._change_over(cell, near)
            if found is not None:
                self.hidden[found[0]] = True
                self._remember(found)
                return found
        # No change at all: hide the cell's whole component (never seen in practice).
        self.hidden[:] = True
        return None

    def _prune(self, chosen: dict[int, tuple[IntArray, FloatArray]]) -> None:
        """Publish again complements that turn out unneeded, largest first.

        A complement is unneeded when every sensitive cell whose change moves it has another
        change within the other hidden cells.
        """
        complements = np.flatnonzero(self.hidden & ~self.cells.given)
        if complements.size > _PRUNE_COMPLEMENTS:
            return
        # Which sensitive cells' changes move each cell, in the order they were protected.
        rank = {cell: at for at, cell in enumerate(chosen)}
        users_of: dict[int, set[int]] = {}
        for cell, (support, _) in chosen.items():
            for moved in support.tolist():
                users_of.setdefault(moved, set()).add(cell)
        for complement in complements[np.argsort(-self.cells.values[complements], kind="stable")]:
            users = sorted(users_of.get(int(complement), ()), key=rank.__getitem__)
            if len(users) > _PRUNE_USERS:
                continue
            self.hidden[complement] = False
            replaced = self._replacements(users)
            if replaced is None:
                self.hidden[complement] = True
                continue
            for cell, found in replaced.items():
                for moved in chosen[cell][0].tolist():
                    users_of[moved].discard(cell)
                for moved in found[0].tolist():
                    users_of.setdefault(moved, set()).add(cell)
                chosen[cell] = found

    def _replacements(self, users: list[int]) -> dict[int, tuple[IntArray, FloatArray]] | None:
        """A change for each of ``users`` within the hidden cells; None at the first without."""
        inside = np.flatnonzero(self.hidden)
        replaced = {}
        for cell in users:
            found = self._protected(cell)
            if found is None:
                found = self._change_over(cell, inside)
                if found is None:
                    return None
                # Valid whatever becomes of the complement: hiding more only widens the choices.
                self._remember(found)
            replaced[cell] = found
        return replaced

    def _change_over(self, cell: int, near: IntArray) -> tuple[IntArray, FloatArray] | None:
        """The cheapest change over ``near`` raising ``cell``: the cells moved, and by how much."""
        change = self._cheapest_change(cell, near)
        if change is None:
            return None
        moved = np.abs(change) > TOLERANCE
        return near[moved], change[moved]

    def _neighbourhoods(self, cell: int) -> Iterator[IntArray]:
        """Cells to try changes over, smallest first.

        First the cells *beside and below* the cell: the other parts of each relation it is
        in, and the parts of the relations it is the total of, and so on (its totals stay
        fixed, so the change must balance within them). Then everything within a few steps
        over shared relations, totals included, and finally the whole component.
        """
        start = np.zeros(self.size, dtype=np.bool_)
        start[cell] = True
        for _ in range(_STEPS_UP + 1):
            yield self._below(start)
            # Then the same a step up: the totals of the relations reached may change too.
            rows = np.flatnonzero(self.parts @ start.astype(np.float64))
            start[self.totals[rows].indices] = True
        for radius in _RADII:
            yield self._near(cell, radius)
        yield np.arange(self.size)

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
        reached = np.zeros(self.size, dtype=np.bool_)
        reached[cell] = True
        for _ in range(radius):
            rows = np.flatnonzero(self.pattern @ reached.astype(np.float64))
            grown = reached.copy()
            grown[self.pattern[rows].indices] = True
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
        rows, local = np.unique(columns.indices, return_inverse=True)
        cost = np.where(self.hidden[near], _HIDDEN_COST, self.cells.cost(near))
        rise = self.cells.up[near].copy()
        fall = self.cells.down[near].copy()
        at = int(np.searchsorted(near, cell))
        lowest = np.zeros(near.size)
        lowest[at], rise[at], fall[at] = self.width, self.width, 0.0
        # The falls are the rises' columns negated: [A, -A] in column-wise form.
        solution = self.solver.minimise(
            cost=np.concatenate([cost, cost]),
            lower=np.concatenate([lowest, np.zeros(near.size)]),
            upper=np.concatenate([rise, fall]),
            rows=rows.size,
            starts=np.concatenate([columns.indptr, columns.indptr[1:] + columns.indptr[-1]]),
            indices=np.concatenate([local, local]),
            coefficients=np.concatenate([columns.data, -columns.data]),
        )
        if solution is None:
            return None
        return np.asarray(solution[: near.size] - solution[near.size :], dtype=np.float64)


class Solver:
    """Linear programs min c·x, A x = 0, l ≤ x ≤ u, solved by HiGHS through one instance.

    highspy's own wrapper class prints a banner to the terminal when it is made; its core
    class does not, and is all that is needed here.
    """

    def __init__(self) -> None:
        self.highs = highspy._Highs()  # type: ignore[attr-defined]
        self.highs.setOptionValue("output_flag", False)

    def minimise(
        self,
        *,
        cost: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
        rows: int,
        starts: Any,
        indices: Any,
        coefficients: Any,
    ) -> FloatArray | None:
        """The optimal x, or None if there is none (column-wise A given by its arrays)."""
        zeros = np.zeros(rows)
        self.highs.passModel(
            cost.size,
            rows,
            int(starts[-1]),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            cost,
            lower,
            np.where(np.isinf(upper), highspy.kHighsInf, upper),
            zeros,
            zeros,
            np.asarray(starts, dtype=np.int32),
            np.asarray(indices, dtype=np.int32),
            np.asarray(coefficients, dtype=np.float64),
            np.zeros(cost.size, dtype=np.int32),  # every variable continuous
        )
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.highs.getSolution().col_value, dtype=np.float64)
