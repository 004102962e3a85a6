"""The publication: which figure of the indicator results is public, decided once.

`publish` takes the engine's results (the internal view) of all indicators, levels, years and
breakdown cells at once and returns the public view of every row: the same key columns, each
figure null where it is not published, and flag columns. `quartier compute` stores it; every
public output reads the stored publication, so the pattern never depends on the request.

The decision, in order:

1. Counts. Every numerator and denominator is mapped to its count cell (`cells`): the same
   count under any indicator, role or year is one cell. Counts from 1 to ``min_count - 1``
   are sensitive; complements are hidden until each sensitive count keeps a feasible
   interval of at least ``protection_width`` (`protection`). Zeros are published ("-").
2. Values. A value is published when its counts are: numerator and denominator together
   give nothing more away. A rate on a denominator below the indicator's minimum is
   withheld as unreliable ("/"), its counts are published as decided in step 1.
3. Derived figures. A change is published when the values of both years are; the city
   value when the city's value is; differences and ratios to the city when both are; ranks,
   deciles and z-scores are computed anew among the published values of each level, year and
   breakdown cell, so they say nothing about the values withheld.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from quartier.analysis.catalogue import Catalogue

from ._slots import Slots
from .cells import count_cells
from .primary import DEFAULT_MIN_COUNT
from .protection import DEFAULT_PROTECTION_WIDTH, protect_cells
from .relations import BoolArray

__all__ = [
    "DEFAULT_PROTECTION_WIDTH",
    "FLAG",
    "FLAG_COLUMNS",
    "UNRELIABLE",
    "hierarchy_levels",
    "internal_view",
    "publish",
]

SECRET, NOTHING, NOT_APPLICABLE, UNRELIABLE = ".", "-", "x", "/"
_FLAGS = ["", SECRET, NOTHING, NOT_APPLICABLE, UNRELIABLE]
# Flags take a byte each instead of a string: millions of values are flagged at once.
FLAG = pl.Enum(_FLAGS)
FLAG_COLUMNS = ("flag", "numerator_flag", "denominator_flag", "change_1_flag", "change_n_flag")


def publish(
    results: pl.DataFrame,
    *,
    areas: pl.DataFrame,
    catalogue: Catalogue,
    min_count: int = DEFAULT_MIN_COUNT,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    change_n_years: int = 5,
    breakdowns: bool | Collection[str] = False,
) -> pl.DataFrame:
    """The public view of indicator results (all levels, years and breakdown cells at once).

    Parameters
    ----------
    results
        The engine's results: ``indicator``, ``area``, ``level``, ``period``,
        ``breakdown_key``, ``numerator``, ``denominator``, ``value`` and the comparison
        columns (see `quartier.analysis.indicators.OUTPUT_SCHEMA`).
    areas
        Every area with ``code`` and ``parent`` (null for the city).
    catalogue
        The catalogue the results were computed with.
    min_count
        Counts from 1 to ``min_count - 1`` are sensitive.
    protection_width
        The least width of the interval an attacker can narrow a sensitive count to.
    change_n_years
        The years ``change_n`` spans.
    breakdowns
        Where breakdown cells are published: nowhere (False, the default: the public view
        holds only the totals, breakdown key ""), on every level (True), or on the levels
        named. A count that is part of no published figure tells nothing, so the fewer
        levels, the fewer cells to protect: the finest levels hold most of the small counts
        and take most of the time.

    Returns
    -------
    polars.DataFrame
        The rows of ``results`` with the figures not published set to null and the flag
        columns `FLAG_COLUMNS` ("" published, "." secret, "-" zero, "x" not applicable,
        "/" withheld as unreliable).

    Examples
    --------
    >>> from quartier.analysis.catalogue import load_catalogue
    >>> areas = pl.DataFrame({"code": ["S", "A", "B", "C"], "parent": [None, "S", "S", "S"],
    ...                       "level": ["stadt"] + ["bezirk"] * 3})
    >>> results = pl.DataFrame({
    ...     "indicator": ["einwohnerzahl"] * 4, "area": ["S", "A", "B", "C"],
    ...     "level": ["stadt"] + ["bezirk"] * 3, "period": [2024] * 4, "breakdown_key": [""] * 4,
    ...     "numerator": [110.0, 2.0, 40.0, 68.0], "denominator": [None] * 4,
    ...     "value": [110.0, 2.0, 40.0, 68.0]})
    >>> public = publish(results, areas=areas, catalogue=load_catalogue())
    >>> public.select("area", "value", "flag").rows()
    [('S', 110.0, ''), ('A', None, '.'), ('B', None, '.'), ('C', 68.0, '')]
    """
    frame = _complete(results)
    if breakdowns is not True:
        levels = list(breakdowns) if breakdowns else []
        frame = frame.filter((pl.col("breakdown_key") == "") | pl.col("level").is_in(levels))
    rows = _decided_rows(frame, areas, catalogue, min_count, protection_width)
    rules = _Rules(
        minimums={i.key: i.min_denominator for i in catalogue},
        descending={i.key: i.polarity != "higher_is_better" for i in catalogue},
        city=areas.filter(pl.col("parent").is_null())["code"].to_list(),
        change_n_years=change_n_years,
        levels=dict(zip(areas["code"].to_list(), areas["level"].to_list(), strict=True)),
    )
    return _public_frame(frame, rows, rules)


def hierarchy_levels(areas: pl.DataFrame) -> list[str]:
    """The levels of the areas from the top down: the city's first, then those below it.

    Examples
    --------
    >>> areas = pl.DataFrame({"code": ["A1", "S", "A"], "parent": ["A", None, "S"],
    ...                       "level": ["block", "stadt", "bezirk"]})
    >>> hierarchy_levels(areas)
    ['stadt', 'bezirk', 'block']
    """
    levels: list[str] = []
    tier = areas.filter(pl.col("parent").is_null())
    while tier.height:
        found = tier["level"].unique(maintain_order=True)
        levels += [level for level in found if level not in levels]
        tier = areas.filter(pl.col("parent").is_in(tier["code"].implode()))
    return levels


def internal_view(results: pl.DataFrame) -> pl.DataFrame:
    """The planners' view: every figure as computed, flags "." only where a value is missing.

    Examples
    --------
    >>> results = pl.DataFrame({"indicator": ["a"], "area": ["S"], "level": ["stadt"],
    ...     "period": [2024], "breakdown_key": [""], "numerator": [0.0],
    ...     "denominator": [None], "value": [0.0]})
    >>> internal_view(results).select("flag", "numerator_flag", "denominator_flag").row(0)
    ('-', '-', 'x')
    """
    frame = _complete(results)
    no_denominator = frame.select(_without_denominator()).to_series().to_numpy()
    hidden = np.zeros(frame.height, dtype=np.bool_)
    return frame.with_columns(
        _flags([(_missing(frame["value"]), SECRET), (_zero(frame["value"]), NOTHING)], "flag"),
        _count_flags(frame["numerator"], hidden, "numerator_flag"),
        _count_flags(frame["denominator"], hidden, "denominator_flag", absent=no_denominator),
        _flags([(_missing(frame["change_1"]), SECRET)], "change_1_flag"),
        _flags([(_missing(frame["change_n"]), SECRET)], "change_n_flag"),
    )


_FIGURES = {
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "city_value": pl.Float64,
    "diff_city": pl.Float64,
    "ratio_city": pl.Float64,
    "rank": pl.Int64,
    "decile": pl.Int64,
    "zscore": pl.Float64,
    "change_1": pl.Float64,
    "change_n": pl.Float64,
}


def _complete(results: pl.DataFrame) -> pl.DataFrame:
    """The results with every figure column (null where absent) in a fixed type."""
    missing = [
        pl.lit(None, dtype).alias(name) for name, dtype in _FIGURES.items() if name not in results
    ]
    frame = results.with_columns(missing) if missing else results
    if "breakdown_key" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("breakdown_key"))
    if "missing_reason" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("missing_reason"))
    return frame.with_columns(
        pl.col("breakdown_key").cast(pl.Utf8).fill_null(""),
        pl.col("period").cast(pl.Int64),
        *(pl.col(name).cast(dtype) for name, dtype in _FIGURES.items()),
    )


def _without_denominator() -> pl.Expr:
    """Rows of indicators without any denominator (counts): their denominator is "x"."""
    return pl.col("denominator").is_null().all().over("indicator")


def _missing(column: pl.Series) -> BoolArray:
    return column.is_null().to_numpy()


def _zero(column: pl.Series) -> BoolArray:
    return (column == 0).fill_null(False).to_numpy()


def _count_flags(
    column: pl.Series, hidden: BoolArray, name: str, *, absent: BoolArray | None = None
) -> pl.Series:
    """The flag of a numerator or denominator: "x" absent, "." hidden or missing, "-" zero."""
    cases = [(_missing(column) | hidden, SECRET), (_zero(column), NOTHING)]
    return _flags(cases if absent is None else [(absent, NOT_APPLICABLE), *cases], name)


def _flags(cases: list[tuple[BoolArray, str]], name: str) -> pl.Series:
    """Per row the flag of the first case that holds ("" if none does).

    Chosen as a byte per row, then made a flag: choosing among flag strings row by row is
    many times slower on millions of rows.
    """
    codes = np.zeros(cases[0][0].size, dtype=np.uint8)
    for condition, flag in reversed(cases):
        codes[condition] = _FLAGS.index(flag)
    return pl.Series(name, codes).replace_strict(dict(enumerate(_FLAGS)), return_dtype=FLAG)


@dataclass(frozen=True)
class _Rules:
    minimums: Mapping[str, float]
    descending: Mapping[str, bool]
    city: list[str]
    change_n_years: int
    levels: Mapping[str, str]  # area code -> level


@dataclass(frozen=True)
class _Rows:
    """What the publication needs of the count cells, per result row (see `CountCells`)."""

    numerator_hidden: BoolArray
    denominator_hidden: BoolArray  # False where the row has no denominator
    has_denominator: BoolArray
    row_table: np.ndarray
    row_area: np.ndarray
    tables: list[tuple[str, str]]
    area_codes: list[str]


def _decided_rows(
    frame: pl.DataFrame, areas: pl.DataFrame, catalogue: Catalogue, min_count: int, width: int
) -> _Rows:
    """Step 1: the counts' decision, per row. The cells and their relations, by far the
    largest arrays, are let go before the figures are built."""
    cells = count_cells(frame, areas=areas, catalogue=catalogue)
    sensitive = (cells.values > 0) & (cells.values < min_count)
    hidden = protect_cells(
        cells.values,
        cells.relations,
        sensitive=sensitive,
        width=width,
        hidden=cells.never_published | np.isnan(cells.values),
        keep=cells.is_city,
    )
    has_denominator = cells.denominator >= 0
    return _Rows(
        numerator_hidden=_role_hidden(cells.numerator, hidden),
        denominator_hidden=_role_hidden(cells.denominator, hidden) & has_denominator,
        has_denominator=has_denominator,
        row_table=cells.row_table,
        row_area=cells.row_area,
        tables=cells.tables,
        area_codes=cells.area_codes,
    )


def _public_frame(frame: pl.DataFrame, rows: _Rows, rules: _Rules) -> pl.DataFrame:
    """Steps 2 and 3: the figures published, each output column built once."""
    numerator, denominator, value = frame["numerator"], frame["denominator"], frame["value"]
    indicators = [indicator for indicator, _ in rows.tables]
    minimum = np.array([rules.minimums.get(i, 0.0) for i in indicators], dtype=np.float64)
    value_secret = (
        rows.numerator_hidden
        | rows.denominator_hidden
        | _missing(numerator)
        | (rows.has_denominator & _missing(denominator))
        | _missing(value)
    )
    # A missing denominator compares as NaN: never below the minimum.
    below = denominator.fill_null(np.nan).to_numpy() < minimum[rows.row_table]
    unreliable = rows.has_denominator & below
    value_zero = _zero(value)
    shown = ~value_secret & ~unreliable
    published = frame.select(_kept("value", shown)).to_series()
    years = _Years.of(rows, frame["period"].to_numpy())
    changes = _changes(frame, shown, years, rules.change_n_years)
    city = _city_shown(rows, years, shown, rules.city)
    both = shown & city
    descending = np.array([rules.descending.get(i, True) for i in indicators], dtype=np.bool_)
    ranks = _ranks(
        frame, published, _rank_groups(rows, years, rules.levels), descending[rows.row_table]
    )
    return frame.with_columns(
        _kept("numerator", ~rows.numerator_hidden),
        _kept("denominator", ~rows.denominator_hidden),
        published,
        _flags([(value_secret, SECRET), (unreliable, UNRELIABLE), (value_zero, NOTHING)], "flag"),
        _count_flags(numerator, rows.numerator_hidden, "numerator_flag"),
        _count_flags(
            denominator,
            rows.denominator_hidden,
            "denominator_flag",
            absent=_without_denominators(frame, rows),
        ),
        _kept("city_value", city),
        _kept("diff_city", both),
        _kept("ratio_city", both),
        *changes,
        *ranks,
    )


def _kept(name: str, keep: BoolArray) -> pl.Expr:
    """The column where ``keep`` holds, null elsewhere."""
    return pl.when(pl.Series(keep)).then(pl.col(name)).alias(name)


def _without_denominators(frame: pl.DataFrame, rows: _Rows) -> BoolArray:
    """Per row: its indicator has no denominator in any row (a count); "x" then."""
    with_denominator = np.bincount(
        rows.row_table,
        weights=frame["denominator"].is_not_null().to_numpy(),
        minlength=len(rows.tables),
    )
    per_indicator: dict[str, float] = {}
    for (indicator, _), found in zip(rows.tables, with_denominator.tolist(), strict=True):
        per_indicator[indicator] = per_indicator.get(indicator, 0.0) + found
    none = np.array([per_indicator[indicator] == 0 for indicator, _ in rows.tables])
    return none[rows.row_table] if none.size else np.zeros(frame.height, dtype=np.bool_)


def _role_hidden(positions: np.ndarray, hidden: BoolArray) -> BoolArray:
    present = positions >= 0
    out = np.zeros(positions.size, dtype=np.bool_)
    out[present] = hidden[positions[present]]
    return out


@dataclass(frozen=True)
class _Years:
    """The rows as series (indicator, breakdown cell, area) of years, found by number."""

    first: int
    period: np.ndarray  # per row, years since `first`
    key: np.ndarray  # per row, series * years + period
    rows: Slots
    row_at: np.ndarray  # the row of each key in use

    @classmethod
    def of(cls, cells: _Rows, period: np.ndarray) -> _Years:
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


def _changes(
    frame: pl.DataFrame, shown: BoolArray, years: _Years, change_n_years: int
) -> list[pl.Expr | pl.Series]:
    """Changes published where the values of both years are (and the earlier row exists)."""
    columns: list[pl.Expr | pl.Series] = []
    for change, span in (("change_1", 1), ("change_n", change_n_years)):
        earlier = years.earlier(span)
        ok = shown & (earlier >= 0) & shown[np.maximum(earlier, 0)]
        flag = _flags([(_missing(frame[change]) | ~ok, SECRET)], f"{change}_flag")
        columns += [_kept(change, ok), flag]
    return columns


def _rank_groups(cells: _Rows, years: _Years, levels: Mapping[str, str]) -> np.ndarray:
    """Per row the number of its group (indicator, breakdown cell, level and year)."""
    names = sorted({levels.get(code, "") for code in cells.area_codes})
    level = np.array([names.index(levels.get(code, "")) for code in cells.area_codes])
    span = int(years.period.max(initial=0)) + 1
    table_level = cells.row_table.astype(np.int64) * len(names) + level[cells.row_area]
    groups: np.ndarray = table_level * span + years.period
    return groups


def _city_shown(rows: _Rows, years: _Years, shown: BoolArray, codes: list[str]) -> BoolArray:
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


def _ranks(
    frame: pl.DataFrame, published: pl.Series, groups: np.ndarray, descending: BoolArray
) -> list[pl.Series]:
    """Ranks, deciles and z-scores among the published values of each group only.

    The rules are the engine's (`quartier.analysis.compare`): the smallest rank for ties,
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
