"""Reading CSV files and XLSX sheets as German cities publish them."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from quartier.analysis.tables import (
    RawTable,
    TableError,
    TableSpec,
    check_repairs,
    profile_columns,
    read_table,
    repeated_records,
    tidy_table,
)
from tests.analysis.tables.workbooks import compound_file

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
    assert any("skipped as titles" in str(p) for p in table.problems)


def test_footnotes_at_the_end_are_skipped(tmp_path: Path) -> None:
    text = "Bezirk;Einwohner;Ausländer\n01;1.675;12\n02;7;1\nQuelle: Stadt Musterstadt;;\n"
    table = read_table(write(tmp_path, text))
    assert table.frame["Bezirk"].to_list() == ["01", "02"]
    assert [str(p) for p in table.problems] == [
        "1 line(s) at the end look like footnotes and were skipped: line 4"
    ]
    assert table.losses == []


def test_ragged_records_are_reported(tmp_path: Path) -> None:
    text = "a;b;c\n1;2;3\n4;5\n6;7;8;9\n"
    table = read_table(write(tmp_path, text))
    assert table.columns == ["a", "b", "c", "column_4"]
    assert table.frame.drop("__line").rows() == [
        ("1", "2", "3", ""),
        ("4", "5", "", ""),
        ("6", "7", "8", "9"),
    ]
    assert [(str(p), p.loss) for p in table.problems] == [
        ("1 record(s) have more cells than the header; the extra columns were added: line 4", True),
        ("column 4 has no header; it is called 'column_4'", False),
        (
            "1 record(s) have fewer cells than the header has columns; the missing cells were "
            "read as empty: line 3",
            True,
        ),
    ]


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


# --- nothing is lost silently: what the reader repairs is a problem with its line -------------


def losses(table: RawTable) -> list[str]:
    return [str(problem) for problem in table.losses]


def test_short_records_found_by_polars_are_reported(tmp_path: Path) -> None:
    # polars fills a short record with empty cells; the count of delimiters gives it away.
    body = "".join(f"{i:05d};{i};x\n" for i in range(3000))
    table = read_table(write(tmp_path, "id;a;b\n" + body + "99999;7\n"))
    assert table.frame.row(3000) == ("99999", "7", "", 3002)
    assert losses(table) == [
        "1 record(s) have fewer cells than the header has columns; the missing cells were read "
        "as empty: line 3002"
    ]


def test_blank_lines_quoted_delimiters_and_trailing_delimiters_are_no_short_records(
    tmp_path: Path,
) -> None:
    text = 'id;Name;n\n01;"Mitte; Nord";1\n\n02;Süd;\n;;\n03;"a\n\nb";3\n'
    table = read_table(write(tmp_path, text))
    assert table.frame.select("id", "Name", "n").rows() == [
        ("01", "Mitte; Nord", "1"),
        ("02", "Süd", ""),
        ("03", "a\n\nb", "3"),
    ]
    assert table.problems == []


def test_a_footnote_without_delimiters_is_no_short_record(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "id;n\n01;1\nQuelle: Stadt Musterstadt, Stand 31.12.2012\n"))
    assert [str(p) for p in table.problems] == [
        "1 line(s) at the end look like footnotes and were skipped: line 3"
    ]


def test_a_footnote_with_a_number_is_a_loss(tmp_path: Path) -> None:
    text = "id;n;m\n01;1;2\nInsgesamt 1.675 Einwohner;;\n1) ohne Nebenwohnsitze, Zensus 2011;;\n"
    table = read_table(write(tmp_path, text))
    assert table.frame["id"].to_list() == ["01"]
    assert losses(table) == [
        "line 3, skipped as a footnote, holds a number: 'Insgesamt 1.675 Einwohner'; is it a "
        "record of the table?"
    ]


def test_an_unclosed_quote_is_a_loss(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, 'id;Name;n\n01;Nord;1\n02;"Süd;2\n03;Ost;3\n04;West;4\n'))
    assert table.frame.select("id", "__line").rows() == [("01", 2), ("02", 3)]
    assert losses(table) == [
        'a quote (") in line 3 is never closed: the rest of the file, 3 line(s), was read as one '
        "cell",
        "1 record(s) have fewer cells than the header has columns; the missing cells were read "
        "as empty: line 3",
    ]


def test_an_unclosed_quote_in_the_header_is_a_loss(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, '"id;n\n01;1\n02;2\n'))
    assert table.records == 0
    assert losses(table) == [
        'a quote (") in line 1 is never closed: the rest of the file, 3 line(s), was read as one '
        "cell"
    ]


def test_a_quote_inside_a_cell_is_a_loss(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, 'id;n\n01;"1"5\n02;2\n'))
    assert table.frame["n"].to_list() == ["15", "2"]
    assert losses(table) == [
        '1 record(s) have a quote (") inside a cell or not closed at the end of a cell; the '
        "reader guessed where their cells end: line 2"
    ]


def test_titles_headers_and_footnotes_without_numbers_are_no_loss(tmp_path: Path) -> None:
    text = "Bevölkerung 2012;;\nid;n;n\n01;1;2\n\nQuelle: Stadt Köln;;\n"
    table = read_table(write(tmp_path, text))
    assert len(table.problems) == 3
    assert table.losses == []
    check_repairs(table)


def test_check_repairs_names_every_loss(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "id;n;m\n01;1\n02;2;3\n", name="kurz.csv"))
    with pytest.raises(TableError) as raised:
        check_repairs(table)
    assert str(raised.value) == (
        "kurz.csv: values may be lost or made up where the file was repaired (1 record(s) have "
        "fewer cells than the header has columns; the missing cells were read as empty: line 2); "
        "check the file"
    )
    assert raised.value.setting == "accept_warnings"


def test_xlsx_formulas_without_saved_values_are_a_loss(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["id", "a", "b"], ["01", 1, 2], ["02", "=B2*2", "=SUM(B2:B3)"]])
    table = read_table(path, sheet="Daten")
    assert table.frame.select("a", "b").rows() == [("1", "2"), ("", "")]
    assert losses(table) == [
        "2 formula cell(s) have no saved value and were read as empty (the workbook was saved by "
        "a program that does not calculate formulas; open it in Excel or LibreOffice Calc and "
        "save it again): cell B3 (=B2*2), C3 (=SUM(B2:B3))"
    ]


def test_xlsx_formulas_with_saved_values_are_read(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["id", "a"], ["01", 1], ["02", "=B2*2"]])
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = "xl/worksheets/sheet2.xml"
    parts[sheet] = parts[sheet].replace(b"<v />", b"<v>2</v>")  # as Excel saves it
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)
    table = read_table(path, sheet="Daten")
    assert table.frame["a"].to_list() == ["1", "2"]
    assert table.problems == []


def test_an_encrypted_workbook_is_named(tmp_path: Path) -> None:
    path = compound_file(tmp_path / "geheim.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    with pytest.raises(TableError) as raised:
        read_table(path)
    assert str(raised.value) == (
        "geheim.xlsx: the workbook is encrypted (password-protected); save it without a password"
    )


def test_an_old_workbook_with_the_new_name_is_named(tmp_path: Path) -> None:
    with pytest.raises(TableError) as raised:
        read_table(compound_file(tmp_path / "alt.xlsx", ["Workbook"]))
    assert str(raised.value) == (
        "alt.xlsx: this is an old Excel workbook (.xls) or another Office file, not XLSX; save "
        "it as .xlsx"
    )


# --- misleading messages replaced ----------------------------------------------------------------


def test_one_huge_cell_is_no_empty_file(tmp_path: Path) -> None:
    with pytest.raises(TableError) as raised:
        read_table(write(tmp_path, "x" * 5_000_000, name="gross.csv"))
    assert str(raised.value) == (
        "gross.csv: no delimiter (';', ',' or tab) found: line 1 is one cell of 5.0 MB; this is "
        "no table"
    )


def test_one_huge_line_of_cells(tmp_path: Path) -> None:
    with pytest.raises(TableError) as raised:
        read_table(write(tmp_path, "1;" * 600_000, name="zeile.csv"))
    assert str(raised.value) == (
        "zeile.csv: line 1 alone is 1.2 MB long, too long for a record of a table; are its line "
        "breaks lost?"
    )


def test_a_byte_order_mark_before_cp1252_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "Bezirk;Größe\n01;5\n".encode("cp1252"))
    with pytest.raises(TableError) as raised:
        read_table(path)
    assert str(raised.value) == (
        "bom.csv, line 1: the file begins with a UTF-8 byte order mark, but is not UTF-8 (byte "
        "0xf6 at offset 12); give the encoding of the file, such as cp1252"
    )
    assert raised.value.setting == "encoding"
    assert read_table(path, encoding="cp1252").columns == ["Bezirk", "Größe"]


def test_utf16_without_byte_order_mark_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "Bezirk;Einwohner\n01;5\n", encoding="utf-16-le")
    with pytest.raises(TableError) as raised:
        read_table(path)
    assert str(raised.value) == (
        "t.csv: the file looks like UTF-16 text without a byte order mark (every other byte is "
        "0); give the encoding of the file, utf-16-le"
    )
    assert read_table(path, encoding="utf-16-le").columns == ["Bezirk", "Einwohner"]


# --- records that look like one area twice -----------------------------------------------------


def test_repeated_records_name_their_lines(tmp_path: Path) -> None:
    text = "Stadtteil;Jahr;Einwohner\nEimsbüttel;2012;257.000\nHarvestehude;2012;17.000\n"
    text += "Eimsbüttel;2012;57.000\nEimsbüttel;2013;57.500\n"
    table = read_table(write(tmp_path, text))
    problem = repeated_records(table, profile_columns(table))
    assert problem is not None
    assert str(problem) == (
        "lines 2, 4 are alike in 'Stadtteil' 'Eimsbüttel', 'Jahr' '2012'; if 'Stadtteil' names "
        "the areas, an area comes twice in one period (two areas written alike?): take a column "
        "with codes as the area; 1 such group(s) of records in total"
    )


def test_breakdowns_make_records_distinct(tmp_path: Path) -> None:
    text = "Jahr;Bezirk;Geschlecht;Einwohner\n2012;01;m;5\n2012;01;w;6\n2013;01;m;7\n"
    table = read_table(write(tmp_path, text))
    assert repeated_records(table, profile_columns(table)) is None
