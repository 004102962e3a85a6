"""Disclosure control for indicator results: rates, their counts, changes and comparisons.

An indicator result has, per indicator, area, period (and breakdown key), the columns
``numerator``, ``denominator``, ``value`` (the rate) and the changes ``change_1`` (to the year
before) and ``change_n`` (over ``change_n_years``). In the public view:

1. Numerators and denominators are counts and get primary and secondary suppression over the
   area hierarchy and the breakdown margins. A numerator whose denominator is below the
   indicator's minimum is suppressed as well (with complements), because numerator and
   denominator would otherwise give the rate away.
2. A rate is suppressed when its numerator or denominator is suppressed or missing, or the
   denominator is below the minimum.
3. A change is suppressed when the rate of either year is suppressed or its row is missing;
   comparisons derived from the rate (``diff_city``, ``ratio_city``, ``rank``, ``decile``,
   ``zscore``) follow the rate, ``city_value`` follows the city's rate.

A count used by several indicators (the population as a denominator, say) gets one suppression
pattern for all of them; otherwise the patterns together could reveal what each one hides.
Counts are matched by their variable names when ``variables`` is given, else by identical
content.

Every published column gets a flag column: ``flag`` for the value, ``numerator_flag``,
``denominator_flag``, ``change_1_flag``, ``change_n_flag`` ("." secret or unknown, "-" a zero
count or rate, "x" no denominator for a count indicator, "" a number). The internal view
returns the values unchanged, with "." only where a value is missing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ..threads import thread_count
from .counts import (
    NOT_APPLICABLE,
    NOTHING,
    SECRET,
    View,
    check_view,
    suppress_grid,
    suppress_tables,
)
from .primary import DEFAULT_MIN_COUNT
from .relations import BoolArray, FloatArray, IntArray
from .tables import (
    DuplicateCellError,
    Grid,
    KeyIndex,
    dense_codes,
    grid_of,
    parents_frame,
    split_breakdown_key,
)

__all__ = ["DERIVED", "FLAG", "changes_hidden", "disclose_indicators", "disclose_rates"]

# Flags take a byte each instead of a string: millions of values are flagged at once.
FLAG = pl.Enum(["", SECRET, NOTHING, NOT_APPLICABLE])
DERIVED = ("diff_city", "ratio_city", "rank", "decile", "zscore")
_CHANGES = ("change_1", "change_n")
_ROLES = ("numerator", "denominator")
# Row coordinates take 4 bytes each: there are millions of rows.
Positions = npt.NDArray[np.int32]


def disclose_indicators(
    results: pl.DataFrame,
    *,
    areas: pl.DataFrame,
    catalogue_min_denominators: Mapping[str, float],
    view: View,
    min_count: int = DEFAULT_MIN_COUNT,
    change_n_years: int = 5,
    variables: Mapping[str, tuple[str, str | None]] | None = None,
    derived: Sequence[str] = DERIVED,
) -> pl.DataFrame:
    """Indicator results with public values (null where suppressed) and flag columns.

    Parameters
    ----------
    results
        Columns ``indicator``, ``area``, ``period``, ``numerator``, ``value``, optional
        ``denominator`` (null or absent for a count indicator), ``breakdown_key``, ``change_1``,
        ``change_n`` and comparison columns.
    areas
        The areas with ``code`` and ``parent``.
    catalogue_min_denominators
        The smallest denominator for which each indicator's rate is published; required for
        every indicator with denominators (a count indicator has none).
    view
        "public" or "internal".
    min_count
        Counts from 1 to ``min_count - 1`` are suppressed.
    change_n_years
        The number of years ``change_n`` spans.
    variables
        Optional: per indicator the names of its numerator and denominator variables, so that
        indicators sharing a count share its suppression.
    derived
        Columns computed from the rate, suppressed with it.

    Examples
    --------
    >>> import polars as pl
    >>> areas = pl.DataFrame({"code": ["city", "a", "b", "c"], "parent": [None] + ["city"] * 3})
    >>> results = pl.DataFrame({
    ...     "indicator": ["alone"] * 4, "area": ["city", "a", "b", "c"], "period": [2024] * 4,
    ...     "numerator": [25.0, 2.0, 11.0, 12.0], "denominator": [250.0, 40.0, 100.0, 110.0]})
    >>> results = results.with_columns(value=pl.col("numerator") / pl.col("denominator") * 100)
    >>> public = disclose_indicators(results, areas=areas, view="public",
    ...                              catalogue_min_denominators={"alone": 50})
    >>> public.select("area", "numerator", "value", "flag").rows()  # doctest: +NORMALIZE_WHITESPACE
    [('city', 25.0, 10.0, ''), ('a', None, None, '.'), ('b', None, None, '.'),
     ('c', 12.0, 10.909..., '')]
    """
    check_view(view)
    if view == "internal":
        return _published(results, {}, _without_denominator(results))
    if "denominator" not in results.columns:
        results = results.with_columns(pl.lit(None, pl.Float64).alias("denominator"))
    masks, without_denominator = _public(
        results,
        areas,
        catalogue_min_denominators,
        min_count,
        change_n_years,
        variables,
        derived,
    )
    return _published(results, masks, without_denominator)


def disclose_rates(
    frame: pl.DataFrame,
    *,
    areas: pl.DataFrame,
    min_denominator: float,
    view: View,
    min_count: int = DEFAULT_MIN_COUNT,
    change_n_years: int = 5,
) -> pl.DataFrame:
    """`disclose_indicators` for a frame holding a single rate (no ``indicator`` column).

    Examples
    --------
    >>> import polars as pl
    >>> areas = {"city": None, "a": "city", "b": "city"}
    >>> rates = pl.DataFrame({"area": ["city", "a", "b"], "period": [2024] * 3,
    ...     "numerator": [9.0, 4.0, 5.0], "denominator": [60.0, 10.0, 50.0],
    ...     "value": [15.0, 40.0, 10.0]})
    >>> areas_frame = pl.DataFrame({"code": list(areas), "parent": list(areas.values())})
    >>> public = disclose_rates(rates, areas=areas_frame, min_denominator=20, view="public")
    >>> public["flag"].to_list()
    ['', '.', '.']
    """
    named = frame.with_columns(pl.lit("rate").alias("indicator"))
    disclosed = disclose_indicators(
        named,
        areas=areas,
        catalogue_min_denominators={"rate": min_denominator},
        view=view,
        min_count=min_count,
        change_n_years=change_n_years,
    )
    return disclosed.drop("indicator")


def changes_hidden(
    frame: pl.DataFrame, hidden: str, *, keys: Sequence[str], period: str = "period", years: int = 1
) -> pl.Series:
    """Whether a change over ``years`` must be hidden: either year hidden, or the earlier missing.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"area": ["a"] * 3, "period": [2022, 2023, 2024],
    ...                       "hidden": [False, True, False]})
    >>> changes_hidden(frame, "hidden", keys=["area"]).to_list()
    [True, True, True]
    >>> changes_hidden(frame, "hidden", keys=["area"], years=2).to_list()
    [True, True, False]
    """
    earlier = frame.select(
        *keys, (pl.col(period) + years).alias(period), pl.col(hidden).alias("__earlier")
    ).unique(subset=[*keys, period], keep="any")
    joined = frame.select(*keys, period, hidden).join(
        earlier, on=[*keys, period], how="left", nulls_equal=True, maintain_order="left"
    )
    return (joined[hidden] | joined["__earlier"].fill_null(True)).alias(hidden)


def _public(
    results: pl.DataFrame,
    areas: pl.DataFrame,
    minimum: Mapping[str, float],
    min_count: int,
    change_n_years: int,
    variables: Mapping[str, tuple[str, str | None]] | None,
    derived: Sequence[str],
) -> tuple[dict[str, BoolArray], pl.Series | None]:
    """Per published column the rows to suppress, and per row whether its indicator has no
    denominator (a count indicator; None when every indicator has one)."""
    # Reading the columns out of the frame is polars work that releases the interpreter lock:
    # the coordinates and the counts are read side by side.
    with ThreadPoolExecutor(thread_count()) as pool:
        reading = {role: pool.submit(_floats, results[role]) for role in _ROLES}
        rows = _Rows.of(results, areas, pool)
        # The futures let go of the counts: they are freed while suppression runs.
        counts = {role: reading.pop(role).result() for role in _ROLES}
    present = {role: ~np.isnan(values) for role, values in counts.items()}
    has_counts = {role: rows.coded.any_per_name(mask) for role, mask in present.items()}
    minimums = _minimums(has_counts["denominator"], rows, minimum)
    smallest = np.asarray([minimums[name] for name in rows.names], dtype=np.float64)
    # False where the denominator is missing.
    small = counts["denominator"] < rows.coded.per_row(smallest)
    layout = _Layout.of(rows)
    series = _series(rows, counts, has_counts, variables)
    if layout is not None:
        # Every block repeats the first one's coordinates: the rest are let go before the
        # suppression, which needs the memory.
        rows = rows.first_block(layout.size)
    hidden = _count_status(rows, counts, series, small, min_count, layout)
    rate_hidden = (
        hidden["numerator"]
        | ~present["numerator"]
        | (present["denominator"] & (hidden["denominator"] | small))
        | results["value"].is_null().to_numpy()
    )
    masks = {**hidden, "value": rate_hidden}
    masks |= _changes_hidden(results, rows, layout, rate_hidden, change_n_years)
    masks |= {column: rate_hidden for column in derived if column in results.columns}
    if "city_value" in results.columns:
        masks["city_value"] = (
            rows.city_hidden(rate_hidden)
            if layout is None
            else layout.city_hidden(rate_hidden, rows)
        )
    without = _rows_without(rows.coded, has_counts["denominator"])
    return masks, without


def _changes_hidden(
    results: pl.DataFrame,
    rows: _Rows,
    layout: _Layout | None,
    rate_hidden: BoolArray,
    change_n_years: int,
) -> dict[str, BoolArray]:
    """Per change column whether the change is hidden: the rate of either year hidden or absent."""
    spans = {
        change: years
        for change, years in zip(_CHANGES, (1, change_n_years), strict=True)
        if change in results.columns
    }
    if layout is not None:
        return {
            change: layout.changes_hidden(rate_hidden, years) for change, years in spans.items()
        }
    earlier = rows.earlier_rows() if spans else None
    return {
        change: rows.changes_hidden(rate_hidden, earlier, years)
        for change, years in spans.items()
        if earlier is not None
    }


def _floats(column: pl.Series) -> FloatArray:
    return np.asarray(column.cast(pl.Float64).to_numpy(), dtype=np.float64)


@dataclass(frozen=True)
class _Rows:
    """The result rows by integer coordinates: indicator, area, period and breakdown key.

    ``period`` counts years from the first, so that "the year before" is arithmetic; a
    breakdown key has a category per dimension (0 for the total), as in a `Grid`.
    """

    names: list[str]
    indicator: Positions
    coded: _Coded
    area: Positions
    parents: IntArray
    tops: BoolArray
    period: Positions
    n_periods: int
    key: Positions
    key_categories: IntArray

    @classmethod
    def of(cls, results: pl.DataFrame, areas: pl.DataFrame, pool: Executor | None = None) -> _Rows:
        """The coordinates of the rows; ``pool`` codes the columns side by side (polars work
        that releases the interpreter lock)."""
        if pool is None:
            with ThreadPoolExecutor(thread_count()) as own:
                return cls.of(results, areas, own)
        coding = pool.submit(_codes, results["indicator"])
        placing = pool.submit(_area_codes, results["area"], areas)
        keying = pool.submit(_breakdown_keys, results)
        period_column = results["period"]
        first = int(period_column.min() or 0)  # type: ignore[arg-type]
        # Years counted from the first take 4 bytes a row; no wider copy is made.
        periods = np.asarray((period_column - first).cast(pl.Int32).to_numpy(), dtype=np.int32)
        top_codes = parents_frame(areas)["parent"].is_null().to_numpy()
        coded, (grid, area), (key, key_categories) = (
            coding.result(),
            placing.result(),
            keying.result(),
        )
        tops = np.zeros(grid.parents.size, np.bool_)
        tops[: top_codes.size] = top_codes
        return cls(
            names=coded.names,
            indicator=coded.codes,
            coded=coded,
            area=area,
            parents=grid.parents,
            tops=tops,
            period=periods,
            n_periods=(int(periods.max()) + 1) if periods.size else 1,
            key=key,
            key_categories=key_categories,
        )

    @property
    def n_keys(self) -> int:
        return int(self.key_categories.shape[0])

    def first_block(self, size: int) -> _Rows:
        """The rows with the area, period and key of the first `size` rows only (copies, so
        that the full columns are freed); for a `_Layout`, whose blocks all repeat them."""
        return dataclasses.replace(
            self,
            area=self.area[:size].copy(),
            period=self.period[:size].copy(),
            key=self.key[:size].copy(),
        )

    def earlier_rows(self) -> _Earlier:
        """An index of the rows by indicator, area, key and period, to find earlier years."""
        keys = (self.indicator.astype(np.int64) * self.parents.size + self.area) * self.n_keys
        keys = (keys + self.key) * self.n_periods + self.period
        slots = len(self.names) * self.parents.size * self.n_keys * self.n_periods
        try:
            return _Earlier(keys, KeyIndex(keys, slots=slots))
        except DuplicateCellError as duplicate:
            raise ValueError(
                "two results share indicator, area, period and breakdown key: "
                f"{self.names[self.indicator[duplicate.cell]]!r}, row {duplicate.cell}"
            ) from None

    def changes_hidden(self, hidden: BoolArray, earlier: _Earlier, years: int) -> BoolArray:
        """Per row whether its change over ``years`` is hidden: either year hidden or missing."""
        before = np.where(self.period >= years, earlier.index.find(earlier.keys - years), -1)
        return hidden | (before < 0) | hidden[np.maximum(before, 0)]

    def city_hidden(self, hidden: BoolArray) -> BoolArray:
        """Per row whether the city's value of its indicator, period and key is hidden."""
        keys = (self.indicator.astype(np.int64) * self.n_periods + self.period) * self.n_keys
        keys += self.key
        slots = np.zeros(len(self.names) * self.n_periods * self.n_keys, np.bool_)
        slots[keys[self.tops[self.area] & hidden]] = True
        return np.asarray(slots[keys], dtype=np.bool_)


