"""`quartier export-areas`: GeoJSON, GeoPackage and CSV, in WGS84 or another CRS."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyogrio
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import X0, Y0
from .test_import_areas import import_areas

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(levels: None, districts: Path, quarters: Path) -> None:
    import_areas(districts, "stadtbezirk")
    import_areas(quarters, "sozialraum", "--parent-field", "parent")


def export(level: str, fmt: str, out: Path, *extra: str) -> None:
    call_command(
        "export_areas", "--level", level, "--format", fmt, "--out", str(out), *extra, verbosity=0
    )


def test_geojson_round_trip_in_utm(imported: None, tmp_path: Path) -> None:
    out = tmp_path / "sr.geojson"
    export("sozialraum", "geojson", out, "--crs", "EPSG:25832")
    data = json.loads(out.read_text(encoding="utf-8"))
    props = {f["properties"]["code"]: f["properties"]["parent"] for f in data["features"]}
    assert props == {"0101": "01", "0102": "01", "0203": "02", "0204": "02"}
    first = shapely.geometry.shape(data["features"][0]["geometry"])
    # The 500 m square comes back where it was, to the millimetre.
    assert first.bounds == pytest.approx((X0, Y0, X0 + 500, Y0 + 500), abs=0.001)


def test_geopackage_keeps_crs_and_attributes(imported: None, tmp_path: Path) -> None:
    out = tmp_path / "bezirke.gpkg"
    export("stadtbezirk", "gpkg", out)
    meta, _fids, wkb, fields = pyogrio.raw.read(out)
    assert meta["crs"] == "EPSG:4326"
    assert list(meta["fields"]) == ["code", "name", "parent", "level"]
    assert list(fields[0]) == ["01", "02"]
    assert shapely.from_wkb(wkb[1]).area == pytest.approx(shapely.from_wkb(wkb[0]).area, rel=0.01)


def test_csv_has_wkt_geometry(imported: None, tmp_path: Path) -> None:
    out = tmp_path / "bezirke.csv"
    export("stadtbezirk", "csv", out)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["code"] for row in rows] == ["01", "02"]
    assert rows[0]["WKT"].startswith("MULTIPOLYGON (((7.")


def test_unknown_level_is_an_error(imported: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="level 'gemeinde' has no areas"):
        export("gemeinde", "geojson", tmp_path / "x.geojson")


def test_a_folder_as_out_is_refused_in_one_line(imported: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as raised:
        export("stadtbezirk", "geojson", tmp_path)
    assert str(raised.value) == (
        f"{tmp_path} is a folder; give a file in it, e.g. {tmp_path / 'stadtbezirk.geojson'}"
    )


def test_a_missing_folder_is_refused_in_one_line(imported: None, tmp_path: Path) -> None:
    out = tmp_path / "fehlt" / "bezirke.gpkg"
    with pytest.raises(CommandError) as raised:
        export("stadtbezirk", "gpkg", out)
    assert str(raised.value) == f"{out}: the folder {out.parent} does not exist"
    assert not out.parent.exists()
