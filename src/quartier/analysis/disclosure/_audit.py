"""An exact audit: whether a suppressed cell can be recovered from what is published.

For every hidden cell (suppressed or missing) two linear programs find the smallest and the
largest value the cell can take in any non-negative table that agrees with the published cells
and satisfies every relation. A cell whose interval has no width is recovered exactly. The
audit is independent of the suppression algorithm and slower; it is meant for tests and for
checking a table before it is released.

Examples
--------
>>> import numpy as np
>>> from quartier.analysis.disclosure import Relation
>>> relations = [Relation(total=3, parts=(0, 1, 2))]
>>> feasible_intervals([2, 5, 7, 14], relations, [True, True, False, False])[:2].tolist()
[[0.0, 7.0], [0.0, 7.0]]
>>> recoverable_cells([2, 5, 7, 14], relations, [True, False, False, False])
[0]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ._primary import counts_array
from ._relations import FloatArray, IntArray, Relation, RelationSet

__all__ = ["feasible_intervals", "recoverable_cells"]


def feasible_intervals(
    values: Any, relations: RelationSet | Iterable[Relation], suppressed: Any
) -> FloatArray:
    """The smallest and largest feasible value of every hidden cell (NaN for published cells).

    Parameters
    ----------
    values
        The true counts (NaN for missing values, which are hidden as well).
    relations
        The relations an attacker knows.
    suppressed
        Boolean per cell: the cells not published.

    Returns
    -------
    numpy.ndarray
        Shape (cells, 2); a bound is ``inf`` when the cell is not bounded.
    """
    counts = counts_array(values)
    hidden = np.asarray(suppressed, dtype=np.bool_).reshape(-1) | np.isnan(counts)
    matrix = RelationSet.of(relations).incidence(counts.size).astype(np.float64).tocsc()
    known = np.where(hidden, 0.0, np.nan_to_num(counts))
    right = -(matrix @ known)
    intervals = np.full((counts.size, 2), np.nan)
    for cells in _components(matrix, np.flatnonzero(hidden)):
        intervals[cells] = _bounds(matrix, right, cells)
    return intervals


def recoverable_cells(
    values: Any,
    relations: RelationSet | Iterable[Relation],
    suppressed: Any,
    *,
    tolerance: float = 1e-6,
) -> list[int]:
    """The hidden cells whose value the published cells and relations determine exactly."""
    intervals = feasible_intervals(values, relations, suppressed)
    width = intervals[:, 1] - intervals[:, 0]
    return [int(cell) for cell in np.flatnonzero(width <= tolerance)]


def _components(matrix: Any, hidden: IntArray) -> list[IntArray]:
    block = matrix[:, hidden].tocoo()
    k, m = hidden.size, matrix.shape[0]
    graph = coo_matrix((np.ones(block.nnz), (block.col, k + block.row)), shape=(k + m, k + m))
    _, labels = connected_components(graph, directed=False)
    return [hidden[labels[:k] == label] for label in np.unique(labels[:k])]


def _bounds(matrix: Any, right: FloatArray, cells: IntArray) -> FloatArray:
    block = matrix[:, cells].tocsr()
    rows = np.flatnonzero(np.diff(block.indptr) > 0)
    a_eq, b_eq = block[rows], right[rows]
    bounds = np.empty((cells.size, 2))
    for index in range(cells.size):
        objective = np.zeros(cells.size)
        objective[index] = 1.0
        for side, sign in ((0, 1.0), (1, -1.0)):
            solved = linprog(sign * objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
            if solved.status == 3:
                bounds[index, side] = np.inf  # only a maximum can be unbounded
            elif solved.status != 0:
                raise ValueError(
                    f"the relations cannot hold for the published cells: {solved.message}"
                )
            else:
                bounds[index, side] = sign * solved.fun
    return bounds
