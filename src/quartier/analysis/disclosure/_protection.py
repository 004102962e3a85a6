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
>>> from quartier.analysis.disclosure import Relation, RelationSet
>>> values = np.array([2.0, 5.0, 7.0, 14.0])
>>> relations = RelationSet.of([Relation(total=3, parts=(0, 1, 2))])
>>> hidden = protect_cells(values, relations, sensitive=values < 3, width=3)
>>> hidden.tolist()
[True, True, False, False]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from ._cell_state import CellState
from ._pairs import with_pairs
from ._programs import Problem, Solver
from ._relations import BoolArray, FloatArray, IntArray, RelationSet

__all__ = ["DEFAULT_PROTECTION_WIDTH", "protect_cells"]

DEFAULT_PROTECTION_WIDTH = 3


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
    size = values.size
    cells = _initial_state(values, np.asarray(sensitive, dtype=np.bool_), hidden, lower, keep)
    _check_cells(relations, size)
    cells = with_pairs(cells, relations, float(width), _mask(keep, size))
    return _protect_components(cells, relations, width)


def _initial_state(
    values: FloatArray,
    sensitive: BoolArray,
    hidden: BoolArray | None,
    lower: FloatArray | None,
    keep: BoolArray | None,
) -> CellState:
    """What the protection knows of each cell before it hides anything."""
    size = values.size
    unknown = np.isnan(values)
    known = np.where(unknown, 0.0, values)
    floor = np.where(known > 0, 1.0, 0.0) if lower is None else np.asarray(lower, np.float64)
    return CellState(
        values=known,
        sensitive=sensitive,
        given=_mask(hidden, size) | unknown | sensitive,
        # How far each cell may fall before it reaches its lower bound; an unknown cell only
        # rises, a published zero moves neither way.
        down=np.where(unknown, 0.0, np.maximum(known - floor, 0.0)),
        up=np.where((known == 0) & ~unknown & ~_mask(hidden, size), 0.0, np.inf),
        keep=_mask(keep, size),
        largest=float(known.max(initial=0.0)),
    )


def _protect_components(cells: CellState, relations: RelationSet, width: int) -> BoolArray:
    """The linear programs, one connected component of the relations at a time."""
    size = cells.values.size
    count, labels = _components(relations, size)
    # Only components with a sensitive cell left need the matrix of their relations; a
    # relation's cells all lie in one component, that of its total.
    wanted = np.bincount(labels, weights=cells.sensitive, minlength=count) > 0
    left = relations.take(np.flatnonzero(wanted[labels[relations.totals]]))
    matrix, by_cell = left.incidence_both(size)  # checks the relations left
    matrix = matrix.astype(np.float64)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    out = cells.given.copy()
    solver = Solver()
    for component in range(count):
        members = order[bounds[component] : bounds[component + 1]]
        if not cells.sensitive[members].any():
            continue
        rows = np.unique(by_cell[members].indices)
        problem = Problem.of(cells.at(members), matrix[rows][:, members], width, solver)
        problem.protect()
        out[members] = problem.hidden
    return out


def _check_cells(relations: RelationSet, size: int) -> None:
    for cells in (relations.totals, relations.parts):
        if cells.size and (cells.min() < 0 or cells.max() >= size):
            raise ValueError(f"a relation names a cell outside 0..{size - 1}")


def _components(relations: RelationSet, size: int) -> tuple[int, IntArray]:
    """The connected components of the cells (linked when they share a relation).

    Found on the graph of cells and relations, whose size is that of the relations: the
    graph of cells alone would square every relation's number of parts.
    """
    n = len(relations)
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(relations.offsets))
    graph = sparse.coo_matrix(
        (
            np.ones(owner.size + n, dtype=np.int8),
            (
                np.concatenate([relations.parts, relations.totals]),
                size + np.concatenate([owner, np.arange(n, dtype=np.int64)]),
            ),
        ),
        shape=(size + n, size + n),
    )
    _, labels = connected_components(graph, directed=False)
    # Components are numbered anew over the cells only (a relation has cells).
    found, cells = np.unique(labels[:size], return_inverse=True)
    return int(found.size), cells.astype(np.int64)


def _mask(values: Any, size: int) -> BoolArray:
    if values is None:
        return np.zeros(size, dtype=np.bool_)
    return np.asarray(values, dtype=np.bool_).reshape(-1)
