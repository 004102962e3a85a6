"""Reading CSV files and XLSX sheets as German cities publish them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from quartier.analysis.tables import (
    TableError,
    TableSpec,
    profile_columns,
    read_table,
    tidy_table,
)

NBSP = "\u00a0"


def write(folder: Path, text: str, *, encoding: str = "utf-8", name: str = "t.csv") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def cells(path: Path, **options: str) -> list[dict[str, object]]:
    return read_table(path, **options).frame.to_dicts()


# --- encodings ------------------------------------------------------------------------------

GERMAN = "Straße;Größe\n01011101;Hauptstraße\n02;Ölmühle\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (GERMAN.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + GERMAN.encode("utf-8"), "utf-8-sig"),
        (GERMAN.encode("cp1252"), "cp1252"),
        (GERMAN.encode("utf-16"), "utf-16"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, raw: bytes, encoding: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(raw)
    table = read_table(path)
    assert table.encoding == encoding
    assert table.columns == ["Straße", "Größe"]
    assert table.frame["Straße"].to_list() == ["01011101", "02"]
    assert table.frame["Größe"].to_list() == ["Hauptstraße", "Ölmühle"]


def test_cp1252_with_euro_sign_and_umlauts_in_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "Gebiet;Betrag (€)\nSüd;5\n", encoding="cp1252")
    table = read_table(path)
    assert table.columns == ["Gebiet", "Betrag (€)"]
    assert table.frame["Gebiet"].to_list() == ["Süd"]


def test_encoding_can_be_given(tmp_path: Path) -> None:
    path = write(tmp_path, "Größe;n\nä;1\n", encoding="latin-1")
    assert read_table(path, encoding="latin-1").columns == ["Größe", "n"]


def test_a_wrong_encoding_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a;b\n1;2\nÄ;3\n", encoding="cp1252")
    with pytest.raises(TableError, match=r"t\.csv, line 3: the file is not utf-8"):
        read_table(path, encoding="utf-8")


# --- delimiters, header, line numbers ----------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiters_are_detected(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["Bezirk", "Einwohner", "Name"]) + "\n"
    text += delimiter.join(["01", "1675", "Mitte"]) + "\n"
    text += delimiter.join(["02", "23", "Nord"]) + "\n"
    table = read_table(write(tmp_path, text))
    assert table.delimiter == delimiter
    assert table.columns == ["Bezirk", "Einwohner", "Name"]
    assert table.frame["Einwohner"].to_list() == ["1675", "23"]


def test_semicolon_wins_over_decimal_commas(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Bezirk;Anteil\n01;9,7\n02;3,4\n03;12\n"))
    assert table.delimiter == ";"
    assert table.decimal == ","


def test_delimiter_can_be_given(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "a;b,c\n1;2,3\n"), delimiter=",")
    assert table.columns == ["a;b", "c"]
    assert read_table(write(tmp_path, "a\tb;c\n"), delimiter="tab").columns == ["a", "b;c"]
    with pytest.raises(TableError, match="delimiter must be"):
        read_table(write(tmp_path, "a|b\n"), delimiter="|")


def test_header_with_line_breaks_is_one_line_of_text(tmp_path: Path) -> None:
    text = 'Bezirk;"Anteil\nSGB II\n(%)";"  Einwohner\r\n insgesamt "\n01;9,7;1.675\n02;3,4;23\n'
    table = read_table(write(tmp_path, text))
    assert table.columns == ["Bezirk", "Anteil SGB II (%)", "Einwohner insgesamt"]
    assert table.header_line == 1
    assert table.frame["__line"].to_list() == [5, 6]


def test_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    text = 'id;Name;n\n01;"zwei\nZeilen";1\n\n02;Nord;2\n03;"drei\nganze\nZeilen";3\n04;Süd;4\n'
    table = read_table(write(tmp_path, text))
    assert table.frame.select("id", "__line").rows() == [
        ("01", 2),
        ("02", 5),
        ("03", 6),
        ("04", 9),
    ]
    assert table.frame["Name"].to_list()[2] == "drei\nganze\nZeilen"


def test_line_numbers_with_windows_line_ends(tmp_path: Path) -> None:
    text = 'id;n\r\n01;"a\r\nb"\r\n02;3\r\n'
    table = read_table(write(tmp_path, text))
    assert table.frame.select("id", "__line").rows() == [("01", 2), ("02", 4)]


def test_title_lines_above_the_header_are_skipped(tmp_path: Path) -> None:
    text = (
        "Bevölkerung am 31.12.2012 nach Stadtbezirken;;\n"
        ";;\n"
        "Bezirk;Einwohner;Ausländer\n"
        "01;1.675;12\n"
    )
    table = read_table(write(tmp_path, text))
    assert table.columns == ["Bezirk", "Einwohner", "Ausländer"]
    assert table.header_line == 3
    assert table.frame.select("Bezirk", "__line").rows() == [("01", 4)]
    assert any("skipped as titles" in p for p in table.problems)


def test_footnotes_at_the_end_are_skipped(tmp_path: Path) -> None:
    text = "Bezirk;Einwohner;Ausländer\n01;1.675;12\n02;7;1\nQuelle: Stadt Musterstadt;;\n"
    table = read_table(write(tmp_path, text))
    assert table.frame["Bezirk"].to_list() == ["01", "02"]
    assert any("footnotes" in p and "line 4" in p for p in table.problems)


def test_ragged_records_are_reported(tmp_path: Path) -> None:
    text = "a;b;c\n1;2;3\n4;5\n6;7;8;9\n"
    table = read_table(write(tmp_path, text))
    assert table.columns == ["a", "b", "c", "column_4"]
    assert table.frame.drop("__line").rows() == [
        ("1", "2", "3", ""),
        ("4", "5", "", ""),
        ("6", "7", "8", "9"),
    ]
    problems = " | ".join(table.problems)
    assert "fewer cells" in problems
    assert "line 3" in problems
    assert "more cells than the header" in problems


def test_trailing_delimiters_add_no_columns(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "a;b;\n1;2;\n3;4;\n"))
    assert table.columns == ["a", "b"]
    assert table.problems == []


def test_empty_and_repeated_headers_get_names(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, ";Wert;Wert\n01;1;2\n"))
    assert table.columns == ["column_1", "Wert", "Wert_2"]
    assert len(table.problems) == 2


def test_leading_zeros_stay(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "id,n\n01011101,5\n000,6\n"))
    assert table.frame["id"].to_list() == ["01011101", "000"]
    kinds = {p.name: p.kind for p in profile_columns(table)}
    assert kinds == {"id": "id", "n": "integer"}


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="empty"):
        read_table(write(tmp_path, "\n\n"))


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="no such file"):
        read_table(tmp_path / "missing.csv")


# --- decimal mark and numbers through the whole path --------------------------------------------


def test_german_numbers_from_file_to_values(tmp_path: Path) -> None:
    text = (
        "Bezirk;Einwohner;Anteil;Saldo;Kinder\n"
        "01;1.675;9,7;-  23;1 675\n"
        f"02;1.234.567;0,5;- 23;1{NBSP}675\n"
        "03;.;–;x;-\n"
    )
    table = read_table(write(tmp_path, text, encoding="cp1252"))
    assert table.decimal == ","
    tidy = tidy_table(table, TableSpec(period=2012))
    assert tidy.select("area", "variable", "value", "flag").rows() == [
        ("01", "Einwohner", 1675.0, ""),
        ("02", "Einwohner", 1234567.0, ""),
        ("03", "Einwohner", None, "."),
        ("01", "Anteil", 9.7, ""),
        ("02", "Anteil", 0.5, ""),
        ("03", "Anteil", None, "-"),
        ("01", "Saldo", -23.0, ""),
        ("02", "Saldo", -23.0, ""),
        ("03", "Saldo", None, "x"),
        ("01", "Kinder", 1675.0, ""),
        ("02", "Kinder", 1675.0, ""),
        ("03", "Kinder", None, "-"),
    ]


def test_decimal_point_files(tmp_path: Path) -> None:
    text = 'id,n,share\n01,"1,675",6.38298\n02,23,-0.5\n'
    table = read_table(write(tmp_path, text))
    assert table.decimal == "."
    tidy = tidy_table(table, TableSpec(period=2013))
    assert tidy["value"].to_list() == [1675.0, 23.0, 6.38298, -0.5]


def test_ambiguous_numbers_follow_the_delimiter(tmp_path: Path) -> None:
    assert read_table(write(tmp_path, "a;b\n01;1.675\n")).decimal == ","
    assert read_table(write(tmp_path, "a,b\n01,1.675\n")).decimal == "."


def test_decimal_mark_can_be_given(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "a;b\n01;1.675\n"), decimal=".")
    assert tidy_table(table, TableSpec(period=2012))["value"].to_list() == [1.675]


def test_column_profiles_count_flags(tmp_path: Path) -> None:
    text = "Bezirk;Name;Einwohner;Anteil;Leer\n01;Mitte;1.675;9,7;\n02;Nord;.;x;\n03;Süd;-;abc;\n"
    table = read_table(write(tmp_path, text))
    profiles = {p.name: p for p in profile_columns(table)}
    assert profiles["Bezirk"].kind == "id"
    assert profiles["Name"].kind == "text"
    assert profiles["Einwohner"].kind == "integer"
    assert profiles["Einwohner"].flags == {".": 1, "-": 1}
    assert profiles["Anteil"].kind == "text"
    assert profiles["Anteil"].first_invalid == (4, "abc")
    assert profiles["Leer"].kind == "empty"


# --- XLSX ----------------------------------------------------------------------------------------


def workbook(folder: Path, rows: list[list[object]], *, title: str = "Daten") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Info"
    sheet.append(["nothing here"])
    data = book.create_sheet(title)
    for row in rows:
        data.append(row)
    path = folder / "t.xlsx"
    book.save(path)
    return path


def test_xlsx_numbers_and_text_cells(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Bevölkerung 2012"],
        [],
        ["Bezirk", "Einwohner\ninsgesamt", "Anteil", "Saldo", "Stichtag"],
        ["01", 1675, 9.7, "-  23", dt.datetime(2012, 12, 31)],
        ["02", "1.234", "0,5", "x", "31.12.2012"],
        ["03", 12.0, ".", -5, dt.date(2012, 12, 31)],
    ]
    path = workbook(tmp_path, rows)
    table = read_table(path, sheet="Daten")
    assert table.sheet == "Daten"
    assert table.delimiter is None
    assert table.decimal == ","
    assert table.columns == ["Bezirk", "Einwohner insgesamt", "Anteil", "Saldo", "Stichtag"]
    assert table.header_line == 3
    assert table.frame["__line"].to_list() == [4, 5, 6]
    tidy = tidy_table(table, TableSpec(area="Bezirk", period="Stichtag"))
    assert tidy.select("area", "period", "variable", "value", "flag").rows() == [
        ("01", 2012, "Einwohner insgesamt", 1675.0, ""),
        ("02", 2012, "Einwohner insgesamt", 1234.0, ""),
        ("03", 2012, "Einwohner insgesamt", 12.0, ""),
        ("01", 2012, "Anteil", 9.7, ""),
        ("02", 2012, "Anteil", 0.5, ""),
        ("03", 2012, "Anteil", None, "."),
        ("01", 2012, "Saldo", -23.0, ""),
        ("02", 2012, "Saldo", None, "x"),
        ("03", 2012, "Saldo", -5.0, ""),
    ]


def test_xlsx_first_sheet_by_default_and_sheet_names_are_checked(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["a", "b"], ["1", 2]])
    assert read_table(path).sheet == "Info"
    assert read_table(path, sheet="daten").sheet == "Daten"
    with pytest.raises(TableError, match=r"no sheet 'Tabelle1'.*'Info', 'Daten'"):
        read_table(path, sheet="Tabelle1")


def test_xlsx_ids_stored_as_numbers_with_zero_format_keep_zeros(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "n"])
    sheet.append([1011101, 5])
    sheet["A2"].number_format = "00000000"
    path = tmp_path / "ids.xlsx"
    book.save(path)
    assert read_table(path).frame["id"].to_list() == ["01011101"]


def test_xlsx_decimal_point_text_cells(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["id", "a", "b"], ["01", "9.75", 2.5]])
    table = read_table(path, sheet="Daten")
    assert table.decimal == "."
    assert tidy_table(table, TableSpec(period=2012))["value"].to_list() == [9.75, 2.5]


def test_xlsx_row_numbers_count_empty_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"], sheet["B1"] = "id", "n"
    sheet["A2"], sheet["B2"] = "01", 1
    sheet["A5"], sheet["B5"] = "02", 2
    path = tmp_path / "gaps.xlsx"
    book.save(path)
    assert read_table(path).frame.select("id", "__line").rows() == [("01", 2), ("02", 5)]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_text("id;n\n")
    with pytest.raises(TableError, match=r"broken\.xlsx: not a readable XLSX"):
        read_table(path)


def test_sheet_for_csv_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="only"):
        read_table(write(tmp_path, "a;b\n1;2\n"), sheet="Daten")


# --- a large file goes through polars, a broken one through the lenient reader -----------------


def test_large_and_lenient_paths_agree(tmp_path: Path) -> None:
    body = "".join(f"{i:05d};{i},5;x\n" for i in range(3000))
    clean = read_table(write(tmp_path, "id;a;b\n" + body, name="clean.csv"))
    stray = read_table(write(tmp_path, "id;a;b\n" + body + '99999;1;"2"x\n', name="stray.csv"))
    assert clean.frame.height == 3000
    assert stray.frame.head(3000).equals(clean.frame)
    assert stray.frame.row(3000) == ("99999", "1", "2x", 3002)
    assert isinstance(clean.frame.schema["__line"], pl.Int64)


def test_lenient_reader_counts_lines_of_quoted_cells(tmp_path: Path) -> None:
    # The stray quote in line 5 makes polars give up; the csv module reads the rest.
    text = 'id;Name;n\n01;"zwei\nZeilen";1\n02;Nord;2\n03;"a"b;3\n04;"x\ny";4\n05;Süd;5\n'
    table = read_table(write(tmp_path, text))
    assert table.frame.select("id", "Name", "__line").rows() == [
        ("01", "zwei\nZeilen", 2),
        ("02", "Nord", 4),
        ("03", "ab", 5),
        ("04", "x\ny", 6),
        ("05", "Süd", 8),
    ]
