"""From raw tables to tidy observations: layouts, breakdowns, specs, errors, real city files."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from quartier.analysis.tables import (
    TableError,
    TableSpec,
    convert_table,
    load_spec,
    read_table,
    repeated_cells,
    spec_from_mapping,
    tidy_table,
    tidy_to_csv,
    value_columns,
)


def table(folder: Path, text: str, *, name: str = "t.csv") -> Any:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return read_table(path)


WIDE = (
    "Bezirk;Jahr;Geschlecht;Einwohner;SGB II\n"
    "01;2012;m;1.675;9,7\n"
    "01;2012;w;1.700;.\n"
    "02;31.12.2012;m;23;-\n"
)


def test_wide_layout_with_breakdown(tmp_path: Path) -> None:
    raw = table(tmp_path, WIDE)
    spec = TableSpec(area="Bezirk", period="Jahr", breakdowns={"Geschlecht": "gender"})
    tidy = tidy_table(raw, spec)
    assert tidy.columns == [
        "area",
        "period",
        "variable",
        "gender",
        "value",
        "flag",
        "line",
        "column",
    ]
    # Column by column, the records of each column in the order of the file.
    assert tidy.rows() == [
        ("01", 2012, "Einwohner", "m", 1675.0, "", 2, "Einwohner"),
        ("01", 2012, "Einwohner", "w", 1700.0, "", 3, "Einwohner"),
        ("02", 2012, "Einwohner", "m", 23.0, "", 4, "Einwohner"),
        ("01", 2012, "SGB II", "m", 9.7, "", 2, "SGB II"),
        ("01", 2012, "SGB II", "w", None, ".", 3, "SGB II"),
        ("02", 2012, "SGB II", "m", None, "-", 4, "SGB II"),
    ]
    assert tidy.schema == pl.Schema(
        {
            "area": pl.Utf8,
            "period": pl.Int64,
            "variable": pl.Utf8,
            "gender": pl.Utf8,
            "value": pl.Float64,
            "flag": pl.Utf8,
            "line": pl.Int64,
            "column": pl.Utf8,
        }
    )


def test_wide_layout_chosen_variables_get_keys(tmp_path: Path) -> None:
    raw = table(tmp_path, WIDE)
    spec = TableSpec(
        area="bezirk",  # case and spacing of headers are forgiven
        period="Jahr",
        variables={"SGB II": "sgb2_share"},
        ignore=["Geschlecht"],
    )
    tidy = tidy_table(raw, spec)
    assert tidy.select("variable", "column").unique().rows() == [("sgb2_share", "SGB II")]
    assert tidy.height == 3


def test_period_column_is_found_by_name_and_fixed_year_works(tmp_path: Path) -> None:
    raw = table(tmp_path, WIDE)
    assert set(tidy_table(raw, TableSpec(ignore=["Geschlecht"]))["period"]) == {2012}
    fixed = tidy_table(raw, TableSpec(period="2015", ignore=["Geschlecht", "Jahr"]))
    assert set(fixed["period"]) == {2015}


def test_text_columns_are_left_out_of_wide_tables(tmp_path: Path) -> None:
    raw = table(tmp_path, "id,name,n\n01,Mitte,5\n02,Nord,.\n")
    conversion = convert_table(raw, TableSpec(period=2013))
    assert conversion.left_out == ["name"]
    assert conversion.frame["variable"].to_list() == ["n", "n"]
    assert value_columns(raw, TableSpec(period=2013)) == ({"n": "n"}, ["name"])


def test_a_year_column_is_no_variable_when_the_year_is_given(tmp_path: Path) -> None:
    raw = table(tmp_path, "Bezirk;Jahr;n\n01;2012;5\n")
    conversion = convert_table(raw, TableSpec(period=2013))
    assert conversion.frame.select("period", "variable", "value").rows() == [(2013, "n", 5.0)]
    assert conversion.left_out == ["Jahr"]


def test_a_table_without_value_columns_gives_no_values(tmp_path: Path) -> None:
    raw = table(tmp_path, "Bezirk;Name\n01;Mitte\n")
    tidy = tidy_table(raw, TableSpec(period=2012))
    assert tidy.height == 0
    assert tidy.columns == ["area", "period", "variable", "value", "flag", "line", "column"]


def test_area_codes_are_trimmed_and_recoded(tmp_path: Path) -> None:
    raw = table(tmp_path, "Raum;n\n 001 ;1\n002;2\n")
    tidy = tidy_table(raw, TableSpec(period=2012, area_codes={"001": "05315001"}))
    assert tidy["area"].to_list() == ["05315001", "002"]


LONG = (
    "id;jahr;raum_id;tabelle;zeile;geschlecht;zahl\n"
    "1;2012;000;Einwohner;insgesamt;m;1.675\n"
    "2;2012;000;Einwohner;insgesamt;w;1.700\n"
    "3;2012;001;Einwohner;unter 18;w;–\n"
)


def test_long_layout_with_template_and_extra_breakdown(tmp_path: Path) -> None:
    raw = table(tmp_path, LONG)
    spec = TableSpec(
        layout="long",
        area="raum_id",
        period="jahr",
        variable="{tabelle}: {zeile}",
        value="zahl",
        ignore=["id"],
    )
    tidy = tidy_table(raw, spec)
    assert tidy.rows() == [
        ("000", 2012, "Einwohner: insgesamt", "m", 1675.0, "", 2, "zahl"),
        ("000", 2012, "Einwohner: insgesamt", "w", 1700.0, "", 3, "zahl"),
        ("001", 2012, "Einwohner: unter 18", "w", None, "-", 4, "zahl"),
    ]
    assert tidy.columns[3] == "geschlecht"


def test_long_layout_finds_common_column_names(tmp_path: Path) -> None:
    raw = table(tmp_path, "Gebiet;Jahr;Merkmal;Wert\n01;2012;Einwohner;1.675\n")
    tidy = tidy_table(raw, TableSpec(layout="long"))
    assert tidy.select("area", "period", "variable", "value").rows() == [
        ("01", 2012, "Einwohner", 1675.0)
    ]


def test_long_layout_with_flag_column(tmp_path: Path) -> None:
    text = "area,period,variable,value,flag\n01,2012,a,5,\n01,2012,b,,.\n01,2012,c,,–\n"
    tidy = tidy_table(table(tmp_path, text), TableSpec(layout="long"))
    assert tidy.select("variable", "value", "flag").rows() == [
        ("a", 5.0, ""),
        ("b", None, "."),
        ("c", None, "-"),
    ]


def test_long_layout_rejects_unknown_flags(tmp_path: Path) -> None:
    text = "area,period,variable,value,flag\n01,2012,a,5,\n01,2012,b,,?\n"
    with pytest.raises(TableError, match=r"line 3, column 'flag': '\?' is not a flag"):
        tidy_table(table(tmp_path, text), TableSpec(layout="long"))


# --- errors name file, line and column -------------------------------------------------------


def test_invalid_cell_names_line_and_column(tmp_path: Path) -> None:
    text = "Bezirk;Einwohner;Anteil\n01;1.675;9,7\n02;1.700;3,1\n03;abc;2,0\n04;5;x\n"
    with pytest.raises(TableError) as error:
        tidy_table(table(tmp_path, text, name="einwohner.csv"), TableSpec(period=2012))
    message = str(error.value)
    assert message.startswith("einwohner.csv, line 4, column 'Einwohner': 'abc'")
    assert "line 4" in message
    assert "Einwohner" in message


def test_several_invalid_cells_are_counted(tmp_path: Path) -> None:
    text = "id;a;b\n01;?;1\n02;1;??\n03;!;1\n04;#;1\n05;%;1\n"
    with pytest.raises(TableError) as error:
        tidy_table(table(tmp_path, text), TableSpec(period=2012))
    message = str(error.value)
    assert "line 2, column 'a': '?'" in message
    assert "line 3, column 'b': '??'" in message
    assert "and 2 more" in message


def test_unknown_column_in_spec(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"t\.csv: no column 'Bezrik' \(area\)"):
        tidy_table(table(tmp_path, WIDE), TableSpec(area="Bezrik", period=2012))


def test_empty_area_code(tmp_path: Path) -> None:
    text = "Bezirk;n\n01;1\n ;2\n"
    with pytest.raises(TableError, match=r"line 3, column 'Bezirk': the area code is empty"):
        tidy_table(table(tmp_path, text), TableSpec(period=2012))


def test_unparseable_period(tmp_path: Path) -> None:
    text = "Bezirk;Jahr;n\n01;2012;1\n02;zwanzig;2\n"
    with pytest.raises(TableError, match=r"line 3, column 'Jahr': 'zwanzig' is not a year"):
        tidy_table(table(tmp_path, text), TableSpec())


def test_missing_period(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="no period column"):
        tidy_table(table(tmp_path, "Bezirk;n\n01;1\n"), TableSpec())


def test_breakdown_keys_must_not_clash(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="'value' cannot name a breakdown"):
        tidy_table(table(tmp_path, WIDE), TableSpec(breakdowns={"Geschlecht": "value"}))


# --- specs from YAML mappings ----------------------------------------------------------------


def test_spec_from_mapping_reads_every_key() -> None:
    spec = spec_from_mapping(
        {
            "layout": "long",
            "sheet": "Daten",
            "encoding": "cp1252",
            "delimiter": "tab",
            "decimal": ",",
            "area": "raum_id",
            "period": "jahr",
            "breakdowns": {"Geschlecht": "gender"},
            "variable": "{tabelle}: {zeile}",
            "value": "zahl",
            "flag": "kennzeichen",
            "ignore": ["id", "raum"],
            "area_codes": {"000": "05315000"},
            "source": "Stadt Köln",
        },
        where="koeln.yaml",
    )
    assert spec == TableSpec(
        layout="long",
        area="raum_id",
        period="jahr",
        breakdowns={"Geschlecht": "gender"},
        variables=None,
        variable="{tabelle}: {zeile}",
        value="zahl",
        flag="kennzeichen",
        ignore=["id", "raum"],
        area_codes={"000": "05315000"},
        source="Stadt Köln",
        sheet="Daten",
        encoding="cp1252",
        delimiter="\t",
        decimal=",",
    )


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"aera": "x"}, "m.yaml: unknown key 'aera' (the keys are layout, sheet, encoding, "
         "delimiter, decimal, area, period, breakdowns, variables, variable, value, flag, ignore, "
         "where, recode, area_codes, source, counts)"),
        ({"layout": "tall"}, "m.yaml, layout: must be 'wide' or 'long', not 'tall'"),
        ({"period": 12}, "m.yaml, period: must be a year like 2012 or the name of a column, "
         "not 12"),
        ({"period": [2012]}, "m.yaml, period: must be a year like 2012 or the name of a column, "
         "not [2012]"),
        ({"breakdowns": {"Alter": "age group"}}, "m.yaml, breakdowns.Alter: the dimension key "
         "'age group' must consist of letters, digits and _ and not be one of area, column, "
         "flag, line, period, value, variable"),
        ({"breakdowns": ["value"]}, "m.yaml, breakdowns.value: the dimension key 'value' must "
         "consist of letters, digits and _ and not be one of area, column, flag, line, period, "
         "value, variable"),
        ({"breakdowns": "Alter"}, "m.yaml, breakdowns: must be a mapping of column names to keys "
         "(or a list of column names), not 'Alter'"),
        ({"area_codes": {1: "05315001"}}, "m.yaml, area_codes.1: write every code in quotes, e.g. "
         "'001': '05315001' (YAML reads unquoted 001 as the number 1); found 1"),
        ({"area_codes": ["001"]}, "m.yaml, area_codes: must be a mapping of codes in the table to "
         "area codes, not a list"),
        ({"decimal": ";"}, "m.yaml, decimal: must be ',' or '.', not ';'"),
        ({"delimiter": "|"}, "m.yaml, delimiter: must be ';', ',' or 'tab', not '|'"),
        ({"encoding": "klingon"}, "m.yaml, encoding: unknown encoding 'klingon'"),
        ({"value": "zahl"}, "m.yaml, value: only used with 'layout: long'"),
        ({"ignore": [["a"]]}, "m.yaml, ignore (item 1): must be a text, not a list"),
        ({"ignore": {"a": 1}}, "m.yaml, ignore: must be a list of column names, not a set of keys "
         "and values"),
        ({"area": ["a"]}, "m.yaml, area: must be a text, not a list"),
        ({"area": " "}, "m.yaml, area: must be a non-empty text"),
        ([], "m.yaml: the file must be a set of keys and values (the keys are layout, sheet, "
         "encoding, delimiter, decimal, area, period, breakdowns, variables, variable, value, "
         "flag, ignore, where, recode, area_codes, source, counts), not a list"),
        ({"counts": {"a": 1}}, "m.yaml, counts: must be auto, all, none or a list of variables, "
         "not {'a': 1}"),
        ({"counts": []}, "m.yaml, counts: must be auto, all, none or a list of variables, not []"),
    ],
)  # fmt: skip
def test_spec_errors_name_file_and_key(mapping: dict[str, Any], message: str) -> None:
    with pytest.raises(TableError) as error:
        spec_from_mapping(mapping, where="m.yaml")
    assert str(error.value) == message


def test_variables_as_list_and_year_as_period() -> None:
    spec = spec_from_mapping({"variables": ["a", 2012], "period": 2012}, where="m.yaml")
    assert spec.variables == {"a": "a", "2012": "2012"}
    assert spec.period == 2012


def test_load_spec_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "einwohner.yaml"
    path.write_text("area: Bezirk\nperiod: 2012\nignore: Name\n", encoding="utf-8")
    assert load_spec(path) == TableSpec(area="Bezirk", period=2012, ignore=["Name"])
    path.write_text("area: [unclosed\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"^einwohner\.yaml, line 2: not a valid UTF-8 YAML file"):
        load_spec(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("area: Bezirk\nbreakdowns:\n  Geschlecht: gender\n  Alter: age group\n",
         "einwohner.yaml, line 4, breakdowns.Alter: the dimension key 'age group' must consist of "
         "letters, digits and _ and not be one of area, column, flag, line, period, value, "
         "variable"),
        ("area: Bezirk\narea_codes:\n  '001': '05315001'\n  002: '05315002'\n",
         "einwohner.yaml, line 4, area_codes.2: write every code in quotes, e.g. '001': "
         "'05315001' (YAML reads unquoted 001 as the number 1); found 2"),
        ("area: Bezirk\nignore:\n  - Name\n  - [Nr]\n",
         "einwohner.yaml, line 4, ignore (item 2): must be a text, not a list"),
        ("area: Bezirk\n\nvalue: Wert\n", "einwohner.yaml, line 3, value: only used with "
         "'layout: long'"),
        ("area: Bezirk\narea: Gebiet\n",
         "einwohner.yaml, line 2: the key 'area' is given twice (first on line 1)"),
        ("- area\n", "einwohner.yaml, line 1: the mapping must be a set of keys and values"),
        ("# only a comment\n", "einwohner.yaml: the file is empty"),
    ],
)  # fmt: skip
def test_errors_of_a_mapping_file_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "einwohner.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TableError) as error:
        load_spec(path)
    assert str(error.value) == message


# --- the tidy CSV ---------------------------------------------------------------------------


def test_tidy_csv_round_trip(tmp_path: Path) -> None:
    raw = table(tmp_path, WIDE)
    spec = TableSpec(area="Bezirk", period="Jahr", breakdowns={"Geschlecht": "gender"})
    tidy = tidy_table(raw, spec)
    out = tmp_path / "tidy.csv"
    tidy_to_csv(tidy, out)
    assert out.read_text(encoding="utf-8").splitlines() == [
        "area,period,variable,value,flag,gender",
        "01,2012,Einwohner,1675,,m",
        "01,2012,Einwohner,1700,,w",
        "02,2012,Einwohner,23,,m",
        "01,2012,SGB II,9.7,,m",
        "01,2012,SGB II,,.,w",
        "02,2012,SGB II,,-,m",
    ]
    again = tidy_table(read_table(out), TableSpec(layout="long", breakdowns={"gender": "gender"}))
    assert again.drop("line", "column").equals(tidy.drop("line", "column"))


# --- real city files -------------------------------------------------------------------------


@pytest.mark.shared_data
def test_berlin_mss_table(shared_data: Path) -> None:
    raw = read_table(shared_data / "berlin-mss" / "mss_2013_table_2-1.csv")
    assert (raw.encoding, raw.delimiter, raw.decimal) == ("utf-8", ",", ".")
    # 448 lines: the header and one record per Planungsraum of the 2013 edition.
    assert raw.records == 447
    assert raw.problems == []
    assert raw.frame["id"][0] == "01011101"
    assert raw.frame["id"].str.len_chars().unique().to_list() == [8]
    conversion = convert_table(raw, TableSpec(area="id", period=2013))
    tidy = conversion.frame
    assert conversion.left_out == ["name"]
    assert tidy.height == 447 * 9
    first = tidy.filter(pl.col("area") == "01011101")
    assert dict(first.select("variable", "value").rows())["inhabitants"] == 2930.0
    assert dict(first.select("variable", "value").rows())["d1_percentage_unemployed"] == -0.82908


@pytest.mark.shared_data
def test_koeln_population_in_long_layout(shared_data: Path) -> None:
    raw = read_table(shared_data / "koeln" / "bevoelkerung_2005-2012_long.csv")
    assert raw.records == 29135
    spec = spec_from_mapping(
        {
            "layout": "long",
            "area": "raum_id",
            "period": "jahr",
            "variable": "{tabelle}: {zeile}",
            "value": "zahl",
            "ignore": ["id", "tab_id", "zei_id", "raum"],
        },
        where="koeln.yaml",
    )
    tidy = tidy_table(raw, spec)
    assert tidy.height == 29135
    assert tidy.columns == ["area", "period", "variable", "value", "flag", "line", "column"]
    city = tidy.filter(
        (pl.col("area") == "000") & (pl.col("variable") == "Einwohner in Köln: Einwohner")
    )
    assert dict(city.select("period", "value").rows())[2005] == 1023101
    assert city.row(0, named=True)["line"] == 2
    assert tidy["area"].n_unique() == 96
    assert sorted(tidy["period"].unique()) == list(range(2005, 2013))
    assert tidy.filter(pl.col("value").is_null()).height == 0


# --- impossible numbers and contradictions are refused --------------------------------------------


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (("1e400", "2"), "t.csv, line 2, column 'n': '1e400' is not a finite number"),
        (("5", "-inf"), "t.csv, line 3, column 'n': '-inf' is not a finite number"),
        (("NaN", "nan"), "t.csv, line 2, column 'n': 'NaN' is not a finite number; also line 3, "
         "column 'n': 'nan'"),
    ],
)  # fmt: skip
def test_numbers_that_are_not_finite_are_refused(
    tmp_path: Path, cells: tuple[str, str], message: str
) -> None:
    raw = table(tmp_path, f"id;n;m\n01;{cells[0]};1\n02;{cells[1]};2\n")
    with pytest.raises(TableError) as raised:
        tidy_table(raw, TableSpec(period=2012))
    assert str(raised.value) == message


def test_a_value_with_a_flag_is_refused(tmp_path: Path) -> None:
    text = "area,period,variable,value,flag\n01,2012,a,5,\n01,2012,b,7,.\n01,2012,c,8,-\n"
    with pytest.raises(TableError) as raised:
        tidy_table(table(tmp_path, text), TableSpec(layout="long"))
    assert str(raised.value) == (
        "t.csv, line 3, column 'value': the value '7' comes with the flag '.' (secret) in column "
        "'flag'; a flagged cell has no value; and 1 more"
    )


# --- selecting records, variables of long tables, recoding ------------------------------------

TABLES = (
    "tabelle;jahr;raum;zeile;zahl\n"
    "Einwohner;2012;01;Einwohner;100\n"
    "Einwohner nach Alter;2012;01;00 - < 03;10\n"
    "Einwohner nach Alter;2012;01;03 - < 06;5\n"
    "Einwohner nach Alter;2012;01;06 - < 10;7\n"
    "Einwohner nach Alter;2012;02;00 - < 03;.\n"
    "Einwohner nach Alter;2012;02;03 - < 06;4\n"
    "Einwohner nach Geschlecht;2012;01;weiblich;50\n"
)
AGES = {"zeile": "age_group"}
FIRST_YEARS = {"age_group": {"00 - < 03": "0-5", "03 - < 06": "0-5"}}


def long_spec(**keys: Any) -> TableSpec:
    return TableSpec(layout="long", area="raum", period="jahr", value="zahl", **keys)


def rows(tidy: pl.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    return tidy.select("area", "variable", *columns, "value", "flag").rows()


def test_where_keeps_the_records_of_one_text(tmp_path: Path) -> None:
    spec = long_spec(variable="tabelle", breakdowns=AGES, where={"tabelle": ["Einwohner"]})
    assert rows(tidy_table(table(tmp_path, TABLES), spec), "age_group") == [
        ("01", "Einwohner", "Einwohner", 100.0, "")
    ]


def test_where_keeps_any_of_a_list_and_every_column_must_match(tmp_path: Path) -> None:
    raw = table(tmp_path, TABLES)
    spec = long_spec(
        variable="tabelle",
        ignore=["zeile"],
        where={"tabelle": ["Einwohner", " Einwohner  nach Geschlecht "], "raum": ["01"]},
    )
    assert rows(tidy_table(raw, spec)) == [
        ("01", "Einwohner", 100.0, ""),
        ("01", "Einwohner nach Geschlecht", 50.0, ""),
    ]
    both = dataclasses.replace(spec, where={"tabelle": ["Einwohner nach Alter"], "raum": ["02"]})
    assert tidy_table(raw, both)["line"].to_list() == [6, 7]


def test_where_selects_records_of_a_wide_table_too(tmp_path: Path) -> None:
    spec = TableSpec(area="Bezirk", period="Jahr", where={"Geschlecht": ["w"]})
    tidy = tidy_table(table(tmp_path, WIDE), spec)
    assert tidy.select("area", "variable", "value", "flag").rows() == [
        ("01", "Einwohner", 1700.0, ""),
        ("01", "SGB II", None, "."),
    ]


def test_where_reads_the_cells_it_leaves_out_no_further(tmp_path: Path) -> None:
    raw = table(tmp_path, TABLES + "Haushalte;2012;01;Haushalte;viele\n")
    spec = long_spec(variable="tabelle", ignore=["zeile"], where={"tabelle": ["Einwohner"]})
    assert tidy_table(raw, spec)["value"].to_list() == [100.0]


def test_a_where_column_the_table_lacks(tmp_path: Path) -> None:
    raw = table(tmp_path, TABLES)
    with pytest.raises(TableError) as error:
        tidy_table(raw, long_spec(variable="tabelle", where={"tabele": ["Einwohner"]}))
    assert str(error.value) == (
        "t.csv: no column 'tabele' (where); the columns are 'tabelle', 'jahr', 'raum', 'zeile', "
        "'zahl'"
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "layout: long\narea: raum\nvalue: zahl\nvariable: tabelle\nwhere:\n  tabele: Einwohner\n",
        encoding="utf-8",
    )
    with pytest.raises(TableError) as error:
        tidy_table(raw, load_spec(mapping))
    assert str(error.value) == (
        "m.yaml, line 6, where.tabele: no column 'tabele' in t.csv; the columns are 'tabelle', "
        "'jahr', 'raum', 'zeile', 'zahl'"
    )


def test_a_where_that_keeps_no_record(tmp_path: Path) -> None:
    raw = table(tmp_path, TABLES)
    spec = long_spec(variable="tabelle", where={"tabelle": ["Einwohner nach Alterr"]})
    with pytest.raises(TableError) as error:
        tidy_table(raw, spec)
    assert str(error.value) == (
        "no record of t.csv has tabelle 'Einwohner nach Alterr'; the values are: 'Einwohner', "
        "'Einwohner nach Alter', 'Einwohner nach Geschlecht'"
    )
    spec = long_spec(variable="tabelle", where={"tabelle": ["Einwohner"], "raum": ["02", "03"]})
    with pytest.raises(TableError) as error:
        tidy_table(raw, spec)
    assert str(error.value) == "no record of t.csv has raum '02' or '03'; the values are: '01'"


def test_a_where_that_keeps_no_record_lists_ten_values_and_names_the_line(
    tmp_path: Path,
) -> None:
    text = "raum;jahr;n\n" + "".join(f"{area:02};2012;1\n" for area in range(1, 13))
    raw = table(tmp_path, text)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("area: raum\nwhere: {raum: '99'}\n", encoding="utf-8")
    with pytest.raises(TableError) as error:
        tidy_table(raw, load_spec(mapping))
    assert str(error.value) == (
        "m.yaml, line 2, where.raum: no record of t.csv has raum '99'; the values are: '01', "
        "'02', '03', '04', '05', '06', '07', '08', '09', '10', and 2 more"
    )


def test_variables_of_a_long_table_are_renamed_and_selected(tmp_path: Path) -> None:
    raw = table(tmp_path, TABLES)
    spec = long_spec(
        variable="{tabelle}: {zeile}",
        variables={"Einwohner: Einwohner": "einwohner", "Einwohner nach Geschlecht: weiblich": "w"},
    )
    conversion = convert_table(raw, spec)
    assert rows(conversion.frame) == [("01", "einwohner", 100.0, ""), ("01", "w", 50.0, "")]
    assert conversion.frame["line"].to_list() == [2, 8]
    assert conversion.records_left_out == 5
    assert convert_table(raw, long_spec(variable="tabelle")).records_left_out == 0


def test_variables_of_a_long_table_leave_out_cells_unread(tmp_path: Path) -> None:
    raw = table(tmp_path, TABLES + "Haushalte;2012;01;Haushalte;viele\n")
    spec = long_spec(variable="tabelle", ignore=["zeile"], variables={"Einwohner": "einwohner"})
    assert rows(tidy_table(raw, spec)) == [("01", "einwohner", 100.0, "")]


def test_a_variable_no_record_has(tmp_path: Path) -> None:
    raw = table(tmp_path, TABLES)
    spec = long_spec(variable="tabelle", variables={"Einwohner in Köln": "einwohner"})
    with pytest.raises(TableError) as error:
        tidy_table(raw, spec)
    assert str(error.value) == (
        "no record of t.csv has the variable 'Einwohner in Köln'; the variables are: "
        "'Einwohner', 'Einwohner nach Alter', 'Einwohner nach Geschlecht'"
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "layout: long\narea: raum\nvalue: zahl\nvariable: tabelle\n"
        "variables:\n  Einwohner: einwohner\n  Einwohner in Köln: koeln\n",
        encoding="utf-8",
    )
    with pytest.raises(TableError) as error:
        tidy_table(raw, load_spec(mapping))
    assert str(error.value).startswith(
        "m.yaml, line 7, variables.'Einwohner in Köln': no record of t.csv has the variable "
        "'Einwohner in Köln'; the variables are: 'Einwohner', "
    )


def test_recode_sums_the_records_that_become_one_cell(tmp_path: Path) -> None:
    spec = long_spec(
        variable="tabelle",
        variables={"Einwohner nach Alter": "einwohner"},
        breakdowns=AGES,
        recode=FIRST_YEARS,
    )
    tidy = tidy_table(table(tmp_path, TABLES), spec)
    assert tidy.columns == [
        "area", "period", "variable", "age_group", "value", "flag", "line", "column"
    ]  # fmt: skip
    assert rows(tidy, "age_group", "line") == [
        ("01", "einwohner", "0-5", 3, 15.0, ""),
        ("01", "einwohner", "06 - < 10", 5, 7.0, ""),
        ("02", "einwohner", "0-5", 6, None, "."),
    ]


@pytest.mark.parametrize(
    ("cells", "value", "flag"),
    [
        (("3", "4"), 7.0, ""),
        ((".", "4"), None, "."),
        ((".", "-"), None, "."),
        (("-", "-"), None, "-"),
        (("-", "4"), 4.0, ""),
        (("x", "4"), 4.0, ""),
        (("", "4"), 4.0, ""),
        (("x", "-"), None, "-"),
        (("x", "x"), None, "x"),
        (("", "x"), None, "x"),
        (("", ""), None, ""),
    ],
)
def test_the_flags_of_a_sum(
    tmp_path: Path, cells: tuple[str, str], value: float | None, flag: str
) -> None:
    text = "Bezirk;Alter;Einwohner\n" + "".join(
        f"01;{age};{cell}\n" for age, cell in zip(("0-3", "3-6"), cells, strict=True)
    )
    spec = TableSpec(
        area="Bezirk",
        period=2012,
        breakdowns={"Alter": "age_group"},
        recode={"age_group": {"0-3": "0-5", "3-6": "0-5"}},
    )
    tidy = tidy_table(table(tmp_path, text), spec)
    assert tidy.select("age_group", "value", "flag", "line").rows() == [("0-5", value, flag, 2)]


def test_recode_keeps_a_cell_given_twice_apart(tmp_path: Path) -> None:
    text = "Bezirk;Alter;Einwohner\n01;0-3;1\n01;3-6;2\n01;0-3;4\n"
    spec = TableSpec(
        area="Bezirk",
        period=2012,
        breakdowns={"Alter": "age_group"},
        recode={"age_group": {"0-3": "0-5", "3-6": "0-5"}},
    )
    tidy = tidy_table(table(tmp_path, text), spec)
    assert tidy.select("age_group", "value", "line").rows() == [("0-5", 3.0, 2), ("0-5", 4.0, 4)]
    assert repeated_cells(tidy, where="t.csv") is not None


def test_recode_of_a_wide_table_sums_column_by_column(tmp_path: Path) -> None:
    text = "Bezirk;Geschlecht;Einwohner;Arbeitslose\n01;m;3;1\n01;w;4;.\n02;m;5;x\n02;w;6;2\n"
    spec = TableSpec(
        area="Bezirk",
        period=2012,
        breakdowns={"Geschlecht": "gender"},
        recode={"gender": {"m": "zusammen", "w": "zusammen"}},
    )
    tidy = tidy_table(table(tmp_path, text), spec)
    assert tidy.select("area", "variable", "gender", "value", "flag").rows() == [
        ("01", "Einwohner", "zusammen", 7.0, ""),
        ("02", "Einwohner", "zusammen", 11.0, ""),
        ("01", "Arbeitslose", "zusammen", None, "."),
        ("02", "Arbeitslose", "zusammen", 2.0, ""),
    ]