@dataclass(frozen=True)
class _Earlier:
    keys: IntArray
    index: KeyIndex


def _area_codes(column: pl.Series, areas: pl.DataFrame) -> tuple[Grid, Positions]:
    """The grid of the distinct areas and per row the index of its area.

    Results come in runs of one area (its years), so the runs are coded, not every row.
    """
    runs = column.rle().struct.unnest()
    if runs.height > column.len() // 4:
        grid = grid_of(column.to_frame("area"), areas=areas)
        return grid, grid.area.astype(np.int32)
    grid = grid_of(runs.select(pl.col("value").alias("area")), areas=areas)
    return grid, np.repeat(grid.area.astype(np.int32), runs["len"].to_numpy())


def _breakdown_keys(results: pl.DataFrame) -> tuple[Positions, IntArray]:
    """Per row the index of its breakdown key; per key the category of each dimension."""
    if "breakdown_key" not in results.columns:
        return np.zeros(results.height, np.int32), np.zeros((1, 0), np.int64)
    keys = results["breakdown_key"]
    coded = _codes(keys.fill_null("") if keys.null_count() else keys)
    split, dims = split_breakdown_key(pl.DataFrame({"breakdown_key": coded.names}))
    categories = [dense_codes(split[dim])[0] for dim in dims]
    table = np.stack(categories, axis=1) if dims else np.zeros((len(coded.names), 0), np.int64)
    return coded.codes, table


