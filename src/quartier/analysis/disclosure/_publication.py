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

from ._count_cells import count_cells
from ._flags import (
    FLAG,
    NOTHING,
    SECRET,
    UNRELIABLE,
    count_flags,
    flags,
    missing,
    zero,
)
from ._primary import DEFAULT_MIN_COUNT
from ._protection import DEFAULT_PROTECTION_WIDTH, protect_cells
from ._public_figures import (
    Rows,
    Years,
    change_columns,
    city_shown,
    kept,
    rank_columns,
    rank_groups,
)
from ._relations import BoolArray

__all__ = [
    "DEFAULT_PROTECTION_WIDTH",
    "FLAG",
    "FLAG_COLUMNS",
    "UNRELIABLE",
    "hierarchy_levels",
    "internal_view",
    "publish",
]

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
    Old-age basic income support in the Musterstadt sample: the statistischer Bezirk 110102
    has 2 recipients, a sensitive count. It is hidden, and so is a second count of its
    Sozialraum (17 in 110105), so that the 2 cannot be worked out from the Sozialraum's total;
    the rates of both follow their counts.

    >>> from quartier.analysis.catalogue import load_catalogue
    >>> from quartier.analysis.indicators import compute_indicators
    >>> from quartier.analysis.musterstadt import load_example
    >>> example, catalogue = load_example(), load_catalogue()
    >>> results = compute_indicators(
    ...     example.observations, example.areas, catalogue,
    ...     years=[2024], indicators=["grundsicherung_alter"],
    ... ).values
    >>> public = publish(results, areas=example.areas, catalogue=catalogue)
    >>> hidden = public.filter(pl.col("numerator_flag") != "")
    >>> hidden.select("area", "numerator", "denominator", "value", "flag").rows()
    [('110102', None, 69.0, None, '.'), ('110105', None, 688.0, None, '.')]
    >>> public.filter(pl.col("flag") == "").height  # the values of the other 16 areas
    16
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
        flags([(missing(frame["value"]), SECRET), (zero(frame["value"]), NOTHING)], "flag"),
        count_flags(frame["numerator"], hidden, "numerator_flag"),
        count_flags(frame["denominator"], hidden, "denominator_flag", absent=no_denominator),
        flags([(missing(frame["change_1"]), SECRET)], "change_1_flag"),
        flags([(missing(frame["change_n"]), SECRET)], "change_n_flag"),
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


@dataclass(frozen=True)
class _Rules:
    minimums: Mapping[str, float]
    descending: Mapping[str, bool]
    city: list[str]
    change_n_years: int
    levels: Mapping[str, str]  # area code -> level


def _decided_rows(
    frame: pl.DataFrame, areas: pl.DataFrame, catalogue: Catalogue, min_count: int, width: int
) -> Rows:
    """Step 1: the counts' decision, per row.

    The cells and their relations, by far the largest arrays, are let go before the figures
    are built.
    """
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
    return Rows(
        numerator_hidden=_role_hidden(cells.numerator, hidden),
        denominator_hidden=_role_hidden(cells.denominator, hidden) & has_denominator,
        has_denominator=has_denominator,
        row_table=cells.row_table,
        row_area=cells.row_area,
        tables=cells.tables,
        area_codes=cells.area_codes,
    )


def _public_frame(frame: pl.DataFrame, rows: Rows, rules: _Rules) -> pl.DataFrame:
    """Steps 2 and 3: the figures published, each output column built once."""
    numerator, denominator, value = frame["numerator"], frame["denominator"], frame["value"]
    indicators = [indicator for indicator, _ in rows.tables]
    minimum = np.array([rules.minimums.get(i, 0.0) for i in indicators], dtype=np.float64)
    value_secret = (
        rows.numerator_hidden
        | rows.denominator_hidden
        | missing(numerator)
        | (rows.has_denominator & missing(denominator))
        | missing(value)
    )
    # A missing denominator compares as NaN: never below the minimum.
    below = denominator.fill_null(np.nan).to_numpy() < minimum[rows.row_table]
    unreliable = rows.has_denominator & below
    value_zero = zero(value)
    shown = ~value_secret & ~unreliable
    published = frame.select(kept("value", shown)).to_series()
    years = Years.of(rows, frame["period"].to_numpy())
    changes = change_columns(frame, shown, years, rules.change_n_years)
    city = city_shown(rows, years, shown, rules.city)
    both = shown & city
    descending = np.array([rules.descending.get(i, True) for i in indicators], dtype=np.bool_)
    ranks = rank_columns(
        frame, published, rank_groups(rows, years, rules.levels), descending[rows.row_table]
    )
    return frame.with_columns(
        kept("numerator", ~rows.numerator_hidden),
        kept("denominator", ~rows.denominator_hidden),
        published,
        flags([(value_secret, SECRET), (unreliable, UNRELIABLE), (value_zero, NOTHING)], "flag"),
        count_flags(numerator, rows.numerator_hidden, "numerator_flag"),
        count_flags(
            denominator,
            rows.denominator_hidden,
            "denominator_flag",
            absent=_without_denominators(frame, rows),
        ),
        kept("city_value", city),
        kept("diff_city", both),
        kept("ratio_city", both),
        *changes,
        *ranks,
    )


def _without_denominators(frame: pl.DataFrame, rows: Rows) -> BoolArray:
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
