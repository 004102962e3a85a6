"""Null spaces of relation matrices, computed block by block.

The null space of a matrix ``M`` (relations x hidden cells) holds the directions in which the
hidden cells can move together without changing any relation. Hidden cells of one block (for
instance one area) are bound by the block's own relations (its breakdown margins) and linked
to other blocks by a few relations (the hierarchy). The null space is kept in two parts:

- ``W = diag(N_g)``: for every block ``g`` an orthonormal basis ``N_g`` of the null space of
  its own relations (sparse, small dense blocks);
- ``V``: an orthonormal basis of the row space of ``S W``, where ``S`` are the linking
  relations.

The null space of ``M`` is ``{W t : t orthogonal to V}``. A hidden cell ``i`` can move iff the
squared length ``|W_i|^2 - |V' W_i|^2`` of its row in an orthonormal basis is positive. Fixing
a further cell (publishing it) adds one direction to ``V``; nothing large is ever formed.

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> M = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0],
...                                 [1.0, 0.0, 1.0, 0.0]]))
>>> space = NullSpace.of(M, np.array([0, 0, 1, 1]))
>>> space.lengths.round(3).tolist()
[0.25, 0.25, 0.25, 0.25]
>>> unit = space.direction(0)
>>> (space.lengths_without(unit) < 1e-9).tolist()
[True, True, True, True]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from .relations import FloatArray, IntArray

__all__ = ["NullSpace", "dense_null_basis", "row_space_basis"]

_EPS = np.finfo(np.float64).eps


def _rank(singular: FloatArray, shape: tuple[int, ...]) -> int:
    tolerance = (singular[0] if singular.size else 0.0) * max(shape) * _EPS
    return int(np.sum(singular > tolerance))


def dense_null_basis(matrix: FloatArray) -> FloatArray:
    """An orthonormal basis (as columns) of the null space of a dense matrix.

    Examples
    --------
    >>> import numpy as np
    >>> dense_null_basis(np.array([[1.0, -1.0]])).round(3).tolist()
    [[0.707], [0.707]]
    >>> dense_null_basis(np.zeros((0, 2))).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if matrix.shape[0] == 0:
        return np.eye(matrix.shape[1])
    _, s, vt = np.linalg.svd(matrix, full_matrices=True)
    return np.asarray(vt[_rank(s, matrix.shape) :].T, dtype=np.float64)


def row_space_basis(matrix: FloatArray) -> FloatArray:
    """An orthonormal basis (as columns) of the row space of a dense matrix."""
    if matrix.shape[0] == 0:
        return np.zeros((matrix.shape[1], 0))
    _, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return np.asarray(vt[: _rank(s, matrix.shape)].T, dtype=np.float64)


@dataclass
class NullSpace:
    """The null space ``{W t : t orthogonal to V}`` and the squared row lengths of its basis."""

    local: Any
    fixed: FloatArray
    lengths: FloatArray

    @classmethod
    def of(cls, matrix: Any, blocks: IntArray) -> NullSpace:
        """The null space of a sparse matrix whose columns (cells) are labelled by block."""
        matrix = sparse.csr_matrix(matrix, dtype=np.float64)
        labels = np.unique(blocks, return_inverse=True)[1]
        first, last = _row_block_range(matrix, labels)
        local = first == last
        within = _block_diagonal(matrix[local], first[local], labels)
        fixed = row_space_basis(np.asarray((matrix[~local] @ within).toarray()))
        return cls(within, fixed, cls._lengths(within, fixed))

    @staticmethod
    def _lengths(within: Any, fixed: FloatArray) -> FloatArray:
        own = np.asarray(within.multiply(within).sum(axis=1)).reshape(-1)
        return np.asarray(own - np.sum((within @ fixed) ** 2, axis=1), dtype=np.float64)

    def direction(self, cell: int) -> FloatArray:
        """The unit direction (in the coordinates of ``W``) in which ``cell`` moves."""
        row = np.asarray(self.local[cell].toarray(), dtype=np.float64).reshape(-1)
        free = row - self.fixed @ (self.fixed.T @ row)
        return np.asarray(free / np.linalg.norm(free), dtype=np.float64)

    def lengths_without(self, unit: FloatArray) -> FloatArray:
        """The squared row lengths once the direction ``unit`` is fixed as well."""
        return np.asarray(self.lengths - (self.local @ unit) ** 2, dtype=np.float64)

    def fix(self, unit: FloatArray, lengths: FloatArray) -> None:
        """Fix the direction ``unit`` (with the lengths from `lengths_without`)."""
        self.fixed = np.column_stack([self.fixed, unit])
        self.lengths = lengths


