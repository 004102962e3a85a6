"""Rows found by an integer key in O(1), and the error for two rows with one key."""

from __future__ import annotations

import numpy as np

from ._relations import IntArray
from ._slots import NONE, Slots


class DuplicateCellError(ValueError):
    """Two cells (or rows) have the same coordinates; ``cell`` is one of them."""

    def __init__(self, cell: int) -> None:
        super().__init__(f"cell {cell} has the coordinates of another cell")
        self.cell = cell


class KeyIndex:
    """Finds rows by a unique non-negative integer key: the key's `Slots` number, then its row.

    Examples
    --------
    >>> import numpy as np
    >>> index = KeyIndex(np.array([7, 3, 5]))
    >>> index.find(np.array([3, 4, 7])).tolist()
    [1, -1, 0]
    >>> KeyIndex(np.array([7, 3, 7]))
    Traceback (most recent call last):
    ...
    quartier...DuplicateCellError: cell 2 has the coordinates of another cell
    """

    def __init__(self, keys: IntArray) -> None:
        self.slots = Slots.of(keys)
        numbers = self.slots.find(keys)
        self.rows = np.full(self.slots.size, NONE, dtype=np.int64)
        self.rows[numbers] = np.arange(keys.size)
        if self.slots.size != keys.size:
            order = np.argsort(numbers, kind="stable")
            repeated = np.flatnonzero(numbers[order][1:] == numbers[order][:-1])
            raise DuplicateCellError(int(order[repeated + 1].min()))

    def find(self, keys: IntArray) -> IntArray:
        """The row with each key, or -1."""
        numbers = self.slots.find(keys)
        found: IntArray = np.where(numbers == NONE, NONE, self.rows[numbers])
        return found
