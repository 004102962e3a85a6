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