@dataclass(frozen=True)
class _Coded:
    """A text column coded as integers: per row the index of its text among ``names``.

    When coded by runs, ``starts`` holds the first row and ``run_codes`` the code of each run.
    """

    codes: Positions
    names: list[str]
    starts: IntArray | None = None
    run_codes: Positions | None = None

    def any_per_name(self, mask: BoolArray) -> BoolArray:
        """Per name whether ``mask`` holds for any of its rows."""
        if self.starts is None or self.run_codes is None or not mask.size:
            return np.bincount(self.codes[mask], minlength=len(self.names)) > 0
        found = np.zeros(len(self.names), np.bool_)
        found[self.run_codes[np.logical_or.reduceat(mask, self.starts)]] = True
        return found

    def per_row(self, of_name: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Per row the entry of its name in ``of_name`` (repeated per run when coded by runs:
        a copy instead of a gather)."""
        if self.starts is None or self.run_codes is None:
            return of_name[self.codes]
        lengths = np.diff(np.append(self.starts, self.codes.size))
        return np.repeat(of_name[self.run_codes], lengths)


def _codes(column: pl.Series) -> _Coded:
    """Per row the index of its value among the sorted distinct values, and those values.

    Result columns come in long runs of one indicator (or key), so coding the runs is much
    faster than coding every row.
    """
    runs = column.rle().struct.unnest()
    if runs.height > column.len() // 16:
        names = sorted(column.unique().to_list())
        codes = column.cast(pl.Enum(names)).to_physical().to_numpy()
        return _Coded(np.asarray(codes, np.int32), names)
    names = sorted(set(runs["value"].to_list()))
    number = {name: index for index, name in enumerate(names)}
    values = np.asarray([number[value] for value in runs["value"].to_list()], dtype=np.int32)
    lengths = runs["len"].to_numpy()
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return _Coded(np.repeat(values, lengths), names, starts, values)


def _minimums(
    with_denominator: BoolArray, rows: _Rows, minimum: Mapping[str, float]
) -> dict[str, float]:
    """The minimum denominator per indicator; counts without denominator need none."""
    missing = [n for n, has in zip(rows.names, with_denominator, strict=True) if has]
    missing = sorted(set(missing) - set(minimum))
    if missing:
        raise ValueError(f"no minimum denominator in the catalogue for {missing}")
    return dict.fromkeys(rows.names, 0.0) | dict(minimum)


def _count_status(
    rows: _Rows,
    counts: dict[str, FloatArray],
    series: Mapping[tuple[str, str], str | None],
    small: BoolArray,
    min_count: int,
    layout: _Layout | None,
) -> dict[str, BoolArray]:
    """Per row and count (numerator, denominator) whether the count is hidden.

    Every count becomes a cell of its series (the variable behind it) by area, period and
    breakdown key; indicators sharing a series share its cells and so its suppression.
    ``counts`` is emptied once its values are in the cells: millions of rows need not be held
    twice during suppression. ``series`` names the count behind each indicator and role
    (`_series`).
    """
    names = sorted({name for name in series.values() if name is not None})
    number = {name: index for index, name in enumerate(names)}
    serials = {
        role: np.asarray(
            [number.get(series[(name, role)] or "", -1) for name in rows.names], dtype=np.int64
        )
        for role in counts
    }
    if layout is not None:
        return _layout_count_status(rows, layout, counts, serials, len(names), small, min_count)
    keys: dict[str, tuple[IntArray, IntArray]] = {}
    for role, of_indicator in serials.items():
        serial = of_indicator[rows.indicator]
        taken = np.flatnonzero(serial >= 0)
        keys[role] = (taken, _cell_key(rows, serial[taken], taken))
    slots = max(len(names), 1) * rows.parents.size * rows.n_periods * rows.n_keys
    cells = _Cells([key for _, key in keys.values()], slots)
    of_rows = dict(zip(keys, cells.of_rows, strict=True))
    per_cell = np.full(cells.keys.size, np.nan)
    for role, (taken, _) in keys.items():
        per_cell[of_rows[role]] = counts[role][taken]
    for role, (taken, _) in keys.items():
        _check_agree(per_cell[of_rows[role]], counts[role][taken])
    counts.clear()
    sensitive = np.zeros(cells.keys.size, np.bool_)
    sensitive[of_rows["numerator"][small[keys["numerator"][0]]]] = True
    suppression = suppress_grid(
        per_cell, _cell_grid(rows, cells.keys), min_count=min_count, sensitive=sensitive
    )
    hidden_cells = suppression.suppressed | suppression.missing
    hidden: dict[str, BoolArray] = {}
    for role, (taken, _) in keys.items():
        mask = np.zeros(rows.indicator.size, np.bool_)
        mask[taken] = hidden_cells[of_rows[role]]
        hidden[role] = mask
    return hidden


def _check_agree(found: FloatArray, values: FloatArray) -> None:
    if not np.all((found == values) | (np.isnan(found) & np.isnan(values))):
        raise ValueError("indicators sharing a count variable disagree about its values")


@dataclass(frozen=True)
class _Layout:
    """Results in which every indicator has the same rows in the same order, and these rows are
    every combination of consecutive periods, some areas and some breakdown keys: a cube per
    indicator.

    Results of the indicator engine have this form. Count cells of a series are then a cube as
    well, laid out in the order of the general path (period, area, key), and the relations of
    one table (series and period) serve for all tables.
    """

    size: int
    blocks: Positions
    order: IntArray
    areas: Positions
    keys: Positions
    n_periods: int
    # Rows by area, then period and key (the engine's order): cells are then a transposed
    # view of the rows, and reordering is a strided copy instead of a gather.
    transposed: bool = False

    @classmethod
    def of(cls, rows: _Rows) -> _Layout | None:
        """The layout of the rows, or None when they do not have this form."""
        n_blocks = len(rows.names)
        if n_blocks == 0 or rows.indicator.size % n_blocks:
            return None
        size = rows.indicator.size // n_blocks
        blocks = rows.indicator[::size]
        if np.unique(blocks).size != n_blocks:
            return None
        for column, first in (
            (rows.indicator, blocks[:, None]),
            (rows.area, rows.area[:size]),
            (rows.period, rows.period[:size]),
            (rows.key, rows.key[:size]),
        ):
            if not np.array_equal(
                column.reshape(n_blocks, size), np.broadcast_to(first, (n_blocks, size))
            ):
                return None
        areas, area = np.unique(rows.area[:size], return_inverse=True)
        periods, period = np.unique(rows.period[:size], return_inverse=True)
        keys, key = np.unique(rows.key[:size], return_inverse=True)
        consecutive = periods.size == int(periods[-1] - periods[0]) + 1
        if areas.size * periods.size * keys.size != size or not consecutive:
            return None
        cell = (period.reshape(-1) * areas.size + area.reshape(-1)) * keys.size + key.reshape(-1)
        order = np.argsort(cell)
        if not np.array_equal(cell[order], np.arange(size)):
            return None
        by_area = np.arange(size).reshape(areas.size, periods.size, keys.size)
        transposed = np.array_equal(order, by_area.transpose(1, 0, 2).reshape(-1))
        return cls(size, blocks, order, areas, keys, int(periods.size), transposed)

    @property
    def per_table(self) -> int:
        return int(self.areas.size * self.keys.size)

    def to_cells(self, rows: npt.NDArray[Any], out: npt.NDArray[Any]) -> None:
        """Write the values of one block's rows into ``out`` in cell order."""
        if self.transposed:
            cube = (self.areas.size, self.n_periods, self.keys.size)
            out.reshape(self.n_periods, self.areas.size, self.keys.size)[...] = rows.reshape(
                cube
            ).transpose(1, 0, 2)
        else:
            np.take(rows, self.order, out=out)

    def to_rows(self, cells: npt.NDArray[Any], out: npt.NDArray[Any]) -> None:
        """Write the values of one block's cells into ``out`` (its rows) in row order."""
        if self.transposed:
            table = (self.n_periods, self.areas.size, self.keys.size)
            out.reshape(self.areas.size, self.n_periods, self.keys.size)[...] = cells.reshape(
                table
            ).transpose(1, 0, 2)
        else:
            out[self.order] = cells

    def table(self, rows: _Rows) -> Grid:
        """The grid of one table: every area present with every key, in cell order."""
        return Grid(
            table=np.zeros(self.per_table, np.int64),
            area=np.repeat(self.areas, self.keys.size),
            categories=rows.key_categories[np.tile(self.keys, self.areas.size)],
            parents=rows.parents,
        )

    def city_hidden(self, hidden: BoolArray, rows: _Rows) -> BoolArray:
        """Per row whether the city's value of its indicator, period and key is hidden (with
        several top areas: whether any of theirs is). Reads only the first block's rows."""
        if self.transposed:
            top = np.flatnonzero(rows.tops[self.areas])
            if top.size == 1:
                cube = (self.blocks.size, self.areas.size, self.n_periods, self.keys.size)
                of_city = hidden.reshape(cube)[:, int(top[0]) : int(top[0]) + 1]
                return np.broadcast_to(of_city, cube).reshape(-1)
        slot = rows.period[: self.size].astype(np.int64) * rows.n_keys + rows.key[: self.size]
        tops = np.flatnonzero(rows.tops[rows.area[: self.size]])
        by_block = hidden.reshape(self.blocks.size, self.size)
        count = np.zeros((self.blocks.size, int(slot.max(initial=0)) + 1), np.int32)
        np.add.at(count.T, slot[tops], by_block[:, tops].T.astype(np.int32))
        return np.asarray((count > 0)[:, slot].reshape(-1), dtype=np.bool_)

    def changes_hidden(self, hidden: BoolArray, years: int) -> BoolArray:
        """Per row whether its change over ``years`` is hidden: either year hidden or missing."""
        if self.transposed:
            # The earlier year of a row is `years` rows of its area before it.
            cube = (self.blocks.size, self.areas.size, self.n_periods, self.keys.size)
            of_year = hidden.reshape(cube)
            either = of_year.copy()
            either[:, :, :years] = True
            if years < self.n_periods:
                either[:, :, years:] |= of_year[:, :, : self.n_periods - years]
            return either.reshape(-1)
        cell = np.empty(self.size, np.int64)
        cell[self.order] = np.arange(self.size)
        before = cell - years * self.per_table
        earlier = np.where(before >= 0, self.order[np.maximum(before, 0)], -1)
        by_block = hidden.reshape(self.blocks.size, self.size)
        changed = by_block | (earlier < 0)[None, :] | by_block[:, np.maximum(earlier, 0)]
        return np.asarray(changed.reshape(-1), dtype=np.bool_)


def _layout_count_status(
    rows: _Rows,
    layout: _Layout,
    counts: dict[str, FloatArray],
    serials: Mapping[str, IntArray],
    n_series: int,
    small: BoolArray,
    min_count: int,
) -> dict[str, BoolArray]:
    """`_count_status` for results with a `_Layout`: the cells of a series form a cube."""
    size = layout.size
    per_cell = np.full((max(n_series, 1), size), np.nan)
    sensitive = np.zeros(per_cell.shape, np.bool_)
    filled = np.zeros(per_cell.shape[0], np.bool_)
    values, small_cells = np.empty(size), np.empty(size, np.bool_)
    for block, indicator in enumerate(layout.blocks.tolist()):
        rows_of_block = slice(block * size, (block + 1) * size)
        for role, serial in serials.items():
            number = int(serial[indicator])
            if number < 0:
                continue
            if filled[number]:
                layout.to_cells(counts[role][rows_of_block], values)
                _check_agree(per_cell[number], values)
            else:
                layout.to_cells(counts[role][rows_of_block], per_cell[number])
                filled[number] = True
            if role == "numerator":
                layout.to_cells(small[rows_of_block], small_cells)
                sensitive[number] |= small_cells
    counts.clear()
    shape = (per_cell.shape[0] * layout.n_periods, layout.per_table)
    suppression = suppress_tables(
        per_cell.reshape(shape),
        layout.table(rows),
        min_count=min_count,
        sensitive=sensitive.reshape(shape),
    )
    hidden_cells = (suppression.suppressed | suppression.missing).reshape(per_cell.shape)
    hidden: dict[str, BoolArray] = {}
    for role, serial in serials.items():
        mask = np.zeros(rows.indicator.size, np.bool_)
        for block, indicator in enumerate(layout.blocks.tolist()):
            number = int(serial[indicator])
            if number >= 0:
                layout.to_rows(hidden_cells[number], mask[block * size : (block + 1) * size])
        hidden[role] = mask
    return hidden


def _cell_key(rows: _Rows, serial: IntArray, taken: IntArray) -> IntArray:
    """The linear key of a count cell: table (series and period), area, breakdown key."""
    table = serial * rows.n_periods + rows.period[taken]
    return (table * rows.parents.size + rows.area[taken]) * rows.n_keys + rows.key[taken]


class _Cells:
    """The distinct cell keys of several lists of rows (ascending), and each row's cell."""

    def __init__(self, lists: Sequence[IntArray], slots: int) -> None:
        if slots > max(8 * sum(k.size for k in lists), 1 << 22):
            self.keys, inverse = np.unique(np.concatenate(lists), return_inverse=True)
            bounds = np.cumsum([0, *(k.size for k in lists)])
            self.of_rows = [inverse[a:b] for a, b in pairwise(bounds.tolist())]
            return
        present = np.zeros(slots, np.bool_)
        for keys in lists:
            present[keys] = True
        self.keys = np.flatnonzero(present)
        position = np.full(slots, -1, dtype=np.int64)
        position[self.keys] = np.arange(self.keys.size)
        self.of_rows = [position[keys] for keys in lists]


def _cell_grid(rows: _Rows, keys: IntArray) -> Grid:
    """The grid of the count cells: one table per series and period."""
    table = keys // (rows.parents.size * rows.n_keys)
    in_table = keys - table * (rows.parents.size * rows.n_keys)
    if rows.n_keys == 1:  # totals only: no division needed
        area, key = in_table, np.zeros(keys.size, np.int64)
    else:
        area, key = in_table // rows.n_keys, in_table % rows.n_keys
    return Grid(table=table, area=area, categories=rows.key_categories[key], parents=rows.parents)


def _series(
    rows: _Rows,
    counts: Mapping[str, FloatArray],
    with_counts: Mapping[str, BoolArray],
    variables: Mapping[str, tuple[str, str | None]] | None,
) -> dict[tuple[str, str], str | None]:
    """A name for the count behind each indicator and role: its variable, or its content.

    None for a role without any count (an indicator without denominator): it has nothing to
    protect.
    """
    named: dict[tuple[str, str], str | None] = {}
    for role_index, (role, values) in enumerate(counts.items()):
        has_counts = with_counts[role]
        given = {name: (variables or {}).get(name, (None, None))[role_index] for name in rows.names}
        unnamed = [n for n, has in zip(rows.names, has_counts, strict=True) if has and not given[n]]
        prints = _fingerprints(rows, values) if unnamed else []
        for index, name in enumerate(rows.names):
            if not has_counts[index]:
                named[(name, role)] = None
            else:
                named[(name, role)] = given[name] or "content:" + prints[index]
    return named


def _fingerprints(rows: _Rows, values: FloatArray) -> list[str]:
    """Per indicator a digest of its (area, period, key, count) cells, independent of order."""
    cell = (rows.area.astype(np.int64) * rows.n_periods + rows.period) * rows.n_keys + rows.key
    bits = np.where(np.isnan(values), -1.0, values).view(np.uint64)
    mixed = _mix(_mix(cell.astype(np.uint64)) ^ bits)
    sums = [
        np.bincount(rows.indicator, weights=((mixed >> shift) & 0xFFFFFF).astype(np.float64),
                    minlength=len(rows.names))
        for shift in (0, 20, 40)
    ]  # fmt: skip
    sizes = np.bincount(rows.indicator, minlength=len(rows.names))
    return [
        f"{size}:" + ":".join(f"{int(total[index]):x}" for total in sums)
        for index, size in enumerate(sizes.tolist())
    ]


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The splitmix64 finaliser: scrambles the bits of each value (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


def _published(
    frame: pl.DataFrame, masks: Mapping[str, BoolArray], without_denominator: pl.Series | None
) -> pl.DataFrame:
    """The frame with the masked values set to null and flag columns (of type `FLAG`): "." for
    null, "-" for a zero count or rate, "" otherwise; all columns computed side by side.

    A count indicator has no denominator: its denominator flag is "x", not applicable.
    """
    hidden = {column: pl.lit(pl.Series(mask)) for column, mask in masks.items()}
    named = {"value": "flag", "numerator": "numerator_flag", "denominator": "denominator_flag"}
    named |= {change: f"{change}_flag" for change in _CHANGES}
    columns = [
        pl.when(mask).then(None).otherwise(pl.col(column)).alias(column)
        for column, mask in hidden.items()
    ]
    for column, flag in named.items():
        if column not in frame.columns:
            continue
        absent = pl.lit(False)
        if column == "denominator" and without_denominator is not None:
            absent = pl.lit(without_denominator)
        secret = pl.col(column).is_null()
        if column in hidden:
            secret = secret | hidden[column]
        zero = pl.lit(column not in _CHANGES) & (pl.col(column) == 0)
        expression = (
            pl.when(absent)
            .then(pl.lit(NOT_APPLICABLE, FLAG))
            .when(secret)
            .then(pl.lit(SECRET, FLAG))
            .when(zero)
            .then(pl.lit(NOTHING, FLAG))
            .otherwise(pl.lit("", FLAG))
        )
        columns.append(expression.alias(flag))
    return frame.with_columns(columns)


def _without_denominator(frame: pl.DataFrame) -> pl.Series | None:
    """Per row whether its indicator has no denominator at all (a count), or None if none has."""
    if "denominator" not in frame.columns or "indicator" not in frame.columns:
        return None
    coded = _codes(frame["indicator"])
    return _rows_without(coded, coded.any_per_name(frame["denominator"].is_not_null().to_numpy()))


def _rows_without(coded: _Coded, with_denominator: BoolArray) -> pl.Series | None:
    if with_denominator.all():
        return None
    return pl.Series(coded.per_row(~with_denominator))
