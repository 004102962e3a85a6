"""`quartier import-areas`: formats, reprojection, parents, idempotency, versions, bad input."""

from __future__ import annotations

import datetime
import zipfile
from io import StringIO
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.areas.models import Area, AreaGeometry

from .conftest import X0, Y0, WriteGeojson, feature, square

pytestmark = pytest.mark.django_db


def import_areas(path: Path, level: str, *extra: str) -> None:
    call_command(
        "import_areas", str(path), "--level", level, "--code-field", "code", "--name-field",
        "name", *extra, verbosity=0,
    )  # fmt: skip


def snapshot() -> tuple[int, int, list[tuple[str, str]]]:
    names = list(Area.objects.order_by("code").values_list("code", "name"))
    return Area.objects.count(), AreaGeometry.objects.count(), names


def test_geojson_in_utm_is_stored_in_wgs84_with_source_crs(levels: None, districts: Path) -> None:
    import_areas(districts, "stadtbezirk")
    nord = Area.objects.get(code="01")
    version = nord.geometries.get()
    shape = shapely.from_wkb(bytes(version.wkb))
    assert version.source_crs == "EPSG:25832"
    assert version.valid_to is None
    assert shape.geom_type == "MultiPolygon"
    # 390000 E / 5710000 N in UTM 32N: 110 km west of the 9° E central meridian at 51.5° N.
    assert shape.bounds[0] == pytest.approx(7.414, abs=0.002)
    assert shape.bounds[1] == pytest.approx(51.527, abs=0.01)


def test_parent_field_links_children(levels: None, districts: Path, quarters: Path) -> None:
    import_areas(districts, "stadtbezirk")
    import_areas(quarters, "sozialraum", "--parent-field", "parent")
    parents = dict(Area.objects.filter(level__key="sozialraum").values_list("code", "parent__code"))
    assert parents == {"0101": "01", "0102": "01", "0203": "02", "0204": "02"}


def test_parent_by_location(levels: None, districts: Path, write_geojson: WriteGeojson) -> None:
    import_areas(districts, "stadtbezirk")
    # An L-shaped area whose centroid lies outside itself: point-on-surface must be used.
    ring = [[[X0 + 1100, Y0 + 100], [X0 + 1900, Y0 + 100], [X0 + 1900, Y0 + 200],
             [X0 + 1200, Y0 + 200], [X0 + 1200, Y0 + 900], [X0 + 1100, Y0 + 900],
             [X0 + 1100, Y0 + 100]]]  # fmt: skip
    path = write_geojson("l.geojson", [feature("X1", "Winkel", ring)])
    import_areas(path, "sozialraum", "--parent-by-location")
    assert Area.objects.get(code="X1").parent.code == "02"


def test_an_area_outside_every_parent_is_refused_by_location(
    levels: None, districts: Path, write_geojson: WriteGeojson
) -> None:
    import_areas(districts, "stadtbezirk")
    before = snapshot()
    # The first lies in district 01; the second 5 km east of the districts (not far enough to be
    # refused as a stray area, which is more than 10 km away).
    path = write_geojson(
        "weit.geojson",
        [feature("0101", "drin", square(X0 + 100, Y0 + 100)),
         feature("9901", "weit weg", square(X0 + 7_000, Y0))],
    )  # fmt: skip
    with pytest.raises(CommandError) as raised:
        import_areas(path, "sozialraum", "--parent-by-location")
    assert "weit.geojson: feature 2 (code '9901') lies in no area of level 'stadtbezirk'" in str(
        raised.value
    )
    assert snapshot() == before


def test_levels_lists_each_level_with_its_number_of_areas(
    levels: None, districts: Path, quarters: Path
) -> None:
    import_areas(districts, "stadtbezirk")
    import_areas(quarters, "sozialraum", "--parent-field", "parent")
    out = StringIO()
    call_command("levels", stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines()]
    assert lines == [
        ["0", "stadtbezirk", "Stadtbezirk", "2", "areas"],
        ["1", "sozialraum", "Sozialraum", "4", "areas"],
    ]


def test_reimport_changes_nothing(levels: None, districts: Path, quarters: Path) -> None:
    import_areas(districts, "stadtbezirk")
    import_areas(quarters, "sozialraum", "--parent-field", "parent")
    before = snapshot()
    out = call_command_output(quarters, "sozialraum", "--parent-field", "parent")
    assert snapshot() == before
    assert "0 new, 0 new boundary versions, 0 renamed, 0 new parent, 4 unchanged" in out


