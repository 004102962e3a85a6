"""What the protection knows of each cell, shared by its passes and its linear programs."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ._relations import BoolArray, FloatArray, IntArray

# The cost of hiding a kept cell (the city total) against 1 for any other.
KEEP_COST = 1e3
# Changes and bounds closer than this count as equal.
TOLERANCE = 1e-7


@dataclass(frozen=True)
class CellState:
    """What the protection knows of each cell (see `protect_cells`)."""

    values: FloatArray
    sensitive: BoolArray
    given: BoolArray  # hidden before any complement: sensitive, unknown, never published
    down: FloatArray
    up: FloatArray
    keep: BoolArray  # hidden only when nothing else protects
    largest: float  # the largest value of all cells

    def cost(self, cells: IntArray) -> FloatArray:
        """The cost of hiding ``cells``: a kept cell's far above all, then by size.

        Computed where asked, not for millions of cells at once.
        """
        cost: FloatArray = np.where(self.keep[cells], KEEP_COST, 1.0) * (
            1.0 + self.values[cells] / (1.0 + self.largest)
        )
        return cost

    def at(self, members: IntArray) -> CellState:
        arrays = ("values", "sensitive", "given", "down", "up", "keep")
        return replace(self, **{name: getattr(self, name)[members] for name in arrays})
