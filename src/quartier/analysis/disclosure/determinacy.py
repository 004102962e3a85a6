"""Which hidden cells the published cells and the relations still determine exactly.

The hidden cells of a table fall into connected components: two hidden cells are connected
when a relation contains both. Within a component with hidden cells ``x`` the relations read
``M x = b``, where ``b`` is known from the published cells. A hidden cell ``j`` is determined
exactly iff every direction ``d`` with ``M d = 0`` has ``d_j = 0`` (``e_j`` lies in the row
space of ``M``). Otherwise, because every hidden count is at least 1, a small step along such
a ``d`` in either direction gives another table consistent with everything published.

A component whose graph of cells and relations has no cycle never determines a cell as long
as every relation holds at least two hidden cells, so only components with cycles need linear
algebra. Cycles are what the rule "two hidden cells per relation" misses: in a two-way table a
hidden cell that bridges two otherwise separate rectangles of hidden cells is determined.

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> M = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]))
>>> determined_in(M).tolist()
[True, True, True]
>>> determined_in(M[:2]).tolist()
[False, False, False]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import lsqr

from .nullspace import NullSpace
from .relations import BoolArray, FloatArray, IntArray
from .state import Table

__all__ = ["Component", "determined_in", "hidden_components", "protect_determined", "prune"]

# Squared length of a cell's component in an orthonormal null-space basis below which the cell
# counts as determined. With small integer relation matrices an undetermined cell stays far
# above it (about 1 / the length of the shortest cycle through the cell).
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Component:
    """Hidden cells linked by relations, with the relations that contain them."""

    cells: IntArray
    relations: IntArray
    cyclic: bool

    def matrix(self, table: Table) -> Any:
        """The relations restricted to the component's cells (relations x cells), sparse."""
        return table.by_cell[self.cells][:, self.relations].T.tocsr().astype(np.float64)

    def null_space(self, table: Table) -> NullSpace:
        """The directions in which the hidden cells can move together."""
        return NullSpace.of(self.matrix(table), table.blocks[self.cells])


def hidden_components(
    table: Table, *, only_dirty: bool, cyclic_only: bool = False, containing: Any = None
) -> list[Component]:
    """The components of hidden cells.

    With ``only_dirty`` only those with a newly hidden cell, with ``cyclic_only`` only those
    with a cycle, with ``containing`` (a boolean per cell) only those holding such a cell.
    """
    cells = np.flatnonzero(table.hidden)
    if cells.size == 0:
        return []
    block = table.by_cell[cells].tocoo()
    k, m = cells.size, table.n_relations
    graph = coo_matrix((np.ones(block.nnz), (block.row, k + block.col)), shape=(k + m, k + m))
    _, labels = connected_components(graph, directed=False)
    cell_labels = labels[:k]
    used = np.unique(block.col)
    size = labels.max() + 1
    edges = np.bincount(cell_labels[block.row], minlength=size)
    nodes = np.bincount(cell_labels, minlength=size) + np.bincount(labels[k + used], minlength=size)
    cyclic = edges > nodes - 1
    chosen = np.ones(k, dtype=np.bool_)
    if only_dirty:
        chosen &= table.dirty[cells]
    if containing is not None:
        chosen &= np.asarray(containing, dtype=np.bool_)[cells]
    wanted = np.unique(cell_labels[chosen])
    if cyclic_only:
        wanted = wanted[cyclic[wanted]]
    order_cells, order_relations = np.argsort(cell_labels), np.argsort(labels[k + used])
    cell_bounds = np.searchsorted(cell_labels[order_cells], [wanted, wanted + 1])
    relation_bounds = np.searchsorted(labels[k + used][order_relations], [wanted, wanted + 1])
    return [
        Component(
            cells=np.sort(cells[order_cells[cell_bounds[0, i] : cell_bounds[1, i]]]),
            relations=np.sort(used[order_relations[relation_bounds[0, i] : relation_bounds[1, i]]]),
            cyclic=bool(cyclic[label]),
        )
        for i, label in enumerate(wanted.tolist())
    ]


