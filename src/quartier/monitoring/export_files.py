"""The file writers of exports: CSV for machines and for Excel, XLSX and GeoJSON.

Each takes a table from `quartier.monitoring.exports.export_table` (rounded for people by
`rounded_for_people` where the format is meant for people) and writes a temporary file next to
the target, then renames it, so a failure leaves no half file.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font

from quartier.analysis.catalogue import Catalogue
from quartier.analysis.tables import german_number
from quartier.monitoring.exports import (
    COLUMNS,
    COUNT_COLUMNS,
    FIGURE_COLUMNS,
    FORMATS,
    INTERNAL_NOTE,
    TEXT_COLUMNS,
    VIEW_COLUMN,
    XLSX_MAX_ROWS,
    ExportError,
    Geometries,
    cell_digits,
    digits_by_indicator,
    rounded_for_people,
    xlsx_number_format,
)
from quartier.monitoring.output_files import atomically

__all__ = [
    "write_csv",
    "write_csv_de",
    "write_export",
    "write_geojson",
    "write_xlsx",
]


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
    atomically(path, frame.write_csv)


def write_csv_de(table: pl.DataFrame, path: Path, *, catalogue: Catalogue, internal: bool) -> None:
    """German CSV for Excel: `;`, decimal comma, thousands `.`, UTF-8 with BOM, CRLF."""
    header = [*COLUMNS, *([VIEW_COLUMN] if internal else [])]

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            writer.writerow(header)
            for row in _people_rows(table, catalogue, internal):
                writer.writerow([_german_cell(cell) for cell in row])

    atomically(path, write)


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
    atomically(path, workbook.save)


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

    atomically(path, write)


def _with_view(table: pl.DataFrame, internal: bool) -> pl.DataFrame:
    return table.with_columns(pl.lit("internal").alias(VIEW_COLUMN)) if internal else table


def _people_rows(table: pl.DataFrame, catalogue: Catalogue, internal: bool) -> Iterator[list[Any]]:
    """Rows for people: a figure is a (number, decimals) pair, None when empty."""
    digits = digits_by_indicator(table, catalogue)
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
