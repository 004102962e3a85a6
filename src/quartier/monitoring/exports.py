"""Exports of stored indicator values: the table, its rounding for people and the file writers.

`export_table` turns the rows of `quartier.monitoring.selectors.indicator_values` into the
export columns (`COLUMNS`), full precision. `rounded_for_people` rounds them to each indicator's
`decimals` (half away from zero, as official statistics round). The writers put a table into a
file: `write_csv` (UTF-8, `,`, full precision, for machines), `write_csv_de` (`;`, decimal
comma, UTF-8 with BOM, for Excel), `write_xlsx` and `write_geojson`. Every writer writes a
temporary file next to the target and renames it, so a failure leaves no half file.

A figure that is not published is empty; `flag` says why a value is empty or zero
(`FLAG_MEANINGS`). An export of the internal view is marked as such in every format
(`INTERNAL_NOTE`).
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font

from quartier.analysis.catalogue import Catalogue, Indicator
from quartier.analysis.german import german_number

__all__ = [
    "COLUMNS",
    "FLAG_MEANINGS",
    "FORMATS",
    "INTERNAL_NOTE",
    "ExportError",
    "column_digits",
    "export_table",
    "german_number",
    "round_half_up",
    "rounded_for_people",
    "write_csv",
    "write_csv_de",
    "write_export",
    "write_geojson",
    "write_xlsx",
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

    `values` has the columns of `indicator_values`, `areas` those of `areas_frame`. Rows are
    sorted by indicator (catalogue order), period, level (coarsest first), area and breakdown.
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
    digits = _digits_by_indicator(table, catalogue)
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


def _digits_by_indicator(table: pl.DataFrame, catalogue: Catalogue) -> dict[str, dict[str, int]]:
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


# --- writers --------------------------------------------------------------------------------------


def write_export(
    table: pl.DataFrame,
    path: Path,
    *,
    fmt: str,
    catalogue: Catalogue,
    internal: bool,
    geometries: Callable[[Sequence[str]], Geometries] | None = None,
) -> None:
    """Write `table` (from `export_table`, full precision) in one of `FORMATS`.

    `geometries` gives the GeoJSON geometries of the areas of some levels, by (level, code);
    only geojson needs it.
    """
    if fmt == "csv":
        write_csv(table, path, internal=internal)
        return
    people = rounded_for_people(table, catalogue)
    if fmt == "csv-de":
        write_csv_de(people, path, catalogue=catalogue, internal=internal)
    elif fmt == "xlsx":
        write_xlsx(people, path, catalogue=catalogue, internal=internal)
    elif fmt == "geojson":
        if geometries is None:
            raise ExportError("geojson needs the area geometries")
        shapes = geometries(people["level"].unique().sort().to_list())
        write_geojson(people, path, geometries=shapes, internal=internal)
    else:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write_csv(table: pl.DataFrame, path: Path, *, internal: bool) -> None:
    """UTF-8 CSV with `,` and decimal point, full precision; empty cells for empty texts."""
    frame = _with_view(table, internal).with_columns(
        pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name)
        for name in TEXT_COLUMNS
    )
    _atomically(path, frame.write_csv)


def write_csv_de(table: pl.DataFrame, path: Path, *, catalogue: Catalogue, internal: bool) -> None:
    """German CSV for Excel: `;`, decimal comma, thousands `.`, UTF-8 with BOM, CRLF."""
    header = [*COLUMNS, *([VIEW_COLUMN] if internal else [])]

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            writer.writerow(header)
            for row in _people_rows(table, catalogue, internal):
                writer.writerow([_german_cell(cell) for cell in row])

    _atomically(path, write)


def write_xlsx(table: pl.DataFrame, path: Path, *, catalogue: Catalogue, internal: bool) -> None:
    """One sheet: header row (frozen), numbers as numbers with German number formats."""
    if table.height > XLSX_MAX_ROWS:
        raise ExportError(
            f"{table.height} rows do not fit in an XLSX sheet (at most {XLSX_MAX_ROWS}); "
            "choose fewer indicators or years, or the csv format"
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Werte (intern)" if internal else "Werte")
    sheet.freeze_panes = "A2"
    header = [*COLUMNS, *([VIEW_COLUMN] if internal else [])]
    _describe(workbook, internal)
    bold = Font(bold=True)
    sheet.append([_cell(sheet, name, font=bold) for name in header])
    formats: dict[int, str] = {}
    for row in _people_rows(table, catalogue, internal):
        cells: list[Any] = []
        for cell in row:
            if isinstance(cell, tuple):
                number, digits = cell
                style = formats.setdefault(digits, xlsx_number_format(digits))
                cells.append(_cell(sheet, number, number_format=style))
            else:
                cells.append(cell)
        sheet.append(cells)
    _atomically(path, workbook.save)


def write_geojson(
    table: pl.DataFrame,
    path: Path,
    *,
    geometries: Geometries,
    internal: bool,
) -> None:
    """A FeatureCollection: one feature per row with its area's geometry (EPSG:4326).

    The properties are the columns (numbers rounded); a top-level member `view` says whether
    the values are public or internal.
    """
    header = [*COLUMNS, *([VIEW_COLUMN] if internal else [])]
    features = []
    for row in _with_view(table, internal).iter_rows():
        properties = {name: _json_value(cell) for name, cell in zip(header, row, strict=True)}
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": geometries.get((properties["level"], properties["area"])),
            }
        )
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "name": "indicator_values",
        "view": "internal" if internal else "public",
    }
    if internal:
        collection["note"] = INTERNAL_NOTE
    collection["features"] = features

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8") as handle:
            json.dump(collection, handle, ensure_ascii=False, allow_nan=False)
            handle.write("\n")

    _atomically(path, write)


def _with_view(table: pl.DataFrame, internal: bool) -> pl.DataFrame:
    return table.with_columns(pl.lit("internal").alias(VIEW_COLUMN)) if internal else table


def _people_rows(table: pl.DataFrame, catalogue: Catalogue, internal: bool) -> Iterator[list[Any]]:
    """Rows for people: a figure is a (number, decimals) pair, None when empty."""
    digits = _digits_by_indicator(table, catalogue)
    figures = {*COUNT_COLUMNS, *FIGURE_COLUMNS}
    for row in _with_view(table, internal).iter_rows(named=True):
        by_column = digits.get(row["indicator"], {})
        cells: list[Any] = []
        for name, cell in row.items():
            if name in figures and cell is not None and math.isfinite(cell):
                cells.append((cell + 0.0, cell_digits(name, cell, by_column)))  # no -0.0
            elif name in figures:
                cells.append(None)
            else:
                cells.append(cell)
        yield cells


def _german_cell(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, tuple):
        return german_number(*cell)
    return str(cell)


def _json_value(cell: Any) -> Any:
    if isinstance(cell, float):
        if not math.isfinite(cell):
            return None
        return int(cell) if cell.is_integer() else cell
    return cell


def _cell(sheet: Any, value: Any, *, number_format: str | None = None, font: Any = None) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _describe(workbook: Any, internal: bool) -> None:
    view = "internal" if internal else "public"
    properties = workbook.properties
    properties.title = "quartier: indicator values" + (f" ({INTERNAL_NOTE})" if internal else "")
    properties.subject = INTERNAL_NOTE if internal else "public view"
    properties.keywords = view
    properties.creator = "quartier"
    properties.language = "de-DE"
    workbook.custom_doc_props.append(StringProperty(name="view", value=view))


def _atomically(path: Path, write: Callable[[Path], Any]) -> None:
    """Let `write` fill a temporary file in the target's folder, then rename it into place."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        # mkstemp makes the file private; the export gets the permissions of any new file.
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
