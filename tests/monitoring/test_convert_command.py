"""`quartier convert` and `quartier inspect`: tables in, tidy CSV or a report out, no database."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.analysis.tables import read_table, tidy_table
from quartier.monitoring.mappings import tidy_csv_mapping
from tests.analysis.tables.workbooks import compound_file

GERMAN = (
    "Bevölkerung am 31.12.2012;;;;\n"
    'Bezirk;Name;Einwohner;"Anteil\nSGB II";Saldo\n'
    "01;Innenstadt-West;1.675;9,7;-  23\n"
    "02;Süd;1 675;.;- 23\n"
    "03;Straße der Größe;1.234.567;x;–\n"
)


def german_csv(folder: Path) -> Path:
    path = folder / "einwohner.csv"
    path.write_bytes(GERMAN.encode("cp1252"))
    return path


def convert(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("convert", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_convert_wide_german_csv(tmp_path: Path) -> None:
    out = tmp_path / "tidy.csv"
    printed, warnings = convert(str(german_csv(tmp_path)), "--out", str(out), "--period", "2012")
    assert out.read_text(encoding="utf-8").splitlines() == [
        "area,period,variable,value,flag",
        "01,2012,Einwohner,1675,",
        "02,2012,Einwohner,1675,",
        "03,2012,Einwohner,1234567,",
        "01,2012,Anteil SGB II,9.7,",
        "02,2012,Anteil SGB II,,.",
        "03,2012,Anteil SGB II,,x",
        "01,2012,Saldo,-23,",
        "02,2012,Saldo,-23,",
        "03,2012,Saldo,,-",
    ]
    assert "9 values (3 flagged) for 3 areas, 3 variables, period 2012" in printed
    assert "Text columns left out: Name" in printed
    assert "skipped as titles" in warnings


def test_convert_output_is_read_back_by_the_import_mapping(tmp_path: Path) -> None:
    out = tmp_path / "tidy.csv"
    convert(str(german_csv(tmp_path)), "--out", str(out), "--period", "2012")
    tidy = tidy_table(read_table(out), tidy_csv_mapping(out).spec)
    assert tidy.select("area", "period", "variable", "value", "flag").rows()[:6] == [
        ("01", 2012, "Einwohner", 1675.0, ""),
        ("02", 2012, "Einwohner", 1675.0, ""),
        ("03", 2012, "Einwohner", 1234567.0, ""),
        ("01", 2012, "Anteil SGB II", 9.7, ""),
        ("02", 2012, "Anteil SGB II", None, "."),
        ("03", 2012, "Anteil SGB II", None, "x"),
    ]


def test_convert_long_layout_with_breakdowns(tmp_path: Path) -> None:
    source = tmp_path / "long.csv"
    source.write_text(
        "Jahr;Raum;Merkmal;Geschlecht;Alter;Anzahl;Quelle\n"
        "2011;000;Einwohner;m;0-5;1.675;x1\n"
        "2011;000;Einwohner;w;0-5;.;x1\n",
        encoding="utf-8",
    )
    out = tmp_path / "tidy.csv"
    convert(
        str(source),
        "--out",
        str(out),
        "--layout",
        "long",
        "--id-column",
        "Raum",
        "--breakdown",
        "Geschlecht=gender",
        "--breakdown",
        "Alter",
        "--ignore",
        "Quelle",
    )
    assert out.read_text(encoding="utf-8").splitlines() == [
        "area,period,variable,value,flag,gender,alter",
        "000,2011,Einwohner,1675,,m,0-5",
        "000,2011,Einwohner,,.,w,0-5",
    ]


def test_convert_with_variable_and_value_columns_and_a_year(tmp_path: Path) -> None:
    source = tmp_path / "long.csv"
    source.write_text("gebiet,kennzahl,n\n01,SGB II,9.5\n02,SGB II,-\n", encoding="utf-8")
    out = tmp_path / "tidy.csv"
    convert(
        str(source),
        "--out",
        str(out),
        "--layout",
        "long",
        "--variable-column",
        "kennzahl",
        "--value-column",
        "n",
        "--period",
        "2020",
    )
    assert out.read_text(encoding="utf-8").splitlines() == [
        "area,period,variable,value,flag",
        "01,2020,SGB II,9.5,",
        "02,2020,SGB II,,-",
    ]


def test_convert_xlsx_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Daten"
    sheet.append(["Stadtteil", "Jahr", "Einwohner"])
    sheet.append(["0101", 2012, 1675])
    sheet.append(["0102", 2012, "."])
    source = tmp_path / "t.xlsx"
    book.save(source)
    out = tmp_path / "tidy.csv"
    convert(str(source), "--out", str(out), "--sheet", "Daten")
    assert out.read_text(encoding="utf-8").splitlines() == [
        "area,period,variable,value,flag",
        "0101,2012,Einwohner,1675,",
        "0102,2012,Einwohner,,.",
    ]


def test_convert_with_a_spec_file(tmp_path: Path) -> None:
    spec = tmp_path / "einwohner.yaml"
    spec.write_text(
        "area: Bezirk\nperiod: 2013\nvariables:\n  Einwohner: population\n", encoding="utf-8"
    )
    out = tmp_path / "tidy.csv"
    convert(str(german_csv(tmp_path)), "--out", str(out), "--spec", str(spec))
    assert out.read_text(encoding="utf-8").splitlines() == [
        "area,period,variable,value,flag",
        "01,2013,population,1675,",
        "02,2013,population,1675,",
        "03,2013,population,1234567,",
    ]


def test_convert_error_names_line_and_column(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("Bezirk;Einwohner\n01;5\n02;6\n03;abc\n", encoding="utf-8")
    out = tmp_path / "tidy.csv"
    with pytest.raises(CommandError) as error:
        convert(str(source), "--out", str(out), "--period", "2012")
    message = str(error.value)
    assert "bad.csv, line 4, column 'Einwohner': 'abc'" in message
    assert not out.exists()


def test_convert_unknown_id_column(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no column 'Gebiet'"):
        convert(
            str(german_csv(tmp_path)),
            "--out",
            str(tmp_path / "t.csv"),
            "--id-column",
            "Gebiet",
            "--period",
            "2012",
        )


def test_convert_needs_a_period(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"the whole table, e\.g\. 2012 \(option --period\)"):
        convert(str(german_csv(tmp_path)), "--out", str(tmp_path / "t.csv"))


@pytest.mark.shared_data
def test_convert_koeln_long_file(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "koeln.csv"
    printed, _ = convert(
        str(shared_data / "koeln" / "bevoelkerung_2005-2012_long.csv"),
        "--out",
        str(out),
        "--layout",
        "long",
        "--id-column",
        "raum_id",
        "--variable-column",
        "{tabelle}: {zeile}",
        "--value-column",
        "zahl",
        *["--ignore", "id", "--ignore", "tab_id", "--ignore", "zei_id", "--ignore", "raum"],
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 29136
    assert lines[:2] == [
        "area,period,variable,value,flag",
        "000,2005,Einwohner in Köln: Einwohner,1023101,",
    ]
    assert "29135 values" in printed
    assert "96 areas" in printed


def test_inspect_reports_what_it_sees(tmp_path: Path) -> None:
    out = StringIO()
    call_command("inspect", str(german_csv(tmp_path)), stdout=out)
    report = out.getvalue()
    assert "Encoding:    cp1252" in report
    assert "Delimiter:   ';' (semicolon)" in report
    assert "Decimal:     ',' (comma)" in report
    assert "Header:      line 2" in report
    assert "Records:     3" in report
    assert "Bezirk         id-like text (leading zeros); 3 filled" in report
    assert "Einwohner      integer; 3 filled" in report
    assert 'Anteil SGB II  decimal; 3 filled; flags: "." (secret) 1, "x" (not applicable) 1' in (
        report
    )
    assert 'Saldo          integer; 3 filled; flags: "-" (nothing) 1' in report
    assert "skipped as titles" in report


def test_inspect_with_options_and_errors(tmp_path: Path) -> None:
    source = tmp_path / "t.tsv"
    source.write_text("a\tb\n1\t2\n", encoding="utf-8")
    out = StringIO()
    call_command("inspect", str(source), "--delimiter", "tab", stdout=out)
    assert "Delimiter:   '\\t' (tab)" in out.getvalue()
    with pytest.raises(CommandError, match="--delimiter must be"):
        call_command("inspect", str(source), "--delimiter", "|", stdout=out)
    with pytest.raises(CommandError, match="no such file"):
        call_command("inspect", str(tmp_path / "missing.csv"), stdout=out)


def test_inspect_names_its_option_for_a_wrong_encoding(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("inspect", str(german_csv(tmp_path)), "--encoding", "utf-8")
    assert str(raised.value).startswith("einwohner.csv, line 1: the file is not utf-8 (byte 0x")
    assert str(raised.value).endswith("; give the encoding of the file (option --encoding)")


def test_convert_names_its_option_for_a_wrong_encoding(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    with pytest.raises(CommandError, match=r"give the encoding of the file \(option --encoding\)$"):
        convert(str(german_csv(tmp_path)), "--out", str(out), "--encoding", "utf-8")


# --- what the reader repaired, and what import-data would refuse ---------------------------------


def test_convert_stops_at_a_repair_that_may_lose_values(tmp_path: Path) -> None:
    source = tmp_path / "kurz.csv"
    source.write_text("Bezirk;Einwohner;Arbeitslose\n01;5;1\n02;6\n", encoding="utf-8")
    out = tmp_path / "tidy.csv"
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("convert", str(source), "--out", str(out), "--period", "2012", stderr=err)
    problem = (
        "1 record(s) have fewer cells than the header has columns; the missing cells were read "
        "as empty: line 3"
    )
    assert str(raised.value) == (
        f"kurz.csv: values may be lost or made up where the file was repaired ({problem}); check "
        "the file; to convert it as read, give --accept-warnings"
    )
    assert err.getvalue() == f"Warning: kurz.csv: {problem}\n"
    assert not out.exists()
    _, warnings = convert(str(source), "--out", str(out), "--period", "2012", "--accept-warnings")
    assert warnings == f"Warning: kurz.csv: {problem}\n"
    assert out.read_text(encoding="utf-8").splitlines()[-1] == "02,2012,Arbeitslose,,"


def test_convert_refuses_numbers_that_are_not_finite(tmp_path: Path) -> None:
    source = tmp_path / "gross.csv"
    source.write_text("Bezirk;Einwohner\n01;5\n02;1e400\n", encoding="utf-8")
    out = tmp_path / "tidy.csv"
    with pytest.raises(CommandError) as raised:
        convert(str(source), "--out", str(out), "--period", "2012", "--accept-warnings")
    assert (
        str(raised.value) == "gross.csv, line 3, column 'Einwohner': '1e400' is not a finite number"
    )
    assert not out.exists()


def test_convert_warns_of_cells_twice_and_negative_counts(tmp_path: Path) -> None:
    source = tmp_path / "profil.csv"
    source.write_text(
        "Stadtteil;Einwohner\nEimsbüttel;257.000\nHarvestehude;-17\nEimsbüttel;57.000\n",
        encoding="utf-8",
    )
    out = tmp_path / "tidy.csv"
    _, warnings = convert(str(source), "--out", str(out), "--period", "2024")
    assert warnings.splitlines() == [
        "Warning: profil.csv, line 3, column 'Einwohner': '-17' is negative, but 'Einwohner' is a "
        "count (its numbers are all whole); if a variable may be negative (a balance, a change), "
        "say which variables are counts",
        "Warning: profil.csv: lines 2, 4 give the same cell twice (area 'Eimsbüttel', period 2024, "
        "variable 'Einwohner'); 1 such cell(s) in total; if two areas are written alike (a Bezirk "
        "and a Stadtteil of one name), take a column with codes as the area, and check that "
        "area_codes gives no two areas one code",
    ]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


def test_inspect_lists_every_problem(tmp_path: Path) -> None:
    source = tmp_path / "profil.csv"
    source.write_text(
        "Hamburger Stadtteilprofile;;\n"
        "Stadtteil;Einwohner;Arbeitslose\n"
        "Eimsbüttel;257.000;9.000\n"
        "Harvestehude;17.000\n"
        "Eimsbüttel;57.000;2.100\n"
        "Quelle: Statistikamt Nord;;\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("inspect", str(source), stdout=out)
    report = out.getvalue()
    assert report.split("Problems:\n")[1].splitlines() == [
        "  - 1 line(s) above the header (line 2) were skipped as titles",
        "  - 1 record(s) have fewer cells than the header has columns; the missing cells were "
        "read as empty: line 4 [values may be lost: import-data and convert stop unless "
        "--accept-warnings]",
        "  - 1 line(s) at the end look like footnotes and were skipped: line 6",
        "  - lines 3, 5 are alike in 'Stadtteil' 'Eimsbüttel'; if 'Stadtteil' names the areas, an "
        "area comes twice in one period (two areas written alike?): take a column with codes as "
        "the area; 1 such group(s) of records in total",
    ]


def test_inspect_names_an_encrypted_workbook(tmp_path: Path) -> None:
    path = compound_file(tmp_path / "geheim.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    with pytest.raises(CommandError) as raised:
        call_command("inspect", str(path), stdout=StringIO())
    assert str(raised.value) == (
        "geheim.xlsx: the workbook is encrypted (password-protected); save it without a password"
    )


def test_convert_notes_the_records_of_variables_not_listed(tmp_path: Path) -> None:
    source = tmp_path / "lang.csv"
    source.write_text(
        "Bezirk;Jahr;Merkmal;Alter;Wert\n01;2012;Einwohner;0-3;5\n01;2012;Einwohner;3-6;.\n"
        "01;2012;Haushalte;;3\n",
        encoding="utf-8",
    )
    spec = tmp_path / "lang.yaml"
    spec.write_text(
        "layout: long\nvariables: {Einwohner: einwohner}\nbreakdowns: {Alter: age_group}\n"
        "recode: {age_group: {0-3: 0-5, 3-6: 0-5}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "tidy.csv"
    printed, warnings = convert(str(source), "--out", str(out), "--spec", str(spec))
    assert out.read_text(encoding="utf-8").splitlines() == [
        "area,period,variable,value,flag,age_group",
        "01,2012,einwohner,,.,0-5",
    ]
    assert printed.splitlines()[1:] == [
        "Note: 1 record(s) left out, as variables does not list their variables"
    ]
    assert warnings == ""
