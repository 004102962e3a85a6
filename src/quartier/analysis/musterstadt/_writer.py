"""Writes Musterstadt as a city's statistics office would publish it.

GeoJSON in EPSG:25832 with a `crs` member; German CSV (`;` as delimiter, decimal comma, `.` as
thousands separator, "-" for nothing); one YAML mapping per CSV for the importer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import yaml
from shapely.geometry import MultiPolygon

from quartier.analysis.tables import german_number

EPSG_URN = "urn:ogc:def:crs:EPSG::25832"
NOTHING = "-"


def german_count(value: int) -> str:
    """A count in German notation: 12.345; zero is "-" (nothing)."""
    if value == 0:
        return NOTHING
    return german_number(value, 0)


def german_decimal(value: float, digits: int = 1) -> str:
    """A decimal number in German notation: 12.345,6; zero is "-" (nothing)."""
    if value == 0:
        return NOTHING
    return german_number(value, digits)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write already formatted cells as a German CSV file (UTF-8, `;`, one line per row)."""
    lines = [";".join(header)]
    lines.extend(";".join(row) for row in rows)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_geojson(
    path: Path, name: str, features: Iterable[tuple[str, str, str | None, MultiPolygon]]
) -> None:
    """Write (code, name, parent code, geometry) features as a GeoJSON FeatureCollection.

    One feature per line keeps the file readable and its diffs small. Exterior rings run
    counter-clockwise as RFC 7946 recommends; coordinates are in metres with two decimals.
    """
    lines = []
    for code, area_name, parent, geometry in features:
        properties: dict[str, str] = {"code": code, "name": area_name}
        if parent is not None:
            properties["parent"] = parent
        feature = {
            "type": "Feature",
            "properties": properties,
            "geometry": {"type": "MultiPolygon", "coordinates": _coordinates(geometry)},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = {
        "type": "FeatureCollection",
        "name": name,
        "crs": {"type": "name", "properties": {"name": EPSG_URN}},
    }
    opening = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    text = opening + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def _coordinates(geometry: MultiPolygon) -> list[list[list[list[float]]]]:
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    return [
        [_ring(polygon.exterior.coords), *(_ring(hole.coords) for hole in polygon.interiors)]
        for polygon in oriented.geoms
    ]


def _ring(coords: Any) -> list[list[float]]:
    return [[round(x, 2), round(y, 2)] for x, y in np.asarray(coords)[:, :2].tolist()]


def write_yaml(path: Path, comment: str, content: dict[str, Any]) -> None:
    """Write a YAML document with a leading comment."""
    body = yaml.safe_dump(content, sort_keys=False, allow_unicode=True, default_flow_style=False)
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    path.write_text(header + body, encoding="utf-8")


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Write pretty-printed UTF-8 JSON."""
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
