"""An outside analyst with a linear-programming solver, attacking a published count table.

Independent of quartier's disclosure package: it sees the published cells, knows that a
suppressed cell (".") is at least 1 (zeros are published as "-") and that every relation of
the table holds: a parent area is the sum of its children, a breakdown total the sum of its
categories. For every sensitive cell (a true count from 1 to ``min_count - 1``) it solves the
largest and smallest value (scipy's HiGHS, rounded inwards to integers) over everything
consistent with what is published. The cell is exposed when the largest value is below
``min_count`` or the interval is narrower than ``width``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from _disclosure_tables import TOTAL

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
# Slack for the solver's tolerances when the bounds are rounded to integers.
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Attack:
    """Per sensitive cell: the attacker's bounds and whether the cell is exposed."""

    cells: IntArray
    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]
    exposed: BoolArray


def relation_matrix(
    cells: pl.DataFrame, parent: Mapping[str, str | None], dims: Sequence[str]
) -> sp.csr_matrix:
    """One row per relation of the table(s): +1 at the total cell, -1 at each part.

    `cells` holds ``period, area, *dims`` (several tables when it holds several periods);
    row i of the frame is cell i.
    """
    indexed = cells.select("period", "area", *dims).with_row_index("cell")
    pairs = [_hierarchy_pairs(indexed, parent, dims)]
    pairs += [_margin_pairs(indexed, dim, dims) for dim in dims]
    rows, columns, signs, offset = [], [], [], 0
    for total, part in pairs:
        totals, relation = np.unique(total, return_inverse=True)
        rows += [offset + relation, offset + np.arange(totals.size)]
        columns += [part, totals]
        signs += [-np.ones(part.size), np.ones(totals.size)]
        offset += totals.size
    return sp.csr_matrix(
        (np.concatenate(signs), (np.concatenate(rows), np.concatenate(columns))),
        shape=(offset, cells.height),
    )


def _pairs(parts: pl.DataFrame, totals: pl.DataFrame, keys: list[str]) -> tuple[IntArray, IntArray]:
    """(total cell, part cell) for every part whose total is in the table."""
    joined = parts.join(totals, on=keys, how="inner", suffix="_total")
    total, part = joined["cell_total"].to_numpy(), joined["cell"].to_numpy()
    return total.astype(np.int64), part.astype(np.int64)


def _hierarchy_pairs(
    indexed: pl.DataFrame, parent: Mapping[str, str | None], dims: Sequence[str]
) -> tuple[IntArray, IntArray]:
    parts = indexed.with_columns(pl.col("area").replace_strict(parent, default=None))
    keys = ["period", "area", *dims]
    return _pairs(parts.filter(pl.col("area").is_not_null()), indexed.select("cell", *keys), keys)


def _margin_pairs(
    indexed: pl.DataFrame, dim: str, dims: Sequence[str]
) -> tuple[IntArray, IntArray]:
    keys = ["period", "area", *(d for d in dims if d != dim)]
    parts = indexed.filter(pl.col(dim) != TOTAL)
    totals = indexed.filter(pl.col(dim) == TOTAL).select("cell", *keys)
    return _pairs(parts.select("cell", *keys), totals, keys)


def attack(
    values: IntArray,
    suppressed: BoolArray,
    relations: sp.csr_matrix,
    *,
    min_count: int = 3,
    width: int = 3,
    floor: float | None = None,
) -> Attack:
    """Bounds of every sensitive cell under the published pattern `suppressed`.

    A sensitive cell that is published is exposed, its bounds are its value. `floor` is the
    least value of a suppressed cell: 1 by default ("." is not a zero, unless the pattern hides
    zeros too); 0 is the weaker attacker that τ-ARGUS's own audit models.
    """
    sensitive = np.flatnonzero((values > 0) & (values < min_count))
    lower = values[sensitive].astype(np.float64)
    upper = lower.copy()
    hidden = suppressed[sensitive]
    lower[hidden], upper[hidden] = _hidden_bounds(
        values, suppressed, relations, sensitive[hidden], floor
    )
    lower, upper = np.ceil(lower - _TOLERANCE), np.floor(upper + _TOLERANCE)
    exposed = (upper < min_count) | (upper - lower < width)
    return Attack(sensitive, lower, upper, exposed)


def _hidden_bounds(
    values: IntArray,
    suppressed: BoolArray,
    relations: sp.csr_matrix,
    targets: IntArray,
    floor: float | None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The least and largest value of each suppressed target cell, one component at a time."""
    hidden = np.flatnonzero(suppressed)
    if floor is None:
        floor = 0.0 if np.any(values[hidden] == 0) else 1.0
    position = np.full(values.size, -1)
    position[hidden] = np.arange(hidden.size)
    system, rhs = _reduced_system(values, suppressed, relations)
    component = _components(system, hidden.size)
    row_component = component[system.indices[system.indptr[:-1]]]
    target_component = component[position[targets]]
    lower, upper = np.full(targets.size, floor), np.full(targets.size, np.inf)
    for group in np.unique(target_component):
        members = np.flatnonzero(component == group)
        rows = np.flatnonzero(row_component == group)
        local = system[rows][:, members]
        for target in np.flatnonzero(target_component == group):
            index = int(np.searchsorted(members, position[targets[target]]))
            if rows.size:
                lower[target], upper[target] = _bounds(local, rhs[rows], index, floor)
    return lower, upper


def _reduced_system(
    values: IntArray, suppressed: BoolArray, relations: sp.csr_matrix
) -> tuple[sp.csr_matrix, npt.NDArray[np.float64]]:
    """The relations over the suppressed cells, the published cells moved to the right side."""
    hidden = relations[:, np.flatnonzero(suppressed)].tocsr()
    known = relations[:, np.flatnonzero(~suppressed)] @ values[~suppressed].astype(np.float64)
    used = np.flatnonzero(hidden.getnnz(axis=1) > 0)
    return hidden[used], -known[used]


def _components(system: sp.csr_matrix, cells: int) -> IntArray:
    """The groups of suppressed cells linked by relations (each is attacked on its own)."""
    if system.shape[0] == 0:
        return np.arange(cells, dtype=np.int64)
    linked = (abs(system).T @ abs(system)).tocsr()
    return connected_components(linked, directed=False)[1].astype(np.int64)


def _bounds(
    system: sp.csr_matrix, rhs: npt.NDArray[np.float64], index: int, floor: float
) -> tuple[float, float]:
    objective = np.zeros(system.shape[1])
    objective[index] = 1.0
    found = []
    for sign in (1.0, -1.0):
        result = linprog(
            sign * objective, A_eq=system, b_eq=rhs, bounds=(floor, None), method="highs"
        )
        if result.status == 3:  # unbounded above
            found.append(np.inf)
        elif result.status != 0:
            raise RuntimeError(f"the attacker's linear program failed: {result.message}")
        else:
            found.append(sign * result.fun)
    return found[0], found[1]
