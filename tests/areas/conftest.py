"""Small area files written in the test, in the coordinates cities use (EPSG:25832)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

# A 2 x 1 km block in Dortmund-like UTM 32N coordinates, split into two districts.
X0, Y0 = 390_000.0, 5_710_000.0


def square(x: float, y: float, size: float = 1000.0) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def feature(code: str, name: str, rings: Any, parent: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"code": code, "name": name}
    if parent is not None:
        properties["parent"] = parent
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": rings},
    }


def collection(features: list[dict[str, Any]], crs: str | None = "EPSG::25832") -> dict[str, Any]:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs}"}}
    return data


WriteGeojson = Callable[[str, list[dict[str, Any]]], Path]


@pytest.fixture
def write_geojson(tmp_path: Path) -> WriteGeojson:
    def write(name: str, features: list[dict[str, Any]], crs: str | None = "EPSG::25832") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(collection(features, crs)), encoding="utf-8")
        return path

    return write


@pytest.fixture
def levels(db: None) -> None:
    call_command("levels", "stadtbezirk:Stadtbezirk", "sozialraum:Sozialraum", verbosity=0)


@pytest.fixture
def districts(write_geojson: WriteGeojson) -> Path:
    return write_geojson(
        "bezirke.geojson",
        [
            feature("01", "Nord", square(X0, Y0)),
            feature("02", "Süd", square(X0 + 1000, Y0)),
        ],
    )


@pytest.fixture
def quarters(write_geojson: WriteGeojson) -> Path:
    """Four 500 m squares, two in each district; parents given by code."""
    half = 500.0
    items = []
    for index, (dx, dy) in enumerate([(0, 0), (half, half), (1000, 0), (1500, half)]):
        parent = "01" if dx < 1000 else "02"
        items.append(
            feature(
                f"{parent}0{index + 1}",
                f"Quartier {index + 1}",
                square(X0 + dx, Y0 + dy, half),
                parent,
            )
        )
    return write_geojson("quartiere.geojson", items)
