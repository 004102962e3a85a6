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


def test_a_crs_given_against_the_declared_one_must_be_forced(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "a.geojson", [_square("01", "Mitte", X0, Y0)], "EPSG:25832")
    with pytest.raises(GeodataError) as raised:
        read_area_layer(path, code_field="nr", name_field="name", crs="EPSG:31467")
    assert raised.value.setting == "force_crs"
    assert str(raised.value) == (
        "a.geojson: the file declares EPSG:25832 (ETRS89 / UTM zone 32N), but EPSG:31467 "
        "(DHDN / 3-degree Gauss-Kruger zone 3) is given; to read the file in the CRS given, "
        "force it"
    )
    forced = read_area_layer(
        path, code_field="nr", name_field="name", crs="EPSG:25832", force_crs=True
    )
    assert forced.source_crs == "EPSG:25832"


def test_a_geojson_without_crs_member_takes_a_crs_without_force(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "a.geojson", [_square("01", "Mitte", X0, Y0)], None)
    layer = read_area_layer(path, code_field="nr", name_field="name", crs="EPSG:25832")
    assert layer.source_crs == "EPSG:25832"
    assert (layer.code_field, layer.name_field) == ("nr", "name")


@pytest.mark.parametrize(
    ("x", "likely"),
    [
        (X0, "EPSG:25832 (ETRS89 / UTM zone 32N, placing the file at 7.4"),
        (2_600_000.0, "EPSG:31466 (DHDN / 3-degree Gauss-Kruger zone 2, placing the file at 7.4"),
        (32_392_000.0, "EPSG:4647 (ETRS89 / UTM zone 32N (zE-N), placing the file at 7.4"),
    ],
)
def test_metres_read_as_degrees_name_the_likely_crs(tmp_path: Path, x: float, likely: str) -> None:
    path = _geojson(tmp_path / "a.geojson", [_square("01", "Mitte", x, Y0)], None)
    with pytest.raises(GeodataError) as raised:
        read_area_layer(path, code_field="nr", name_field="name")
    assert raised.value.setting == "crs"
    assert f"the numbers are likely in {likely}" in str(raised.value)


def test_degrees_read_as_metres_name_wgs84(tmp_path: Path) -> None:
    ring = [[7.4, 51.5], [7.41, 51.5], [7.41, 51.51], [7.4, 51.5]]
    feature = {
        "type": "Feature",
        "properties": {"nr": "01", "name": "Mitte"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path = _geojson(tmp_path / "a.geojson", [feature], None)
    with pytest.raises(GeodataError) as raised:
        read_area_layer(path, code_field="nr", name_field="name", crs="EPSG:25832")
    assert str(raised.value).startswith(
        "a.geojson: feature 1 (code '01'): the coordinate (7.4, 51.5) does not fit EPSG:25832 "
        "(ETRS89 / UTM zone 32N) given for the file; the numbers are likely in EPSG:4326"
    )


def test_a_layer_is_not_written_into_a_folder_or_a_missing_one(tmp_path: Path) -> None:
    shapes = [shapely.MultiPolygon([box(7.45, 51.51, 7.46, 51.52)])]
    records = [{"code": "01", "name": "Mitte"}]
    with pytest.raises(GeodataError, match=r"is a folder; give a file in it, e.g. .*areas\.gpkg"):
        write_area_layer(tmp_path, fmt="gpkg", records=records, geometries=shapes)
    with pytest.raises(GeodataError, match=r"the folder .*fehlt does not exist"):
        write_area_layer(
            tmp_path / "fehlt" / "a.gpkg", fmt="gpkg", records=records, geometries=shapes
        )
