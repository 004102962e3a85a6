"""Areas with integer ids, and counts summed up the area hierarchy as dense arrays.

The indicator engine (`quartier.analysis.indicators`) works on integer ids: every area gets an
id (areas sorted by rank, then code), every variable and breakdown key too. A count is a dense
array per rank with the axes area × period × breakdown key; null is NaN. A null count carries a
*reason code*, an unsigned 64-bit integer that packs why (secret, not applicable, missing), the
variable, the breakdown key and the area of the input that caused it; the text is made only for
the values that end up null (`reason_texts`).

Summing follows the published symbols: "-" (nothing) counts as 0; "." (secret), "x" (not
applicable) and missing records make the sum of every area above them null, never a sum that
treats them as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "MISSING",
    "NOT_APPLICABLE",
    "NO_DATA",
    "SECRET",
    "ZERO_DENOMINATOR",
    "AreaError",
    "AreaTree",
    "Codes",
    "Counts",
    "Floats",
    "Ints",
    "first_reason",
    "reason_codes",
    "reason_texts",
]

Floats: TypeAlias = npt.NDArray[np.float64]
Codes: TypeAlias = npt.NDArray[np.uint64]
Ints: TypeAlias = npt.NDArray[np.int64]

# Why a value is null. For several reasons in a sum, the lowest code is reported.
SECRET = 1
NOT_APPLICABLE = 2
MISSING = 3
ZERO_DENOMINATOR = 4
# "no data for VARIABLE in PERIOD": the place field holds the period instead of an area.
NO_DATA = 5
_WHY = np.uint64(1 << 60)
_VARIABLE = np.uint64(1 << 44)
_KEY = np.uint64(1 << 32)
_NONE = np.iinfo(np.uint64).max
AREA_COLUMNS = ("code", "level", "rank", "parent")


class AreaError(ValueError):
    """The areas do not form one hierarchy of levels under a single top area."""


@dataclass(frozen=True)
class AreaTree:
    """Areas with integer ids, coarsest rank first, then by code.

    Attributes
    ----------
    frame : polars.DataFrame
        ``area_id`` (UInt32, the row number), ``code``, ``level``, ``rank`` (Int64) and
        ``parent_id`` (UInt32, null for the top area). The areas of a rank have consecutive
        ids.
    spans : tuple of range
        The ids of the areas of each rank.
    levels : tuple of str
        The level key of each rank.
    """

    frame: pl.DataFrame
    spans: tuple[range, ...]
    levels: tuple[str, ...]
    rollups: tuple[Rollup, ...]

    @classmethod
    def from_frame(cls, areas: pl.DataFrame) -> AreaTree:
        """Check and number the areas (columns code, level, rank, parent).

        Raises
        ------
        AreaError
            If a column is missing, a code repeats, there is not exactly one area of rank 0, a
            parent is unknown or not one rank above its child, a rank is empty, or a level has
            several ranks.

        Examples
        --------
        >>> tree = AreaTree.from_frame(pl.DataFrame({
        ...     "code": ["S", "B", "A"], "level": ["stadt", "bezirk", "bezirk"],
        ...     "rank": [0, 1, 1], "parent": [None, "S", "S"],
        ... }))
        >>> tree.frame.select("area_id", "code", "parent_id").rows()
        [(0, 'S', None), (1, 'A', 0), (2, 'B', 0)]
        >>> tree.spans, tree.levels
        ((range(0, 1), range(1, 3)), ('stadt', 'bezirk'))
        """
        missing = [c for c in AREA_COLUMNS if c not in areas.columns]
        if missing:
            raise AreaError(f"areas: the column {missing[0]!r} is missing")
        frame = (
            areas.select(
                pl.col("code").cast(pl.Utf8),
                pl.col("level").cast(pl.Utf8),
                pl.col("rank").cast(pl.Int64),
                pl.col("parent").cast(pl.Utf8),
            )
            .sort("rank", "code")
            .with_row_index("area_id")
        )
        _check_areas(frame)
        ids = frame.select(pl.col("code").alias("parent"), pl.col("area_id").alias("parent_id"))
        frame = frame.join(ids, on="parent", how="left", maintain_order="left")
        _check_parents(frame)
        ranks = frame.group_by("rank").agg(
            pl.col("area_id").min().alias("first"),
            pl.len().alias("count"),
            pl.col("level").first(),
        )
        ranks = ranks.sort("rank")
        if ranks["rank"].to_list() != list(range(ranks.height)):
            raise AreaError("areas: the ranks must be 0, 1, 2, ... without gaps")
        spans = tuple(range(f, f + n) for f, n in zip(ranks["first"], ranks["count"], strict=True))
        parents = frame["parent_id"].to_numpy()
        rollups = tuple(
            Rollup.of(parents[spans[rank].start : spans[rank].stop], spans[rank - 1])
            for rank in range(1, len(spans))
        )
        return cls(
            frame.select("area_id", "code", "level", "rank", "parent_id"),
            spans,
            tuple(ranks["level"].to_list()),
            rollups,
        )

    @property
    def codes(self) -> pl.Series:
        """Area code by id."""
        return self.frame["code"]

    def span(self, rank: int) -> range:
        """The ids of the areas of one rank."""
        return self.spans[rank]

    def level(self, rank: int) -> str:
        """The level key of a rank."""
        return self.levels[rank]

    def rollup(self, rank: int) -> Rollup:
        """How the areas of `rank` (> 0) sum to their parents."""
        return self.rollups[rank - 1]


@dataclass(frozen=True)
class Rollup:
    """Children of one rank grouped by parent, for summing with `numpy.add.reduceat`.

    Attributes
    ----------
    order : numpy.ndarray
        Child positions sorted by parent.
    starts : numpy.ndarray
        Where each parent's children start in `order`.
    parents : numpy.ndarray
        The position (among the areas one rank up) of the parent of each group.
    childless : numpy.ndarray
        Positions of the areas one rank up without children.
    first_parent : int
        The id of the first area one rank up.
    parent_count : int
        The number of areas one rank up.
    """

    order: Ints
    starts: Ints
    parents: Ints
    childless: Ints
    first_parent: int
    parent_count: int

    @classmethod
    def of(cls, parent_ids: npt.ArrayLike, above: range) -> Rollup:
        """From the parent id of each child and the ids of the rank above."""
        positions = np.asarray(parent_ids, dtype=np.int64) - above.start
        order = np.argsort(positions, kind="stable")
        ordered = positions[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        parents = ordered[starts]
        childless = np.setdiff1d(np.arange(len(above)), parents)
        return cls(order, starts, parents, childless, above.start, len(above))


def _check_areas(frame: pl.DataFrame) -> None:
    repeated = frame.filter(pl.col("code").is_duplicated())
    if repeated.height:
        raise AreaError(f"areas: the code {repeated['code'][0]!r} is listed twice")
    top = frame.filter(pl.col("rank") == 0)
    if top.height != 1 or frame["rank"].min() != 0:
        raise AreaError(f"areas: exactly one area of rank 0 is needed, not {top.height}")
    levels = frame.group_by("level").agg(pl.col("rank").n_unique().alias("ranks"))
    mixed = levels.filter(pl.col("ranks") > 1)
    if mixed.height:
        raise AreaError(f"areas: the level {mixed['level'][0]!r} has several ranks")


def _check_parents(frame: pl.DataFrame) -> None:
    ranks = frame.select(pl.col("area_id").alias("parent_id"), pl.col("rank").alias("up"))
    checked = frame.filter(pl.col("rank") > 0).join(ranks, on="parent_id", how="left")
    unknown = checked.filter(pl.col("parent_id").is_null())
    if unknown.height:
        row = unknown.row(0, named=True)
        raise AreaError(f"areas: {row['code']!r} has the unknown parent {row['parent']!r}")
    skipped = checked.filter(pl.col("up") != pl.col("rank") - 1)
    if skipped.height:
        row = skipped.row(0, named=True)
        raise AreaError(
            f"areas: the parent {row['parent']!r} of {row['code']!r} is not one rank above it"
        )


def reason_codes(
    why: npt.ArrayLike, variable: int, key: npt.ArrayLike, place: npt.ArrayLike
) -> Codes:
    """Pack reasons: why, variable id, key id and area id (or period, for NO_DATA)."""
    return np.asarray(
        np.asarray(why, dtype=np.uint64) * _WHY
        + np.uint64(variable) * _VARIABLE
        + np.asarray(key, dtype=np.uint64) * _KEY
        + np.asarray(place, dtype=np.uint64),
        dtype=np.uint64,
    )


def first_reason(codes: Sequence[Codes | None], shape: tuple[int, ...]) -> Codes | None:
    """The first non-zero code of several arrays, position by position (None if all absent)."""
    present = [c for c in codes if c is not None]
    if not present:
        return None
    result = np.zeros(shape, dtype=np.uint64)
    for code in reversed(present):
        result = np.where(code != 0, code, result)
    return result


def reason_texts(
    codes: Codes, variables: Sequence[str], keys: Sequence[str], areas: Sequence[str]
) -> list[str]:
    """The texts of reason codes, e.g. "secret input einwohner in 010101".

    The codes are unpacked as arrays, then formatted; a breakdown key other than the total is
    named in brackets after the variable.

    Examples
    --------
    >>> codes = reason_codes([SECRET, NO_DATA], 0, [1, 0], [1, 2019])
    >>> reason_texts(codes, ["einwohner"], ["", "g=w"], ["S", "A"])
    ['secret input einwohner (g=w) in A', 'no data for einwohner in 2019']
    """
    why, rest = np.divmod(codes, _WHY)
    variable, rest = np.divmod(rest, _VARIABLE)
    key, place = np.divmod(rest, _KEY)
    texts = []
    parts = zip(why.tolist(), variable.tolist(), key.tolist(), place.tolist(), strict=True)
    for reason, v, k, p in parts:
        if reason == ZERO_DENOMINATOR:
            texts.append("denominator is 0")
            continue
        detail = variables[v] + (f" ({keys[k]})" if keys[k] else "")
        if reason == NO_DATA:
            texts.append(f"no data for {detail} in {p}")
        elif reason == SECRET:
            texts.append(f"secret input {detail} in {areas[p]}")
        elif reason == NOT_APPLICABLE:
            texts.append(f"input {detail} not applicable in {areas[p]}")
        else:
            texts.append(f"missing input {detail} in {areas[p]}")
    return texts


@dataclass(frozen=True)
class Counts:
    """One variable (restricted to one breakdown dimension set) at every rank down to its base.

    ``values[r]`` has the axes area of rank r × period × key; ``codes[r]`` the reason codes of
    the null values (0 elsewhere), or None when rank r has no null value.
    """

    base: int
    values: dict[int, Floats]
    codes: dict[int, Codes | None]


def sum_up(
    base_values: Floats,
    base_codes: Codes | None,
    *,
    base: int,
    tree: AreaTree,
    missing: tuple[int, Ints],
) -> Counts:
    """Sum the counts of the base rank up to the top; null (NaN) propagates.

    `missing` is (variable id, key id per key position), for the reason of a parent without
    any child.
    """
    values = {base: base_values}
    codes = {base: base_codes}
    for rank in range(base, 0, -1):
        values[rank - 1], codes[rank - 1] = _roll_up(
            values[rank], codes[rank], tree.rollup(rank), missing
        )
    return Counts(base=base, values=values, codes=codes)


def _roll_up(
    values: Floats, codes: Codes | None, rollup: Rollup, missing: tuple[int, Ints]
) -> tuple[Floats, Codes | None]:
    sums = np.full((rollup.parent_count, *values.shape[1:]), np.nan)
    # NaN + anything is NaN: a single null child makes the parent's sum null.
    sums[rollup.parents] = np.add.reduceat(values[rollup.order], rollup.starts, axis=0)
    result = None
    if codes is not None:
        marked = np.where(codes == 0, _NONE, codes)[rollup.order]
        least = np.minimum.reduceat(marked, rollup.starts, axis=0)
        result = np.zeros(sums.shape, dtype=np.uint64)
        result[rollup.parents] = np.where(least == _NONE, np.uint64(0), least)
    if rollup.childless.size:
        if result is None:
            result = np.zeros(sums.shape, dtype=np.uint64)
        variable, keys = missing
        areas = (rollup.childless + rollup.first_parent)[:, None, None]
        result[rollup.childless] = reason_codes(MISSING, variable, keys[None, None, :], areas)
    return sums, result
