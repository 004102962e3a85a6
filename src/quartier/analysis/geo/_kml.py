"""A small KML/KMZ reader for area polygons.

GDAL's KML drivers do not expose `ExtendedData/SchemaData` attributes reliably (city files such as
Köln's Stadtteile keep their keys there), so placemarks are read directly. KML coordinates are
always WGS84 longitude/latitude (EPSG:4326).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import shapely
import shapely.errors
from shapely.geometry.base import BaseGeometry


class KmlError(ValueError):
    """The KML document cannot be read."""


@dataclass(frozen=True)
class Placemark:
    """One placemark of a KML file: its extended data, its geometry (if any), unclosed rings."""

    data: dict[str, str]
    geometry: BaseGeometry | None
    unclosed: bool = False


def read_placemarks(path: Path) -> list[Placemark]:
    """Read every Placemark with its attributes (name, description, extended data) and polygons."""
    try:
        root = ElementTree.fromstring(_document_bytes(path))
    except ElementTree.ParseError as error:
        raise KmlError(f"not a readable KML document ({error})") from error
    except (OSError, zipfile.BadZipFile, KeyError) as error:
        raise KmlError(f"cannot open the file ({error})") from error
    elements = [element for element in root.iter() if _local(element.tag) == "Placemark"]
    placemarks = []
    for number, element in enumerate(elements, start=1):
        try:
            placemarks.append(_placemark(element))
        except (KmlError, ValueError, shapely.errors.GEOSException) as error:
            raise KmlError(f"feature {number}: {error}") from error
    return placemarks


def read_kml_layer(
    path: Path,
) -> tuple[dict[str, list[str | None]], list[BaseGeometry | None], set[int]]:
    """The placemarks as a layer: each attribute's values, the geometries, unclosed ones."""
    placemarks = read_placemarks(path)
    names = sorted({key for placemark in placemarks for key in placemark.data})
    fields = {name: [p.data.get(name) for p in placemarks] for name in names}
    unclosed = {index for index, placemark in enumerate(placemarks) if placemark.unclosed}
    return fields, [p.geometry for p in placemarks], unclosed


def _document_bytes(path: Path) -> bytes:
    if path.suffix.lower() != ".kmz":
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        name = next((n for n in archive.namelist() if n.lower().endswith(".kml")), None)
        if name is None:
            raise KmlError("the KMZ archive holds no .kml document")
        return archive.read(name)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _placemark(element: ElementTree.Element) -> Placemark:
    data: dict[str, str] = {}
    for child in element:
        if _local(child.tag) in {"name", "description"}:
            data[_local(child.tag)] = (child.text or "").strip()
    for simple in _children(element, "SimpleData"):
        data[simple.get("name", "")] = (simple.text or "").strip()
    for item in _children(element, "Data"):
        values = _children(item, "value")
        data[item.get("name", "")] = (values[0].text or "").strip() if values else ""
    rings = [_rings(p) for p in _children(element, "Polygon")]
    unclosed = any(ring[0] != ring[-1] for rings_of in rings for ring in rings_of)
    polygons = [shapely.Polygon(outer, holes) for outer, *holes in rings]
    geometry: BaseGeometry | None = None
    if len(polygons) == 1:
        geometry = polygons[0]
    elif polygons:
        geometry = shapely.MultiPolygon(polygons)
    else:
        # Reported later as "a polygon is expected" with the feature number.
        geometry = _first_other_geometry(element)
    return Placemark(data, geometry, unclosed)


def _first_other_geometry(element: ElementTree.Element) -> BaseGeometry | None:
    for point in _children(element, "Point"):
        coords = _coordinates(point)
        if coords:
            return shapely.Point(coords[0])
    for line in _children(element, "LineString"):
        coords = _coordinates(line)
        if len(coords) >= 2:
            return shapely.LineString(coords)
    return None


def _rings(element: ElementTree.Element) -> list[list[tuple[float, float]]]:
    """The outer ring of a Polygon, then its holes (degenerate ones dropped)."""
    outer = next(iter(_children(element, "outerBoundaryIs")), None)
    if outer is None:
        raise KmlError("a Polygon has no outerBoundaryIs")
    ring = _coordinates(outer)
    if len(set(ring)) < 3:
        raise KmlError(f"a polygon's outer ring has {len(set(ring))} distinct points, 3 at least")
    holes = [_coordinates(inner) for inner in _children(element, "innerBoundaryIs")]
    return [ring, *(h for h in holes if len(set(h)) >= 3)]


def _coordinates(element: ElementTree.Element) -> list[tuple[float, float]]:
    nodes = _children(element, "coordinates")
    text = nodes[0].text if nodes else ""
    points: list[tuple[float, float]] = []
    for token in (text or "").split():
        parts = token.split(",")
        try:
            points.append((float(parts[0]), float(parts[1])))
        except (IndexError, ValueError) as error:
            raise KmlError(f"bad coordinate {token!r}") from error
    return points
