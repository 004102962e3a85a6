"""From a raw table to tidy observations: one record per area, period, variable and breakdown.

A `TableSpec` says how: in the wide layout every value column is a variable; in the long layout
one column names the variable (or a template such as "{tabelle}: {zeile}" builds the name from
several columns) and another holds the value. Every tidy record keeps the line and column it came
from, so any error can point at the cell. `where`, `variables` and `recode` are in `_selection`.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from quartier.analysis.tables._breakdown_keys import dimension_key
from quartier.analysis.tables._cells import (
    FLAG_NAMES,
    flag_expr,
    non_finite_expr,
    normalised_text,
    parse_columns,
    plain_numbers,
    year_expr,
)
from quartier.analysis.tables._columns import (
    FLAG_COLUMNS,
    PERIOD_COLUMNS,
    VALUE_COLUMNS,
    VARIABLE_COLUMNS,
    Columns,
    Plan,
    plan_columns,
    table_name,
)
from quartier.analysis.tables._raw import LINE, RawTable, TableError
from quartier.analysis.tables._selection import listed_variables, recoded, selected
from quartier.analysis.tables._spec import DIMENSION_KEY, RESERVED, TableSpec

# Cells quoted in one error message; the rest is counted.
MAX_QUOTED = 3


def value_columns(raw: RawTable, spec: TableSpec) -> tuple[dict[str, str], list[str]]:
    """Wide layout: the value columns -> variable keys, and the text columns left out.

    Without `spec.variables` every column that is not the area, period, a breakdown or ignored
    is a value column, unless it holds no number at all but text (names, labels), or is called
    like a period column (Jahr, year, ...): those are left out and returned as the second item.
    """
    raw = selected(raw, spec)
    columns = Columns(raw)
    variables, labels, _ = _wide_values(raw, spec, plan_columns(raw, spec, columns), columns)
    return variables, labels


def tidy_table(raw: RawTable, spec: TableSpec) -> pl.DataFrame:
    """Turn a raw table into tidy observations.

    Returns
    -------
    polars.DataFrame
        Columns ``area`` (Utf8), ``period`` (Int64), ``variable`` (Utf8), one Utf8 column per
        breakdown dimension, ``value`` (Float64, null for flags and empty cells), ``flag``
        ("", ".", "-", "x"), ``line`` (Int64, where the record starts in the file) and
        ``column`` (the column the value came from). A wide table comes column by column, the
        records of each column in the order of the file. With `spec.recode` the records that
        become one cell are summed: a secret part (".") makes the sum secret (docs/tables.md).

    Raises
    ------
    TableError
        For a column the spec names but the table lacks, an empty area code, a period that is not
        a year or date, a cell that is neither a number nor a flag, a number that is not finite
        (``1e400``, ``inf``, ``NaN``), or a record with both a value and a flag (long layout with
        a flag column); the message names the file, line and column; a `where` or `variables`
        that names no column or keeps no record also names the line of the mapping file.

    Examples
    --------
    >>> frame = pl.DataFrame({
    ...     "Jahr": ["2012", "2012"], "Raum": ["000", "000"],
    ...     "Tabelle": ["Einwohner", "Einwohner"], "Zeile": ["männlich", "weiblich"],
    ...     "Zahl": ["1.675", "-"], LINE: [2, 3],
    ... })
    >>> raw = RawTable(Path("t.csv"), None, "utf-8", ";", ",", frame.columns[:-1], frame)
    >>> spec = TableSpec(layout="long", area="Raum", variable="{Tabelle}: {Zeile}")
    >>> tidy = tidy_table(raw, spec)
    >>> for row in tidy.select("area", "period", "variable", "value", "flag").rows():
    ...     print(row)
    ('000', 2012, 'Einwohner: männlich', 1675.0, '')
    ('000', 2012, 'Einwohner: weiblich', None, '-')
    """
    return convert_table(raw, spec).frame


@dataclass(frozen=True)
class Conversion:
    """The tidy observations of a table (`frame`), and what was left out."""

    frame: pl.DataFrame
    # The text columns of a wide table (names, labels).
    left_out: list[str]
    # The records of a long table whose variables `variables` does not list.
    records_left_out: int = 0


def convert_table(raw: RawTable, spec: TableSpec) -> Conversion:
    """Like `tidy_table`, and also say what was left out (`Conversion`)."""
    _check_dimension_keys(raw, spec.breakdowns.values())
    raw = selected(raw, spec)
    columns = Columns(raw)
    plan = plan_columns(raw, spec, columns)
    if spec.layout == "long":
        tidy, unlisted = _tidy_long(raw, spec, plan, columns)
        return Conversion(recoded(tidy, spec.recode), [], unlisted)
    variables, left_out, parsed = _wide_values(raw, spec, plan, columns)
    _check_cells(raw, parsed, list(variables))
    records = _records(raw, spec, plan)
    return Conversion(recoded(_stack(records, parsed, variables), spec.recode), left_out)


def _check_dimension_keys(raw: RawTable, keys: Iterable[str]) -> None:
    for key in keys:
        if not DIMENSION_KEY.fullmatch(key) or key in RESERVED:
            raise TableError(
                f"{table_name(raw)}: {key!r} cannot name a breakdown (use letters, digits and _, "
                f"not {', '.join(sorted(RESERVED))})"
            )


def _parse(raw: RawTable, names: list[str]) -> pl.DataFrame:
    """Columns value<i>, flag<i>, invalid<i> for the cells of the named columns."""
    return parse_columns(raw.frame, names, decimal=raw.decimal)


def _wide_values(
    raw: RawTable, spec: TableSpec, plan: Plan, columns: Columns
) -> tuple[dict[str, str], list[str], pl.DataFrame]:
    """The value columns -> variables, the text columns left out, and the parsed cells."""
    if spec.variables is not None:
        candidates = {columns.find(c, "variable"): key for c, key in spec.variables.items()}
    else:
        used = {plan.area, plan.period_column, *plan.breakdowns, *plan.ignore}
        candidates = {c: c for c in raw.columns if c not in used}
    # A year column is never a statistic, even when the period is given as a fixed year.
    periods = [c for c in candidates if spec.variables is None and c.casefold() in PERIOD_COLUMNS]
    names = [c for c in candidates if c not in periods]
    parsed = _parse(raw, names)
    if spec.variables is not None or not names:
        return {c: candidates[c] for c in names}, periods, parsed
    facts = parsed.select(
        *[
            (pl.col(f"value{i}").is_null().all() & pl.col(f"invalid{i}").any()).alias(c)
            for i, c in enumerate(names)
        ]
    ).row(0, named=True)
    texts = [c for c in names if facts[c]]
    if texts:  # a column of numbers too large for a float is no text column
        numbers = raw.frame.select(
            non_finite_expr(pl.col(c), decimal=raw.decimal).any() for c in texts
        )
        facts |= {c: not numbers[c][0] for c in texts}
    labels = [*periods, *[c for c in names if facts[c]]]
    kept = [i for i, c in enumerate(names) if not facts[c]]
    renamed = {
        f"{part}{old}": f"{part}{new}"
        for new, old in enumerate(kept)
        for part in ("value", "flag", "invalid")
    }
    parsed = parsed.select([pl.col(old).alias(new) for old, new in renamed.items()])
    return {names[i]: candidates[names[i]] for i in kept}, labels, parsed


def _check_cells(raw: RawTable, parsed: pl.DataFrame, names: list[str]) -> None:
    """Raise for cells that are neither numbers nor flags, naming line, column and text."""
    if not names:
        return
    counts = parsed.select(
        [pl.col(f"invalid{i}").sum().alias(str(i)) for i in range(len(names))]
    ).row(0)
    total = sum(counts)
    if not total:
        return
    bad = {
        name: raw.frame.select(LINE, name).filter(parsed[f"invalid{index}"])
        for index, name in enumerate(names)
        if counts[index]
    }
    # Numbers that are not finite first: they are numbers, only impossible ones.
    infinite = {
        name: cells.filter(non_finite_expr(pl.col(name), decimal=raw.decimal))
        for name, cells in bad.items()
    }
    if any(cells.height for cells in infinite.values()):
        found, count = _quoted(infinite)
        _raise_for(raw, found, count, "is not a finite number")
    found, count = _quoted(bad)
    _raise_for(raw, found, count, "is neither a number nor a flag (., -, x)")


def _quoted(cells: dict[str, pl.DataFrame]) -> tuple[list[tuple[int, str, str]], int]:
    """The first cells (line, column, text) of several columns in file order, and their count."""
    found = [
        (line, name, text)
        for name, frame in cells.items()
        for line, text in frame.head(MAX_QUOTED).rows()
    ]
    return sorted(found)[:MAX_QUOTED], sum(frame.height for frame in cells.values())


def _raise_for(raw: RawTable, found: list[tuple[int, str, str]], total: int, problem: str) -> None:
    quoted = [f"line {line}, column {name!r}: {text!r}" for line, name, text in found]
    message = f"{table_name(raw)}, {quoted[0]} {problem}"
    if len(quoted) > 1:
        message += "; also " + "; ".join(quoted[1:])
    if total > len(quoted):
        message += f"; and {total - len(quoted)} more"
    raise TableError(message)


def _records(raw: RawTable, spec: TableSpec, plan: Plan) -> pl.DataFrame:
    """Area, period, breakdowns and line of every record, checked."""
    area = pl.col(plan.area).str.strip_chars()
    if spec.area_codes:
        area = area.replace(spec.area_codes)
    if plan.year is not None:
        period = pl.lit(plan.year, dtype=pl.Int64)
    else:
        period = _years(raw.frame[str(plan.period_column)])
    dimensions = [pl.col(c).str.strip_chars().alias(k) for c, k in plan.breakdowns.items()]
    records = raw.frame.select(
        area.alias("area"), period.alias("period"), *dimensions, pl.col(LINE).alias("line")
    )
    empty = records.filter(pl.col("area") == "")
    if empty.height:
        line = empty["line"][0]
        raise TableError(
            f"{table_name(raw)}, line {line}, column {plan.area!r}: the area code is empty"
        )
    if plan.period_column is not None:
        bad = raw.frame.filter(records["period"].is_null())
        if bad.height:
            rows = bad.select(LINE, plan.period_column).head(MAX_QUOTED).rows()
            found = [(line, plan.period_column, text) for line, text in rows]
            _raise_for(raw, found, bad.height, "is not a year or a date")
    return records


def _years(texts: pl.Series) -> pl.Expr:
    """The year of every period cell; parsed once per distinct text, as there are few."""
    distinct = texts.unique().to_frame("text").with_columns(year_expr(pl.col("text")).alias("year"))
    return pl.lit(texts).replace_strict(
        distinct["text"], distinct["year"], default=None, return_dtype=pl.Int64
    )


def _stack(records: pl.DataFrame, parsed: pl.DataFrame, variables: dict[str, str]) -> pl.DataFrame:
    """One tidy record per record and value column: column by column, records in file order."""
    parts = [
        records.with_columns(
            pl.lit(variable, dtype=pl.Utf8).alias("variable"),
            parsed[f"value{index}"].alias("value"),
            parsed[f"flag{index}"].alias("flag"),
            pl.lit(column, dtype=pl.Utf8).alias("column"),
        )
        for index, (column, variable) in enumerate(variables.items())
    ]
    if not parts:
        return _in_order(
            records.clear().with_columns(
                pl.lit(None, dtype=pl.Utf8).alias("variable"),
                pl.lit(None, dtype=pl.Float64).alias("value"),
                pl.lit(None, dtype=pl.Utf8).alias("flag"),
                pl.lit(None, dtype=pl.Utf8).alias("column"),
            )
        )
    # Column after column: reordering record by record would cost more than all the parsing.
    return _in_order(pl.concat(parts, rechunk=False))


def _in_order(tidy: pl.DataFrame) -> pl.DataFrame:
    fixed = ("area", "period", "variable", "value", "flag", "line", "column")
    dimensions = [c for c in tidy.columns if c not in fixed]
    return tidy.select("area", "period", "variable", *dimensions, "value", "flag", "line", "column")


def _tidy_long(
    raw: RawTable, spec: TableSpec, plan: Plan, columns: Columns
) -> tuple[pl.DataFrame, int]:
    """The tidy records of a long table, and how many records `spec.variables` left out."""
    variable, variable_sources = _long_variable(raw, spec, columns)
    value = columns.find(spec.value, "value") if spec.value else columns.named(VALUE_COLUMNS)
    if value is None:
        raise TableError(f"{table_name(raw)}: no value column (value, Wert, Zahl, Anzahl); name it")
    flag = columns.find(spec.flag, "flag") if spec.flag else columns.named(FLAG_COLUMNS)
    used = {plan.area, plan.period_column, value, flag, *variable_sources, *plan.ignore}
    extra = {c: dimension_key(c) for c in raw.columns if c not in used and c not in plan.breakdowns}
    _check_dimension_keys(raw, extra.values())
    plan = Plan(plan.area, plan.period_column, plan.year, {**plan.breakdowns, **extra}, plan.ignore)
    names = raw.frame.select(variable.str.replace_all(r"\s+", " ").str.strip_chars()).to_series()
    raw, names, unlisted = listed_variables(raw, spec, names)
    parsed = _parse(raw, [value])
    _check_cells(raw, parsed, [value])
    records = _records(raw, spec, plan)
    empty = records.filter(names.fill_null("") == "")
    if empty.height:
        raise TableError(f"{table_name(raw)}, line {empty['line'][0]}: the variable name is empty")
    flags = parsed["flag0"]
    if flag is not None:
        flags = _flag_column(raw, flag, flags)
        _check_flagged_values(raw, flags, parsed["value0"], flag, value)
    tidy = records.with_columns(
        names.alias("variable"),
        parsed["value0"].alias("value"),
        flags.alias("flag"),
        pl.lit(value, dtype=pl.Utf8).alias("column"),
    )
    return _in_order(tidy), unlisted


def _flag_column(raw: RawTable, flag: str, from_values: pl.Series) -> pl.Series:
    """Flags from a separate column where given, else the flag in the value cell."""
    text = normalised_text(pl.col(flag))
    bad = raw.frame.filter((text != "") & ~text.is_in([".", "-", "x", "X"]))
    if bad.height:
        rows = bad.select(LINE, flag).head(MAX_QUOTED).rows()
        _raise_for(raw, [(n, flag, t) for n, t in rows], bad.height, "is not a flag (., -, x)")
    given = raw.frame.select(flag_expr(pl.col(flag))).to_series()
    return pl.select(pl.when(given != "").then(given).otherwise(from_values)).to_series()


def _check_flagged_values(
    raw: RawTable, flags: pl.Series, values: pl.Series, flag: str, value: str
) -> None:
    """Raise for a record with both a value and a flag: a flagged cell has no value."""
    both = (
        raw.frame.select(LINE, value, flag)
        .with_columns(flags.alias("__flag"))
        .filter((flags != "") & values.is_not_null())
    )
    if not both.height:
        return
    line, number, symbol, normalised = both.row(0)
    meaning = FLAG_NAMES[normalised]
    more = f"; and {both.height - 1} more" if both.height > 1 else ""
    raise TableError(
        f"{table_name(raw)}, line {line}, column {value!r}: the value {number!r} comes with the "
        f"flag {symbol.strip()!r} ({meaning}) in column {flag!r}; a flagged cell has no value"
        f"{more}"
    )


def _long_variable(raw: RawTable, spec: TableSpec, columns: Columns) -> tuple[pl.Expr, list[str]]:
    if spec.variable and "{" in spec.variable:
        return _template(spec.variable, columns)
    name = columns.find(spec.variable, "variable") if spec.variable else None
    name = name or columns.named(VARIABLE_COLUMNS)
    if name is None:
        raise TableError(f"{table_name(raw)}: no variable column (variable, Merkmal); name it")
    return pl.col(name), [name]


def _template(template: str, columns: Columns) -> tuple[pl.Expr, list[str]]:
    """A variable name built from several columns, e.g. "{tabelle}: {zeile}"."""
    parts: list[pl.Expr] = []
    sources: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(pl.lit(literal))
        if name is not None:
            column = columns.find(name, "variable template")
            parts.append(pl.col(column).str.strip_chars())
            sources.append(column)
    return pl.concat_str(parts), sources


def breakdown_dimensions(tidy: pl.DataFrame) -> list[str]:
    """The breakdown dimension columns of a tidy frame."""
    return [c for c in tidy.columns if c not in RESERVED]


def tidy_to_csv(tidy: pl.DataFrame, path: Path) -> None:
    """Write tidy observations as UTF-8 CSV: area, period, variable, value, flag, breakdowns.

    Values are plain numbers ("1675", "9.7", "-23") or empty.
    """
    dimensions = breakdown_dimensions(tidy)
    out = tidy.select(
        "area",
        pl.col("period").cast(pl.Utf8),
        "variable",
        plain_numbers(tidy["value"]).alias("value"),
        "flag",
        *dimensions,
    )
    # Empty texts are written as empty fields, not as "".
    out.select(pl.all().replace("", None)).write_csv(path)
