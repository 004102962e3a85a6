"""Choosing and combining records as a mapping says: `where`, `variables` (long), `recode`.

`where` keeps the records whose cells are given texts, `variables` the records of the variables
a long table names, renamed. `recode` gives breakdown values new values and sums the records
that become one cell, the way a statistics office sums flagged cells (see `tidy_table`). An
error about a key of the mapping names the line of the mapping file when the spec has it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import polars as pl

from quartier.analysis.config import Loc
from quartier.analysis.tables._columns import Columns, table_name
from quartier.analysis.tables._raw import RawTable, TableError
from quartier.analysis.tables._spec import RESERVED, TableSpec

# Distinct values listed in a message about a selection (`where`, `variables`).
MAX_VALUES = 10
# A column of the records while records alike are summed.
_REPEAT = "__repeat"


def _mapping_error(spec: TableSpec, loc: Loc, problem: str) -> TableError:
    """An error about a key of the mapping file, naming its line if the spec has its file."""
    if spec.origin is None:
        return TableError(problem)
    return TableError(str(spec.origin.error(loc, problem)))


def _spaced(text: pl.Expr) -> pl.Expr:
    """A cell's text as it is compared with a mapping's texts: inner spaces as one, trimmed."""
    return text.fill_null("").str.replace_all(r"\s+", " ").str.strip_chars()


def _listed(values: pl.Series) -> str:
    """The first distinct values, quoted, and how many more there are."""
    distinct = values.unique(maintain_order=True)
    listed = ", ".join(repr(v) for v in distinct.head(MAX_VALUES).to_list())
    more = distinct.len() - MAX_VALUES
    return listed + (f", and {more} more" if more > 0 else "")


def selected(raw: RawTable, spec: TableSpec) -> RawTable:
    """The records whose cells are the texts `spec.where` gives; every column must match."""
    if not spec.where:
        return raw
    columns = Columns(raw)
    frame = raw.frame
    for name, texts in spec.where.items():
        try:
            column = columns.find(name, "where")
        except TableError as error:
            if spec.origin is None:
                raise
            listed = ", ".join(repr(n) for n in raw.columns)
            problem = f"no column {name!r} in {table_name(raw)}; the columns are {listed}"
            raise _mapping_error(spec, ("where", name), problem) from error
        cells = _spaced(pl.col(column))
        kept = frame.filter(cells.is_in([" ".join(text.split()) for text in texts]))
        if kept.height == 0:
            wanted = " or ".join(repr(text) for text in texts)
            found = (
                f"the values are: {_listed(frame.select(cells).to_series())}"
                if frame.height
                else "it has no records"
            )
            problem = f"no record of {table_name(raw)} has {name} {wanted}; {found}"
            raise _mapping_error(spec, ("where", name), problem)
        frame = kept
    return dataclasses.replace(raw, frame=frame)


def recoded(tidy: pl.DataFrame, recode: Mapping[str, Mapping[str, str]]) -> pl.DataFrame:
    """Breakdown values recoded, and the records that became one cell summed.

    A cell is an area, period, variable and breakdown; the sum takes the place (line and
    column) of its first record. A sum with a secret part (".") is secret. Else the numbers are
    summed, a "-" (nothing) adding nothing and an "x" (not applicable) or an empty cell not
    counted. A sum without numbers is "-" if a part is "-", else "x" if a part is "x", else
    empty. Records that are one cell already before recoding stay apart (a cell given twice).
    """
    if not recode:
        return tidy
    order = tidy.columns
    cell = ["area", "period", "variable", *[c for c in order if c not in RESERVED]]
    # Records alike before recoding are a cell given twice: they stay apart, to be reported.
    tidy = tidy.with_columns(pl.int_range(pl.len()).over(cell).alias(_REPEAT))
    tidy = tidy.with_columns(
        pl.col(dimension).replace(dict(values)) for dimension, values in recode.items()
    )
    flag = pl.col("flag")
    secret = (flag == ".").any()
    numbers = pl.col("value").is_not_null().any()
    summed = tidy.group_by([*cell, _REPEAT], maintain_order=True).agg(
        pl.when(secret | ~numbers)
        .then(pl.lit(None, dtype=pl.Float64))
        .otherwise(pl.col("value").sum())
        .alias("value"),
        pl.when(secret)
        .then(pl.lit("."))
        .when(numbers)
        .then(pl.lit(""))
        .when((flag == "-").any())
        .then(pl.lit("-"))
        .when((flag == "x").any())
        .then(pl.lit("x"))
        .otherwise(pl.lit(""))
        .alias("flag"),
        pl.col("line").first(),
        pl.col("column").first(),
    )
    return summed.select(order)


def listed_variables(
    raw: RawTable, spec: TableSpec, names: pl.Series
) -> tuple[RawTable, pl.Series, int]:
    """Long layout: the records of the variables `spec.variables` lists, renamed, and the rest.

    The rest is the number of records left out. Without `spec.variables` every record is kept,
    its variable named as it is.
    """
    if spec.variables is None:
        return raw, names, 0
    keys = {" ".join(name.split()): (name, key) for name, key in spec.variables.items()}
    present = set(names.unique().to_list())
    for wanted, (name, _) in keys.items():
        if wanted not in present:
            problem = (
                f"no record of {table_name(raw)} has the variable {wanted!r}; the variables "
                f"are: {_listed(names)}"
            )
            raise _mapping_error(spec, ("variables", name), problem)
    listed = names.is_in(list(keys))
    renamed = names.filter(listed).replace({wanted: key for wanted, (_, key) in keys.items()})
    kept = raw.frame.filter(listed)
    return dataclasses.replace(raw, frame=kept), renamed, raw.frame.height - kept.height
