"""Slots: integer keys numbered densely, and found again by one gather."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.int64]
# A position that is none (a key not in use, a row without that role).
NONE = -1


@dataclass(frozen=True)
class Slots:
    """Non-negative integer keys in use, sorted.

    `find` maps a key to its number in that order (-1: not in use). Cells are numbered by
    their slot (count, year, area) this way.
    """

    keys: Positions
    table: Positions | None  # key -> number, where the keys are few enough for a table

    @classmethod
    def of(cls, used: Positions) -> Slots:
        space = int(used.max(initial=-1)) + 1
        if space > 8 * used.size + 2**20:
            return cls(np.unique(used), None)
        present = np.zeros(space, dtype=np.bool_)
        present[used] = True
        keys = np.flatnonzero(present)
        table = np.full(space, NONE, dtype=np.int64)
        table[keys] = np.arange(keys.size)
        return cls(keys, table)

    @property
    def size(self) -> int:
        return int(self.keys.size)

    def find(self, slots: Positions) -> Positions:
        if self.table is not None and _within(slots, self.table.size):
            found: Positions = self.table[slots]
            return found
        inside = (slots >= 0) & (slots <= (self.keys[-1] if self.keys.size else -1))
        out = np.full(slots.size, NONE, dtype=np.int64)
        if self.table is not None:
            out[inside] = self.table[slots[inside]]
            return out
        at = np.searchsorted(self.keys, slots[inside])
        hit = self.keys[np.minimum(at, self.keys.size - 1)] == slots[inside]
        out[np.flatnonzero(inside)[hit]] = at[hit]
        return out


def _within(slots: Positions, size: int) -> bool:
    return not slots.size or (int(slots.min()) >= 0 and int(slots.max()) < size)
