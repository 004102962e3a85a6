"""Tidy observations made ready to be stored: the breakdown key and one record per cell."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from quartier.analysis.tables import (
    RawTable,
    TableError,
    TableSpec,
    check_unique_observations,
    negative_counts,
    parse_key,
    read_table,
    repeated_cells,
    tidy_table,
    with_breakdown_key,
)


def tidy(**dimensions: list[str | None]) -> pl.DataFrame:
    """Tidy observations of one area and year, one record per value of the dimensions."""
    height = len(next(iter(dimensions.values()))) if dimensions else 2
    return pl.DataFrame(
        {
            "area": ["01"] * height,
            "period": [2024] * height,
            "variable": ["einwohner"] * height,
            **dimensions,
            "value": [float(n) for n in range(height)],
            "flag": [""] * height,
            "line": list(range(2, height + 2)),
            "column": ["Einwohner"] * height,
        },
        schema_overrides=dict.fromkeys(dimensions, pl.Utf8),
    )


def test_the_key_lists_the_dimensions_sorted() -> None:
    frame = with_breakdown_key(tidy(gender=["w", "m"], age_group=["0-5", "6-14"]), where="t.csv")

    assert frame["breakdown_key"].to_list() == ["age_group=0-5;gender=w", "age_group=6-14;gender=m"]
    assert [parse_key(key) for key in frame["breakdown_key"]] == [
        {"age_group": "0-5", "gender": "w"},
        {"age_group": "6-14", "gender": "m"},
    ]


def test_without_dimensions_every_key_is_the_total() -> None:
    frame = with_breakdown_key(tidy(), where="t.csv")

    assert frame["breakdown_key"].to_list() == ["", ""]
    assert frame.columns[-1] == "breakdown_key"


def test_an_empty_value_keeps_its_dimension() -> None:
    frame = with_breakdown_key(tidy(gender=["w", None]), where="t.csv")

    assert frame["breakdown_key"].to_list() == ["gender=w", "gender="]


def test_only_the_dimensions_named_make_the_key() -> None:
    frame = tidy(gender=["w", "m"]).with_columns(area_id=pl.lit(7))

    keyed = with_breakdown_key(frame, where="t.csv", dimensions=["gender"])

    assert keyed["breakdown_key"].to_list() == ["gender=w", "gender=m"]


@pytest.mark.parametrize("value", ["w;m", "a=b"])
def test_a_value_with_a_separator_of_the_key_is_refused(value: str) -> None:
    with pytest.raises(TableError) as raised:
        with_breakdown_key(tidy(gender=["w", value]), where="t.csv")

    assert str(raised.value) == (
        f"t.csv, line 3: breakdown value {value!r} of 'gender' must not contain ';' or '='"
    )


def test_distinct_cells_pass() -> None:
    frame = with_breakdown_key(tidy(gender=["w", "m"]), where="t.csv")

    check_unique_observations(frame, where="t.csv")


def test_a_cell_given_twice_names_its_lines_and_the_count() -> None:
    frame = with_breakdown_key(tidy(gender=["w", "m", "w", "m", "x"]), where="t.csv")

    with pytest.raises(TableError) as raised:
        check_unique_observations(frame, where="t.csv")

    assert str(raised.value) == (
        "t.csv: lines 2, 4 give the same cell twice (area '01', period 2024, variable "
        "'einwohner', breakdown gender=w); 2 such cell(s) in total; if two areas are written "
        "alike (a Bezirk and a Stadtteil of one name), take a column with codes as the area, and "
        "check that area_codes gives no two areas one code"
    )


def test_a_total_given_twice_names_no_breakdown() -> None:
    frame = with_breakdown_key(pl.concat([tidy(), tidy()]), where="t.csv")

    with pytest.raises(TableError, match=r"\(area '01', period 2024, variable 'einwohner'\);"):
        check_unique_observations(frame, where="t.csv")


def test_a_table_read_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "sozial.csv"
    path.write_text(
        "Jahr;Bezirk;Geschlecht;Einwohner\n2024;01;w;3\n2024;01;m;4\n2024;01;w;5\n",
        encoding="utf-8",
    )
    spec = TableSpec(area="Bezirk", period="Jahr", breakdowns={"Geschlecht": "gender"})
    frame = with_breakdown_key(tidy_table(read_table(path), spec), where=path.name)

    assert frame["breakdown_key"].to_list() == ["gender=w", "gender=m", "gender=w"]
    with pytest.raises(TableError, match=r"sozial\.csv: lines 2, 4 give the same cell twice"):
        check_unique_observations(frame, where=path.name)


# --- counts are never negative ----------------------------------------------------------------


SIGNED = "Bezirk;Einwohner;Saldo;Anteil\n01;1.675;-23;-0,5\n02;-  12;5;3,2\n03;7;-1;1,0\n"


def signed(folder: Path) -> tuple[RawTable, pl.DataFrame]:
    path = folder / "signed.csv"
    path.write_text(SIGNED, encoding="utf-8")
    raw = read_table(path)
    return raw, tidy_table(raw, TableSpec(period=2024))


def test_whole_numbers_are_counts_by_default(tmp_path: Path) -> None:
    raw, frame = signed(tmp_path)
    assert negative_counts(raw, frame, "auto") == (
        "signed.csv, line 3, column 'Einwohner': '-  12' is negative, but 'Einwohner' is a count "
        "(its numbers are all whole); and 2 more; if a variable may be negative (a balance, a "
        "change), say which variables are counts"
    )


def test_the_counts_can_be_named(tmp_path: Path) -> None:
    raw, frame = signed(tmp_path)
    assert negative_counts(raw, frame, ["Einwohner", "Anteil"]) == (
        "signed.csv, line 3, column 'Einwohner': '-  12' is negative, but 'Einwohner' is a count; "
        "and 1 more; if a variable may be negative (a balance, a change), say which variables are "
        "counts"
    )
    assert negative_counts(raw, frame, ["Anteil"]) is not None
    assert negative_counts(raw, frame, "none") is None
    assert negative_counts(raw, frame.filter(pl.col("variable") == "Anteil"), "auto") is None
    assert "'Anteil' is a count;" in str(
        negative_counts(raw, frame.filter(pl.col("variable") == "Anteil"), "all")
    )


def test_a_count_that_is_no_variable_is_an_error(tmp_path: Path) -> None:
    raw, frame = signed(tmp_path)
    with pytest.raises(TableError) as raised:
        negative_counts(raw, frame, ["Einwohnerinnen"])
    assert str(raised.value) == (
        "signed.csv: counts names 'Einwohnerinnen', which is no variable of the table; the "
        "variables are 'Einwohner', 'Saldo', 'Anteil'"
    )
    assert raised.value.setting == "counts"


def test_repeated_cells_are_said_without_a_breakdown_key() -> None:
    frame = tidy(gender=["w", "m", "w"])
    assert repeated_cells(frame.head(2), where="t.csv") is None
    assert str(repeated_cells(frame, where="t.csv")).startswith(
        "t.csv: lines 2, 4 give the same cell twice (area '01', period 2024, variable "
        "'einwohner', breakdown gender=w); 1 such cell(s) in total;"
    )
