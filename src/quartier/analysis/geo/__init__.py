"""Area geometries: reading and writing layers, and operations on shapes.

- `read_area_layer` reads GeoJSON, GeoPackage, a zipped Shapefile or KML/KMZ into an
  `AreaLayer` of `AreaFeature` objects in EPSG:4326; `write_area_layer` writes one
  (`EXPORT_DRIVERS` names the formats); both raise `GeodataError` with the file and feature.
- `containing` finds which shape holds each point or shape, `geojson_geometries` writes shapes
  for the web, `area_km2` gives the geodesic size of a shape.
"""

from __future__ import annotations

from quartier.analysis.geo._layers import (
    EXPORT_DRIVERS,
    AreaFeature,
    AreaLayer,
    GeodataError,
    read_area_layer,
    write_area_layer,
)
from quartier.analysis.geo._shapes import (
    COORDINATE_DECIMALS,
    area_km2,
    containing,
    geojson_geometries,
    same_shape,
)

__all__ = [
    "COORDINATE_DECIMALS",
    "EXPORT_DRIVERS",
    "AreaFeature",
    "AreaLayer",
    "GeodataError",
    "area_km2",
    "containing",
    "geojson_geometries",
    "read_area_layer",
    "same_shape",
    "write_area_layer",
]
