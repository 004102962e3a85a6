"""The derived figures of the public view: changes, city values, ranks, deciles, z-scores.

Each is computed among the published values only, from the rows' places in their series.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from ._flags import SECRET, flags, missing
from ._relations import BoolArray
from ._slots import Slots


@dataclass(frozen=True)
class Rows:
    """What the publication needs of the count cells, per result row (see `CountCells`)."""

    numerator_hidden: BoolArray
    denominator_hidden: BoolArray  # False where the row has no denominator
    has_denominator: BoolArray
    row_table: np.ndarray
    row_area: np.ndarray
    tables: list[tuple[str, str]]
    area_codes: list[str]


def kept(name: str, keep: BoolArray) -> pl.Expr:
    """The column where ``keep`` holds, null elsewhere."""
    return pl.when(pl.Series(keep)).then(pl.col(name)).alias(name)


@dataclass(frozen=True)
class Years:
    """The rows as series (indicator, breakdown cell, area) of years, found by number."""

    first: int
    period: np.ndarray  # per row, years since `first`
    key: np.ndarray  # per row, series * years + period
    rows: Slots
    row_at: np.ndarray  # the row of each key in use

    @classmethod
    def of(cls, cells: Rows, period: np.ndarray) -> Years:
        first, last = (int(period.min()), int(period.max())) if period.size else (0, 0)
        span = last - first + 1
        series = cells.row_table.astype(np.int64) * len(cells.area_codes) + cells.row_area
        since = period - first
        key = series * span + since
        rows = Slots.of(key)
        row_at = np.empty(rows.size, dtype=np.int64)
        row_at[rows.find(key)] = np.arange(key.size)
        return cls(first, since, key, rows, row_at)

    def earlier(self, years: int) -> np.ndarray:
        """Per row, the row of the same series ``years`` earlier (-1: none)."""
        found = np.where(self.period >= years, self.rows.find(self.key - years), -1)
        return np.where(found >= 0, self.row_at[np.maximum(found, 0)], -1)


def change_columns(
    frame: pl.DataFrame, shown: BoolArray, years: Years, change_n_years: int
) -> list[pl.Expr | pl.Series]:
    """Changes published where the values of both years are (and the earlier row exists)."""
    columns: list[pl.Expr | pl.Series] = []
    for change, span in (("change_1", 1), ("change_n", change_n_years)):
        earlier = years.earlier(span)
        ok = shown & (earlier >= 0) & shown[np.maximum(earlier, 0)]
        flag = flags([(missing(frame[change]) | ~ok, SECRET)], f"{change}_flag")
        columns += [kept(change, ok), flag]
    return columns


def rank_groups(cells: Rows, years: Years, levels: Mapping[str, str]) -> np.ndarray:
    """Per row the number of its group (indicator, breakdown cell, level and year)."""
    names = sorted({levels.get(code, "") for code in cells.area_codes})
    level = np.array([names.index(levels.get(code, "")) for code in cells.area_codes])
    span = int(years.period.max(initial=0)) + 1
    table_level = cells.row_table.astype(np.int64) * len(names) + level[cells.row_area]
    groups: np.ndarray = table_level * span + years.period
    return groups


def city_shown(rows: Rows, years: Years, shown: BoolArray, codes: list[str]) -> BoolArray:
    """Per row: the city's own value of its table and year is published."""
    city_area = np.isin(np.array(rows.area_codes, dtype=object), codes)
    # One slot per table and year; the first city row of each counts.
    span = int(years.period.max(initial=0)) + 1
    slot = rows.row_table.astype(np.int64) * span + years.period
    first = np.flatnonzero(city_area[rows.row_area])[::-1]
    city_shown = np.zeros(len(rows.tables) * span, dtype=np.bool_)
    city_shown[slot[first]] = shown[first]
    found: BoolArray = city_shown[slot]
    return found


def rank_columns(
    frame: pl.DataFrame, published: pl.Series, groups: np.ndarray, descending: BoolArray
) -> list[pl.Series]:
    """Ranks, deciles and z-scores among the published values of each group only.

    The rules are the engine's (`quartier.analysis.indicators`): the smallest rank for ties,
    1 the most disadvantaged; deciles floor(10 (rank − 1) / n) + 1; z-scores with the
    population standard deviation. A test checks that they agree with the engine's.
    Computed on a frame of their own, so that nothing of the results is copied.
    """
    slim = pl.DataFrame(
        [
            pl.Series("_group", groups),
            published,
            pl.Series("_descending", descending),
            frame["rank"].is_not_null().alias("_had_rank"),
            frame["zscore"].is_not_null().alias("_had_zscore"),
        ]
    )
    value = pl.col("value")
    key = pl.when(pl.col("_descending")).then(-value).otherwise(value)
    rank = key.rank("min").over("_group")
    count = value.count().over("_group")
    mean = value.mean().over("_group")
    spread = value.std(ddof=0).over("_group")
    real = spread > 1e-12 * pl.max_horizontal(mean.abs(), pl.lit(1.0))
    ranked = pl.col("_had_rank") & value.is_not_null()
    return slim.select(
        pl.when(ranked).then(rank.cast(pl.Int64)).alias("rank"),
        pl.when(ranked)
        .then(((rank.cast(pl.Float64) - 1.0) * 10.0 / count).floor().cast(pl.Int64) + 1)
        .alias("decile"),
        pl.when(pl.col("_had_zscore") & value.is_not_null() & real)
        .then((value - mean) / spread)
        .alias("zscore"),
    ).get_columns()
