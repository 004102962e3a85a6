"""Tidy observations as dense arrays: one block per set of breakdown dimensions.

A block holds every variable observed with one set of breakdown dimensions (the totals have the
empty set) as an array with the axes variable × area × period × key, over all areas. Each cell
has a state: no record, a value, secret ("."), not applicable ("x"), or an empty value; "-"
(nothing) is the value 0.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis._cube_rows import Indices, RowIds, TextLookup, row_ids
from quartier.analysis.aggregate import (
    MISSING,
    NOT_APPLICABLE,
    SECRET,
    AreaTree,
    Codes,
    Floats,
    Ints,
    reason_codes,
)
from quartier.analysis.threads import thread_count

__all__ = ["OBSERVATION_COLUMNS", "Block", "ObservationError", "Observed", "observe"]

OBSERVATION_COLUMNS = ("area", "period", "variable", "breakdown_key", "value", "flag")
# Cell states; NO_RECORD must be 0, the initial state of the arrays.
NO_RECORD, VALUE, STATE_SECRET, STATE_NOT_APPLICABLE, EMPTY = 0, 1, 2, 3, 4
_WHY_OF_STATE = np.array([MISSING, 0, SECRET, NOT_APPLICABLE, MISSING], dtype=np.uint64)
# Flag -> state, in the order of the Enum the flags are cast to.
_FLAGS = ("", "-", ".", "x")
_NOTHING = _FLAGS.index("-")
# State by flag position × 2 + whether the value is null: no flag and no value is empty;
# "-" is a value (0) with or without a number given.
_STATE = np.array(
    [VALUE, EMPTY, VALUE, VALUE, STATE_SECRET, STATE_SECRET, STATE_NOT_APPLICABLE,
     STATE_NOT_APPLICABLE],
    dtype=np.int8,
)  # fmt: skip
# Rows coded and placed at a time: temporary arrays of a few megabytes.
_CHUNK = 1 << 19
# Key ids have 12 bits in a reason code, variable ids 16.
MAX_KEYS = 1 << 12
MAX_VARIABLES = 1 << 16
States = npt.NDArray[np.int8]


class ObservationError(ValueError):
    """Observations that cannot be used: a column is missing, a flag unknown, a cell repeated."""


@dataclass(frozen=True)
class Block:
    """The observations of one set of breakdown dimensions.

    Attributes
    ----------
    dimensions : tuple of str
        The sorted dimensions; empty for totals.
    key_ids : numpy.ndarray
        Global key id of each key position.
    variable_ids : numpy.ndarray
        Global variable id of each variable position.
    values, states : numpy.ndarray
        Axes variable × area id × period × key.
    """

    dimensions: tuple[str, ...]
    key_ids: Ints
    variable_ids: Ints
    values: Floats
    states: States
    _presence: dict[int, tuple[npt.NDArray[np.bool_], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def position(self, variable: int) -> int | None:
        """The position of a variable id in this block, or None."""
        found = np.flatnonzero(self.variable_ids == variable)
        return int(found[0]) if found.size else None

    def base_rank(self, position: int, tree: AreaTree) -> int:
        """The deepest rank with any record of the variable."""
        recorded = self._recorded(position)[0]
        return max(
            rank for rank, span in enumerate(tree.spans) if recorded[span.start : span.stop].any()
        )

    def keys_present(self, position: int) -> npt.NDArray[np.bool_]:
        """Per key position: whether the variable has any record with that key."""
        return self._recorded(position)[2]

    def periods_present(self, position: int) -> npt.NDArray[np.bool_]:
        """Per period position: whether the variable has any record in that period."""
        return self._recorded(position)[1]

    def _recorded(self, position: int) -> tuple[npt.NDArray[np.bool_], ...]:
        """Per area, per period and per key whether the variable has any record: every
        indicator of the variable asks, so the states are read once."""
        if position not in self._presence:
            recorded = self.states[position] != NO_RECORD
            self._presence[position] = tuple(
                np.asarray(recorded.any(axis=axes)) for axes in ((1, 2), (0, 2), (0, 1))
            )
        return self._presence[position]

    def base_counts(self, position: int, span: range, variable: int) -> tuple[Floats, Codes | None]:
        """Values (NaN unless usable) and reason codes of a variable for the areas of `span`."""
        states = self.states[position, span.start : span.stop]
        values = self.values[position, span.start : span.stop]
        usable = states == VALUE
        if usable.all():
            return values, None
        area = np.arange(span.start, span.stop)[:, None, None]
        why = _WHY_OF_STATE[states]
        codes = reason_codes(why, variable, self.key_ids[None, None, :], area)
        return np.where(usable, values, np.nan), np.where(usable, np.uint64(0), codes)


@dataclass(frozen=True)
class Observed:
    """All blocks, with the names behind the ids."""

    variables: tuple[str, ...]
    keys: tuple[str, ...]
    periods: tuple[int, ...]
    blocks: dict[tuple[str, ...], Block]
    unknown_areas: tuple[int, tuple[str, ...]]


def observe(
    observations: pl.DataFrame,
    tree: AreaTree,
    *,
    variables: Sequence[str],
    periods: Sequence[int] | None,
) -> Observed:
    """Scatter the observations of `variables` (and `periods`, if given) into blocks.

    Observations of other variables and periods are left out, and so are those of areas not in
    `tree` (counted in `Observed.unknown_areas`).

    Raises
    ------
    ObservationError
        If a column is missing, a flag is not one of "", ".", "-", "x", or a cell (area, period,
        variable, breakdown key) occurs twice.

    Examples
    --------
    >>> tree = AreaTree.from_frame(pl.DataFrame(
    ...     {"code": ["S", "A"], "level": ["s", "a"], "rank": [0, 1], "parent": [None, "S"]}
    ... ))
    >>> observed = observe(pl.DataFrame({
    ...     "area": ["A", "A"], "period": [2024, 2024], "variable": ["x", "y"],
    ...     "breakdown_key": ["", ""], "value": [None, 5.0], "flag": ["-", ""],
    ... }), tree, variables=["x", "y"], periods=None)
    >>> block = observed.blocks[()]
    >>> block.values.shape, block.values[:, 1, 0, 0].tolist()
    ((2, 2, 1, 1), [0.0, 5.0])
    """
    missing = [c for c in OBSERVATION_COLUMNS if c not in observations.columns]
    if missing:
        raise ObservationError(f"observations: the column {missing[0]!r} is missing")
    if periods is not None:
        # Fewer rows to map to ids: selecting by an integer column is cheap.
        observations = observations.filter(pl.col("period").is_in(list(periods)))
    keys = _keys(observations)
    if len(keys) > MAX_KEYS:
        raise ObservationError(f"observations: more than {MAX_KEYS - 1} breakdown keys")
    if len(variables) > MAX_VARIABLES:
        raise ObservationError(f"observations: more than {MAX_VARIABLES} variables at once")
    lookups = [
        TextLookup.of(observations["area"], tree.codes.to_list(), null=-1),
        TextLookup.of(observations["variable"], variables, null=-1),
        TextLookup.of(observations["breakdown_key"], keys, null=0),
        TextLookup.of(observations["flag"], _FLAGS, null=0),
    ]
    # Rows are independent: chunks of them are coded and placed side by side, a thread per
    # core (array work releases the interpreter lock); small chunks keep the temporary arrays
    # small and so cheap to make.
    with ThreadPoolExecutor(thread_count()) as pool:
        chunks = list(
            pool.map(
                lambda rows: row_ids(observations, lookups, len(variables), rows),
                _chunks(observations.height),
            )
        )
        _check_flags(chunks)
        chosen = sorted(set().union(*(chunk.periods for chunk in chunks)))
        names = _Names(tree.codes, variables, keys, chosen)
        blocks = _blocks(chunks, names, pool)
    unknown = _unknown_areas(chunks)
    return Observed(tuple(variables), keys, tuple(chosen), blocks, unknown)


def _keys(observations: pl.DataFrame) -> tuple[str, ...]:
    keys = observations["breakdown_key"]
    broken = keys.filter(keys.fill_null("") != "")
    return ("", *broken.unique(maintain_order=True).to_list())


def _chunks(size: int) -> list[slice]:
    """`size` rows as consecutive slices of at most `_CHUNK` rows (one slice for no rows)."""
    count = max(1, -(-size // _CHUNK))
    bounds = np.linspace(0, size, count + 1).astype(np.int64).tolist()
    return [slice(start, stop) for start, stop in itertools.pairwise(bounds)]


def _check_flags(chunks: Sequence[RowIds]) -> None:
    for chunk in chunks:
        if chunk.strange_flag is not None:
            raise ObservationError(
                f"observations: unknown flag {chunk.strange_flag!r} "
                '(the flags are "", ".", "-", "x")'
            )


def _unknown_areas(chunks: Sequence[RowIds]) -> tuple[int, tuple[str, ...]]:
    codes = list(dict.fromkeys(code for chunk in chunks for code in chunk.strange_areas))
    return len(codes), tuple(codes[:3])


@dataclass(frozen=True)
class _Names:
    areas: pl.Series
    variables: Sequence[str]
    keys: Sequence[str]
    periods: Sequence[int]


def _blocks(
    chunks: Sequence[RowIds], names: _Names, pool: ThreadPoolExecutor
) -> dict[tuple[str, ...], Block]:
    """Scatter the observations into one buffer that holds every block, chunk by chunk.

    Blocks share the area and period axes and differ in their variables and keys. Per pair of
    key and variable a small table holds where its cells start and the stride of a period,
    so a row's cell is ``start + (area × periods + period) × stride``.
    """
    dimension_sets = [_dimensions(key) for key in names.keys]
    distinct = list(dict.fromkeys(dimension_sets))
    block_of_key = np.array([distinct.index(d) for d in dimension_sets], dtype=np.int64)
    key_counts = np.bincount(block_of_key, minlength=len(distinct))
    position_of_key = np.zeros(len(names.keys), dtype=np.int64)
    for number in range(len(distinct)):
        position_of_key[block_of_key == number] = np.arange(key_counts[number])
    n_keys, n_variables = len(names.keys), len(names.variables)
    kept = list(pool.map(RowIds.kept, chunks))
    by_pair = sum(
        pool.map(lambda chunk: np.bincount(chunk.pair, minlength=n_keys * n_variables), kept),
        start=np.zeros(n_keys * n_variables, np.int64),
    )
    by_key = by_pair.reshape(n_keys, n_variables) > 0
    present = np.stack([by_key[block_of_key == n].any(axis=0) for n in range(len(distinct))])
    n_areas, n_periods = names.areas.len(), len(names.periods)
    sizes = present.sum(axis=1) * n_areas * n_periods * key_counts
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    total = int(offsets[-1])
    # Per pair: the stride of its block's key axis, and where its cells start (less the first
    # period's, so that periods need no lookup when they are consecutive).
    variable_position = np.cumsum(present, axis=1) - 1
    stride = key_counts[block_of_key][:, None].repeat(n_variables, axis=1)
    first = min(names.periods, default=0)
    consecutive = len(names.periods) == (max(names.periods, default=-1) - first + 1)
    largest = total + (first * int(key_counts.max(initial=1)) if consecutive else 0)
    index: type[np.signedinteger[Any]] = np.int32 if largest < 2**31 else np.int64
    start = (
        offsets[block_of_key][:, None]
        + variable_position[block_of_key] * (n_areas * n_periods) * stride
        + position_of_key[:, None]
        - (first * stride if consecutive else 0)
    )
    start, stride = start.reshape(-1).astype(index), stride.reshape(-1).astype(index)
    values = np.full(total, np.nan)
    states = np.zeros(total, dtype=np.int8)

    def cells(chunk: RowIds) -> Indices:
        period = chunk.period if consecutive else _positions(chunk.period, names.periods)
        in_block = chunk.area.astype(index) * index(n_periods) + period
        if n_keys > 1:
            in_block *= stride[chunk.pair]
        flat: Indices = start[chunk.pair] + in_block
        return flat

    def place(chunk: RowIds) -> None:
        flat = cells(chunk)
        values[flat] = chunk.value
        nothing = np.flatnonzero(chunk.flag == _NOTHING)
        values[flat[nothing]] = 0.0  # "-" is the value 0
        states[flat] = _STATE[chunk.flag * 2 + np.isnan(chunk.value)]

    list(pool.map(place, kept))
    # Every row leaves a state that is not NO_RECORD: fewer such cells than rows means that
    # some cell occurs twice.
    if np.count_nonzero(states) < sum(chunk.pair.size for chunk in kept):
        _repeated_cell(_twice(list(pool.map(cells, kept)), total), offsets, present, key_counts,
                       names, block_of_key)  # fmt: skip
    blocks = {}
    for number, dimensions in enumerate(distinct):
        variables = np.flatnonzero(present[number])
        shape = (variables.size, n_areas, n_periods, int(key_counts[number]))
        in_block = slice(int(offsets[number]), int(offsets[number + 1]))
        blocks[dimensions] = Block(
            dimensions,
            np.flatnonzero(block_of_key == number),
            variables,
            values[in_block].reshape(shape),
            states[in_block].reshape(shape),
        )
    return blocks


def _twice(flats: Sequence[Indices], total: int) -> int:
    """The first cell that occurs more than once among the cells of all chunks."""
    counts = sum(
        (np.bincount(flat, minlength=total) for flat in flats), start=np.zeros(total, np.int64)
    )
    return int(np.flatnonzero(counts > 1)[0])


def _positions(periods: Ints, chosen: Sequence[int]) -> Indices:
    """The position of each period in `chosen`, for the periods in it (0 for others)."""
    if not chosen:
        return np.zeros(periods.size, dtype=np.int32)
    first, last = min(chosen), max(chosen)
    table = np.zeros(last - first + 1, dtype=np.int32)
    table[np.asarray(chosen) - first] = np.arange(len(chosen))
    return np.take(table, periods - first, mode="clip")


def _repeated_cell(
    cell: int,
    offsets: Ints,
    present: npt.NDArray[np.bool_],
    key_counts: Ints,
    names: _Names,
    block_of_key: Indices,
) -> None:
    """Raise the error naming a cell that occurs twice in the observations."""
    number = int(np.searchsorted(offsets, cell, side="right")) - 1
    variables = np.flatnonzero(present[number])
    shape = (variables.size, names.areas.len(), len(names.periods), int(key_counts[number]))
    variable, area, period, key = (
        int(i) for i in np.unravel_index(cell - int(offsets[number]), shape)
    )
    breakdown = names.keys[int(np.flatnonzero(block_of_key == number)[key])]
    raise ObservationError(
        f"observations: area {names.areas[area]!r}, period {names.periods[period]}, "
        f"variable {names.variables[int(variables[variable])]!r}"
        + (f", breakdown {breakdown!r}" if breakdown else "")
        + " occurs twice"
    )


def _dimensions(key: str) -> tuple[str, ...]:
    if not key:
        return ()
    return tuple(sorted(part.split("=", 1)[0] for part in key.split(";")))
