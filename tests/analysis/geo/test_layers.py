"""Reading and writing area layers: reprojection, fields, codes, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box

from quartier.analysis.geo import GeodataError, read_area_layer, write_area_layer

# A square of 1 km in EPSG:25832 (UTM 32N) near Dortmund.
X0, Y0 = 392_000.0, 5_708_000.0


def _geojson(path: Path, features: list[dict[str, object]], crs: str | None) -> Path:
    content: dict[str, object] = {"type": "FeatureCollection", "features": features}
    if crs:
        content["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def _square(code: str, name: str, x: float, y: float) -> dict[str, object]:
    ring = [[x, y], [x + 1000, y], [x + 1000, y + 1000], [x, y + 1000], [x, y]]
    return {
        "type": "Feature",
        "properties": {"nr": code, "name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_a_projected_file_is_stored_in_degrees(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "bezirke.geojson",
        [_square("01", "Mitte", X0, Y0), _square("02", "Nord", X0, Y0 + 1000)],
        "urn:ogc:def:crs:EPSG::25832",
    )
    layer = read_area_layer(path, code_field="nr", name_field="name")
    assert layer.source_crs == "EPSG:25832"
    assert [(f.code, f.name) for f in layer.features] == [("01", "Mitte"), ("02", "Nord")]
    west, south, east, north = layer.features[0].geometry.bounds
    assert 7.4 < west < east < 7.5
    assert 51.5 < south < north < 51.6
    assert layer.features[0].geometry.geom_type == "MultiPolygon"


def test_an_unknown_field_is_named_with_the_fields_there_are(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "a.geojson", [_square("01", "Mitte", X0, Y0)], "EPSG:25832")
    with pytest.raises(
        GeodataError, match=r"a.geojson: field 'code' not found; fields are: nr, name"
    ):
        read_area_layer(path, code_field="code", name_field="name")


def test_a_duplicate_code_names_both_features(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "a.geojson",
        [_square("01", "Mitte", X0, Y0), _square("01", "Nord", X0, Y0 + 1000)],
        "EPSG:25832",
    )
    with pytest.raises(
        GeodataError, match=r"feature 2: duplicate code '01'.*first used by feature 1"
    ):
        read_area_layer(path, code_field="nr", name_field="name")
    fixed = read_area_layer(path, code_field="nr", name_field="name", set_codes={2: "02"})
    assert [f.code for f in fixed.features] == ["01", "02"]


def test_a_layer_written_in_another_crs_reads_back_as_it_was(tmp_path: Path) -> None:
    shapes = [shapely.MultiPolygon([box(7.45, 51.51, 7.46, 51.52)])]
    out = tmp_path / "areas.gpkg"
    write_area_layer(
        out, fmt="gpkg", records=[{"code": "01", "name": "Mitte"}], geometries=shapes,
        crs="EPSG:25832",
    )  # fmt: skip
    back = read_area_layer(out, code_field="code", name_field="name")
    assert back.source_crs == "EPSG:25832"
    assert shapely.equals_exact(back.features[0].geometry, shapes[0], tolerance=1e-9)


def test_an_unknown_export_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        GeodataError, match="unknown format 'shp'; choose one of geojson, gpkg, csv"
    ):
        write_area_layer(tmp_path / "a.shp", fmt="shp", records=[], geometries=[])
