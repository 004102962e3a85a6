"""Tidy observations made ready to be stored: each with its breakdown key, each cell once.

A tidy frame (from `tidy_table`) has one column per breakdown dimension; a store keeps the cell
as one text, the breakdown key of `format_key`. `with_breakdown_key` adds that key, built by the
one codec, and `check_unique_observations` refuses a table that gives a cell twice. Both name
the file and its lines in their errors, as every check of a table does.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from quartier.analysis.tables._breakdown_keys import ASSIGN, SEPARATOR, key_expression
from quartier.analysis.tables._raw import TableError
from quartier.analysis.tables._tidy import breakdown_dimensions

__all__ = ["check_unique_observations", "with_breakdown_key"]

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
        For a cell given twice or more; the message names the lines of the first such cell, the
        cell, and how many cells are given more than once.

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
    key = list(OBSERVATION_KEY)
    duplicates = observations.filter(pl.struct(key).is_duplicated())
    if duplicates.height == 0:
        return
    first = duplicates.group_by(key, maintain_order=True).agg(pl.col("line"))
    row = first.row(0, named=True)
    lines = ", ".join(str(line) for line in row["line"])
    cell = f"area {row['area']!r}, period {row['period']}, variable {row['variable']!r}"
    if row[BREAKDOWN_KEY]:
        cell += f", breakdown {row[BREAKDOWN_KEY]}"
    raise TableError(
        f"{where}: lines {lines} give the same cell twice ({cell}); "
        f"{first.height} such cell(s) in total"
    )
