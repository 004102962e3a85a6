"""`quartier import-data`: mappings, tidy files, XLSX, idempotency, bad input, real files."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.areas.models import Area, AreaLevel
from quartier.monitoring.models import Observation
from tests.realdata import load_berlin_areas, load_koeln_areas

pytestmark = pytest.mark.django_db

WIDE = (
    'Jahr;Bezirk;Geschlecht;Einwohner;"SGB II-\nEmpfänger"\n'
    "2024;0101;weiblich;1.675;120\n"
    "2024;0101;männlich;1 512;-\n"
    "2024;0102;weiblich;2;.\n"
    "2024;0102;männlich;3;x\n"
)
WIDE_MAPPING = """layout: wide
area: Bezirk
area_level: sozialraum
period: Jahr
breakdowns:
  Geschlecht: gender
variables:
  Einwohner: einwohner
  SGB II- Empfänger: sgb2
source: Testdaten
"""


@pytest.fixture
def areas(db: None) -> None:
    call_command("levels", "stadtbezirk", "sozialraum", verbosity=0)
    bezirk = Area.objects.create(
        level=AreaLevel.objects.get(key="stadtbezirk"), code="01", name="N"
    )
    level = AreaLevel.objects.get(key="sozialraum")
    for code in ("0101", "0102"):
        Area.objects.create(level=level, code=code, name=f"SR {code}", parent=bezirk)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


def import_data(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("import_data", str(path), *extra, stdout=out)
    return out.getvalue()


def cells() -> dict[tuple[str, str, str], tuple[float | None, str]]:
    rows = Observation.objects.values_list(
        "area__code", "variable", "breakdown_key", "value", "flag"
    )
    return {(a, v, b): (value, flag) for a, v, b, value, flag in rows}


def test_wide_german_table_with_mapping(areas: None, tmp_path: Path) -> None:
    path = write(tmp_path, "sozial.csv", WIDE, encoding="cp1252")
    mapping = write(tmp_path, "mapping.yaml", WIDE_MAPPING)
    out = import_data(path, "--mapping", str(mapping))
    assert "8 values (2 variable(s), 2024–2024); 8 new or changed, 0 unchanged" in out
    stored = cells()
    assert stored[("0101", "einwohner", "gender=weiblich")] == (1675.0, "")
    assert stored[("0101", "einwohner", "gender=männlich")] == (1512.0, "")
    assert stored[("0102", "einwohner", "gender=männlich")] == (3.0, "")
    assert stored[("0101", "sgb2", "gender=männlich")] == (None, "-")
    assert stored[("0102", "sgb2", "gender=weiblich")] == (None, ".")
    assert stored[("0102", "sgb2", "gender=männlich")] == (None, "x")
    one = Observation.objects.get(
        area__code="0101", variable="sgb2", breakdown_key="gender=weiblich"
    )
    assert one.breakdown == {"gender": "weiblich"}
    assert one.period == 2024
    assert one.source == "Testdaten"


def test_reimport_is_idempotent_and_updates_in_place(areas: None, tmp_path: Path) -> None:
    path = write(tmp_path, "sozial.csv", WIDE)
    mapping = write(tmp_path, "mapping.yaml", WIDE_MAPPING)
    import_data(path, "--mapping", str(mapping))
    ids = set(Observation.objects.values_list("pk", flat=True))
    assert "0 new or changed, 8 unchanged" in import_data(path, "--mapping", str(mapping))
    write(tmp_path, "sozial.csv", WIDE.replace("1.675", "1.700"))
    assert "1 new or changed, 7 unchanged" in import_data(path, "--mapping", str(mapping))
    assert set(Observation.objects.values_list("pk", flat=True)) == ids
    assert cells()[("0101", "einwohner", "gender=weiblich")] == (1700.0, "")


def test_tidy_file_from_convert_needs_no_mapping(areas: None, tmp_path: Path) -> None:
    source = write(tmp_path, "sozial.csv", WIDE)
    tidy = tmp_path / "tidy.csv"
    call_command(
        "convert", str(source), "--out", str(tidy), "--id-column", "Bezirk", "--period", "Jahr",
        "--breakdown", "Geschlecht=gender", stdout=StringIO(),
    )  # fmt: skip
    assert "8 new or changed" in import_data(tidy)
    assert cells()[("0101", "SGB II- Empfänger", "gender=weiblich")] == (120.0, "")
    assert cells()[("0102", "SGB II- Empfänger", "gender=weiblich")] == (None, ".")


def test_xlsx_sheet(areas: None, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Daten"
    sheet.append(["Sozialraum", "Einwohner", "Arbeitslose"])
    sheet.append(["0101", 3187, "12"])
    sheet.append(["0102", 2345.0, "."])
    path = tmp_path / "daten.xlsx"
    book.save(path)
    mapping = write(
        tmp_path, "m.yaml", "area: Sozialraum\nperiod: 2023\nsheet: Daten\narea_level: sozialraum\n"
    )
    import_data(path, "--mapping", str(mapping))
    stored = cells()
    assert stored[("0101", "Einwohner", "")] == (3187.0, "")
    assert stored[("0101", "Arbeitslose", "")] == (12.0, "")
    assert stored[("0102", "Arbeitslose", "")] == (None, ".")


def test_dry_run_writes_nothing(areas: None, tmp_path: Path) -> None:
    path = write(tmp_path, "sozial.csv", WIDE)
    mapping = write(tmp_path, "mapping.yaml", WIDE_MAPPING)
    out = import_data(path, "--mapping", str(mapping), "--dry-run")
    assert out.startswith("Dry run, nothing written: sozial.csv: 8 values")
    assert Observation.objects.count() == 0


BAD_INPUTS = [
    (
        "unknown_area",
        WIDE.replace("2024;0102;männlich", "2024;0999;männlich"),
        WIDE_MAPPING,
        "sozial.csv: 1 unknown area code(s) in level 'sozialraum': line 6: '0999'",
    ),
    (
        "not_a_number",
        WIDE.replace("1 512", "viele"),
        WIDE_MAPPING,
        "sozial.csv, line 4, column 'Einwohner': 'viele' is neither a number nor a flag",
    ),
    (
        "duplicate_cell",
        WIDE + "2024;0101;weiblich;1.675;120\n",
        WIDE_MAPPING,
        "sozial.csv: lines 3, 7 give the same cell twice (area '0101', period 2024, "
        "variable 'einwohner', breakdown gender=weiblich)",
    ),
    (
        "missing_column",
        WIDE,
        WIDE_MAPPING.replace("Jahr", "Berichtsjahr"),
        "Berichtsjahr",
    ),
    (
        "separator_in_breakdown",
        WIDE.replace("2024;0102;weiblich", "2024;0102;w=eiblich"),
        WIDE_MAPPING,
        "sozial.csv, line 5: breakdown value 'w=eiblich' of 'gender' must not contain ';' or '='",
    ),
    (
        "no_period",
        WIDE.replace("Jahr;", "Stand;"),
        WIDE_MAPPING.replace("period: Jahr\n", ""),
        "sozial.csv: no period column (period, Jahr, year); name the column that holds the year "
        "or give the year of the whole table, e.g. 2012 (set 'period' in the mapping file, "
        "option --mapping)",
    ),
    ("unknown_key", WIDE, WIDE_MAPPING + "farbe: rot\n",
     "mapping.yaml, line 11: unknown key 'farbe' (the keys are layout, sheet, encoding, "
     "delimiter, decimal, area, period, breakdowns, variables, variable, value, flag, ignore, "
     "where, recode, area_codes, source, counts, area_level)"),
    ("bad_level", WIDE, WIDE_MAPPING.replace("level: sozialraum", "level: [sozialraum]"),
     "mapping.yaml, line 3, area_level: must be a level key such as 'sozialraum', not "
     "['sozialraum']"),
    ("unknown_level", WIDE, WIDE_MAPPING.replace("level: sozialraum", "level: quartier"),
     "unknown area level 'quartier'"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "mapping", "message"), [b[1:] for b in BAD_INPUTS],
                         ids=[b[0] for b in BAD_INPUTS])  # fmt: skip
def test_bad_input_names_the_place_and_writes_nothing(
    areas: None, tmp_path: Path, table: str, mapping: str, message: str
) -> None:
    good = write(tmp_path, "good.csv", WIDE)
    good_mapping = write(tmp_path, "good.yaml", WIDE_MAPPING)
    import_data(good, "--mapping", str(good_mapping))
    before = cells()
    path = write(tmp_path, "sozial.csv", table.replace("1.675", "9.999"))
    with pytest.raises(CommandError) as raised:
        import_data(path, "--mapping", str(write(tmp_path, "mapping.yaml", mapping)))
    assert message in str(raised.value)
    assert "Nothing was imported." in str(raised.value)
    assert cells() == before


def test_missing_file_is_a_clear_error(areas: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"fehlt\.csv"):
        import_data(tmp_path / "fehlt.csv")


def test_codes_in_two_levels_need_a_level(areas: None, tmp_path: Path) -> None:
    Area.objects.create(level=AreaLevel.objects.get(key="stadtbezirk"), code="0101", name="Doppelt")
    path = write(tmp_path, "t.csv", "area,period,variable,value\n0101,2020,x,1\n")
    with pytest.raises(CommandError) as raised:
        import_data(path)
    assert str(raised.value) == (
        "t.csv: area codes exist in several levels (0101); name the level (option --area-level, "
        "or area_level in the mapping file)\nNothing was imported."
    )
    assert "1 new or changed" in import_data(path, "--area-level", "sozialraum")


@pytest.mark.shared_data
def test_koeln_population_long_table_with_city_and_bezirk_rows(
    shared_data: Path, tmp_path: Path
) -> None:
    load_koeln_areas(shared_data, tmp_path)
    mapping = write(
        tmp_path,
        "koeln.yaml",
        """layout: long
