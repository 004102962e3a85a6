"""Numbers, flags and years in the spellings of German statistical offices."""

from __future__ import annotations

import polars as pl
import pytest

from quartier.analysis.tables._cells import detect_decimal, parse_values, plain_numbers, year_expr

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.675", 1675.0),
        ("1 675", 1675.0),
        (f"1{NBSP}675", 1675.0),
        ("1\u202f675", 1675.0),
        ("9,7", 9.7),
        ("-  23", -23.0),
        ("- 23", -23.0),
        ("-23", -23.0),
        ("–23", -23.0),
        ("1.234.567,89", 1234567.89),
        ("1 234 567,89", 1234567.89),
        ("0,5", 0.5),
        ("+5", 5.0),
        (" 7 ", 7.0),
        ("1675", 1675.0),
        ("1,5E+03", 1500.0),
        ("01", 1.0),
    ],
)
def test_numbers_with_decimal_comma(cell: str, expected: float) -> None:
    parsed = parse_values(pl.Series([cell]), decimal=",").row(0, named=True)
    assert parsed == {"value": pytest.approx(expected), "flag": "", "invalid": False}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("9.7", 9.7),
        ("1,675", 1675.0),
        ("1,234,567.89", 1234567.89),
        ("1 675", 1675.0),
        ("-0.82908", -0.82908),
        ("- 23", -23.0),
        ("2930.0", 2930.0),
        ("1e-5", 0.00001),
    ],
)
def test_numbers_with_decimal_point(cell: str, expected: float) -> None:
    parsed = parse_values(pl.Series([cell]), decimal=".").row(0, named=True)
    assert parsed == {"value": pytest.approx(expected), "flag": "", "invalid": False}


@pytest.mark.parametrize(
    ("cell", "flag"),
    [(".", "."), ("-", "-"), ("–", "-"), ("—", "-"), ("x", "x"), ("X", "x"), (" . ", ".")],
)
@pytest.mark.parametrize("decimal", [",", "."])
def test_flags_have_no_value(cell: str, flag: str, decimal: str) -> None:
    parsed = parse_values(pl.Series([cell]), decimal=decimal).row(0, named=True)
    assert parsed == {"value": None, "flag": flag, "invalid": False}


@pytest.mark.parametrize("cell", ["", "   ", None])
def test_empty_cells_are_neither_values_nor_errors(cell: str | None) -> None:
    parsed = parse_values(pl.Series([cell], dtype=pl.Utf8), decimal=",").row(0, named=True)
    assert parsed == {"value": None, "flag": "", "invalid": False}


@pytest.mark.parametrize(
    ("cell", "decimal"),
    [
        ("abc", ","),
        ("1.67", ","),  # a dot with two digits is not a thousands separator
        ("12.3456", ","),
        ("1 2", ","),
        ("9,7", "."),
        ("1,67", "."),
        ("--5", ","),
        ("5 %", ","),
        ("xx", ","),
    ],
)
def test_other_cells_are_invalid(cell: str, decimal: str) -> None:
    parsed = parse_values(pl.Series([cell]), decimal=decimal).row(0, named=True)
    assert parsed == {"value": None, "flag": "", "invalid": True}


def test_parse_values_works_on_expressions() -> None:
    frame = pl.DataFrame({"cell": ["1.675", "x"]})
    parsed = frame.select(parse_values(pl.col("cell"), decimal=",").alias("p")).unnest("p")
    assert parsed.rows() == [(1675.0, "", False), (None, "x", False)]


def test_decimal_mark_needs_cells_that_read_one_way() -> None:
    assert detect_decimal(pl.DataFrame({"a": ["1.675", "9,7"]}), default=".") == ","
    assert detect_decimal(pl.DataFrame({"a": ["1.234.567", "3"]}), default=".") == ","
    assert detect_decimal(pl.DataFrame({"a": ["6.38298", "2930.0"]}), default=",") == "."
    assert detect_decimal(pl.DataFrame({"a": ["1,234,567"]}), default=",") == "."
    assert detect_decimal(pl.DataFrame({"a": ["1.675", "1,675"]}), default=",") == ","
    assert detect_decimal(pl.DataFrame({"a": ["1.675", "1,675"]}), default=".") == "."


def test_ids_and_dates_are_no_evidence_for_a_decimal_mark() -> None:
    frame = pl.DataFrame({"id": ["010.005.2005.000.010"], "date": ["31.12.2012"]})
    assert detect_decimal(frame, default=",") == ","
    assert detect_decimal(frame, default=".") == "."


def test_years_from_years_and_dates() -> None:
    texts = pl.Series(["2012", "2012-12-31", "31.12.2012", "2012-12-31 00:00:00", " 2013 ", "12"])
    years = pl.select(year_expr(pl.lit(texts))).to_series().to_list()
    assert years == [2012, 2012, 2012, 2012, 2013, None]


def test_plain_numbers_for_export() -> None:
    values = pl.Series([1675.0, 9.7, -23.0, None, 0.0, 1234567.89, 1e-7, 1e20])
    assert plain_numbers(values).to_list() == [
        "1675",
        "9.7",
        "-23",
        "",
        "0",
        "1234567.89",
        "0.0000001",
        "100000000000000000000",
    ]


@pytest.mark.parametrize(
    ("cell", "decimal"),
    [("1e400", ","), ("-1e400", "."), ("1,5e999", ","), ("inf", "."), ("-inf", ","),
     ("Infinity", ","), ("NaN", "."), ("nan", ",")],
)  # fmt: skip
def test_numbers_that_are_not_finite_are_invalid(cell: str, decimal: str) -> None:
    parsed = parse_values(pl.Series([cell]), decimal=decimal).row(0, named=True)
    assert parsed == {"value": None, "flag": "", "invalid": True}
    as_expression = pl.select(parse_values(pl.lit(cell), decimal=decimal)).item()
    assert as_expression == {"value": None, "flag": "", "invalid": True}
    assert parse_values(pl.Series(["1e308"]), decimal=decimal)["value"].to_list() == [1e308]
