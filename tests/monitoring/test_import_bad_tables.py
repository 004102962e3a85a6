"""`quartier import-data` lets nothing wrong in: one test per kind of bad table.

Each test imports a good table first, then a bad one, and checks the exact message and that the
database holds what it held before, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.areas.models import Area, AreaLevel
from quartier.monitoring.models import Observation
from tests.analysis.tables.workbooks import compound_file

pytestmark = pytest.mark.django_db

GOOD = "Jahr;Bezirk;Einwohner;Arbeitslose\n2024;0101;1.675;120\n2024;0102;2.000;80\n"
MAPPING = "area: Bezirk\narea_level: sozialraum\nperiod: Jahr\n"
NOTHING = "\nNothing was imported."
ACCEPT = "; to import it as read, give --accept-warnings"


@pytest.fixture
def stored(db: None, tmp_path: Path) -> list[tuple[object, ...]]:
    """Two Sozialräume and the good table imported; what the database holds."""
    call_command("levels", "sozialraum", verbosity=0)
    level = AreaLevel.objects.get(key="sozialraum")
    for code in ("0101", "0102"):
        Area.objects.create(level=level, code=code, name=f"SR {code}")
    import_data(write(tmp_path, "good.csv", GOOD), "--mapping", str(mapping(tmp_path)))
    return observations()


def observations() -> list[tuple[object, ...]]:
    fields = ("area__code", "period", "variable", "breakdown_key", "value", "flag", "source")
    return sorted(Observation.objects.values_list(*fields))


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def mapping(folder: Path, more: str = "") -> Path:
    return write(folder, "mapping.yaml", MAPPING + more)


def import_data(path: Path, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_data", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(before: list[tuple[object, ...]], path: Path, *extra: str) -> tuple[str, str]:
    """The message of the refused import and its warnings; the database is unchanged."""
    count = Observation.objects.count()
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_data", str(path), *extra, stdout=StringIO(), stderr=err)
    assert Observation.objects.count() == count
    assert observations() == before
    return str(raised.value), err.getvalue()


# --- repairs of the reader that may lose or make up values ----------------------------------------


def test_a_record_with_missing_cells(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = write(tmp_path, "sozial.csv", GOOD.replace("2.000;80", "2.000"))
    message, warnings = refused(stored, path, "--mapping", str(mapping(tmp_path)))
    problem = (
        "1 record(s) have fewer cells than the header has columns; the missing cells were read "
        "as empty: line 3"
    )
    assert message == (
        f"sozial.csv: values may be lost or made up where the file was repaired ({problem}); "
        f"check the file{ACCEPT}{NOTHING}"
    )
    assert warnings == f"Warning: sozial.csv: {problem}\n"
    out, warnings = import_data(path, "--mapping", str(mapping(tmp_path)), "--accept-warnings")
    assert "4 values (2 variable(s), 2024–2024); 1 new or changed, 3 unchanged" in out
    assert warnings == f"Warning: sozial.csv: {problem}\n"
    assert Observation.objects.get(area__code="0102", variable="Arbeitslose").value is None


def test_a_quote_never_closed(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = write(tmp_path, "sozial.csv", GOOD.replace("2024;0101", '2024;"0101'))
    message, warnings = refused(stored, path, "--mapping", str(mapping(tmp_path)))
    assert message.startswith(
        'sozial.csv: values may be lost or made up where the file was repaired (a quote (") in '
        "line 2 is never closed: the rest of the file, 2 line(s), was read as one cell; "
    )
    assert message.endswith(ACCEPT + NOTHING)
    assert 'Warning: sozial.csv: a quote (") in line 2 is never closed' in warnings


def test_a_footnote_holding_a_number(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = write(tmp_path, "sozial.csv", GOOD + "Summe der Arbeitslosen: 200;;;\n")
    message, _ = refused(stored, path, "--mapping", str(mapping(tmp_path)))
    assert message == (
        "sozial.csv: values may be lost or made up where the file was repaired (line 4, skipped "
        "as a footnote, holds a number: 'Summe der Arbeitslosen: 200'; is it a record of the "
        f"table?); check the file{ACCEPT}{NOTHING}"
    )
    dated = write(tmp_path, "datiert.csv", GOOD + "Quelle: Statistikstelle, Stand 31.12.2024;;;\n")
    _, warnings = import_data(dated, "--mapping", str(mapping(tmp_path)))
    assert warnings == (
        "Warning: datiert.csv: 1 line(s) at the end look like footnotes and were skipped: line 4\n"
    )


def test_a_formula_without_a_saved_value(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["Jahr", "Bezirk", "Einwohner"], [2024, "0101", 1675], [2024, "0102", "=C2+1"]):
        sheet.append(row)
    path = tmp_path / "sozial.xlsx"
    book.save(path)
    message, _ = refused(stored, path, "--mapping", str(mapping(tmp_path)))
    assert message == (
        "sozial.xlsx, sheet 'Sheet': values may be lost or made up where the file was repaired "
        "(1 formula cell(s) have no saved value and were read as empty (the workbook was saved "
        "by a program that does not calculate formulas; open it in Excel or LibreOffice Calc "
        f"and save it again): cell C3 (=C2+1)); check the file{ACCEPT}{NOTHING}"
    )


# --- impossible numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1e400", "-1e400", "inf", "-inf", "NaN", "nan"])
def test_a_number_that_is_not_finite(
    stored: list[tuple[object, ...]], tmp_path: Path, number: str
) -> None:
    path = write(tmp_path, "sozial.csv", GOOD.replace("2.000", number))
    message, _ = refused(stored, path, "--mapping", str(mapping(tmp_path)), "--accept-warnings")
    assert message == (
        f"sozial.csv, line 3, column 'Einwohner': {number!r} is not a finite number{NOTHING}"
    )
    tidy = write(tmp_path, "tidy.csv", f"area,period,variable,value\n0101,2024,x,{number}\n")
    message, _ = refused(stored, tidy)
    assert (
        message == f"tidy.csv, line 2, column 'value': {number!r} is not a finite number{NOTHING}"
    )


def test_a_negative_count(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = write(tmp_path, "sozial.csv", GOOD.replace("2.000;80", "-  2;80"))
    message, _ = refused(stored, path, "--mapping", str(mapping(tmp_path)))
    assert message == (
        "sozial.csv, line 3, column 'Einwohner': '-  2' is negative, but 'Einwohner' is a count "
        "(its numbers are all whole); if a variable may be negative (a balance, a change), say "
        f"which variables are counts (option --counts, or counts in the mapping file){NOTHING}"
    )
    listed = mapping(tmp_path, "counts: [Arbeitslose]\n")
    assert "1 new or changed" in import_data(path, "--mapping", str(listed))[0]
    assert Observation.objects.get(area__code="0102", variable="Einwohner").value == -2.0


def test_decimals_are_no_counts_unless_said(
    stored: list[tuple[object, ...]], tmp_path: Path
) -> None:
    path = write(
        tmp_path, "sozial.csv", GOOD.replace("2.000;80", "-0,5;80").replace("1.675", "2,5")
    )
    assert "2 new or changed" in import_data(path, "--mapping", str(mapping(tmp_path)))[0]
    now = observations()
    message, _ = refused(now, path, "--mapping", str(mapping(tmp_path)), "--counts", "all")
    assert message.startswith("sozial.csv, line 3, column 'Einwohner': '-0,5' is negative, but ")


def test_a_value_with_a_secret_flag(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = write(
        tmp_path, "tidy.csv", "area,period,variable,value,flag\n0101,2024,x,3,\n0102,2024,x,4,.\n"
    )
    message, _ = refused(stored, path)
    assert message == (
        "tidy.csv, line 3, column 'value': the value '4' comes with the flag '.' (secret) in "
        f"column 'flag'; a flagged cell has no value{NOTHING}"
    )


# --- texts the same on SQLite and PostgreSQL ------------------------------------------------------


def test_a_variable_name_too_long(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    name = "Einwohner " * 21
    path = write(tmp_path, "tidy.csv", f"area,period,variable,value\n0101,2024,{name},5\n")
    message, _ = refused(stored, path)
    assert message == (
        f"tidy.csv, line 2: the variable name {name.strip()[:40] + '…'!r} has 209 characters, "
        f"more than the 200 a database stores{NOTHING}"
    )


def test_a_breakdown_too_long(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    text = f"area,period,variable,value,gruppe\n0101,2024,x,5,{'a' * 300}\n"
    message, _ = refused(stored, write(tmp_path, "tidy.csv", text))
    assert message == (
        f"tidy.csv, line 2: the breakdown {'gruppe=' + 'a' * 33 + '…'!r} has 307 characters, more "
        f"than the 300 a database stores{NOTHING}"
    )


def test_an_area_code_too_long(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    code = "0" * 51
    path = write(
        tmp_path, "tidy.csv", f"area,period,variable,value\n0101,2024,x,5\n{code},2024,x,6\n"
    )
    message, _ = refused(stored, path)
    assert message == (
        f"tidy.csv, line 3: the area code {'0' * 40 + '…'!r} has 51 characters, more than the 50 a "
        f"database stores{NOTHING}"
    )


def test_a_nul_character(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = write(tmp_path, "tidy.csv", "area,period,variable,value\n0101,2024,ein\x00wohner,5\n")
    message, _ = refused(stored, path)
    assert message == (
        "tidy.csv, line 2: the variable name 'ein\\x00wohner' holds a NUL character (\\x00), "
        f"which a database cannot store{NOTHING}"
    )


def test_a_source_too_long(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = write(tmp_path, "sozial.csv", GOOD)
    message, _ = refused(
        stored, path, "--mapping", str(mapping(tmp_path, f"source: {'Q' * 301}\n"))
    )
    assert message == (
        f"sozial.csv: the source {'Q' * 40 + '…'!r} has 301 characters, more than the 300 a "
        f"database stores (set 'source' in the mapping file, option --mapping){NOTHING}"
    )


# --- files that are not what they seem ------------------------------------------------------------


def test_one_cell_of_five_megabytes(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = write(tmp_path, "gross.csv", "x" * 5_000_000)
    message, _ = refused(stored, path, "--mapping", str(mapping(tmp_path)))
    assert message == (
        "gross.csv: no delimiter (';', ',' or tab) found: line 1 is one cell of 5.0 MB; this is no "
        f"table{NOTHING}"
    )


def test_an_encrypted_workbook(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = compound_file(tmp_path / "geheim.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    message, _ = refused(stored, path, "--mapping", str(mapping(tmp_path)))
    assert message == (
        "geheim.xlsx: the workbook is encrypted (password-protected); save it without a "
        f"password{NOTHING}"
    )


def test_a_byte_order_mark_before_cp1252(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    path = tmp_path / "sozial.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("Arbeitslose", "Größe").encode("cp1252"))
    message, _ = refused(stored, path, "--mapping", str(mapping(tmp_path)))
    assert message == (
        "sozial.csv, line 1: the file begins with a UTF-8 byte order mark, but is not UTF-8 (byte "
        "0xf6 at offset 27); give the encoding of the file, such as cp1252 (option --encoding, or "
        f"encoding in the mapping file){NOTHING}"
    )
    out, _ = import_data(path, "--mapping", str(mapping(tmp_path)), "--encoding", "cp1252")
    assert "4 values (2 variable(s), 2024–2024); 2 new or changed, 2 unchanged" in out


# --- one area twice -------------------------------------------------------------------------------


def test_two_areas_written_alike(stored: list[tuple[object, ...]], tmp_path: Path) -> None:
    # Hamburg's profile table names the Bezirk and the Stadtteil Eimsbüttel alike.
    text = "Stadtteil;Einwohner\nEimsbüttel;257.000\nHarvestehude;17.000\nEimsbüttel;57.000\n"
    path = write(tmp_path, "profil.csv", text)
    message, _ = refused(
        stored, path, "--mapping", str(write(tmp_path, "p.yaml", "period: 2024\n"))
    )
    assert message == (
        "profil.csv: lines 2, 4 give the same cell twice (area 'Eimsbüttel', period 2024, "
        "variable 'Einwohner'); 1 such cell(s) in total; if two areas are written alike (a Bezirk "
        "and a Stadtteil of one name), take a column with codes as the area, and check that "
        f"area_codes gives no two areas one code{NOTHING}"
    )
