"""The working state of secondary suppression: which cells are hidden, and what they cost.

A cell is *hidden* when the public does not see its value: it is suppressed, or its value is
missing. For every relation the state keeps the number of hidden cells, so that relations with a
single hidden cell (which give that cell away by subtraction) are found at once.
"""

from __future__ import annotations

import numpy as np

from .relations import BoolArray, FloatArray, IntArray, RelationSet

__all__ = ["Table"]


def _ranges(starts: IntArray, ends: IntArray) -> IntArray:
    """The concatenation of range(start, end) for each pair (no Python loop)."""
    lengths = ends - starts
    if lengths.sum() == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.asarray(np.arange(lengths.sum(), dtype=np.int64) + shift, dtype=np.int64)


class Table:
    """Cells, relations and the cells hidden so far.

    Parameters
    ----------
    values
        Counts, NaN where missing (missing cells are hidden from the start).
    relations
        The additive relations between the cells.
    hidden
        Cells hidden from the start (primary suppression).
    keep
        Cells to publish if at all possible: chosen as complements only when nothing else helps.
    blocks
        A label per cell (such as its area) that lets the linear algebra work block by block.
    """

    def __init__(
        self,
        values: FloatArray,
        relations: RelationSet,
        hidden: BoolArray,
        keep: BoolArray,
        blocks: IntArray,
    ) -> None:
        n_cells = values.size
        self.values = values
        self.matrix, self.by_cell = relations.incidence_both(n_cells)
        self.unknown: BoolArray = np.isnan(values)
        self.hidden: BoolArray = hidden | self.unknown
        hidden_cells = np.flatnonzero(self.hidden)
        pointers = self.by_cell.indptr
        of_hidden = self.by_cell.indices[
            _ranges(pointers[hidden_cells], pointers[hidden_cells + 1])
        ]
        self.count: IntArray = np.bincount(of_hidden, minlength=self.n_relations).astype(np.int64)
        self.eligible: BoolArray = values > 0  # False for NaN (unknown)
        self.keep = keep
        self.blocks = blocks
        self.dirty: BoolArray = self.hidden.copy()

    @property
    def n_relations(self) -> int:
        """The number of relations."""
        return int(self.matrix.shape[0])

    def relation_cells(self, relation: int) -> IntArray:
        """The cells of one relation (its total and its parts)."""
        start, end = self.matrix.indptr[relation], self.matrix.indptr[relation + 1]
        return np.asarray(self.matrix.indices[start:end], dtype=np.int64)

    def cell_relations(self, cell: int) -> IntArray:
        """The relations a cell belongs to."""
        start, end = self.by_cell.indptr[cell], self.by_cell.indptr[cell + 1]
        return np.asarray(self.by_cell.indices[start:end], dtype=np.int64)

    def hide(self, cell: int) -> IntArray:
        """Suppress a cell; returns its relations."""
        relations = self.cell_relations(cell)
        self.hidden[cell] = True
        self.dirty[cell] = True
        self.count[relations] += 1
        return relations

    def publish(self, cell: int) -> None:
        """Undo the suppression of a cell."""
        self.hidden[cell] = False
        self.count[self.cell_relations(cell)] -= 1

    def candidates(self, cells: IntArray) -> IntArray:
        """The cells among ``cells`` that may become complements: published and non-zero."""
        return cells[self.eligible[cells] & ~self.hidden[cells]]

    def best(self, candidates: IntArray, exclude: int = -1) -> int:
        """The cheapest complement among candidates, by `cost_keys`: the first in their order.

        Narrowed key by key instead of sorting: it is called once per complement, thousands
        of times for a large table.
        """
        keep = self.keep[candidates]
        if keep.any() and not keep.all():
            candidates = candidates[~keep]
        balance = self._balance(candidates, exclude)
        candidates = candidates[balance == balance.min()]
        values = self.values[candidates]
        return int(candidates[values == values.min()].min())

    def cost_keys(self, candidates: IntArray, exclude: int = -1) -> FloatArray:
        """Sort keys (most important first) for choosing a complement.

        1. cells to keep come last;
        2. the balance of relations the cell would newly expose (no hidden cell yet, +1) against
           relations it would close (exactly one hidden cell, -1), not counting ``exclude``;
        3. the value: small cells first, the least information lost; then the cell index.
        """
        balance = self._balance(candidates, exclude)
        return np.stack(
            [self.keep[candidates], balance, self.values[candidates], candidates]
        ).astype(np.float64)

    def _balance(self, candidates: IntArray, exclude: int) -> IntArray:
        """Per candidate: relations it would newly expose minus relations it would close."""
        starts = self.by_cell.indptr[candidates]
        ends = self.by_cell.indptr[candidates + 1]
        relations = self.by_cell.indices[_ranges(starts, ends)]
        counts = self.count[relations]
        score = (counts == 0).astype(np.int64) - (counts == 1)
        score[relations == exclude] = 0
        owner = np.repeat(np.arange(candidates.size), ends - starts)
        return np.bincount(owner, weights=score, minlength=candidates.size).astype(np.int64)
