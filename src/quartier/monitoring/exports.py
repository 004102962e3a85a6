"""Exports of stored indicator values: the table, its rounding for people and the file writers.

`export_table` turns the rows of `quartier.monitoring.selectors.indicator_values` into the
export columns (`COLUMNS`), full precision. `rounded_for_people` rounds them to each indicator's
`decimals` (half away from zero, as official statistics round). The writers put a table into a
file: `write_csv` (UTF-8, `,`, full precision, for machines), `write_csv_de` (`;`, decimal
comma, UTF-8 with BOM, for Excel), `write_xlsx` and `write_geojson`, in
`quartier.monitoring.export_files`. Every writer writes a temporary file next to the target and
renames it, so a failure leaves no half file.

A figure that is not published is empty; `flag` says why a value is empty or zero
(`FLAG_MEANINGS`). An export of the internal view is marked as such in every format
(`INTERNAL_NOTE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import polars as pl

from quartier.analysis.catalogue import Catalogue, Indicator
from quartier.analysis.tables import german_number

__all__ = [
    "COLUMNS",
    "FLAG_MEANINGS",
    "FORMATS",
    "INTERNAL_NOTE",
    "ExportError",
    "Geometries",
    "column_digits",
    "digits_by_indicator",
    "export_table",
    "german_number",
    "round_half_up",
    "rounded_for_people",
    "xlsx_number_format",
]

COLUMNS = (
    "indicator",
    "area",
    "name",
    "level",
    "parent",
    "period",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "flag",
    "city_value",
    "diff_city",
    "ratio_city",
    "rank",
    "decile",
    "zscore",
    "change_1",
    "change_n",
)
FORMATS = ("csv", "csv-de", "xlsx", "geojson")
# GeoJSON geometry objects (None: no current geometry) by (level key, area code).
Geometries: TypeAlias = Mapping[tuple[str, str], dict[str, Any] | None]
FLAG_MEANINGS = {
    ".": "suppressed (secret, or unknown)",
    "-": "zero",
    "/": "withheld as unreliable: the denominator is below the indicator's minimum",
    "x": "not applicable (the denominator is zero)",
    "": "a number",
}
INTERNAL_NOTE = "internal view: not for publication"
VIEW_COLUMN = "view"
TEXT_COLUMNS = ("indicator", "area", "name", "level", "parent", "breakdown", "flag")
INTEGER_COLUMNS = ("period", "rank", "decile")
COUNT_COLUMNS = ("numerator", "denominator")
FIGURE_COLUMNS = (
    "value",
    "city_value",
    "diff_city",
    "ratio_city",
    "zscore",
    "change_1",
    "change_n",
)
# Ratios to the city and z-scores are unitless; two decimals are what reports show of them.
UNITLESS_DIGITS = 2
# An XLSX sheet holds 1,048,576 rows, one of them the header.
XLSX_MAX_ROWS = 1_048_575
# Binary noise (1.005 is stored as 1.00499999...) is cut at this many decimals of the scaled
# value before rounding half away from zero, so the number rounds as it is written.
SNAP_DECIMALS = 6


class ExportError(ValueError):
    """An export that cannot be written as asked (too many rows for a sheet, say)."""


# --- the table ------------------------------------------------------------------------------------


def export_table(values: pl.DataFrame, areas: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """The selector's rows in the export columns, full precision, in catalogue order.

    `values` has the columns of `indicator_values`, `areas` those of
    `quartier.areas.selectors.areas_frame`. Rows are sorted by indicator (catalogue order),
    period, level (coarsest first), area and breakdown.
    """
    order = {indicator.key: position for position, indicator in enumerate(catalogue)}
    minimum = {indicator.key: indicator.min_denominator for indicator in catalogue}
    names = areas.select(
        pl.col("code").alias("area"),
        "level",
        "name",
        pl.col("parent").fill_null(""),
        pl.col("rank").alias("_level_rank"),
    )
    table = values.join(names, on=["area", "level"], how="left").with_columns(
        pl.col("name").fill_null(""),
        pl.col("parent").fill_null(""),
        pl.col("breakdown_key").fill_null("").alias("breakdown"),
        value_flag(
            pl.col("indicator").replace_strict(minimum, default=0.0, return_dtype=pl.Float64)
        ),
        pl.col("indicator").replace_strict(order, default=len(order)).alias("_order"),
    )
    return table.sort("_order", "period", "_level_rank", "area", "breakdown").select(
        pl.col(name).cast(pl.Int64) if name in INTEGER_COLUMNS else pl.col(name) for name in COLUMNS
    )


def value_flag(min_denominator: pl.Expr) -> pl.Expr:
    """The export flag of the value: the selector's flag, told apart where that is public.

    A withheld rate whose denominator is published is "x" if the denominator is zero and "/"
    if it is below the indicator's minimum: both follow from the published denominator.

    Examples
    --------
    >>> frame = pl.DataFrame({"value": [None, None, None, 0.0, 1.5],
    ...                       "denominator": [0.0, 12.0, None, 80.0, 90.0],
    ...                       "flag": [".", ".", ".", "-", ""]})
    >>> frame.select(value_flag(pl.lit(50.0)))["flag"].to_list()
    ['x', '/', '.', '-', '']
    """
    flag = pl.col("flag").cast(pl.Utf8).fill_null("")
    withheld = (flag == ".") & pl.col("value").is_null() & pl.col("denominator").is_not_null()
    return (
        pl.when(withheld & (pl.col("denominator") == 0))
        .then(pl.lit("x"))
        .when(withheld & (pl.col("denominator") < min_denominator))
        .then(pl.lit("/"))
        .otherwise(flag)
        .alias("flag")
    )


# --- rounding and German numbers ------------------------------------------------------------------


def column_digits(indicator: Indicator) -> dict[str, int]:
    """Decimal places of the figure columns of one indicator in the formats for people.

    Value, city value and difference get the indicator's `decimals`; so do the changes,
    except that the changes of a count are in percent and get at least one; ratio and
    z-score get two. Counts (numerator, denominator) are whole numbers and shown without
    decimals; a count that is not whole keeps the indicator's decimals (at least one).

    Examples
    --------
    >>> from quartier.analysis.catalogue import load_catalogue
    >>> column_digits(load_catalogue().indicator("einwohnerzahl"))["change_1"]
    1
    """
    decimals = indicator.decimals
    change = max(decimals, 1) if indicator.kind == "count" else decimals
    return {
        "numerator": max(decimals, 1),
        "denominator": max(decimals, 1),
        "value": decimals,
        "city_value": decimals,
        "diff_city": decimals,
        "ratio_city": UNITLESS_DIGITS,
        "zscore": UNITLESS_DIGITS,
        "change_1": change,
        "change_n": change,
    }


def round_half_up(column: pl.Expr, digits: int) -> pl.Expr:
    """Round to `digits` decimals, halves away from zero, as the number is written.

    Examples
    --------
    >>> s = pl.Series([1.005, 2.675, 0.25, -0.25, 14.246713])
    >>> pl.select(round_half_up(pl.lit(s), 2)).to_series().to_list()
    [1.01, 2.68, 0.25, -0.25, 14.25]
    >>> pl.select(round_half_up(pl.lit(s), 1)).to_series().to_list()
    [1.0, 2.7, 0.3, -0.3, 14.2]
    """
    scale = 10.0**digits
    scaled = (column * scale).round(SNAP_DECIMALS)
    # Dividing leaves binary noise (14.200000000000001); rounding again gives the nearest float.
    return (scaled.round(0, mode="half_away_from_zero") / scale).round(digits)


def rounded_for_people(table: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """`table` (from `export_table`) with the figures rounded as `column_digits` says.

    Whole counts stay as they are. Indicators missing from the catalogue keep one decimal.
    """
    digits = digits_by_indicator(table, catalogue)
    expressions = []
    for name in (*COUNT_COLUMNS, *FIGURE_COLUMNS):
        per_row = pl.col("indicator").replace_strict(
            {key: by_column[name] for key, by_column in digits.items()},
            default=1,
            return_dtype=pl.Int64,
        )
        column = pl.col(name)
        rounded: Any = column
        for places in sorted({by_column[name] for by_column in digits.values()} | {1}):
            rounded = (
                pl.when(per_row == places).then(round_half_up(column, places)).otherwise(rounded)
            )
        if name in COUNT_COLUMNS:
            rounded = pl.when(column == column.round(0)).then(column).otherwise(rounded)
        expressions.append(rounded.alias(name))
    return table.with_columns(expressions)


def digits_by_indicator(table: pl.DataFrame, catalogue: Catalogue) -> dict[str, dict[str, int]]:
    keys = table["indicator"].unique().to_list()
    return {key: column_digits(catalogue.indicator(key)) for key in keys if key in catalogue}


def cell_digits(name: str, value: float, digits: Mapping[str, int]) -> int:
    """Decimal places of one rounded figure: a whole count has none."""
    if name in COUNT_COLUMNS and float(value).is_integer():
        return 0
    return digits.get(name, 1)


def xlsx_number_format(digits: int) -> str:
    """The Excel number format with thousands separators and `digits` decimals.

    Excel stores formats in this neutral notation and shows them in the reader's locale:
    German Excel shows `#,##0.0` as 1.234,5.
    """
    return "#,##0" if digits == 0 else "#,##0." + "0" * digits