def _row_block_range(matrix: Any, labels: IntArray) -> tuple[IntArray, IntArray]:
    """The smallest and largest block label among each row's cells (rows are not empty)."""
    if matrix.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    cell_labels = labels[matrix.indices]
    starts = matrix.indptr[:-1]
    return np.minimum.reduceat(cell_labels, starts), np.maximum.reduceat(cell_labels, starts)


def _positions(labels: IntArray, n_blocks: int) -> tuple[IntArray, IntArray, IntArray]:
    """Items in block order, the block boundaries and each item's position in its block."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_blocks + 1))
    position = np.empty(labels.size, dtype=np.int64)
    position[order] = np.arange(labels.size) - bounds[labels[order]]
    return order, bounds, position


def _block_diagonal(local: Any, row_labels: IntArray, labels: IntArray) -> Any:
    """``diag(N_g)``: the null space of each block's own relations, as a sparse matrix.

    Blocks with the same number of cells go through one batched singular value decomposition
    (rows padded with zeros, which leaves null spaces unchanged).
    """
    n_blocks = int(labels.max(initial=0)) + 1
    cell_order, cell_bounds, cell_position = _positions(labels, n_blocks)
    _, _, row_position = _positions(row_labels, n_blocks)
    entries = local.tocoo()
    entry_block = row_labels[entries.row]
    widths = np.diff(cell_bounds)
    heights = np.bincount(row_labels, minlength=n_blocks)
    bases: list[FloatArray] = [np.zeros((0, 0))] * n_blocks
    for width in np.unique(widths).tolist():
        members = np.flatnonzero(widths == width)
        slot = np.full(n_blocks, -1)
        slot[members] = np.arange(members.size)
        stack = np.zeros((members.size, max(int(heights[members].max()), 1), width))
        chosen = slot[entry_block] >= 0
        stack[
            slot[entry_block[chosen]],
            row_position[entries.row[chosen]],
            cell_position[entries.col[chosen]],
        ] = entries.data[chosen]
        for block, basis in zip(members.tolist(), _batched_null_bases(stack), strict=True):
            bases[block] = basis
    cells = [cell_order[cell_bounds[b] : cell_bounds[b + 1]] for b in range(n_blocks)]
    return _stack(list(zip(cells, bases, strict=True)), labels.size)


def _batched_null_bases(stack: FloatArray) -> list[FloatArray]:
    _, s, vt = np.linalg.svd(stack, full_matrices=True)
    tolerance = s[:, :1] * max(stack.shape[1:]) * _EPS
    ranks = np.sum(s > tolerance, axis=1)
    return [np.asarray(vt[i, rank:].T, dtype=np.float64) for i, rank in enumerate(ranks.tolist())]


def _stack(entries: list[tuple[IntArray, FloatArray]], n_cells: int) -> Any:
    rows, cols, values, offset = [], [], [], 0
    for cells, basis in entries:
        width = basis.shape[1]
        rows.append(np.repeat(cells, width))
        cols.append(np.tile(np.arange(offset, offset + width), cells.size))
        values.append(basis.reshape(-1))
        offset += width
    shape = (n_cells, offset)
    return sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=shape
    )
