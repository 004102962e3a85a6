"""`quartier import-areas` refuses what would store wrong areas; each refusal writes nothing.

Coordinates outside the range of their CRS, metres read as degrees, a CRS given against the one
a file declares, areas far outside those stored, codes and names no database column holds, and
files whose problem an earlier message misnamed (no features, a zip without a Shapefile, rings
that are not closed).
"""

from __future__ import annotations

import json
import re
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.analysis.geo import AreaFeature, AreaLayer
from quartier.areas.models import AreaGeometry
from quartier.areas.services import AreaImportError, areas_import

from .conftest import X0, Y0, WriteGeojson, feature, square
from .test_import_areas import import_areas, snapshot

pytestmark = pytest.mark.django_db

# Dortmund's 390,000 E / 5,710,000 N (UTM 32N) as longitude/latitude.
LON, LAT = 7.414, 51.527


def degrees_square(lon: float, lat: float, size: float = 0.01) -> list[list[list[float]]]:
    return [
        [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    ]


def refused(path: Path, level: str = "stadtbezirk", *extra: str) -> str:
    """The message of the refused import; the database must be as it was."""
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        import_areas(path, level, *extra)
    assert snapshot() == before
    message = str(raised.value)
    assert message.endswith("\nNothing was imported.")
    return message


def test_a_stray_coordinate_is_outside_the_range_of_the_declared_crs(
    levels: None, write_geojson: WriteGeojson
) -> None:
    stray = square(X0 + 1000, Y0)
    stray[0][2] = [9_390_000.0, Y0 + 1000]
    path = write_geojson(
        "stray.geojson",
        [feature("01", "Nord", square(X0, Y0)), feature("02", "Süd", stray),
         feature("03", "Ost", square(X0 + 2000, Y0))],
    )  # fmt: skip
    assert refused(path) == (
        "stray.geojson: feature 2 (code '02'): the coordinate (9390000, 5711000) is outside the "
        "range of EPSG:25832 (ETRS89 / UTM zone 32N) (1.00–17.01 °E, 31.53–89.01 °N, its area "
        "of use widened by 5°)\nNothing was imported."
    )


def test_a_latitude_beyond_90_degrees_is_refused(levels: None, write_geojson: WriteGeojson) -> None:
    bad = degrees_square(LON, LAT)
    bad[0][2] = [LON + 0.01, 100.0]
    path = write_geojson(
        "lat.geojson",
        [feature("01", "Nord", degrees_square(LON, LAT)), feature("02", "Süd", bad),
         feature("03", "Ost", degrees_square(LON + 0.02, LAT))],
        crs=None,
    )  # fmt: skip
    assert refused(path) == (
        "lat.geojson: feature 2 (code '02'): the coordinate (7.424, 100) is outside the range of "
        "CRS84 (longitude/latitude, the default of GeoJSON without a crs member) "
        "(|longitude| ≤ 180, |latitude| ≤ 90)\nNothing was imported."
    )


def test_metres_in_a_geojson_without_crs_name_the_likely_crs(
    levels: None, write_geojson: WriteGeojson
) -> None:
    path = write_geojson("nocrs.geojson", [feature("01", "Nord", square(X0, Y0))], crs=None)
    message = refused(path)
    assert message.startswith(
        "nocrs.geojson: feature 1 (code '01'): the coordinate (390000, 5710000) does not fit "
        "CRS84 (longitude/latitude, the default of GeoJSON without a crs member); the numbers "
        "are likely in EPSG:25832 (ETRS89 / UTM zone 32N, placing the file at 7.4"
    )
    assert message.endswith("; give the file's CRS (option --crs)\nNothing was imported.")


def test_metres_given_as_wgs84_name_the_likely_crs(
    levels: None, write_geojson: WriteGeojson
) -> None:
    path = write_geojson("utm.geojson", [feature("01", "Nord", square(X0, Y0))], crs=None)
    message = refused(path, "stadtbezirk", "--crs", "EPSG:4326")
    assert "does not fit EPSG:4326 (WGS 84) given for the file; the numbers are likely in " in (
        message
    )
    assert "EPSG:25832 (ETRS89 / UTM zone 32N, placing the file at 7.4" in message


def test_gauss_krueger_numbers_name_their_zone(levels: None, write_geojson: WriteGeojson) -> None:
    path = write_geojson(
        "gk.geojson", [feature("01", "Nord", square(3_393_000, Y0))], crs="EPSG::4326"
    )
    message = refused(path)
    assert "does not fit EPSG:4326 (WGS 84) declared by the file" in message
    assert "likely in EPSG:31467 (DHDN / 3-degree Gauss-Kruger zone 3, placing the file" in message
    assert message.endswith(
        "give the file's CRS and force it (options --crs and --force-crs)\nNothing was imported."
    )


def test_a_crs_against_the_declared_one_must_be_forced(levels: None, districts: Path) -> None:
    assert refused(districts, "stadtbezirk", "--crs", "EPSG:25833") == (
        "bezirke.geojson: the file declares EPSG:25832 (ETRS89 / UTM zone 32N), but EPSG:25833 "
        "(ETRS89 / UTM zone 33N) is given; to read the file in the CRS given, force it "
        "(options --crs and --force-crs)\nNothing was imported."
    )
    import_areas(districts, "stadtbezirk", "--crs", "EPSG:25832")  # the same CRS: no conflict
    assert set(AreaGeometry.objects.values_list("source_crs", flat=True)) == {"EPSG:25832"}


def test_a_forced_crs_is_read_and_recorded(levels: None, districts: Path) -> None:
    import_areas(districts, "stadtbezirk", "--crs", "EPSG:25833", "--force-crs")
    shape = shapely.from_wkb(bytes(AreaGeometry.objects.first().wkb))  # type: ignore[union-attr]
    assert 13 < shape.bounds[0] < 14  # zone 33's numbers lie six degrees further east
    assert set(AreaGeometry.objects.values_list("source_crs", flat=True)) == {"EPSG:25833"}


def test_an_area_far_outside_the_stored_areas_is_refused(
    levels: None, districts: Path, write_geojson: WriteGeojson
) -> None:
    import_areas(districts, "stadtbezirk")
    path = write_geojson(
        "weit.geojson",
        [feature("0101", "drin", square(X0 + 100, Y0 + 100, 500)),
         feature("9901", "weit weg", square(X0 + 50_000, Y0))],
    )  # fmt: skip
    message = refused(path, "sozialraum", "--parent-by-location")
    assert re.fullmatch(
        r"weit\.geojson: feature 2 \(code '9901'\) lies 4\d km outside the areas stored so far "
        r"\(more than 10 km from all of them\); check the file and the CRS it is read in "
        r"\(EPSG:25832\)\nNothing was imported\.",
        message,
    )


def test_every_import_reports_the_bounding_box_it_stored(levels: None, districts: Path) -> None:
    out = StringIO()
    call_command(
        "import_areas", str(districts), "--level", "stadtbezirk", "--code-field", "code",
        "--name-field", "name", stdout=out,
    )  # fmt: skip
    assert "stored bounding box: 7.41–7.44 °E, 51.53–51.54 °N" in out.getvalue()


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("0" * 51, "Nord", "field 'code' has 51 characters; at most 50 are allowed"),
        ("01", "N" * 201, "field 'name' has 201 characters; at most 200 are allowed"),
    ],
)
def test_codes_and_names_longer_than_the_models_allow_are_refused(
    levels: None, write_geojson: WriteGeojson, code: str, name: str, message: str
) -> None:
    path = write_geojson("lang.geojson", [feature(code, name, square(X0, Y0))])
    shown = code if len(code) <= 20 else code[:20] + "…"
    assert refused(path) == (
        f"lang.geojson: feature 1 (code {shown!r}): {message}\nNothing was imported."
    )


