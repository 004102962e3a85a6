"""The relations of a `CellGrid`: hierarchy and margins found by arithmetic on cell keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._key_index import KeyIndex
from ._relations import BoolArray, IntArray, RelationSet

if TYPE_CHECKING:
    from ._frames import CellGrid


class Lookup(KeyIndex):
    """Finds cells by a linear key of their coordinates (table, area, categories)."""

    def __init__(self, grid: CellGrid) -> None:
        sizes = category_sizes(grid)
        self.area_stride = int(np.prod(sizes, dtype=object)) if sizes else 1
        self.category_strides = np.asarray(
            [int(np.prod(sizes[dim + 1 :], dtype=object)) for dim in range(len(sizes))],
            dtype=np.int64,
        )
        n_areas = max(grid.parents.size, int(grid.area.max(initial=-1)) + 1)
        slots = (int(grid.table.max(initial=0)) + 1) * n_areas * self.area_stride
        if slots >= 2**62:
            raise ValueError("too many tables, areas and categories to number the cells")
        categories = grid.categories @ self.category_strides if sizes else 0
        self.keys = (grid.table * n_areas + grid.area) * self.area_stride + categories
        super().__init__(self.keys)


def category_sizes(grid: CellGrid) -> list[int]:
    """Per dimension the number of codes (categories and the total)."""
    if grid.size == 0:
        return [1] * grid.categories.shape[1]
    return [int(size) + 1 for size in grid.categories.max(axis=0).tolist()]


def hierarchy(grid: CellGrid, lookup: Lookup) -> RelationSet:
    """Link every cell to the cell of its nearest ancestor present with the same keys."""
    parts: list[IntArray] = []
    totals: list[IntArray] = []
    pending = np.arange(grid.size)
    above = grid.parents[grid.area] if grid.size else np.zeros(0, np.int64)
    while pending.size:
        climbing = above >= 0
        pending, above = pending[climbing], above[climbing]
        found = lookup.find(
            lookup.keys[pending] + (above - grid.area[pending]) * lookup.area_stride
        )
        hit: BoolArray = found >= 0
        parts.append(pending[hit])
        totals.append(found[hit])
        pending, above = pending[~hit], grid.parents[above[~hit]]
    return links_to_relations(parts, totals)


def margins(grid: CellGrid, lookup: Lookup) -> list[RelationSet]:
    """Per dimension the relations summing its categories to its margin."""
    sets = []
    for dim in range(grid.categories.shape[1]):
        category = grid.categories[:, dim]
        part = np.flatnonzero(category > 0)
        found = lookup.find(lookup.keys[part] - category[part] * lookup.category_strides[dim])
        hit = found >= 0
        sets.append(links_to_relations([part[hit]], [found[hit]]))
    return sets


def links_to_relations(parts: list[IntArray], totals: list[IntArray]) -> RelationSet:
    """Relations from (part cell, total cell) links, ordered by total, parts ascending."""
    part = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    total = np.concatenate(totals) if totals else np.zeros(0, np.int64)
    if part.size == 0:
        return RelationSet.of([])
    span = int(part.max()) + 1
    order = np.argsort(total * span + part, kind="stable")
    ordered_totals = total[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered_totals[1:] != ordered_totals[:-1]]))
    return RelationSet.from_arrays(
        totals=ordered_totals[starts],
        offsets=np.append(starts, part.size),
        parts=part[order],
    )
