"""Reading one sheet of an Excel workbook (XLSX) into the same raw form as a CSV file.

Numeric cells stay numbers: they are written as plain text with the table's decimal mark, so the
same parsing applies to them and to numbers typed as text. Whole numbers whose cell format is
"00000000" get their leading zeros back (area ids stored as numbers). A formula is read as the
value Excel saved with it; a formula saved without one (by a program that does not calculate) is
reported as a loss, and an encrypted workbook or an old .xls file is named as such.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from quartier.analysis.tables._cells import detect_decimal
from quartier.analysis.tables._raw import (
    LINE,
    TableError,
    TableProblem,
    TextGrid,
    header_record,
    listed_lines,
)

Row = tuple[int, list[Any]]
# The first bytes of an OLE compound file: an encrypted workbook, or an old .xls workbook.
_COMPOUND_FILE = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_CELL_REFERENCE = re.compile(rb'\br="([A-Z]+)(\d+)"')


def read_xlsx_grid(
    path: Path, *, sheet: str | None, decimal: str | None
) -> tuple[TextGrid, str, str]:
    """The header and body of a sheet, the sheet's name and the decimal mark used."""
    name, rows, unsaved = _sheet_rows(path, sheet)
    if not rows:
        more = "; ".join(str(p) for p in _unsaved_problems(unsaved))
        raise TableError(
            f"{path.name}, sheet {name!r}: the sheet is empty" + (more and f"; {more}")
        )
    if decimal is None:
        decimal = _detect_decimal(rows)
    records = [(number, number, [_text(v, decimal) for v in cells]) for number, cells in rows]
    index, problems = header_record(records, "row")
    problems += _unsaved_problems(unsaved)
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


def _sheet_rows(path: Path, sheet: str | None) -> tuple[str, list[Row], list[tuple[str, str]]]:
    """The sheet's name, its non-empty rows and its formulas without a saved value.

    Rows are (row number, cell values); the formulas (cell, formula text).
    """
    # Loaded here, not with the module: openpyxl costs a tenth of a second, and most tables
    # are CSV files.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _refuse_compound_file(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
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
        unsaved = _formulas_without_values(workbook, worksheet)
        return str(worksheet.title), rows, unsaved
    finally:
        workbook.close()


def _refuse_compound_file(path: Path) -> None:
    """An encrypted workbook (or an old .xls) is an OLE compound file, not a ZIP archive."""
    try:
        with path.open("rb") as handle:
            if handle.read(len(_COMPOUND_FILE)) != _COMPOUND_FILE:
                return
            encrypted = _ENCRYPTED in handle.read()
    except OSError as error:
        raise TableError(f"{path}: cannot read the file ({error.strerror})") from error
    if encrypted:
        raise TableError(
            f"{path.name}: the workbook is encrypted (password-protected); "
            "save it without a password"
        )
    raise TableError(
        f"{path.name}: this is an old Excel workbook (.xls) or another Office file, not XLSX; "
        "save it as .xlsx"
    )


def _formulas_without_values(workbook: Any, worksheet: Any) -> list[tuple[str, str]]:
    """Cells of the sheet's XML with a formula but no saved value (openpyxl reads them as empty).

    Only the formulas are looked at, so a sheet without formulas costs one search of its XML.
    Some writers give the elements a namespace prefix (``<x:c>``); it is found first.
    """
    archive, part = getattr(workbook, "_archive", None), getattr(worksheet, "_worksheet_path", None)
    if archive is None or part is None:
        return []
    xml: bytes = archive.read(part)
    data = re.search(rb"<(\w+:)?sheetData\b", xml)
    prefix = (data.group(1) or b"") if data else b""
    tag = re.escape(prefix)
    found: list[tuple[str, str]] = []
    for match in re.finditer(rb"<" + tag + rb"f[\s>/]", xml):
        start = xml.rfind(b"<" + prefix + b"c ", 0, match.start())
        cell = xml[start : xml.find(b">", start) + 1]  # the start tag: reference and type
        body = xml[match.start() : xml.find(b"</" + prefix + b"c>", match.start())]
        if re.search(rb"<" + tag + rb"v>[^<]", body) or re.search(rb'\bt="str"', cell):
            continue
        reference = _CELL_REFERENCE.search(cell)
        formula = re.search(rb"<" + tag + rb"f[^>]*>([^<]*)</", body)
        if reference is not None:
            text = html.unescape(formula.group(1).decode("utf-8")) if formula else ""
            found.append(((reference.group(1) + reference.group(2)).decode("ascii"), text))
    return found


def _unsaved_problems(unsaved: list[tuple[str, str]]) -> list[TableProblem]:
    if not unsaved:
        return []
    cells = [f"{cell} (={formula})" if formula else cell for cell, formula in unsaved]
    listed = listed_lines(cells, len(cells))
    return [
        TableProblem(
            f"{len(unsaved)} formula cell(s) have no saved value and were read as empty (the "
            "workbook was saved by a program that does not calculate formulas; open it in "
            f"Excel or LibreOffice Calc and save it again): cell {listed}",
            loss=True,
        )
    ]


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
