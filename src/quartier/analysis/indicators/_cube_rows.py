"""The rows of tidy observations as integer ids: areas, variables, keys and flags by position.

Texts are looked up category by category where the column is categorical, so that they are
never compared row by row (see `TextLookup`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis.indicators._aggregate import Floats, Ints

# A category code not looked up yet.
_UNSEEN = -2
# Positions of any integer width (int32 where it suffices, to save memory).
Indices: TypeAlias = npt.NDArray[np.signedinteger[Any]]


@dataclass(frozen=True)
class TextLookup:
    """How the texts of a column map to positions among `names`.

    Other texts map to -1, nulls to `null`.

    A categorical column is looked up category by category: `table` holds the position of
    each category code, filled in for the codes the rows show (`_UNSEEN` until then), so
    that texts are never compared row by row.
    """

    names: Sequence[str]
    null: int
    dtype: pl.DataType
    table: Indices | None
    lock: threading.Lock

    @classmethod
    def of(cls, texts: pl.Series, names: Sequence[str], *, null: int) -> TextLookup:
        table = None
        if isinstance(texts.dtype, pl.Categorical | pl.Enum):
            largest = texts.to_physical().max()
            size = 0 if largest is None else int(largest) + 1  # type: ignore[arg-type]
            table = np.full(size, _UNSEEN, dtype=np.int32)
        return cls(names, null, texts.dtype, table, threading.Lock())

    def positions(self, texts: pl.Series) -> Indices:
        """Per row the position of its text."""
        if self.table is None:
            return text_positions(texts, self.names, null=self.null)
        physical = texts.to_physical()
        nulls = physical.null_count()
        codes = (physical.fill_null(0) if nulls else physical).to_numpy()
        positions: Indices = self.table[codes]
        unseen = positions == _UNSEEN
        if unseen.any():
            # Marking is much cheaper than sorting or hashing the codes to find the distinct.
            met = np.zeros(self.table.size, dtype=np.bool_)
            met[codes[unseen]] = True
            self._learn(np.flatnonzero(met))
            positions = self.table[codes]
        if nulls:
            positions[physical.is_null().to_numpy()] = self.null
        return positions

    def _learn(self, codes: npt.NDArray[Any]) -> None:
        """Look up the categories of `codes` (once: chunks side by side may meet them too)."""
        assert self.table is not None
        with self.lock:
            labels = pl.Series(codes.astype(np.uint32)).cat.to(self.dtype).cast(pl.Utf8)
            number = {name: index for index, name in enumerate(self.names)}
            self.table[codes] = [number.get(label, -1) for label in labels.to_list()]


def text_positions(texts: pl.Series, names: Sequence[str], *, null: int) -> Indices:
    """Per row the position of its text among `names`, -1 for other texts, `null` for null.

    Where `null` is 0, `names` starts with "" (the totals key, the empty flag): most rows
    then have position 0, and only the others are looked up.
    """
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


@dataclass(frozen=True)
class RowIds:
    """The observations of a chunk of rows as positions.

    Per row its area position, period, pair (key position × number of variables + variable
    position), flag position and value, and whether it is kept (a known area and variable, a
    period); the chunk's kept periods, its first unknown flag and its unknown area codes.
    """

    area: Indices
    period: Indices
    pair: Indices
    flag: Indices
    value: Floats
    keep: npt.NDArray[np.bool_]
    periods: set[int]
    strange_flag: str | None
    strange_areas: tuple[str, ...]

    def kept(self) -> RowIds:
        """The chunk with its kept rows only (itself when all are kept)."""
        if self.keep.all():
            return self
        rows = np.flatnonzero(self.keep)
        return dataclasses.replace(
            self,
            area=self.area[rows],
            period=self.period[rows],
            pair=self.pair[rows],
            flag=self.flag[rows],
            value=self.value[rows],
            keep=self.keep[rows],
        )


def row_ids(
    observations: pl.DataFrame, lookups: Sequence[TextLookup], n_variables: int, rows: slice
) -> RowIds:
    part = observations.slice(rows.start, rows.stop - rows.start)
    area, variable, key, flag = (
        lookup.positions(part[column])
        for lookup, column in zip(
            lookups, ("area", "variable", "breakdown_key", "flag"), strict=True
        )
    )
    # Years fit 32 bits; a period that does not is left out like a missing one.
    period = part["period"].cast(pl.Int32, strict=False).fill_null(-1).to_numpy()
    value = np.asarray(part["value"].cast(pl.Float64).to_numpy(), dtype=np.float64)
    keep = (variable >= 0) & (area >= 0) & (period >= 0)
    strange = np.flatnonzero(flag < 0)
    strangers = (area < 0) & (variable >= 0)
    return RowIds(
        area,
        period,
        key * np.int32(n_variables) + variable,
        flag,
        value,
        keep,
        _distinct(period if keep.all() else period[keep]),
        str(part["flag"][int(strange[0])]) if strange.size else None,
        _codes_of(part["area"], strangers) if strangers.any() else (),
    )


def _distinct(periods: Ints) -> set[int]:
    if not periods.size:
        return set()
    first = int(periods.min())
    return set((np.flatnonzero(np.bincount(periods - first)) + first).tolist())


def _codes_of(areas: pl.Series, rows: npt.NDArray[np.bool_]) -> tuple[str, ...]:
    codes = areas.filter(pl.Series(rows)).cast(pl.Utf8).unique(maintain_order=True)
    return tuple(codes.to_list())