def call_command_output(path: Path, level: str, *extra: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "import_areas", str(path), "--level", level, "--code-field", "code", "--name-field",
        "name", *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_changed_geometry_creates_a_new_version(
    levels: None, districts: Path, write_geojson: WriteGeojson
) -> None:
    import_areas(districts, "stadtbezirk")
    moved = write_geojson(
        "bezirke2.geojson",
        [
            feature("01", "Nord", square(X0, Y0, 1200)),
            feature("02", "Süd", square(X0 + 1000, Y0)),
        ],
    )
    import_areas(moved, "stadtbezirk", "--valid-from", "2025-01-01")
    versions = list(AreaGeometry.objects.filter(area__code="01").order_by("valid_from"))
    assert len(versions) == 2
    assert versions[0].valid_to == datetime.date(2024, 12, 31)
    assert versions[1].valid_from == datetime.date(2025, 1, 1)
    assert versions[1].valid_to is None
    assert AreaGeometry.objects.filter(area__code="02").count() == 1


def test_dry_run_writes_nothing(levels: None, districts: Path) -> None:
    import_areas(districts, "stadtbezirk", "--dry-run")
    assert Area.objects.count() == 0


def test_invalid_geometry_is_repaired_and_reported(
    levels: None, write_geojson: WriteGeojson, capsys: pytest.CaptureFixture[str]
) -> None:
    bowtie = [[[X0, Y0], [X0 + 100, Y0 + 100], [X0 + 100, Y0], [X0, Y0 + 100], [X0, Y0]]]
    path = write_geojson("bowtie.geojson", [feature("B", "Schleife", bowtie)])
    from io import StringIO

    err = StringIO()
    call_command(
        "import_areas", str(path), "--level", "stadtbezirk", "--code-field", "code",
        "--name-field", "name", stderr=err, stdout=StringIO(),
    )  # fmt: skip
    shape = shapely.from_wkb(bytes(AreaGeometry.objects.get(area__code="B").wkb))
    assert shape.is_valid
    assert len(shape.geoms) == 2
    assert "feature 1 (code 'B'): invalid geometry repaired (Self-intersection" in err.getvalue()


@pytest.mark.parametrize(
    ("make_file", "extra", "message"),
    [
        ("missing_field", [], "field 'name' not found; fields are: code, label"),
        ("duplicate", [], "feature 2: duplicate code '01' (field 'code'), first used by feature 1"),
        (
            "unknown_parent",
            ["--parent-field", "parent"],
            "feature 2 (code '9901'): field 'parent': unknown parent '99' in level 'stadtbezirk'",
        ),
        ("unreadable", [], "cannot read the file"),
        ("point", [], "feature 1 (code 'P'): geometry is a Point, a polygon is expected"),
        ("empty_code", [], "feature 2: field 'code' is empty"),
    ],
)
def test_bad_input_is_rejected_and_nothing_written(
    levels: None,
    districts: Path,
    write_geojson: WriteGeojson,
    tmp_path: Path,
    make_file: str,
    extra: list[str],
    message: str,
) -> None:
    import_areas(districts, "stadtbezirk")
    before = snapshot()
    level = "sozialraum" if make_file == "unknown_parent" else "stadtbezirk"
    path = bad_file(make_file, write_geojson, tmp_path)
    with pytest.raises(CommandError) as raised:
        import_areas(path, level, *extra)
    assert message in str(raised.value)
    assert path.name in str(raised.value)
    assert "Nothing was imported." in str(raised.value)
    assert snapshot() == before


def bad_file(kind: str, write_geojson: WriteGeojson, tmp_path: Path) -> Path:
    block = square(X0, Y0)
    if kind == "missing_field":
        data = feature("03", "x", block)
        data["properties"] = {"code": "03", "label": "Ost"}
        return write_geojson("missing.geojson", [data])
    if kind == "duplicate":
        # The first feature changes an existing area: the whole file must still be refused.
        return write_geojson(
            "dup.geojson", [feature("01", "Neu", block), feature("01", "Doppelt", block)]
        )
    if kind == "unknown_parent":
        return write_geojson(
            "orphan.geojson",
            [feature("0101", "ok", block, "01"), feature("9901", "Waise", block, "99")],
        )
    if kind == "unreadable":
        path = tmp_path / "broken.geojson"
        path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
        return path
    if kind == "point":
        data = feature("P", "Punkt", block)
        data["geometry"] = {"type": "Point", "coordinates": [X0, Y0]}
        return write_geojson("point.geojson", [data])
    data = feature("05", "ohne", block)
    data["properties"]["code"] = ""
    return write_geojson("empty.geojson", [feature("04", "ok", block), data])


def test_unknown_level_names_the_known_levels(levels: None, districts: Path) -> None:
    with pytest.raises(CommandError, match="unknown level 'bezirk'; defined levels: stadtbezirk"):
        import_areas(districts, "bezirk")


def test_geopackage_and_zipped_shapefile(levels: None, tmp_path: Path) -> None:
    shapes = [shapely.Polygon(square(X0, Y0)[0]), shapely.Polygon(square(X0 + 1000, Y0)[0])]
    fields = [np.array(["01", "02"], dtype=object), np.array(["Nord", "Süd"], dtype=object)]
    wkb = np.array(shapely.to_wkb(shapes), dtype=object)
    gpkg = tmp_path / "bezirke.gpkg"
    pyogrio.raw.write(gpkg, wkb, fields, fields=["code", "name"], crs="EPSG:25832",
                      driver="GPKG", geometry_type="Polygon")  # fmt: skip
    import_areas(gpkg, "stadtbezirk")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    pyogrio.raw.write(shp_dir / "sr.shp", wkb, fields, fields=["code", "name"],
                      crs="EPSG:25832", driver="ESRI Shapefile",
                      geometry_type="Polygon")  # fmt: skip
    archive = tmp_path / "sozialraeume.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in shp_dir.iterdir():
            zipped.write(part, part.name)
    import_areas(archive, "sozialraum", "--parent-by-location")
    assert dict(
        Area.objects.filter(level__key="sozialraum").values_list("code", "parent__code")
    ) == {"01": "01", "02": "02"}
    assert set(AreaGeometry.objects.values_list("source_crs", flat=True)) == {"EPSG:25832"}


KML = """<?xml version="1.0" encoding="utf-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><ExtendedData><SchemaData schemaUrl="#S">
  <SimpleData name="NR">101</SimpleData><SimpleData name="NAME">Altstadt</SimpleData>
</SchemaData></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
7.0,51.0,0 7.01,51.0,0 7.01,51.01,0 7.0,51.01,0 7.0,51.0,0
</coordinates></LinearRing></outerBoundaryIs>
<innerBoundaryIs><LinearRing><coordinates>
7.004,51.004 7.006,51.004 7.006,51.006 7.004,51.006 7.004,51.004
</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
</Document></kml>"""


def test_kml_with_schema_data(levels: None, tmp_path: Path) -> None:
    path = tmp_path / "stadtteile.kml"
    path.write_text(KML, encoding="utf-8")
    call_command(
        "import_areas", str(path), "--level", "stadtbezirk", "--code-field", "NR",
        "--name-field", "NAME", verbosity=0,
    )  # fmt: skip
    area = Area.objects.get(code="101")
    shape = shapely.from_wkb(bytes(area.geometries.get().wkb))
    assert area.name == "Altstadt"
    assert len(shape.geoms[0].interiors) == 1
    assert shape.area == pytest.approx(0.01 * 0.01 - 0.002 * 0.002)


def test_file_without_crs_needs_the_option(levels: None, write_geojson: WriteGeojson) -> None:
    # GeoJSON without a crs member is WGS84 by the standard; UTM numbers there are out of range,
    # so --crs tells the truth about the file.
    path = write_geojson("nocrs.geojson", [feature("01", "Nord", square(X0, Y0))], crs=None)
    import_areas(path, "stadtbezirk", "--crs", "EPSG:25832")
    shape = shapely.from_wkb(bytes(AreaGeometry.objects.get().wkb))
    assert 7 < shape.bounds[0] < 8


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_a_file_that_declares_no_crs_names_the_option(levels: None, tmp_path: Path) -> None:
    wkb = np.array(shapely.to_wkb([shapely.Polygon(square(X0, Y0)[0])]), dtype=object)
    fields = [np.array(["01"], dtype=object), np.array(["Nord"], dtype=object)]
    path = tmp_path / "ohne.shp"
    pyogrio.raw.write(path, wkb, fields, fields=["code", "name"], driver="ESRI Shapefile",
                      geometry_type="Polygon")  # fmt: skip
    with pytest.raises(CommandError) as raised:
        import_areas(path, "stadtbezirk")
    assert str(raised.value) == (
        "ohne.shp: the file declares no coordinate reference system; give one, e.g. EPSG:25832 "
        "(option --crs)\nNothing was imported."
    )


def test_a_code_set_for_a_missing_feature_names_the_option(levels: None, districts: Path) -> None:
    with pytest.raises(CommandError) as raised:
        import_areas(districts, "stadtbezirk", "--set-code", "9=09")
    assert str(raised.value) == (
        "bezirke.geojson: codes are set for feature numbers the file does not have: [9] "
        "(option --set-code)\nNothing was imported."
    )
    assert Area.objects.count() == 0


def test_a_new_boundary_must_start_after_the_current_one(
    levels: None, districts: Path, write_geojson: WriteGeojson
) -> None:
    import_areas(districts, "stadtbezirk")
    moved = [
        feature("01", "Nord", square(X0, Y0, 1200)),
        feature("02", "Süd", square(X0 + 1000, Y0)),
    ]
    import_areas(write_geojson("neu.geojson", moved), "stadtbezirk", "--valid-from", "2025-01-01")
    before = snapshot()
    back = write_geojson("alt.geojson", [feature("01", "Nord", square(X0, Y0))])
    with pytest.raises(CommandError) as raised:
        import_areas(back, "stadtbezirk", "--valid-from", "2024-06-01")
    assert str(raised.value) == (
        "01: the current boundary starts on 2025-01-01; a new version must start later; give its "
        "start (option --valid-from)\nNothing was imported."
    )
    assert snapshot() == before
