"""Numbers, status flags and years as German statistical offices write them.

Every function here works on text cells with vectorised polars string expressions, so a column
of a million cells is parsed without a Python loop. A cell is one of:

- empty (value null, flag ""),
- a status flag of official statistics: "." secret, "-" nothing (also written as an en dash "–"),
  "x" not applicable (also "X"); the value is null,
- a number: decimal comma ("9,7", "1.234.567,89", "1 675" with a space or a non-breaking space as
  thousands separator) or decimal point ("9.7", "1,234,567.89"), optionally negative, also with
  spaces after the sign ("-  23"); a finite one ("1e400" is too large for a float),
- anything else, which is invalid; callers locate such cells by line and column.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, overload

import polars as pl

FLAGS = (".", "-", "x")
FLAG_NAMES = {".": "secret", "-": "nothing", "x": "not applicable"}
DECIMAL_MARKS = (",", ".")

# Spaces that spreadsheets and typesetting put between digit groups.
_SPACES = ["\u00a0", "\u202f", "\u2007", "\u2009"]
_GROUP_SPACE = "[ " + "".join(_SPACES) + "]"
# Dashes that stand for the minus sign or for the flag "-".
_DASHES = ["\u2013", "\u2014", "\u2212"]
_SIGN = "[+\\-" + "".join(_DASHES) + "]"
_EXPONENT = r"(?:[eE][+-]?\d+)?"
# A number with decimal comma: groups of three separated by "." or a space, or plain digits;
# spaces may follow the sign ("-  23").
_COMMA_NUMBER = (
    rf"^\s*{_SIGN}?\s*(?:\d{{1,3}}(?:\.\d{{3}})+|\d{{1,3}}(?:{_GROUP_SPACE}\d{{3}})+|\d+)"
    rf"(?:,\d+)?{_EXPONENT}\s*$"
)
# A number with decimal point: "," as thousands separator only in strict groups of three.
_POINT_NUMBER = (
    rf"^\s*{_SIGN}?\s*(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:{_GROUP_SPACE}\d{{3}})+|\d+)"
    rf"(?:\.\d+)?{_EXPONENT}\s*$"
)
# Cells of digits, perhaps in groups of three, with an optional minus and decimal part, and
# nothing else ("-12", "9,7", "1.675", "1.234.567,89"): read by removing the group separators
# and a cast.
_PLAIN_COMMA = r"^-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"
_PLAIN_POINT = r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"
_FLAG_SPELLINGS = {".": ".", "-": "-", "x": "x", "X": "x", **dict.fromkeys(_DASHES, "-")}

# Cells that can only be read one way. "1.675" or "1,675" are ambiguous and do not count.
_COMMA_EVIDENCE = (
    r"^[+-]?\d+,(?:\d{1,2}|\d{4,})$"  # 9,7  or 6,38298
    r"|^[+-]?0,\d+$"  # 0,675
    r"|^[+-]?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?$"  # 1.234.567
    r"|^[+-]?\d{1,3}(?:[. ]\d{3})+,\d+$"  # 1.234,5  or 1 234,5
)
_POINT_EVIDENCE = (
    r"^[+-]?\d+\.(?:\d{1,2}|\d{4,})$"
    r"|^[+-]?0\.\d+$"
    r"|^[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?$"
    r"|^[+-]?\d{1,3}(?:[, ]\d{3})+\.\d+$"
)

# Words that programs write for numbers that are not finite.
_NON_FINITE = r"(?i)^\s*[+-]?(?:inf(?:inity)?|nan)\s*$"

_YEAR = r"^(\d{4})(?:\.0+)?$"
_ISO_DATE = r"^(\d{4})-\d{1,2}-\d{1,2}(?:[ T].*)?$"
_GERMAN_DATE = r"^\d{1,2}\.\d{1,2}\.(\d{4})$"


def _check_decimal(decimal: str) -> None:
    if decimal not in DECIMAL_MARKS:
        raise ValueError(f"decimal must be ',' or '.', not {decimal!r}")


def normalised_text(cell: pl.Expr) -> pl.Expr:
    """The cell with special spaces turned into plain ones, trimmed, and dashes made "-"."""
    replacements = dict.fromkeys(_SPACES, " ") | dict.fromkeys(_DASHES, "-")
    return cell.str.replace_many(replacements).str.strip_chars()


def flag_expr(cell: pl.Expr) -> pl.Expr:
    """The status flag of a cell: "." / "-" / "x", or "" for numbers, empty and invalid cells."""
    return cell.str.strip_chars().replace_strict(_FLAG_SPELLINGS, default="", return_dtype=pl.Utf8)


def _written_as_number(cell: pl.Expr, *, decimal: str) -> pl.Expr:
    """True where the cell is written as a number with the given decimal mark."""
    _check_decimal(decimal)
    pattern = _COMMA_NUMBER if decimal == "," else _POINT_NUMBER
    return cell.str.contains(pattern).fill_null(False)


def _number(cell: pl.Expr, *, decimal: str) -> pl.Expr:
    """The cell as Float64, for a cell written as a number (else anything)."""
    # Checked against the pattern first, so removing every separator cannot join two numbers.
    group = "." if decimal == "," else ","
    removed = dict.fromkeys([group, " ", "\t", "\n", "\r", *_SPACES], "")
    plain = cell.str.replace_many(removed | dict.fromkeys(_DASHES, "-"))
    if decimal == ",":
        plain = plain.str.replace(",", ".", literal=True)
    return plain.cast(pl.Float64, strict=False)


def is_number_expr(cell: pl.Expr, *, decimal: str) -> pl.Expr:
    """True where the cell is a finite number written with the given decimal mark."""
    return value_expr(cell, decimal=decimal).is_not_null()


def value_expr(cell: pl.Expr, *, decimal: str) -> pl.Expr:
    """The number in a cell as Float64; null for empty cells, flags and invalid cells.

    A number too large for a float (``1e400``) is invalid, not infinite.
    """
    return _finite(_written_value(cell, decimal=decimal))


def _written_value(cell: pl.Expr, *, decimal: str) -> pl.Expr:
    """The number of a cell written as a number, perhaps not finite; null for other cells."""
    written = _written_as_number(cell, decimal=decimal)
    return pl.when(written).then(_number(cell, decimal=decimal)).otherwise(None)


def _finite(number: pl.Expr) -> pl.Expr:
    return pl.when(number.is_finite()).then(number).otherwise(None)


def non_finite_expr(cell: pl.Expr, *, decimal: str) -> pl.Expr:
    """True where a cell stands for a number that is not finite: ``1e400``, ``inf``, ``NaN``."""
    overflow = (
        _written_as_number(cell, decimal=decimal) & ~_number(cell, decimal=decimal).is_finite()
    )
    return (overflow | cell.str.contains(_NON_FINITE)).fill_null(False)


def invalid_expr(cell: pl.Expr, *, decimal: str) -> pl.Expr:
    """True where a cell is neither empty, nor a flag, nor a (finite) number."""
    return ~(_empty_or_flag(cell) | is_number_expr(cell, decimal=decimal))


def _empty_or_flag(cell: pl.Expr) -> pl.Expr:
    text = cell.str.strip_chars().fill_null("")
    return (text == "") | text.is_in(list(_FLAG_SPELLINGS))


def parse_columns(frame: pl.DataFrame, names: list[str], *, decimal: str) -> pl.DataFrame:
    """Value, flag and invalid marker of the cells of several columns.

    The result has the columns ``value0``, ``flag0``, ``invalid0``, ``value1``, ... for the
    columns in `names`. Numbers are parsed for all columns in parallel; flags and invalid markers
    only for the cells that are not numbers, usually few.
    """
    plain = frame.select(
        _plain_value(pl.col(n), decimal).alias(f"value{i}") for i, n in enumerate(names)
    )
    read = [
        _with_written_values(frame[name], plain[f"value{i}"], decimal)
        for i, name in enumerate(names)
    ]
    # A second step, so that each number is parsed once (1e400 is no number).
    values = pl.DataFrame(read).select(_finite(pl.col(value.name)) for value in read)
    parts: list[pl.Series] = []
    for index, name in enumerate(names):
        value = values[f"value{index}"]
        flag, invalid = _flags_of_non_numbers(frame[name], value)
        parts += [value, flag.alias(f"flag{index}"), invalid.alias(f"invalid{index}")]
    return pl.DataFrame(parts, height=frame.height)


def _plain_value(cell: pl.Expr, decimal: str) -> pl.Expr:
    """The number of a cell of plain digits ("-12", "9,7", "1.675"), else null: the fast path.

    Most cells of most tables are such; a cell of this shape is a number of the full grammar,
    and without its group separators a cast reads it exactly as `_number` does. Other cells
    (spaces, exponents, other dashes, flags, text) are read by `_with_written_values`.
    """
    _check_decimal(decimal)
    if decimal == ",":
        plain = _PLAIN_COMMA
        text = cell.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        plain, text = _PLAIN_POINT, cell.str.replace_all(",", "", literal=True)
    return pl.when(cell.str.contains(plain)).then(text.cast(pl.Float64, strict=False))


def _with_written_values(cells: pl.Series, plain: pl.Series, decimal: str) -> pl.Series:
    """`plain` with the numbers of the other non-empty cells, read by the full grammar."""
    rest = (plain.is_null() & (cells.str.len_bytes() > 0)).arg_true()
    if not rest.len():
        return plain
    others = cells.gather(rest).to_frame("cell")
    written = others.select(_written_value(pl.col("cell"), decimal=decimal)).to_series()
    return plain.scatter(rest, written)


def _flags_of_non_numbers(cells: pl.Series, value: pl.Series) -> tuple[pl.Series, pl.Series]:
    flag = pl.repeat("", cells.len(), dtype=pl.Utf8, eager=True)
    invalid = pl.repeat(False, cells.len(), dtype=pl.Boolean, eager=True)
    rest = value.is_null().arg_true()
    if rest.len():
        cell = pl.col("cell")
        others = (
            cells.gather(rest)
            .to_frame("cell")
            .select(flag_expr(cell).alias("flag"), (~_empty_or_flag(cell)).alias("invalid"))
        )
        flag = flag.scatter(rest, others["flag"])
        invalid = invalid.scatter(rest, others["invalid"])
    return flag, invalid


@overload
def parse_values(raw: pl.Series, *, decimal: str) -> pl.DataFrame: ...


@overload
def parse_values(raw: pl.Expr, *, decimal: str) -> pl.Expr: ...


def parse_values(raw: pl.Series | pl.Expr, *, decimal: str) -> pl.DataFrame | pl.Expr:
    """Split text cells into value, flag and a marker for invalid cells.

    Parameters
    ----------
    raw : polars.Series or polars.Expr
        Text cells.
    decimal : {",", "."}
        The decimal mark of the table.

    Returns
    -------
    polars.DataFrame or polars.Expr
        For a Series, a frame with the columns ``value`` (Float64, null for flags and empty cells),
        ``flag`` ("", ".", "-" or "x") and ``invalid`` (True where the cell is neither a number,
        nor a flag, nor empty). For an expression, a struct expression with the same fields.

    Examples
    --------
    >>> cells = pl.Series(["1.675", "1 675", "9,7", "-  23", "–", "x", "", "abc"])
    >>> parsed = parse_values(cells, decimal=",")
    >>> parsed["value"].to_list()
    [1675.0, 1675.0, 9.7, -23.0, None, None, None, None]
    >>> parsed["flag"].to_list()
    ['', '', '', '', '-', 'x', '', '']
    >>> parsed["invalid"].to_list()
    [False, False, False, False, False, False, False, True]
    """
    if isinstance(raw, pl.Series):
        frame = pl.DataFrame({"cell": raw.cast(pl.Utf8)})
        parsed = parse_columns(frame, ["cell"], decimal=decimal)
        return parsed.rename({"value0": "value", "flag0": "flag", "invalid0": "invalid"})
    return pl.struct(
        value_expr(raw, decimal=decimal).alias("value"),
        flag_expr(raw).alias("flag"),
        invalid_expr(raw, decimal=decimal).alias("invalid"),
    )


def detect_decimal(frame: pl.DataFrame, *, default: str, sample: int = 20_000) -> str:
    """The decimal mark the text cells of a table use.

    Only cells that can be read one way count ("9,7", "1.234.567", "0,5" for a comma; "9.7",
    "1,234,567" for a point); "1.675" could be either and does not count. Without such cells,
    `default` is returned.

    Examples
    --------
    >>> detect_decimal(pl.DataFrame({"a": ["1.675", "9,7"]}), default=".")
    ','
    >>> detect_decimal(pl.DataFrame({"a": ["1.675", "2"]}), default=".")
    '.'
    """
    head = frame.head(sample)
    texts = [c for c, dtype in head.schema.items() if dtype == pl.Utf8]
    if not texts:
        return default
    counts = head.select(
        pl.sum_horizontal(_count_matching(texts, _COMMA_EVIDENCE)).alias("comma"),
        pl.sum_horizontal(_count_matching(texts, _POINT_EVIDENCE)).alias("point"),
    ).row(0, named=True)
    if counts["comma"] > counts["point"]:
        return ","
    if counts["point"] > counts["comma"]:
        return "."
    return default


def _count_matching(columns: list[str], pattern: str) -> list[pl.Expr]:
    return [pl.col(c).str.strip_chars().str.contains(pattern).sum() for c in columns]


def year_expr(cell: pl.Expr) -> pl.Expr:
    """The year of a period cell: "2012", "2012-12-31" or "31.12.2012" give 2012; else null.

    Examples
    --------
    >>> cells = pl.Series(["2012", "2012-12-31", "31.12.2012", "2012.0", "2012/13"])
    >>> pl.select(year_expr(pl.lit(cells))).to_series().to_list()
    [2012, 2012, 2012, 2012, None]
    """
    text = cell.str.strip_chars()
    return pl.coalesce(
        text.str.extract(_YEAR), text.str.extract(_ISO_DATE), text.str.extract(_GERMAN_DATE)
    ).cast(pl.Int64)


def plain_numbers(values: pl.Series) -> pl.Series:
    """Float64 values as plain text for exports: "1675", "9.7", "-23"; "" for null.

    Examples
    --------
    >>> plain_numbers(pl.Series([1675.0, 9.7, -23.0, None, 0.0000001])).to_list()
    ['1675', '9.7', '-23', '', '0.0000001']
    """
    value = pl.col("value")
    whole = (value == value.round(0)) & (value.abs() < 1e15)
    text = (
        pl.when(value.is_null())
        .then(pl.lit(""))
        .when(whole)
        .then(value.cast(pl.Int64).cast(pl.Utf8))
        .otherwise(value.cast(pl.Utf8))
    )
    frame = pl.DataFrame({"value": values.cast(pl.Float64)}).with_columns(text.alias("text"))
    # Polars writes very small and very large floats in scientific notation; those are rare.
    scientific = frame.with_row_index().filter(pl.col("text").str.contains("e", literal=True))
    result = frame["text"]
    if scientific.height:
        fixed = [format(Decimal(t), "f") for t in scientific["text"]]
        result = result.scatter(scientific["index"], fixed)
    return result.alias(values.name)


def number_kind(values: pl.Series) -> Literal["integer", "decimal"]:
    """Whether parsed numbers are all whole ("integer") or not ("decimal")."""
    present = values.drop_nulls()
    whole = bool((present == present.round(0)).all()) if present.len() else True
    return "integer" if whole else "decimal"
