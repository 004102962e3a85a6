"""Rows found by an integer key in O(1), and the error for two rows with one key."""

from __future__ import annotations

import numpy as np

from ._relations import IntArray

# Keys below this many slots per cell are looked up in a dense array, larger ones by search.
_DENSE_SLOTS_PER_CELL = 8
_DENSE_MINIMUM = 1 << 22


class DuplicateCellError(ValueError):
    """Two cells (or rows) have the same coordinates; ``cell`` is one of them."""

    def __init__(self, cell: int) -> None:
        super().__init__(f"cell {cell} has the coordinates of another cell")
        self.cell = cell


class KeyIndex:
    """Finds rows by an integer key in O(1): a dense array when the keys are compact, else search.

    Examples
    --------
    >>> import numpy as np
    >>> index = KeyIndex(np.array([7, 3, 5]), slots=8)
    >>> index.find(np.array([3, 4, 7])).tolist()
    [1, -1, 0]
    """

    def __init__(self, keys: IntArray, *, slots: int) -> None:
        n_rows = keys.size
        self.dense: IntArray | None = None
        if slots <= max(_DENSE_SLOTS_PER_CELL * n_rows, _DENSE_MINIMUM):
            self.dense = np.full(slots, -1, dtype=np.int64)
            self.dense[keys] = np.arange(n_rows)
            clash = np.flatnonzero(self.dense[keys] != np.arange(n_rows))
            if clash.size:
                raise DuplicateCellError(int(clash[0]))
        else:
            self.order = np.argsort(keys, kind="stable")
            self.sorted = keys[self.order]
            clash = np.flatnonzero(self.sorted[1:] == self.sorted[:-1])
            if clash.size:
                raise DuplicateCellError(int(self.order[clash[0] + 1]))

    def find(self, keys: IntArray) -> IntArray:
        """The row with each key, or -1."""
        if self.dense is not None:
            return self.dense[keys]
        if self.sorted.size == 0:
            return np.full(keys.size, -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.sorted, keys), self.sorted.size - 1)
        return np.where(self.sorted[at] == keys, self.order[at], -1)