area: raum_id
period: jahr
variable: "{tabelle}: {zeile}"
value: zahl
ignore: [id, tab_id, zei_id, raum]
source: "Stadt Köln, Amt für Stadtentwicklung und Statistik"
""",
    )
    out = import_data(
        shared_data / "koeln/bevoelkerung_2005-2012_long.csv", "--mapping", str(mapping)
    )
    assert "29135 values (38 variable(s), 2005–2012); 29135 new or changed" in out
    einwohner = dict(
        Observation.objects.filter(
            variable="Einwohner in Köln: Einwohner", period=2005
        ).values_list("area__code", "value")
    )
    assert einwohner["000"] == 1023101
    assert einwohner["001"] == 129496
    assert len(einwohner) == 96  # city, 9 Stadtbezirke, 86 Stadtteile
    stadtteile = [einwohner[a.code] for a in Area.objects.filter(level__key="stadtteil")]
    assert sum(stadtteile) == einwohner["000"]


KOELN_AGES = """layout: long
area: raum_id
period: jahr
where: {tabelle: Einwohner nach Alter}
variable: tabelle
variables: {Einwohner nach Alter: einwohner}
breakdowns: {zeile: age_group}
recode:
  age_group: {"00 - < 03": 0-5, "03 - < 06": 0-5, "06 - < 10": 6-14, "10 - < 15": 6-14, \
"15 - < 18": 15-17, "65 - < 75": 65+, "75 und älter": 65+}
value: zahl
ignore: [id, tab_id, zei_id, raum]
"""


@pytest.mark.shared_data
def test_koeln_age_groups_selected_renamed_and_summed(shared_data: Path, tmp_path: Path) -> None:
    load_koeln_areas(shared_data, tmp_path)
    table = shared_data / "koeln/bevoelkerung_2005-2012_long.csv"
    out = import_data(table, "--mapping", str(write(tmp_path, "koeln.yaml", KOELN_AGES)))
    # 13 age groups become 10, for 96 areas and 8 years.
    assert "7680 values (1 variable(s), 2005–2012); 7680 new or changed" in out
    assert "Note:" not in out  # where selected the records; variables left none out
    with table.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    old = ("65 - < 75", "75 und älter")
    parts = [
        float(row["zahl"])
        for row in rows
        if (row["tabelle"], row["raum_id"], row["jahr"]) == ("Einwohner nach Alter", "101", "2012")
        and row["zeile"] in old
    ]
    assert len(parts) == 2
    stored = Observation.objects.get(
        area__code="101", period=2012, variable="einwohner", breakdown_key="age_group=65+"
    )
    assert stored.value == sum(parts)
    groups = set(Observation.objects.values_list("breakdown_key", flat=True))
    assert {"age_group=0-5", "age_group=6-14", "age_group=15-17", "age_group=18 - < 25"} <= groups
    assert not {f"age_group={name}" for name in old} & groups
    assert len(groups) == 10


def test_records_of_variables_not_listed_are_a_note(areas: None, tmp_path: Path) -> None:
    table = write(
        tmp_path,
        "lang.csv",
        "Bezirk;Jahr;Merkmal;Wert\n0101;2024;Einwohner;5\n0101;2024;Haushalte;3\n"
        "0102;2024;Haushalte;2\n",
    )
    mapping = write(
        tmp_path, "lang.yaml", "layout: long\narea_level: sozialraum\nvariables: {Einwohner: ew}\n"
    )
    out = StringIO()
    err = StringIO()
    call_command("import_data", str(table), "--mapping", str(mapping), stdout=out, stderr=err)
    assert out.getvalue().splitlines()[1:] == [
        "Note: lang.csv: 2 record(s) left out, as variables does not list their variables"
    ]
    assert err.getvalue() == ""
    assert cells() == {("0101", "ew", ""): (5.0, "")}


@pytest.mark.shared_data
@pytest.mark.parametrize("year", [2013, 2015, 2017])
def test_berlin_mss_tables(shared_data: Path, tmp_path: Path, year: int) -> None:
    load_berlin_areas(shared_data)
    mapping = write(tmp_path, "mss.yaml", f"area: id\nperiod: {year}\nignore: [name]\n")
    # Numeric columns per table; the class labels of table 1 (text) are left out.
    for table, numeric in (("1", 2), ("2-1", 9), ("4-1", 14)):
        path = shared_data / f"berlin-mss/mss_{year}_table_{table}.csv"
        with path.open(encoding="utf-8") as handle:
            records = sum(1 for _ in csv.DictReader(handle))
        out = import_data(path, "--mapping", str(mapping))
        assert f"{records * numeric} values ({numeric} variable(s), {year}–{year})" in out
    s1 = dict(
        Observation.objects.filter(variable="s1_percentage_unemployed").values_list(
            "area__code", "value"
        )
    )
    assert len(s1) == 447
    indexed = Observation.objects.filter(variable="status_index", period=year).count()
    assert 430 < indexed < 447  # only Planungsräume with at least 300 inhabitants are indexed
    if year == 2013:
        assert s1["01011101"] == pytest.approx(6.38298)
        assert s1["01011102"] == 0
