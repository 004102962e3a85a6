"""The KML/KMZ reader: placemarks with their data and polygons, and unreadable documents."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from quartier.analysis.geo import read_area_layer
from quartier.analysis.geo._kml import KmlError, read_placemarks

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>Mitte</name>
  <ExtendedData><Data name="nr"><value>01</value></Data></ExtendedData>
  <Polygon><outerBoundaryIs><LinearRing><coordinates>
    7.45,51.51 7.46,51.51 7.46,51.52 7.45,51.52 7.45,51.51
  </coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark>
</Document></kml>
"""


def test_placemarks_carry_their_data_and_polygons(tmp_path: Path) -> None:
    path = tmp_path / "bezirke.kml"
    path.write_text(KML, encoding="utf-8")
    placemarks = read_placemarks(path)
    assert placemarks[0].data == {"name": "Mitte", "nr": "01"}
    assert placemarks[0].geometry is not None
    assert placemarks[0].geometry.bounds == pytest.approx((7.45, 51.51, 7.46, 51.52))


def test_a_kmz_is_read_like_its_kml(tmp_path: Path) -> None:
    path = tmp_path / "bezirke.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("doc.kml", KML)
    layer = read_area_layer(path, code_field="nr", name_field="name")
    assert [(f.code, f.name) for f in layer.features] == [("01", "Mitte")]


def test_a_broken_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.kml"
    path.write_text("<kml><Document>", encoding="utf-8")
    with pytest.raises(KmlError, match="not a readable KML document"):
        read_placemarks(path)


def _kml(ring: str) -> str:
    return (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>A</name>'
        "</Placemark><Placemark><name>B</name><Polygon><outerBoundaryIs><LinearRing>"
        f"<coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        "</Document></kml>"
    )


def test_an_unclosed_ring_is_closed_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "offen.kml"
    path.write_text(_kml("7.0,51.0 7.1,51.0 7.1,51.1 7.0,51.1"), encoding="utf-8")
    placemarks = read_placemarks(path)
    assert [p.unclosed for p in placemarks] == [False, True]
    assert placemarks[1].geometry is not None
    assert placemarks[1].geometry.area == pytest.approx(0.01)


def test_a_ring_of_two_points_names_its_feature(tmp_path: Path) -> None:
    path = tmp_path / "kurz.kml"
    path.write_text(_kml("7.0,51.0 7.1,51.0 7.0,51.0"), encoding="utf-8")
    with pytest.raises(KmlError, match="feature 2: a polygon's outer ring has 2 distinct points"):
        read_placemarks(path)
