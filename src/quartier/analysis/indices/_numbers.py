"""A table read as text into the numbers an index needs: ids as text, named columns as floats."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from quartier.analysis.tables import LINE, Columns, RawTable, TableError, parse_columns, table_name

__all__ = ["numeric_columns"]


def numeric_columns(raw: RawTable, *, id_column: str, numbers: Sequence[str]) -> pl.DataFrame:
    """The id column as text and the named columns as numbers, under the names asked for.

    Column names are found forgiving case and spacing. Status flags (".", "-", "x") and empty
    cells become null.

    Raises
    ------
    TableError
        If a column is missing or a cell is neither a number, nor a flag, nor empty; the message
        names the file, line and column.

    Examples
    --------
    >>> from pathlib import Path
    >>> frame = pl.DataFrame({"PLR": ["0101", "0102"], "EW": ["1.675", "."], LINE: [2, 3]})
    >>> raw = RawTable(Path("mss.csv"), None, "utf-8", ";", ",", ["PLR", "EW"], frame)
    >>> numeric_columns(raw, id_column="plr", numbers=["ew"]).rows()
    [('0101', 1675.0), ('0102', None)]
    """
    columns = Columns(raw)
    wanted = [name for name in dict.fromkeys(numbers) if name != id_column]
    found = [columns.find(name, "numbers") for name in wanted]
    identifiers = raw.frame[columns.find(id_column, "area id")].str.strip_chars()
    parsed = parse_columns(raw.frame, found, decimal=raw.decimal)
    for index, name in enumerate(found):
        invalid = parsed[f"invalid{index}"]
        if not invalid.any():
            continue
        bad = raw.frame.filter(invalid)
        if bad.height:
            line, text = bad.select(LINE, name).row(0)
            more = f" (and {bad.height - 1} more cells in the column)" if bad.height > 1 else ""
            raise TableError(
                f"{table_name(raw)}, line {line}, column {name!r}: {text!r} is not a number{more}"
            )
    values = [parsed[f"value{i}"].alias(name) for i, name in enumerate(wanted)]
    return pl.DataFrame([identifiers.alias(id_column), *values])
