"""The one buffer that holds every block of observations, and where each cell lies in it.

Blocks share the area and period axes and differ in their variables and keys; a
`BlockLayout` says where every block and every pair of key and variable starts, a `Buffer`
holds the values and states and is filled chunk by chunk, side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis.indicators._aggregate import Ints
from quartier.analysis.indicators._cube_rows import Indices, RowIds
from quartier.analysis.tables import key_dimensions

# Cell states; NO_RECORD must be 0, the initial state of the arrays.
NO_RECORD, VALUE, STATE_SECRET, STATE_NOT_APPLICABLE, EMPTY = 0, 1, 2, 3, 4
# Flag -> state, in the order of the Enum the flags are cast to.
FLAGS = ("", "-", ".", "x")
NOTHING_FLAG = FLAGS.index("-")
# State by flag position × 2 + whether the value is null: no flag and no value is empty;
# "-" is a value (0) with or without a number given.
STATE_OF_FLAG = np.array(
    [VALUE, EMPTY, VALUE, VALUE, STATE_SECRET, STATE_SECRET, STATE_NOT_APPLICABLE,
     STATE_NOT_APPLICABLE],
    dtype=np.int8,
)  # fmt: skip


@dataclass(frozen=True)
class Names:
    areas: pl.Series
    variables: Sequence[str]
    keys: Sequence[str]
    periods: Sequence[int]


@dataclass(frozen=True)
class BlockLayout:
    """Where every block and every pair of key and variable lies in the one buffer."""

    distinct: list[tuple[str, ...]]  # the dimension sets, one block each
    block_of_key: Ints
    key_counts: Ints
    present: npt.NDArray[np.bool_]  # block × variable: observed in the block
    offsets: Ints  # where each block starts; the last is the buffer's size
    start: Indices  # per pair: where its cells start (less the first period's)
    stride: Indices  # per pair: the stride of its block's key axis
    consecutive: bool  # the periods are consecutive years: no lookup needed
    index: type[np.signedinteger[Any]]

    @property
    def total(self) -> int:
        return int(self.offsets[-1])

    @classmethod
    def of(cls, kept: Sequence[RowIds], names: Names, pool: ThreadPoolExecutor) -> BlockLayout:
        dimension_sets = [key_dimensions(key) for key in names.keys]
        distinct = list(dict.fromkeys(dimension_sets))
        block_of_key = np.array([distinct.index(d) for d in dimension_sets], dtype=np.int64)
        key_counts = np.bincount(block_of_key, minlength=len(distinct))
        position_of_key = np.zeros(len(names.keys), dtype=np.int64)
        for number in range(len(distinct)):
            position_of_key[block_of_key == number] = np.arange(key_counts[number])
        n_keys, n_variables = len(names.keys), len(names.variables)
        by_pair = sum(
            pool.map(lambda chunk: np.bincount(chunk.pair, minlength=n_keys * n_variables), kept),
            start=np.zeros(n_keys * n_variables, np.int64),
        )
        by_key = by_pair.reshape(n_keys, n_variables) > 0
        present = np.stack([by_key[block_of_key == n].any(axis=0) for n in range(len(distinct))])
        n_areas, n_periods = names.areas.len(), len(names.periods)
        sizes = present.sum(axis=1) * n_areas * n_periods * key_counts
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        # Per pair: the stride of its block's key axis, and where its cells start (less the
        # first period's, so that periods need no lookup when they are consecutive).
        variable_position = np.cumsum(present, axis=1) - 1
        stride = key_counts[block_of_key][:, None].repeat(n_variables, axis=1)
        first = min(names.periods, default=0)
        consecutive = len(names.periods) == (max(names.periods, default=-1) - first + 1)
        largest = int(offsets[-1]) + (first * int(key_counts.max(initial=1)) if consecutive else 0)
        index: type[np.signedinteger[Any]] = np.int32 if largest < 2**31 else np.int64
        start = (
            offsets[block_of_key][:, None]
            + variable_position[block_of_key] * (n_areas * n_periods) * stride
            + position_of_key[:, None]
            - (first * stride if consecutive else 0)
        )
        return cls(
            distinct,
            block_of_key,
            key_counts,
            present,
            offsets,
            start.reshape(-1).astype(index),
            stride.reshape(-1).astype(index),
            consecutive,
            index,
        )


class Buffer:
    """The values and states of every block in one array each, filled chunk by chunk."""

    def __init__(self, layout: BlockLayout, names: Names) -> None:
        self.layout, self.names = layout, names
        self.values = np.full(layout.total, np.nan)
        self.states = np.zeros(layout.total, dtype=np.int8)

    def cells(self, chunk: RowIds) -> Indices:
        """Per row of the chunk its cell in the buffer."""
        layout, periods = self.layout, self.names.periods
        period = chunk.period if layout.consecutive else period_positions(chunk.period, periods)
        in_block = chunk.area.astype(layout.index) * layout.index(len(periods)) + period
        if len(self.names.keys) > 1:
            in_block *= layout.stride[chunk.pair]
        flat: Indices = layout.start[chunk.pair] + in_block
        return flat

    def place(self, chunk: RowIds) -> None:
        """Write the chunk's values and states (chunks side by side write distinct cells)."""
        flat = self.cells(chunk)
        self.values[flat] = chunk.value
        nothing = np.flatnonzero(chunk.flag == NOTHING_FLAG)
        self.values[flat[nothing]] = 0.0  # "-" is the value 0
        self.states[flat] = STATE_OF_FLAG[chunk.flag * 2 + np.isnan(chunk.value)]


def first_repeated(flats: Sequence[Indices], total: int) -> int:
    """The first cell that occurs more than once among the cells of all chunks."""
    counts = sum(
        (np.bincount(flat, minlength=total) for flat in flats), start=np.zeros(total, np.int64)
    )
    return int(np.flatnonzero(counts > 1)[0])


def period_positions(periods: Ints, chosen: Sequence[int]) -> Indices:
    """The position of each period in `chosen`, for the periods in it (0 for others)."""
    if not chosen:
        return np.zeros(periods.size, dtype=np.int32)
    first, last = min(chosen), max(chosen)
    table = np.zeros(last - first + 1, dtype=np.int32)
    table[np.asarray(chosen) - first] = np.arange(len(chosen))
    return np.take(table, periods - first, mode="clip")