def test_a_nul_character_is_refused_by_the_service(levels: None, tmp_path: Path) -> None:
    # GDAL cuts a text at a NUL; other readers (and callers of the service) may not.
    shape = shapely.MultiPolygon([shapely.box(LON, LAT, LON + 0.01, LAT + 0.01)])
    layer = AreaLayer(
        tmp_path / "nul.geojson", "EPSG:4326", [AreaFeature(1, "01", "N\0rd", None, shape)]
    )
    before = snapshot()
    with pytest.raises(AreaImportError) as raised:
        areas_import(layer=layer, level_key="stadtbezirk")
    assert str(raised.value) == (
        "nul.geojson: feature 1 (code '01'): field 'name' contains a NUL character, which a "
        "database cannot store"
    )
    assert snapshot() == before


def write_json(path: Path, content: Any) -> Path:
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_a_file_without_features_says_so(levels: None, tmp_path: Path) -> None:
    path = write_json(tmp_path / "leer.geojson", {"type": "FeatureCollection", "features": []})
    assert refused(path) == "leer.geojson: the file has no features\nNothing was imported."


def test_a_zip_without_a_shapefile_says_so(levels: None, tmp_path: Path) -> None:
    path = tmp_path / "bezirke.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("liesmich.txt", "Die Bezirke kommen später.")
    assert refused(path) == "bezirke.zip: the zip holds no Shapefile (.shp)\nNothing was imported."


def test_an_unclosed_ring_is_closed_and_reported(levels: None, write_geojson: WriteGeojson) -> None:
    ring = square(X0, Y0)
    ring[0].pop()  # the last point no longer repeats the first
    path = write_geojson("offen.geojson", [feature("01", "Nord", ring)])
    err = StringIO()
    call_command(
        "import_areas", str(path), "--level", "stadtbezirk", "--code-field", "code",
        "--name-field", "name", stdout=StringIO(), stderr=err,
    )  # fmt: skip
    assert (
        "offen.geojson: feature 1 (code '01'): a ring was not closed; closed it" in err.getvalue()
    )
    shape = shapely.from_wkb(bytes(AreaGeometry.objects.get().wkb))
    assert shape.is_valid
    assert shape.area > 0


def test_a_ring_without_area_is_refused(levels: None, write_geojson: WriteGeojson) -> None:
    flat = [[[X0, Y0], [X0 + 100, Y0], [X0, Y0]]]
    path = write_geojson("flach.geojson", [feature("01", "Nord", flat)])
    assert refused(path).startswith(
        "flach.geojson: feature 1 (code '01'): the polygon has no area (Too few points"
    )


def test_a_kml_ring_of_two_points_is_refused(levels: None, tmp_path: Path) -> None:
    path = tmp_path / "kurz.kml"
    path.write_text(
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>A</name>'
        "<Polygon><outerBoundaryIs><LinearRing><coordinates>7.0,51.0 7.1,51.0 7.0,51.0"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>",
        encoding="utf-8",
    )
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_areas", str(path), "--level", "stadtbezirk", "--code-field", "name",
            "--name-field", "name", verbosity=0,
        )  # fmt: skip
    assert str(raised.value) == (
        "kurz.kml: feature 1: a polygon's outer ring has 2 distinct points, 3 at least\n"
        "Nothing was imported."
    )
    assert snapshot() == before
