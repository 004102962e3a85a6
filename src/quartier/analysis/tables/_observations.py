"""Tidy observations made ready to be stored: each with its breakdown key, each cell once.

A tidy frame (from `tidy_table`) has one column per breakdown dimension; a store keeps the cell
as one text, the breakdown key of `format_key`. `with_breakdown_key` adds that key, built by the
one codec, and `check_unique_observations` refuses a table that gives a cell twice
(`repeated_cells` says so without refusing). `negative_counts` finds counts below zero. All name
the file and its lines in their messages, as every check of a table does.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from quartier.analysis.tables._breakdown_keys import ASSIGN, SEPARATOR, key_expression
from quartier.analysis.tables._columns import table_name
from quartier.analysis.tables._raw import LINE, RawTable, TableError
from quartier.analysis.tables._spec import CountRule
from quartier.analysis.tables._tidy import breakdown_dimensions

__all__ = [
    "check_unique_observations",
    "negative_counts",
    "repeated_cells",
    "with_breakdown_key",
]

BREAKDOWN_KEY = "breakdown_key"
# The columns that name a cell: one value per area, period, variable and breakdown cell.
OBSERVATION_KEY = ("area", "period", "variable", BREAKDOWN_KEY)


def with_breakdown_key(
    tidy: pl.DataFrame, *, where: str, dimensions: Sequence[str] | None = None
) -> pl.DataFrame:
    """Add the column ``breakdown_key``: the breakdown cell of every record, as one text.

    Parameters
    ----------
    tidy : polars.DataFrame
        Tidy observations, with one Utf8 column per breakdown dimension and the column ``line``.
    where : str
        The name of the file the records came from, for error messages.
    dimensions : sequence of str, optional
        The breakdown dimension columns; by default every column `breakdown_dimensions` finds.

    Returns
    -------
    polars.DataFrame
        `tidy` with the key of `format_key` (``"age_group=0-5;gender=w"``, the dimensions
        sorted; ``""`` without dimensions, an empty value for a null).

    Raises
    ------
    TableError
        For a breakdown value that holds ``;`` or ``=``, which separate the parts of a key; the
        message names the file, the line, the dimension and the value.

    Examples
    --------
    >>> tidy = pl.DataFrame({
    ...     "area": ["01", "01"], "period": [2024, 2024], "variable": ["einwohner"] * 2,
    ...     "gender": ["w", "m"], "age_group": ["0-5", "0-5"], "value": [3.0, 4.0],
    ...     "flag": ["", ""], "line": [2, 3], "column": ["Einwohner"] * 2,
    ... })
    >>> with_breakdown_key(tidy, where="t.csv")["breakdown_key"].to_list()
    ['age_group=0-5;gender=w', 'age_group=0-5;gender=m']
    >>> with_breakdown_key(tidy.with_columns(gender=pl.lit("w=m")), where="t.csv")
    Traceback (most recent call last):
    ...
    quartier.analysis.tables._raw.TableError: t.csv, line 2: breakdown value 'w=m' of 'gender' ...
    """
    names = breakdown_dimensions(tidy) if dimensions is None else list(dimensions)
    for dimension in names:
        bad = tidy.filter(pl.col(dimension).str.contains(f"[{SEPARATOR}{ASSIGN}]"))
        if bad.height:
            row = bad.row(0, named=True)
            raise TableError(
                f"{where}, line {row['line']}: breakdown value {row[dimension]!r} of "
                f"{dimension!r} must not contain {SEPARATOR!r} or {ASSIGN!r}"
            )
    return tidy.with_columns(key_expression(names).alias(BREAKDOWN_KEY))


def check_unique_observations(observations: pl.DataFrame, *, where: str) -> None:
    """Raise unless every cell (area, period, variable, breakdown key) has one record.

    Parameters
    ----------
    observations : polars.DataFrame
        Observations with the columns ``area``, ``period``, ``variable``, ``breakdown_key``
        (see `with_breakdown_key`) and ``line``.
    where : str
        The name of the file the records came from, for error messages.

    Raises
    ------
    TableError
        For a cell given twice or more; the message (`repeated_cells`) names the lines of the
        first such cell, the cell, how many cells are given more than once, and what to do.

    Examples
    --------
    >>> observations = pl.DataFrame({
    ...     "area": ["01", "01", "01"], "period": [2024] * 3, "variable": ["einwohner"] * 3,
    ...     "breakdown_key": ["gender=w", "gender=m", "gender=w"], "line": [2, 3, 7],
    ... })
    >>> check_unique_observations(observations.head(2), where="t.csv")
    >>> check_unique_observations(observations, where="t.csv")
    Traceback (most recent call last):
    ...
    quartier.analysis.tables._raw.TableError: t.csv: lines 2, 7 give the same cell twice (...)...
    """
    message = repeated_cells(observations, where=where)
    if message is not None:
        raise TableError(message)


def repeated_cells(tidy: pl.DataFrame, *, where: str) -> str | None:
    """What is wrong if a cell (area, period, variable, breakdown) has more than one record.

    Parameters
    ----------
    tidy : polars.DataFrame
        Tidy observations (`tidy_table`), with or without the column ``breakdown_key``.
    where : str
        The name of the file the records came from.

    Returns
    -------
    str or None
        None if every cell has one record; else a message naming the lines of the first cell
        given twice, the cell, how many cells are, and what may be the cause: an area column
        that names two areas alike (a Bezirk and a Stadtteil of one name), or a recoding
        (``area_codes``) that gives two areas one code.
    """
    if BREAKDOWN_KEY not in tidy.columns:
        tidy = tidy.with_columns(key_expression(breakdown_dimensions(tidy)).alias(BREAKDOWN_KEY))
    key = list(OBSERVATION_KEY)
    duplicates = tidy.filter(pl.struct(key).is_duplicated())
    if duplicates.height == 0:
        return None
    first = duplicates.group_by(key, maintain_order=True).agg(pl.col("line"))
    row = first.row(0, named=True)
    lines = ", ".join(str(line) for line in row["line"])
    cell = f"area {row['area']!r}, period {row['period']}, variable {row['variable']!r}"
    if row[BREAKDOWN_KEY]:
        cell += f", breakdown {row[BREAKDOWN_KEY]}"
    return (
        f"{where}: lines {lines} give the same cell twice ({cell}); "
        f"{first.height} such cell(s) in total; if two areas are written alike (a Bezirk and a "
        "Stadtteil of one name), take a column with codes as the area, and check that "
        "area_codes gives no two areas one code"
    )


def negative_counts(
    raw: RawTable, tidy: pl.DataFrame, counts: CountRule | Sequence[str]
) -> str | None:
    """What is wrong if a variable that is a count has a negative value.

    Parameters
    ----------
    raw : RawTable
        The table the tidy records came from, for the texts of the cells.
    tidy : polars.DataFrame
        Its tidy records (`tidy_table`).
    counts : {"auto", "all", "none"} or sequence of str
        Which variables are counts (see `TableSpec.counts`): under "auto" every variable whose
        numbers are all whole.

    Returns
    -------
    str or None
        None if no count is negative; else a message naming the file, the line, the column
        and the text of the first negative counts, and how many there are.

    Raises
    ------
    TableError
        If `counts` names a variable the table does not have.

    Examples
    --------
    >>> frame = pl.DataFrame({"Bezirk": ["01", "02"], "Saldo": ["5", "- 3"], LINE: [2, 3]})
    >>> from pathlib import Path
    >>> raw = RawTable(Path("t.csv"), None, "utf-8", ";", ",", ["Bezirk", "Saldo"], frame)
    >>> from quartier.analysis.tables._spec import TableSpec
    >>> from quartier.analysis.tables._tidy import tidy_table
    >>> tidy = tidy_table(raw, TableSpec(period=2024))
    >>> print(negative_counts(raw, tidy, "auto"))
    t.csv, line 3, column 'Saldo': '- 3' is negative, but 'Saldo' is a count (its numbers are
    all whole); if a variable may be negative (a balance, a change), say which variables are
    counts
    >>> negative_counts(raw, tidy, ["Einwohner"])
    Traceback (most recent call last):
    ...
    quartier.analysis.tables._raw.TableError: t.csv: counts names 'Einwohner', which is no ...
    """
    variables = tidy["variable"].unique(maintain_order=True)
    if not isinstance(counts, str):
        unknown = [name for name in counts if name not in set(variables.to_list())]
        if unknown:
            listed = ", ".join(repr(name) for name in variables.head(20).to_list())
            raise TableError(
                f"{table_name(raw)}: counts names {unknown[0]!r}, which is no variable of the "
                f"table; the variables are {listed}",
                setting="counts",
            )
    negative = tidy.filter(pl.col("value") < 0)
    if counts == "none" or negative.height == 0:
        return None
    suspects = negative["variable"].unique(maintain_order=True)
    if counts == "auto":
        whole = (
            tidy.filter(pl.col("variable").is_in(suspects.implode()))
            .group_by("variable")
            .agg((pl.col("value") == pl.col("value").round(0)).all())
        )
        suspects = whole.filter(pl.col("value"))["variable"]
    elif counts != "all":
        suspects = suspects.filter(suspects.is_in(list(counts)))
    found = negative.filter(pl.col("variable").is_in(suspects.implode()))
    if found.height == 0:
        return None
    return _negative_message(
        raw, found, why=" (its numbers are all whole)" if counts == "auto" else ""
    )


def _negative_message(raw: RawTable, found: pl.DataFrame, *, why: str) -> str:
    """The first negative count (line, column, text), and how many more there are."""
    line, column, variable = found.select("line", "column", "variable").row(0)
    text = raw.frame.filter(pl.col(LINE) == line)[column][0]
    more = f"; and {found.height - 1} more" if found.height > 1 else ""
    return (
        f"{table_name(raw)}, line {line}, column {column!r}: {text!r} is negative, but "
        f"{variable!r} is a count{why}{more}; if a variable may be negative (a balance, a "
        "change), say which variables are counts"
    )
