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

from .cells import CountCells, Slots, count_cells
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
    cells = count_cells(frame, areas=areas, catalogue=catalogue)
    sensitive = (cells.values > 0) & (cells.values < min_count)
    hidden = protect_cells(
        cells.values,
        cells.relations,
        sensitive=sensitive,
        width=protection_width,
        hidden=cells.never_published | np.isnan(cells.values),
        keep=cells.is_city,
    )
    rules = _Rules(
        minimums={i.key: i.min_denominator for i in catalogue},
        descending={i.key: i.polarity != "higher_is_better" for i in catalogue},
        city=areas.filter(pl.col("parent").is_null())["code"].to_list(),
        change_n_years=change_n_years,
        levels=dict(zip(areas["code"].to_list(), areas["level"].to_list(), strict=True)),
    )
    return _public_frame(frame, cells, hidden, rules)


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
    no_denominator = _without_denominator(frame)
    return frame.with_columns(
        _flag("value", pl.lit(False)).alias("flag"),
        _flag("numerator", pl.lit(False)).alias("numerator_flag"),
        _flag("denominator", pl.lit(False), absent=no_denominator).alias("denominator_flag"),
        _flag("change_1", pl.lit(False), zero=False).alias("change_1_flag"),
        _flag("change_n", pl.lit(False), zero=False).alias("change_n_flag"),
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


def _without_denominator(frame: pl.DataFrame) -> pl.Expr:
    """Rows of indicators without any denominator (counts): their denominator is "x"."""
    return pl.col("denominator").is_null().all().over("indicator")


def _flag(
    column: str, hidden: pl.Expr, *, zero: bool = True, absent: pl.Expr | None = None
) -> pl.Expr:
    secret = pl.col(column).is_null() | hidden
    is_zero = (pl.col(column) == 0) if zero else pl.lit(False)
    cases = [(secret, SECRET), (is_zero, NOTHING)]
    return _first_flag(cases if absent is None else [(absent, NOT_APPLICABLE), *cases])


def _first_flag(cases: list[tuple[pl.Expr, str]]) -> pl.Expr:
    """The flag of the first case that holds ("" if none does).

    Chosen as a small integer, then made a flag: choosing among flag literals row by row is
    many times slower on millions of rows.
    """
    codes = pl.lit(0, pl.UInt8)
    for condition, flag in reversed(cases):
        codes = pl.when(condition).then(pl.lit(_FLAGS.index(flag), pl.UInt8)).otherwise(codes)
    return codes.replace_strict(dict(enumerate(_FLAGS)), return_dtype=FLAG)


@dataclass(frozen=True)
class _Rules:
    minimums: Mapping[str, float]
    descending: Mapping[str, bool]
    city: list[str]
    change_n_years: int
    levels: Mapping[str, str]  # area code -> level


def _public_frame(
    frame: pl.DataFrame, cells: CountCells, hidden: BoolArray, rules: _Rules
) -> pl.DataFrame:
    numerator_hidden = _role_hidden(cells.numerator, hidden)
    denominator_hidden = _role_hidden(cells.denominator, hidden)
    has_denominator = cells.denominator >= 0
    indicators = [indicator for indicator, _ in cells.tables]
    minimum = np.array([rules.minimums.get(i, 0.0) for i in indicators], dtype=np.float64)
    descending = np.array([rules.descending.get(i, True) for i in indicators], dtype=np.bool_)
    table = cells.row_table
    counts = frame.with_columns(
        pl.Series("_num_hidden", numerator_hidden),
        pl.Series("_den_hidden", denominator_hidden & has_denominator),
        pl.Series("_has_den", has_denominator),
        pl.Series("_minimum", minimum[table]),
        pl.Series("_descending", descending[table]),
        pl.Series("_no_den", _without_denominators(frame, cells)),
    )
    value_secret = (
        pl.col("_num_hidden")
        | pl.col("_den_hidden")
        | pl.col("numerator").is_null()
        | (pl.col("_has_den") & pl.col("denominator").is_null())
        | pl.col("value").is_null()
    )
    unreliable = pl.col("_has_den") & (pl.col("denominator") < pl.col("_minimum"))
    flagged = counts.with_columns(
        _first_flag(
            [(value_secret, SECRET), (unreliable, UNRELIABLE), (pl.col("value") == 0, NOTHING)]
        ).alias("flag"),
        _flag("numerator", pl.col("_num_hidden")).alias("numerator_flag"),
        _flag("denominator", pl.col("_den_hidden"), absent=pl.col("_no_den")).alias(
            "denominator_flag"
        ),
    )
    shown = pl.col("flag").is_in(["", NOTHING])
    flagged = flagged.with_columns(
        pl.when(~pl.col("_num_hidden")).then(pl.col("numerator")).alias("numerator"),
        pl.when(~pl.col("_den_hidden")).then(pl.col("denominator")).alias("denominator"),
        pl.when(shown).then(pl.col("value")).alias("value"),
    )
    years = _Years.of(cells, flagged["period"].to_numpy())
    flagged = _with_changes(flagged, years, rules.change_n_years)
    flagged = _with_city(flagged, cells, years, rules.city)
    flagged = _with_ranks(flagged, _rank_groups(cells, years, rules.levels))
    return flagged.drop(
        "_num_hidden", "_den_hidden", "_has_den", "_minimum", "_descending", "_no_den"
    )


def _without_denominators(frame: pl.DataFrame, cells: CountCells) -> BoolArray:
    """Per row: its indicator has no denominator in any row (a count); "x" then."""
    with_denominator = np.bincount(
        cells.row_table,
        weights=frame["denominator"].is_not_null().to_numpy(),
        minlength=len(cells.tables),
    )
    per_indicator: dict[str, float] = {}
    for (indicator, _), found in zip(cells.tables, with_denominator.tolist(), strict=True):
        per_indicator[indicator] = per_indicator.get(indicator, 0.0) + found
    none = np.array([per_indicator[indicator] == 0 for indicator, _ in cells.tables])
    return none[cells.row_table] if none.size else np.zeros(frame.height, dtype=np.bool_)


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
    def of(cls, cells: CountCells, period: np.ndarray) -> _Years:
        first, last = (int(period.min()), int(period.max())) if period.size else (0, 0)
        span = last - first + 1
        series = cells.row_table * len(cells.area_codes) + cells.row_area
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


def _with_changes(frame: pl.DataFrame, years: _Years, change_n_years: int) -> pl.DataFrame:
    """Changes published where the values of both years are (and the earlier row exists)."""
    shown = frame["value"].is_not_null().to_numpy()
    columns = []
    for change, span in (("change_1", 1), ("change_n", change_n_years)):
        earlier = years.earlier(span)
        ok = shown & (earlier >= 0) & shown[np.maximum(earlier, 0)]
        columns.append(pl.when(pl.Series(ok)).then(pl.col(change)).alias(change))
    frame = frame.with_columns(columns)
    return frame.with_columns(
        _flag("change_1", pl.lit(False), zero=False).alias("change_1_flag"),
        _flag("change_n", pl.lit(False), zero=False).alias("change_n_flag"),
    )


def _rank_groups(cells: CountCells, years: _Years, levels: Mapping[str, str]) -> np.ndarray:
    """Per row the number of its group (indicator, breakdown cell, level and year)."""
    names = sorted({levels.get(code, "") for code in cells.area_codes})
    level = np.array([names.index(levels.get(code, "")) for code in cells.area_codes])
    span = int(years.period.max(initial=0)) + 1
    table_level = cells.row_table * len(names) + level[cells.row_area]
    groups: np.ndarray = table_level * span + years.period
    return groups


def _with_city(
    frame: pl.DataFrame, cells: CountCells, years: _Years, codes: list[str]
) -> pl.DataFrame:
    """The city value where the city's own value is published; differences where both are."""
    city_area = np.isin(np.array(cells.area_codes, dtype=object), codes)
    # One slot per table and year; the first city row of each counts.
    span = int(years.period.max(initial=0)) + 1
    slot = cells.row_table * span + years.period
    rows = np.flatnonzero(city_area[cells.row_area])[::-1]
    city_shown = np.zeros(len(cells.tables) * span, dtype=np.bool_)
    city_shown[slot[rows]] = frame["value"].is_not_null().to_numpy()[rows]
    city = pl.Series(city_shown[slot])
    both = pl.col("value").is_not_null() & city
    return frame.with_columns(
        pl.when(city).then(pl.col("city_value")).alias("city_value"),
        pl.when(both).then(pl.col("diff_city")).alias("diff_city"),
        pl.when(both).then(pl.col("ratio_city")).alias("ratio_city"),
    )


def _with_ranks(frame: pl.DataFrame, groups: np.ndarray) -> pl.DataFrame:
    """Ranks, deciles and z-scores among the published values of each group only.

    The rules are the engine's (`quartier.analysis.compare`): the smallest rank for ties,
    1 the most disadvantaged; deciles floor(10 (rank − 1) / n) + 1; z-scores with the
    population standard deviation. A test checks that they agree with the engine's.
    """
    frame = frame.with_columns(pl.Series("_group", groups))
    had_rank = pl.col("rank").is_not_null()
    value = pl.col("value")
    descending = pl.col("_descending")
    key = pl.when(descending).then(-value).otherwise(value)
    rank = key.rank("min").over("_group")
    count = value.count().over("_group")
    mean = value.mean().over("_group")
    spread = value.std(ddof=0).over("_group")
    real = spread > 1e-12 * pl.max_horizontal(mean.abs(), pl.lit(1.0))
    return frame.with_columns(
        pl.when(had_rank & value.is_not_null()).then(rank.cast(pl.Int64)).alias("rank"),
        pl.when(had_rank & value.is_not_null())
        .then(((rank.cast(pl.Float64) - 1.0) * 10.0 / count).floor().cast(pl.Int64) + 1)
        .alias("decile"),
        pl.when(pl.col("zscore").is_not_null() & value.is_not_null() & real)
        .then((value - mean) / spread)
        .alias("zscore"),
    ).drop("_group")
