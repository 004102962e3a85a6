"""Area geometries: reading and writing layers, and operations on shapes.

- `read_area_layer` reads GeoJSON, GeoPackage, a zipped Shapefile or KML/KMZ into an
  `AreaLayer` of `AreaFeature` objects in EPSG:4326; `write_area_layer` writes one
  (`EXPORT_DRIVERS` names the formats); both raise `GeodataError` with the file and feature.
  Coordinates outside the range of the CRS they are read in are refused, naming the CRS the
  numbers are likely in; a CRS given against the one a file declares must be forced.
- `containing` finds which shape holds each point or shape, `geojson_geometries` writes shapes
  for the web, `area_km2` gives the geodesic size of a shape, `outside_km` the distance of
  shapes from others, `bounds_text` their bounding box for people.
- `dissolve` merges groups of shapes (the Stadtteile of each Stadtbezirk) into one shape each,
  without slivers or holes where they touch; `polygonal` keeps the polygons of a shape.
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
    DISSOLVE_GAP_M,
    DISSOLVE_SNAP_M,
    area_km2,
    bounds_text,
    containing,
    dissolve,
    geojson_geometries,
    outside_km,
    polygonal,
    same_shape,
)

__all__ = [
    "COORDINATE_DECIMALS",
    "DISSOLVE_GAP_M",
    "DISSOLVE_SNAP_M",
    "EXPORT_DRIVERS",
    "AreaFeature",
    "AreaLayer",
    "GeodataError",
    "area_km2",
    "bounds_text",
    "containing",
    "dissolve",
    "geojson_geometries",
    "outside_km",
    "polygonal",
    "read_area_layer",
    "same_shape",
    "write_area_layer",
]
