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
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

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
_STATE_OF_FLAG = np.array([VALUE, VALUE, STATE_SECRET, STATE_NOT_APPLICABLE], dtype=np.int8)
# Key ids have 12 bits in a reason code, variable ids 16.
MAX_KEYS = 1 << 12
MAX_VARIABLES = 1 << 16
States = npt.NDArray[np.int8]
# Positions of any integer width (int32 where it suffices, to save memory).
Indices: TypeAlias = npt.NDArray[np.signedinteger[Any]]


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

    def position(self, variable: int) -> int | None:
        """The position of a variable id in this block, or None."""
        found = np.flatnonzero(self.variable_ids == variable)
        return int(found[0]) if found.size else None

    def base_rank(self, position: int, tree: AreaTree) -> int:
        """The deepest rank with any record of the variable."""
        recorded = (self.states[position] != NO_RECORD).any(axis=(1, 2))
        return max(
            rank for rank, span in enumerate(tree.spans) if recorded[span.start : span.stop].any()
        )

    def keys_present(self, position: int) -> npt.NDArray[np.bool_]:
        """Per key position: whether the variable has any record with that key."""
        return np.asarray((self.states[position] != NO_RECORD).any(axis=(0, 1)))

    def periods_present(self, position: int) -> npt.NDArray[np.bool_]:
        """Per period position: whether the variable has any record in that period."""
        return np.asarray((self.states[position] != NO_RECORD).any(axis=(0, 2)))

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
    ids = _ids(observations, tree, variables, keys)
    chosen = _periods(ids)
    unknown = _unknown_areas(observations, ids)
    names = _Names(tree.codes, variables, keys, chosen)
    blocks = _blocks(ids, names)
    return Observed(tuple(variables), keys, tuple(chosen), blocks, unknown)


def _periods(ids: _Ids) -> list[int]:
    kept = ids.period if ids.keep.all() else ids.period[ids.keep]
    if not kept.size:
        return []
    first = int(kept.min())
    return (np.flatnonzero(np.bincount(kept - first)) + first).tolist()


def _keys(observations: pl.DataFrame) -> tuple[str, ...]:
    keys = observations["breakdown_key"]
    broken = keys.filter(keys.fill_null("") != "")
    return ("", *broken.unique(maintain_order=True).to_list())


@dataclass
class _Ids:
    """Per observation: positions of its area, variable and key, its period, value and state."""

    area: Indices
    period: Ints
    variable: Indices
    key: Indices
    state: States
    value: Floats
    keep: npt.NDArray[np.bool_]


def _ids(
    observations: pl.DataFrame,
    tree: AreaTree,
    variables: Sequence[str],
    keys: Sequence[str],
) -> _Ids:
    frame = observations.select(
        pl.col("period").cast(pl.Int64).fill_null(-1),
        pl.col("value").cast(pl.Float64),
    )
    lookups = [
        ("area", tree.codes.to_list(), -1),
        ("variable", variables, -1),
        ("breakdown_key", keys, 0),
        ("flag", _FLAGS, 0),
    ]
    # Array lookups over millions of rows release the interpreter lock: one thread per core.
    with ThreadPoolExecutor(thread_count()) as pool:
        area, variable, key, flag = pool.map(
            lambda lookup: _text_positions(observations[lookup[0]], lookup[1], null=lookup[2]),
            lookups,
        )
    if (flag < 0).any():
        strange = observations["flag"].filter(pl.Series(flag < 0))[0]
        raise ObservationError(
            f'observations: unknown flag {strange!r} (the flags are "", ".", "-", "x")'
        )
    value = frame["value"].to_numpy(writable=True)
    value[flag == _FLAGS.index("-")] = 0.0
    state = _STATE_OF_FLAG[flag]
    state[(state == VALUE) & np.isnan(value)] = EMPTY
    period = frame["period"].to_numpy()
    del frame
    return _Ids(
        area=area,
        period=period,
        variable=variable,
        key=key,
        state=state,
        value=value,
        keep=(variable >= 0) & (area >= 0) & (period >= 0),
    )


def _text_positions(texts: pl.Series, names: Sequence[str], *, null: int) -> Indices:
    """Per row the position of its text among `names`, -1 for other texts, `null` for null.

    Where `null` is 0, `names` starts with "" (the totals key, the empty flag): most rows
    then have position 0, and only the others are looked up.
    """
    if isinstance(texts.dtype, pl.Categorical | pl.Enum):
        return _category_positions(texts, names, null)
    if null == 0:
        chosen = texts.fill_null("") != ""
        positions = np.zeros(texts.len(), dtype=np.int32)
        if chosen.any():
            subset = texts.filter(chosen).cast(pl.Enum(list(names)), strict=False).to_physical()
            positions[chosen.to_numpy()] = subset.cast(pl.Int32).fill_null(-1).to_numpy()
        return positions
    # Casting to an Enum maps every text to its position; unknown texts become null.
    enum = texts.cast(pl.Enum(list(names)), strict=False).to_physical()
    return np.asarray(enum.cast(pl.Int32).fill_null(null).to_numpy())