def determined_in(matrix: Any) -> BoolArray:
    """For each column of a sparse matrix whether its unit vector lies in the row space."""
    space = NullSpace.of(matrix, np.zeros(matrix.shape[1], dtype=np.int64))
    return np.asarray(space.lengths < _TOLERANCE)


def protect_determined(table: Table) -> int:
    """Hide complements where a hidden cell is determined; returns how many were hidden."""
    components = hidden_components(table, only_dirty=True, cyclic_only=True)
    table.dirty[:] = False
    return sum(_protect_component(table, component) for component in components)


def _protect_component(table: Table, component: Component) -> int:
    # Missing values are unknown to everyone: they take part, but need no protection here.
    known = ~table.unknown[component.cells]
    if not known.any():
        return 0
    determined = np.flatnonzero((component.null_space(table).lengths < _TOLERANCE) & known)
    if determined.size == 0:
        return 0
    rows = table.matrix[component.relations].astype(np.float64)
    candidates = table.candidates(np.unique(rows.indices))
    if candidates.size == 0:
        return 0
    effect = rows[:, candidates].T @ _certificates(component.matrix(table), determined)
    return _choose_complements(table, candidates, np.abs(effect) > 1e-6)


def _certificates(matrix: Any, determined: IntArray) -> FloatArray:
    """For each determined cell j weights y over the relations with y @ matrix = e_j.

    A published cell c whose relations meet y (y @ column(c) != 0) breaks this combination when
    it is hidden as well.
    """
    transposed = matrix.T.tocsr()
    columns = []
    for cell in determined.tolist():
        unit = np.zeros(transposed.shape[0])
        unit[cell] = 1.0
        columns.append(lsqr(transposed, unit, atol=1e-12, btol=1e-12)[0])
    return np.stack(columns, axis=1)


def _choose_complements(table: Table, candidates: IntArray, effect: Any) -> int:
    """Per determined cell the cheapest candidate that breaks it, unless one chosen already does."""
    order = np.lexsort(table.cost_keys(candidates)[::-1])
    ranked = effect[order]
    chosen: set[int] = set()
    for column in range(effect.shape[1]):
        if any(effect[c, column] for c in chosen):
            continue
        hits = np.flatnonzero(ranked[:, column])
        # Without a sure hit (an inexact certificate) the cheapest candidate still makes
        # progress; the next round checks again and the final pass drops what is not needed.
        chosen.add(int(order[hits[0] if hits.size else 0]))
    for local in chosen:
        table.hide(int(candidates[local]))
    return len(chosen)


def prune(table: Table, removable: BoolArray) -> None:
    """Publish again each removable hidden cell whose suppression turned out unnecessary.

    Cells are tried from the largest value down; one is published when all other hidden cells
    of its component with a known value stay undetermined without it.
    """
    for component in hidden_components(table, only_dirty=False, containing=removable):
        cells = component.cells[removable[component.cells]]
        if cells.size == 0:
            continue
        cells = cells[np.argsort(-table.values[cells], kind="stable")]
        if component.cyclic:
            _prune_cyclic(table, component, cells)
        else:
            _prune_acyclic(table, cells)


def _prune_acyclic(table: Table, cells: IntArray) -> None:
    # Without cycles, two hidden cells in every relation keep every cell undetermined.
    for cell in cells.tolist():
        if np.all(table.count[table.cell_relations(cell)] >= 3):
            table.publish(cell)


def _prune_cyclic(table: Table, component: Component, cells: IntArray) -> None:
    space = component.null_space(table)
    position = {cell: index for index, cell in enumerate(component.cells.tolist())}
    alive = ~table.unknown[component.cells]
    for cell in cells.tolist():
        if np.any(table.count[table.cell_relations(cell)] <= 2):
            continue  # publishing it would leave a relation with a single hidden cell
        here = position[cell]
        alive[here] = False
        if space.lengths[here] < _TOLERANCE:
            table.publish(cell)
            continue
        unit = space.direction(here)
        remaining = space.lengths_without(unit)
        if np.all(remaining[alive] >= _TOLERANCE):
            table.publish(cell)
            space.fix(unit, remaining)
        else:
            alive[here] = True
