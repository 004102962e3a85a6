"""Reading a statistics file into a raw table, what each of its columns holds, what it repaired."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from quartier.analysis.tables._cells import (
    FLAGS,
    detect_decimal,
    flag_expr,
    invalid_expr,
    is_number_expr,
    number_kind,
    value_expr,
)
from quartier.analysis.tables._columns import PERIOD_COLUMNS, table_name
from quartier.analysis.tables._csv import read_csv_grid
from quartier.analysis.tables._raw import (
    LINE,
    RawTable,
    TableError,
    TableProblem,
    TextGrid,
    clean_headers,
    listed_lines,
    tidy_body,
)
from quartier.analysis.tables._xlsx import read_xlsx_grid

__all__ = ["ColumnProfile", "check_repairs", "profile_columns", "read_table", "repeated_records"]

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> RawTable:
    r"""Read a CSV file or an XLSX sheet, keeping every cell as text.

    Parameters
    ----------
    path : Path
        A ``.csv`` (or ``.txt``, ``.tsv``) file or an ``.xlsx`` workbook.
    sheet : str, optional
        The sheet of a workbook; the first sheet by default.
    encoding : str, optional
        The text encoding of a CSV file; detected by default (UTF-8, UTF-8 with BOM, UTF-16
        with BOM, else cp1252).
    delimiter : {";", ",", "\t"}, optional
        The CSV delimiter; detected by default.
    decimal : {",", "."}, optional
        The decimal mark; detected from the cells by default.

    Returns
    -------
    RawTable

    Raises
    ------
    TableError
        If the file cannot be read; the message names the file. What the reader repaired or
        skipped is no error but a problem of the table (`RawTable.problems`); `check_repairs`
        refuses the repairs that may have lost values.
    """
    path = Path(path)
    if decimal is not None and decimal not in (",", "."):
        raise TableError(f"{path.name}: the decimal mark must be ',' or '.', not {decimal!r}")
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise TableError(f"{path.name}: old .xls workbooks cannot be read; save it as .xlsx")
    if suffix in XLSX_SUFFIXES:
        grid, sheet_name, decimal = read_xlsx_grid(path, sheet=sheet, decimal=decimal)
        return _raw_table(path, grid, sheet_name, "xlsx", None, decimal)
    if sheet is not None:
        raise TableError(f"{path.name}: a sheet can only be chosen in an XLSX workbook")
    grid, encoding, delimiter = read_csv_grid(path, encoding=encoding, delimiter=delimiter)
    return _raw_table(path, grid, None, encoding, delimiter, decimal)


def _raw_table(
    path: Path,
    grid: TextGrid,
    sheet: str | None,
    encoding: str,
    delimiter: str | None,
    decimal: str | None,
) -> RawTable:
    grid = _without_unnamed_empty_columns(grid)
    names, header_problems = clean_headers(grid.header)
    body, body_problems = tidy_body(grid)
    frame = body.rename({f"c{i}": name for i, name in enumerate(names)}).select(*names, LINE)
    if decimal is None:
        decimal = detect_decimal(frame.drop(LINE), default="." if delimiter == "," else ",")
    return RawTable(
        path=path,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        columns=names,
        frame=frame,
        problems=grid.problems + header_problems + body_problems,
        header_line=grid.header_line,
    )


def _without_unnamed_empty_columns(grid: TextGrid) -> TextGrid:
    """Drop columns without header and without content, as trailing delimiters make them."""
    keep: list[int] = []
    for index, text in enumerate(grid.header):
        column = grid.body[f"c{index}"]
        if text.strip() or (column.fill_null("").str.strip_chars() != "").any():
            keep.append(index)
    if len(keep) == len(grid.header):
        return grid
    body = grid.body.select(
        *[pl.col(f"c{old}").alias(f"c{new}") for new, old in enumerate(keep)], LINE
    )
    header = [grid.header[i] for i in keep]
    return TextGrid(header=header, header_line=grid.header_line, body=body, problems=grid.problems)


def check_repairs(raw: RawTable) -> None:
    """Raise if the reader repaired the table in a way that may have lost or made up values.

    Those are the problems marked as a loss (`TableProblem.loss`): records with missing or
    extra cells, quotes not closed, footnotes holding numbers, formulas without saved values.
    The error's setting is ``"accept_warnings"``: a caller may take the table as read.

    Examples
    --------
    >>> frame = pl.DataFrame({"id": ["01"], "n": [""], LINE: [2]})
    >>> columns = ["id", "n"]
    >>> check_repairs(RawTable(Path("t.csv"), None, "utf-8", ";", ",", columns, frame))
    >>> short = TableProblem("1 record(s) have fewer cells ...: line 2", loss=True)
    >>> check_repairs(RawTable(Path("t.csv"), None, "utf-8", ";", ",", columns, frame, [short]))
    Traceback (most recent call last):
    ...
    quartier.analysis.tables._raw.TableError: t.csv: values may be lost or made up where ...
    """
    losses = raw.losses
    if losses:
        raise TableError(
            f"{table_name(raw)}: values may be lost or made up where the file was repaired "
            f"({'; '.join(str(problem) for problem in losses)}); check the file",
            setting="accept_warnings",
        )


def repeated_records(raw: RawTable, profiles: list[ColumnProfile]) -> TableProblem | None:
    """Records alike in the first column, the period and every column of text or ids.

    Such records give the same cells twice when the first column (or a text column) names the
    areas: two areas written alike, such as a Bezirk and a Stadtteil of one name. Only what
    `profile_columns` found is used: the table has no spec yet.
    """
    kinds = {profile.name: profile.kind for profile in profiles}
    key = [
        name
        for index, name in enumerate(raw.columns)
        if not index or kinds[name] in ("text", "id") or name.casefold() in PERIOD_COLUMNS
    ]
    if not key or raw.frame.height < 2:
        return None
    text = [pl.col(name).str.strip_chars() for name in key]
    repeated = raw.frame.filter(pl.struct(text).is_duplicated())
    if repeated.height == 0:
        return None
    groups = repeated.group_by(text, maintain_order=True).agg(pl.col(LINE))
    first = groups.row(0, named=True)
    lines = first[LINE]
    alike = ", ".join(f"{name!r} {first[name]!r}" for name in key)
    return TableProblem(
        f"lines {listed_lines(lines, len(lines))} are alike in {alike}; if "
        f"{key[0]!r} names the areas, an area comes twice in one period (two areas written "
        f"alike?): take a column with codes as the area; {groups.height} such group(s) of "
        "records in total"
    )


@dataclass(frozen=True)
class ColumnProfile:
    """What a column holds.

    `kind` is "empty", "id" (digits only, with leading zeros: keep as text), "integer",
    "decimal", "flags" (only status flags), or "text". `flags` counts the cells per flag symbol;
    `invalid` counts cells that are neither numbers nor flags, `first_invalid` gives the line and
    text of the first such cell when the column otherwise holds numbers.
    """

    name: str
    kind: str
    filled: int
    numbers: int
    flags: dict[str, int] = field(default_factory=dict)
    invalid: int = 0
    first_invalid: tuple[int, str] | None = None


def profile_columns(raw: RawTable) -> list[ColumnProfile]:
    """Profile every column of a raw table.

    Examples
    --------
    >>> frame = pl.DataFrame({"id": ["01", "02"], "n": ["1.675", "."], LINE: [2, 3]})
    >>> raw = RawTable(Path("t.csv"), None, "utf-8", ";", ",", ["id", "n"], frame)
    >>> [(p.name, p.kind, p.flags) for p in profile_columns(raw)]
    [('id', 'id', {}), ('n', 'integer', {'.': 1})]
    """
    return [_profile(raw, name) for name in raw.columns]


def _profile(raw: RawTable, name: str) -> ColumnProfile:
    cell = pl.col(name)
    text = cell.str.strip_chars()
    facts = raw.frame.select(
        (text != "").sum().alias("filled"),
        is_number_expr(cell, decimal=raw.decimal).sum().alias("numbers"),
        invalid_expr(cell, decimal=raw.decimal).sum().alias("invalid"),
        (text.str.contains(r"^0\d") & text.str.contains(r"^\d+$")).any().alias("zeros"),
        (text.str.contains(r"^\d+$") | (text == "")).all().alias("digits"),
    ).row(0, named=True)
    flags = raw.frame.select(flag_expr(cell).alias("flag")).to_series().value_counts()
    counts = {row[0]: int(row[1]) for row in flags.iter_rows() if row[0] in FLAGS}
    kind = _kind(raw, name, facts)
    first_invalid = None
    if facts["invalid"] and facts["numbers"]:
        bad = raw.frame.filter(invalid_expr(cell, decimal=raw.decimal)).row(0, named=True)
        first_invalid = (int(bad[LINE]), str(bad[name]))
    return ColumnProfile(
        name=name,
        kind=kind,
        filled=int(facts["filled"]),
        numbers=int(facts["numbers"]),
        flags={symbol: counts[symbol] for symbol in FLAGS if symbol in counts},
        invalid=int(facts["invalid"]),
        first_invalid=first_invalid,
    )


def _kind(raw: RawTable, name: str, facts: dict[str, int]) -> str:
    if not facts["filled"]:
        return "empty"
    if facts["digits"] and facts["zeros"]:
        return "id"
    if facts["invalid"]:
        return "text"
    if not facts["numbers"]:
        return "flags"
    values = raw.frame.select(value_expr(pl.col(name), decimal=raw.decimal)).to_series()
    return number_kind(values)