def _category_positions(texts: pl.Series, names: Sequence[str], null: int) -> Indices:
    """`_text_positions` for a categorical column: each category is looked up once, and the
    rows take its position through their integer codes."""
    physical = texts.to_physical()
    nulls = physical.null_count()
    codes = (physical.fill_null(0) if nulls else physical).to_numpy()
    seen = np.zeros(int(codes.max(initial=0)) + 1, dtype=np.bool_)
    seen[codes] = True
    present = np.flatnonzero(seen)
    labels = pl.Series(present.astype(np.uint32)).cat.to(texts.dtype).cast(pl.Utf8)
    number = {name: index for index, name in enumerate(names)}
    table = np.full(seen.size, -1, dtype=np.int32)
    table[present] = [number.get(label, -1) for label in labels.to_list()]
    positions: Indices = table[codes]
    if nulls:
        positions[physical.is_null().to_numpy()] = null
    return positions


def _unknown_areas(observations: pl.DataFrame, ids: _Ids) -> tuple[int, tuple[str, ...]]:
    strangers = (ids.area < 0) & (ids.variable >= 0)
    if not strangers.any():
        return 0, ()
    codes = observations["area"].filter(pl.Series(strangers)).unique(maintain_order=True)
    return codes.len(), tuple(codes.head(3).to_list())


@dataclass(frozen=True)
class _Names:
    areas: pl.Series
    variables: Sequence[str]
    keys: Sequence[str]
    periods: Sequence[int]


def _blocks(ids: _Ids, names: _Names) -> dict[tuple[str, ...], Block]:
    """Scatter the observations into one buffer that holds every block, in one pass.

    Blocks share the area and period axes and differ in their variables and keys; small
    tables give each row its block's offset, variable position and key stride, so no row is
    gathered twice.
    """
    dimension_sets = [_dimensions(key) for key in names.keys]
    distinct = list(dict.fromkeys(dimension_sets))
    block_of_key = np.array([distinct.index(d) for d in dimension_sets], dtype=np.int32)
    position_of_key = np.zeros(len(names.keys), dtype=np.int32)
    key_counts = np.bincount(block_of_key, minlength=len(distinct))
    for number in range(len(distinct)):
        position_of_key[block_of_key == number] = np.arange(key_counts[number])
    rows = None if ids.keep.all() else np.flatnonzero(ids.keep)

    def kept(column: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return column if rows is None else column[rows]

    key, variable = kept(ids.key), kept(ids.variable)
    block = block_of_key[key] if len(distinct) > 1 else np.zeros(key.size, np.int32)
    n_variables = len(names.variables)
    pairs = np.bincount(block * n_variables + variable, minlength=len(distinct) * n_variables)
    present = pairs.reshape(len(distinct), n_variables) > 0
    n_areas, n_periods = names.areas.len(), len(names.periods)
    sizes = present.sum(axis=1) * n_areas * n_periods * key_counts
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    total = int(offsets[-1])
    index: type[np.signedinteger[Any]] = np.int32 if total < 2**31 else np.int64
    variable_position = (np.cumsum(present, axis=1) - 1).astype(index).reshape(-1)
    key_stride, key_position = key_counts.astype(index), position_of_key.astype(index)
    block_offset = offsets.astype(index)
    area, period, value, state = kept(ids.area), kept(ids.period), kept(ids.value), kept(ids.state)
    values = np.full(total, np.nan)
    states = np.zeros(total, dtype=np.int8)
    owner = np.full(total, -1, dtype=np.int32 if key.size < 2**31 else np.int64)

    def place(part: slice) -> Indices:
        """Scatter some rows; each cell notes its row, so that a repeated cell shows."""
        of_block = block[part]
        flat: Indices = variable_position[of_block * n_variables + variable[part]]
        flat = flat * index(n_areas) + area[part]
        flat = flat * index(n_periods) + _positions(period[part], names.periods)
        flat = flat * key_stride[of_block] + key_position[key[part]] + block_offset[of_block]
        values[flat] = value[part]
        states[flat] = state[part]
        owner[flat] = np.arange(part.start, part.stop)
        return flat

    def repeated(part: slice, flat: Indices) -> int | None:
        clash = np.flatnonzero(owner[flat] != np.arange(part.start, part.stop))
        return int(flat[clash[0]]) if clash.size else None

    # Rows are independent: halves are placed side by side (array work releases the lock).
    parts = _parts(key.size, thread_count())
    with ThreadPoolExecutor(len(parts)) as pool:
        flats = list(pool.map(place, parts))
        clashes = list(pool.map(repeated, parts, flats))
    for cell in clashes:
        if cell is not None:
            _repeated_cell(cell, offsets, present, key_counts, names, block_of_key)
    blocks = {}
    for number, dimensions in enumerate(distinct):
        variables = np.flatnonzero(present[number])
        shape = (variables.size, n_areas, n_periods, int(key_counts[number]))
        cells = slice(int(offsets[number]), int(offsets[number + 1]))
        blocks[dimensions] = Block(
            dimensions,
            np.flatnonzero(block_of_key == number),
            variables,
            values[cells].reshape(shape),
            states[cells].reshape(shape),
        )
    return blocks


def _positions(periods: Ints, chosen: Sequence[int]) -> Indices:
    """The position of each period in `chosen`, for the periods in it (0 for others)."""
    if not chosen:
        return np.zeros(periods.size, dtype=np.int32)
    first, last = min(chosen), max(chosen)
    table = np.zeros(last - first + 1, dtype=np.int32)
    table[np.asarray(chosen) - first] = np.arange(len(chosen))
    return np.take(table, periods - first, mode="clip")


def _parts(size: int, count: int) -> list[slice]:
    """`size` rows as `count` consecutive slices (fewer for few rows)."""
    count = max(1, min(count, size // 100_000))
    bounds = np.linspace(0, size, count + 1).astype(np.int64).tolist()
    return [slice(start, stop) for start, stop in itertools.pairwise(bounds)]


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
