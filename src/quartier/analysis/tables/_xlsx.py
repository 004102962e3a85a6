"""Reading one sheet of an Excel workbook (XLSX) into the same raw form as a CSV file.

Numeric cells stay numbers: they are written as plain text with the table's decimal mark, so the
same parsing applies to them and to numbers typed as text. Whole numbers whose cell format is
"00000000" get their leading zeros back (area ids stored as numbers).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
from openpyxl.utils.exceptions import InvalidFileException

from quartier.analysis.tables._cells import detect_decimal
from quartier.analysis.tables._raw import LINE, TableError, TextGrid, header_record

Row = tuple[int, list[Any]]


def read_xlsx_grid(
    path: Path, *, sheet: str | None, decimal: str | None
) -> tuple[TextGrid, str, str]:
    """The header and body of a sheet, the sheet's name and the decimal mark used."""
    name, rows = _sheet_rows(path, sheet)
    if not rows:
        raise TableError(f"{path.name}, sheet {name!r}: the sheet is empty")
    if decimal is None:
        decimal = _detect_decimal(rows)
    records = [(number, number, [_text(v, decimal) for v in cells]) for number, cells in rows]
    index, problems = header_record(records, "row")
    header_row, _, header = records[index]
    body_records = records[index + 1 :]
    width = max([len(header)] + [len(cells) for _, _, cells in body_records])
    header = header + [""] * (width - len(header))
    columns: dict[str, list[str | None]] = {f"c{i}": [] for i in range(width)}
    for _, _, cells in body_records:
        for i in range(width):
            columns[f"c{i}"].append(cells[i] if i < len(cells) else "")
    body = pl.DataFrame(
        {
            **{key: pl.Series(key, values, dtype=pl.Utf8) for key, values in columns.items()},
            LINE: pl.Series(LINE, [number for number, _, _ in body_records], dtype=pl.Int64),
        }
    )
    return (
        TextGrid(header=header, header_line=header_row, body=body, problems=problems),
        name,
        decimal,
    )


def _sheet_rows(path: Path, sheet: str | None) -> tuple[str, list[Row]]:
    """The sheet's name and its non-empty rows as (row number, cell values)."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise TableError(f"{path.name}: not a readable XLSX workbook ({error})") from error
    try:
        worksheet = workbook[_sheet_name(path, workbook.sheetnames, sheet)]
        rows: list[Row] = []
        for number, cells in enumerate(worksheet.iter_rows(), start=1):
            values = [_cell_value(cell) for cell in cells]
            while values and values[-1] is None:
                values.pop()
            if any(v is not None and str(v).strip() for v in values):
                rows.append((number, values))
        return str(worksheet.title), rows
    finally:
        workbook.close()


def _sheet_name(path: Path, names: list[str], sheet: str | None) -> str:
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise TableError(
        f"{path.name}: no sheet {sheet!r}; the sheets are: {', '.join(repr(n) for n in names)}"
    )


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    number_format = getattr(cell, "number_format", "General") or "General"
    if re.fullmatch(r"0+", number_format) and float(value).is_integer() and value >= 0:
        return str(int(value)).zfill(len(number_format))
    return value


def _detect_decimal(rows: list[Row]) -> str:
    texts = [[v for v in cells if isinstance(v, str)] for _, cells in rows]
    cells = pl.DataFrame({"text": [t for row in texts for t in row]}, schema={"text": pl.Utf8})
    return detect_decimal(cells, default=",")


def _text(value: Any, decimal: str) -> str:
    """The text of a cell value; numbers are written plainly with the decimal mark."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number(value, decimal)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _number(value: int | float, decimal: str) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text.replace(".", decimal)
