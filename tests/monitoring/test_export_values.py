"""`quartier export-values` on Musterstadt: every format parses back to the selector's values."""

from __future__ import annotations

import csv
import doctest
import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from quartier.analysis.catalogue import load_catalogue
from quartier.analysis.disclosure import View
from quartier.cli import main
from quartier.monitoring import exports, output_files
from quartier.monitoring.exports import COLUMNS, INTERNAL_NOTE
from quartier.monitoring.management.commands import export_values
from quartier.monitoring.selectors import indicator_values

from .musterstadt import load_musterstadt

YEARS = ("2023", "2024")
SGB2 = ("--indicator", "sgb2_quote", "--year", "2024", "--level", "sozialraum")
TEXT = dict.fromkeys(("area", "parent", "breakdown", "flag", "name", "view"), pl.Utf8)
# Columns rounded to the indicator's decimals (sgb2_quote: 1); ratio and z-score get 2.
ROUNDED = ("value", "city_value", "diff_city", "change_1", "change_n")
UNITLESS = ("ratio_city", "zscore")


@pytest.fixture(scope="module")
def musterstadt(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Musterstadt loaded once for the module (and removed afterwards), indicators computed."""
    folder = tmp_path_factory.mktemp("musterstadt")
    with django_db_blocker.unblock():
        load_musterstadt(folder, YEARS)
        yield folder
        call_command("flush", interactive=False, verbosity=0)


def export(out: Path, *args: str, fmt: str = "csv") -> tuple[str, str]:
    """Run the command; return what it printed on stdout and stderr."""
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "export_values", *args, "--format", fmt, "--out", str(out), stdout=stdout, stderr=stderr
    )
    return stdout.getvalue(), stderr.getvalue()


def sgb2_selected(view: View = "public") -> list[dict[str, Any]]:
    """The selector's rows for SGB2, sorted by area as the export sorts them."""
    frame = indicator_values(
        view=view,
        indicators=["sgb2_quote"],
        years=[2024],
        level="sozialraum",
        totals_only=True,
    )
    return frame.sort("area").to_dicts()


def half_up(value: float | None, digits: int) -> float | None:
    """Round as people do (halves away from zero), independently of the code under test."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP))


def expected_rounded(row: dict[str, Any]) -> dict[str, Any]:
    """A selector row as the formats for people show it (sgb2_quote: 1 decimal)."""
    expected = {name: half_up(row[name], 1) for name in ROUNDED}
    expected.update({name: half_up(row[name], 2) for name in UNITLESS})
    expected.update(numerator=row["numerator"], denominator=row["denominator"])
    expected.update(rank=row["rank"], decile=row["decile"])
    return expected


def read_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, schema_overrides=TEXT, infer_schema_length=None)


def german(cell: str) -> float | None:
    """A number as csv-de writes it: thousands '.', decimal comma; empty is None."""
    return None if cell == "" else float(cell.replace(".", "").replace(",", "."))


def read_csv_de(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "csv-de starts with a UTF-8 BOM for Excel"
    reader = csv.reader(StringIO(raw[3:].decode("utf-8")), delimiter=";")
    header, *rows = list(reader)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


# --- the formats ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_has_the_selector_values_in_full_precision(musterstadt: Path, tmp_path: Path) -> None:
    out = tmp_path / "sgb2.csv"
    stdout, stderr = export(out, *SGB2)
    assert stdout.strip() == f"39 rows written to {out}"
    assert stderr == ""
    assert out.read_bytes()[:9] == b"indicator"  # no BOM
    frame = read_csv(out)
    assert tuple(frame.columns) == COLUMNS
    assert frame.height == 39, "Musterstadt has 39 Sozialräume"
    assert frame["area"].n_unique() == 39
    assert set(frame["level"]) == {"sozialraum"}
    assert set(frame["period"]) == {2024}
    assert frame["breakdown"].is_null().all()
    selected = sgb2_selected()
    assert frame["area"].to_list() == [row["area"] for row in selected]
    figures = ("numerator", "denominator", *ROUNDED, *UNITLESS, "rank", "decile")
    for written, row in zip(frame.to_dicts(), selected, strict=True):
        assert {name: written[name] for name in figures} == {name: row[name] for name in figures}
    first = frame.row(0, named=True)
    assert (first["area"], first["parent"], first["name"]) == ("0101", "01", "Erlenberg")
    assert first["value"] == pytest.approx(100 * first["numerator"] / first["denominator"])


@pytest.mark.django_db
def test_csv_de_rounds_to_the_indicator_decimals(musterstadt: Path, tmp_path: Path) -> None:
    out = tmp_path / "sgb2.csv"
    export(out, *SGB2, fmt="csv-de")
    header, rows = read_csv_de(out)
    assert tuple(header) == COLUMNS
    assert len(rows) == 39
    assert load_catalogue().indicator("sgb2_quote").decimals == 1
    for written, row in zip(rows, sgb2_selected(), strict=True):
        expected = expected_rounded(row)
        assert {name: german(written[name]) for name in expected} == expected
        # one decimal, written with a comma: "14,2", never "14.2" or "14,25"
        assert written["value"].split(",")[1].isdigit()
        assert len(written["value"].split(",")[1]) == 1
        assert "," not in written["numerator"]
        assert written["period"] == "2024"
    first = rows[0]
    assert (first["area"], first["name"], first["flag"]) == ("0101", "Erlenberg", "")
    big = next(row for row in rows if german(row["denominator"]) >= 10_000)
    assert "." in big["denominator"], "thousands are grouped with '.'"


@pytest.mark.django_db
def test_xlsx_has_numbers_with_german_formats(musterstadt: Path, tmp_path: Path) -> None:
    out = tmp_path / "sgb2.xlsx"
    export(out, *SGB2, fmt="xlsx")
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Werte"]
    sheet = workbook.active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert len(rows) == 40
    for written, row in zip(rows[1:], sgb2_selected(), strict=True):
        cells = dict(zip(COLUMNS, written, strict=True))
        expected = expected_rounded(row)
        assert {name: cells[name] for name in expected} == expected
        assert isinstance(cells["value"], int | float)
        assert cells["area"] == row["area"]
    cells = {cell.column_letter: cell for cell in sheet[2]}
    letter = {name: chr(ord("A") + i) for i, name in enumerate(COLUMNS)}
    assert cells[letter["value"]].number_format == "#,##0.0"
    assert cells[letter["numerator"]].number_format == "#,##0"
    assert cells[letter["zscore"]].number_format == "#,##0.00"
    assert cells[letter["area"]].data_type == "s", "codes stay texts (leading zeros)"
    assert workbook.properties.keywords == "public"


@pytest.mark.django_db
def test_geojson_has_one_feature_per_area(musterstadt: Path, tmp_path: Path) -> None:
    out = tmp_path / "sgb2.geojson"
    export(out, *SGB2, fmt="geojson")
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert collection["view"] == "public"
    features = collection["features"]
    assert len(features) == 39
    for feature, row in zip(features, sgb2_selected(), strict=True):
        properties = feature["properties"]
        assert tuple(properties) == COLUMNS
        assert properties["area"] == row["area"]
        expected = expected_rounded(row)
        assert {name: properties[name] for name in expected} == expected
        assert feature["geometry"]["type"] == "MultiPolygon"
        lon, lat = feature["geometry"]["coordinates"][0][0][0]
        assert 5 < lon < 16, "WGS 84, in Germany"
        assert 47 < lat < 56


@pytest.mark.django_db
def test_counts_have_no_decimals(musterstadt: Path, tmp_path: Path) -> None:
    out = tmp_path / "einwohner.csv"
    args = ("--indicator", "einwohnerzahl", "--year", "2024", "--level", "stadt")
    export(out, *args, "--view", "internal", fmt="csv-de")
    _, rows = read_csv_de(out)
    (city,) = rows
    (stored,) = indicator_values(
        view="internal", indicators=["einwohnerzahl"], years=[2024], level="stadt"
    ).to_dicts()
    assert load_catalogue().indicator("einwohnerzahl").decimals == 0
    assert city["value"] == f"{round(stored['value']):,}".replace(",", ".")
    assert german(city["value"]) == stored["value"]
    assert stored["change_1"] is not None, "2023 is computed, so the change to it is known"
    assert city["change_1"] == f"{half_up(stored['change_1'], 1):.1f}".replace(".", ",")


# --- what is not published ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_suppressed_value_is_empty_with_flag_dot(musterstadt: Path, tmp_path: Path) -> None:
    out = tmp_path / "bezirke.csv"
    export(out, "--year", "2024", "--level", "statistischer_bezirk")
    frame = read_csv(out).with_columns(pl.col("flag").fill_null(""))
    suppressed = frame.filter(pl.col("flag") == ".")
    assert suppressed.height > 0
    assert suppressed["value"].is_null().all()
    assert suppressed["diff_city"].is_null().all()
    assert suppressed["rank"].is_null().all()
    published = frame.filter(pl.col("flag") == "")
    assert published["value"].is_not_null().all()
    zeros = frame.filter(pl.col("flag") == "-")
    assert zeros.height > 0
    assert (zeros["value"] == 0).all()
    assert set(frame["flag"]) <= {"", ".", "-", "/", "x"}
    minimum = {i.key: i.min_denominator for i in load_catalogue()}
    withheld = frame.filter(pl.col("flag") == "/")
    assert withheld.height > 0, "small school classes: rates withheld, denominators published"
    assert frame.filter(pl.col("flag") == "x").height > 0, "a Bezirk without school starters"
    for row in withheld.iter_rows(named=True):
        assert row["value"] is None
        assert 0 < row["denominator"] < minimum[row["indicator"]]
    for row in frame.filter(pl.col("flag") == "x").iter_rows(named=True):
        assert row["value"] is None
        assert row["denominator"] == 0
    # the same cells in csv-de: empty, with the flag
    export(tmp_path / "bezirke.de.csv", "--year", "2024", "--level", "statistischer_bezirk",
           fmt="csv-de")  # fmt: skip
    _, rows = read_csv_de(tmp_path / "bezirke.de.csv")
    dots = [row for row in rows if row["flag"] == "."]
    assert len(dots) == suppressed.height
    assert all(row["value"] == "" and row["diff_city"] == "" for row in dots)


@pytest.mark.django_db
def test_only_totals_without_breakdowns(musterstadt: Path, tmp_path: Path) -> None:
    args = ("--indicator", "anteil_unter_18", "--year", "2024", "--level", "stadtbezirk")
    for view in ("public", "internal"):
        export(tmp_path / f"{view}.csv", *args, "--view", view)
        totals = read_csv(tmp_path / f"{view}.csv")
        assert totals["breakdown"].is_null().all()
        assert totals.height == 12
    # the breakdown cells as the selector gives them (internal: the public view may publish
    # fewer of them)
    export(tmp_path / "cells.csv", *args, "--breakdowns", "--view", "internal")
    cells = read_csv(tmp_path / "cells.csv")
    selected = indicator_values(
        view="internal", indicators=["anteil_unter_18"], years=[2024], level="stadtbezirk",
        totals_only=False,
    ).sort("area", "breakdown_key")  # fmt: skip
    assert cells.height == selected.height > 12
    assert cells["breakdown"].drop_nulls().n_unique() > 1
    assert cells["value"].to_list() == selected["value"].to_list()
    assert cells.filter(pl.col("breakdown").is_null())["value"].to_list() == (
        totals["value"].to_list()
    )


# --- the internal view ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_internal_view_is_marked_in_every_format(musterstadt: Path, tmp_path: Path) -> None:
    args = ("--view", "internal", *SGB2)
    stdout, stderr = export(tmp_path / "i.csv", *args)
    assert stderr.strip() == INTERNAL_NOTE
    assert "(internal view)" in stdout
    frame = read_csv(tmp_path / "i.csv")
    assert tuple(frame.columns) == (*COLUMNS, "view")
    assert set(frame["view"]) == {"internal"}
    internal = sgb2_selected("internal")
    assert frame["value"].to_list() == [row["value"] for row in internal]
    assert frame["change_1"].to_list() == [row["change_1"] for row in internal]
    assert frame["change_1"].is_not_null().all(), "2023 is computed: every change is known"

    export(tmp_path / "i.de.csv", *args, fmt="csv-de")
    header, rows = read_csv_de(tmp_path / "i.de.csv")
    assert header[-1] == "view"
    assert {row["view"] for row in rows} == {"internal"}

    export(tmp_path / "i.xlsx", *args, fmt="xlsx")
    workbook = load_workbook(tmp_path / "i.xlsx")
    assert workbook.sheetnames == ["Werte (intern)"]
    assert workbook.properties.keywords == "internal"
    assert INTERNAL_NOTE in (workbook.properties.title or "")
    assert {p.name: p.value for p in workbook.custom_doc_props} == {"view": "internal"}

    export(tmp_path / "i.geojson", *args, fmt="geojson")
    collection = json.loads((tmp_path / "i.geojson").read_text(encoding="utf-8"))
    assert (collection["view"], collection["note"]) == ("internal", INTERNAL_NOTE)
    assert {f["properties"]["view"] for f in collection["features"]} == {"internal"}


@pytest.mark.django_db
def test_the_internal_view_shows_what_the_public_one_hides(
    musterstadt: Path, tmp_path: Path
) -> None:
    args = ("--year", "2024", "--level", "statistischer_bezirk")
    export(tmp_path / "public.csv", *args)
    export(tmp_path / "internal.csv", *args, "--view", "internal")
    public, internal = read_csv(tmp_path / "public.csv"), read_csv(tmp_path / "internal.csv")
    assert public.height == internal.height == 170 * len(load_catalogue())
    assert public["value"].null_count() > internal["value"].null_count()
    assert public.select(COLUMNS[:7]).equals(internal.select(COLUMNS[:7]))


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--indicator", "nope"), "--indicator: unknown indicator 'nope'"),
        (("--year", "1999"), "--year: no values for 1999 (values exist for 2023–2024)"),
        (("--level", "bezirk"), "--level: unknown level 'bezirk' (levels: stadt, stadtbezirk,"),
    ],
)
def test_errors_name_the_option(
    musterstadt: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError) as raised:
        export(tmp_path / "x.csv", *args)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
    assert raised.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_an_out_path_in_a_missing_folder(musterstadt: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^--out: the folder .*nowhere does not exist$"):
        export(tmp_path / "nowhere" / "x.csv")


@pytest.mark.django_db
def test_an_out_path_that_is_a_folder(
    musterstadt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["quartier", "export-values", "--format", "csv", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"CommandError: --out: {tmp_path} is a folder; give a file name, "
        f"e.g. {tmp_path / 'result.csv'}"
    ]
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SystemExit) as exit_info:
        main(["quartier", "export-values", "--format", "csv", "--out", str(tmp_path / "x" / "y")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"CommandError: --out: the folder {tmp_path / 'x'} does not exist"
    ]


@pytest.mark.django_db
def test_without_stored_values(
    musterstadt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = indicator_values(view="internal", years=[2024], level="stadt").clear()

    def nothing_stored(**_: Any) -> pl.DataFrame:
        return empty

    monkeypatch.setattr(export_values, "indicator_values", nothing_stored)
    with pytest.raises(CommandError, match=r"^no stored values: run `quartier compute` first$"):
        export(tmp_path / "x.csv")
    with pytest.raises(CommandError, match=r"^no stored values"):
        export(tmp_path / "x.csv", "--year", "2024")


@pytest.mark.django_db
def test_the_console_script_prints_one_line_and_exits_2(
    musterstadt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.xlsx"
    with pytest.raises(SystemExit) as exit_info:
        main(["quartier", "export-values", "--indicator", "nope", "--view", "internal",
              "--format", "xlsx", "--out", str(out)])  # fmt: skip
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "CommandError: --indicator: unknown indicator 'nope' (`quartier indicators` lists them)"
    ]
    assert not out.exists()


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "old.csv"
    old.write_text("before\n", encoding="utf-8")

    def broken(path: Path) -> None:
        path.write_text("half a fi", encoding="utf-8")
        raise OSError(28, "No space left on device")

    for target in (old, tmp_path / "new.csv"):
        with pytest.raises(OSError, match="No space left"):
            output_files.atomically(target, broken)
    assert old.read_text(encoding="utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]


# --- the formatting functions ---------------------------------------------------------------------


def test_the_docstring_examples_of_the_export_module() -> None:
    result = doctest.testmod(exports, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (14.246713, 1, "14,2"),
        (14.25, 1, "14,3"),
        (-5.05, 1, "-5,1"),
        (1234567.891, 2, "1.234.567,89"),
        (608271.0, 0, "608.271"),
        (0.0, 1, "0,0"),
        (-0.04, 1, "0,0"),
        (0.04, 0, "0"),
    ],
)
def test_german_numbers_are_rounded_half_up(value: float, digits: int, text: str) -> None:
    rounded = pl.select(exports.round_half_up(pl.lit(value), digits)).item()
    assert exports.german_number(rounded + 0.0, digits) == text


def test_column_digits_follow_the_catalogue() -> None:
    catalogue = load_catalogue()
    rate = exports.column_digits(catalogue.indicator("hilfen_zur_erziehung"))
    assert (rate["value"], rate["change_1"], rate["ratio_city"], rate["zscore"]) == (1, 1, 2, 2)
    count = exports.column_digits(catalogue.indicator("einwohnerzahl"))
    assert (count["value"], count["diff_city"], count["change_n"]) == (0, 0, 1)
    assert exports.xlsx_number_format(0) == "#,##0"
    assert exports.xlsx_number_format(2) == "#,##0.00"
