"""`numeric_columns`: the ids as text and the named columns of a raw table as numbers."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from quartier.analysis.indices import numeric_columns
from quartier.analysis.tables import LINE, RawTable, TableError


def raw_table(**columns: list[str]) -> RawTable:
    lines = list(range(2, 2 + len(next(iter(columns.values())))))
    frame = pl.DataFrame({**columns, LINE: lines})
    return RawTable(Path("mss.csv"), None, "utf-8", ";", ",", list(columns), frame)


def test_numeric_columns_read_german_numbers_and_flags() -> None:
    raw = raw_table(PLR=["0101", " 0102"], Einwohner=["1.675", "."], Anteil=["9,7", "-"])
    frame = numeric_columns(raw, id_column="plr", numbers=["einwohner", "Anteil", "Anteil"])
    assert frame.columns == ["plr", "einwohner", "Anteil"]
    assert frame.rows() == [("0101", 1675.0, 9.7), ("0102", None, None)]


def test_numeric_columns_name_the_bad_cell() -> None:
    raw = raw_table(PLR=["01", "02", "03"], EW=["400", "viele", "k.A."])
    with pytest.raises(
        TableError,
        match=r"^mss.csv, line 3, column 'EW': 'viele' is not a number \(and 1 more cells",
    ):
        numeric_columns(raw, id_column="PLR", numbers=["EW"])
    with pytest.raises(TableError, match=r"^mss.csv: no column 'Status' \(numbers\)"):
        numeric_columns(raw, id_column="PLR", numbers=["Status"])
