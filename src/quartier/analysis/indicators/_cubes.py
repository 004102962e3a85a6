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

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis.indicators._aggregate import (
    MISSING,
    NOT_APPLICABLE,
    SECRET,
    AreaTree,
    Codes,
    Floats,
    Ints,
    reason_codes,
)
from quartier.analysis.indicators._cube_buffer import (
    FLAGS,
    NO_RECORD,
    VALUE,
    BlockLayout,
    Buffer,
    Names,
    first_repeated,
)
from quartier.analysis.indicators._cube_rows import RowIds, TextLookup, row_ids
from quartier.analysis.indicators._threads import thread_count

__all__ = ["OBSERVATION_COLUMNS", "Block", "ObservationError", "Observed", "observe"]

OBSERVATION_COLUMNS = ("area", "period", "variable", "breakdown_key", "value", "flag")
_WHY_OF_STATE = np.array([MISSING, 0, SECRET, NOT_APPLICABLE, MISSING], dtype=np.uint64)
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
        """Per area, per period and per key whether the variable has any record.

        Every indicator of the variable asks, so the states are read once.
        """
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
        TextLookup.of(observations["flag"], FLAGS, null=0),
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
        names = Names(tree.codes, variables, keys, chosen)
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


def _blocks(
    chunks: Sequence[RowIds], names: Names, pool: ThreadPoolExecutor
) -> dict[tuple[str, ...], Block]:
    """Scatter the observations into one buffer that holds every block, chunk by chunk.

    Blocks share the area and period axes and differ in their variables and keys. Per pair of
    key and variable a small table holds where its cells start and the stride of a period,
    so a row's cell is ``start + (area × periods + period) × stride``.
    """
    kept = list(pool.map(RowIds.kept, chunks))
    layout = BlockLayout.of(kept, names, pool)
    buffer = Buffer(layout, names)
    list(pool.map(buffer.place, kept))
    # Every row leaves a state that is not NO_RECORD: fewer such cells than rows means that
    # some cell occurs twice.
    if np.count_nonzero(buffer.states) < sum(chunk.pair.size for chunk in kept):
        cell = first_repeated(list(pool.map(buffer.cells, kept)), layout.total)
        _repeated_cell(cell, layout, names)
    return _assembled(buffer, names)


def _assembled(buffer: Buffer, names: Names) -> dict[tuple[str, ...], Block]:
    """The blocks, each a view of its part of the buffer."""
    layout = buffer.layout
    n_areas, n_periods = names.areas.len(), len(names.periods)
    blocks = {}
    for number, dimensions in enumerate(layout.distinct):
        variables = np.flatnonzero(layout.present[number])
        shape = (variables.size, n_areas, n_periods, int(layout.key_counts[number]))
        in_block = slice(int(layout.offsets[number]), int(layout.offsets[number + 1]))
        blocks[dimensions] = Block(
            dimensions,
            np.flatnonzero(layout.block_of_key == number),
            variables,
            buffer.values[in_block].reshape(shape),
            buffer.states[in_block].reshape(shape),
        )
    return blocks


def _repeated_cell(cell: int, layout: BlockLayout, names: Names) -> None:
    """Raise the error naming a cell that occurs twice in the observations."""
    number = int(np.searchsorted(layout.offsets, cell, side="right")) - 1
    variables = np.flatnonzero(layout.present[number])
    shape = (variables.size, names.areas.len(), len(names.periods), int(layout.key_counts[number]))
    variable, area, period, key = (
        int(i) for i in np.unravel_index(cell - int(layout.offsets[number]), shape)
    )
    breakdown = names.keys[int(np.flatnonzero(layout.block_of_key == number)[key])]
    raise ObservationError(
        f"observations: area {names.areas[area]!r}, period {names.periods[period]}, "
        f"variable {names.variables[int(variables[variable])]!r}"
        + (f", breakdown {breakdown!r}" if breakdown else "")
        + " occurs twice"
    )
