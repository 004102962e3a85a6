"""Operations on area shapes in EPSG:4326: containment, web GeoJSON and geodesic size.

Pure functions on shapely geometries, so that the import, the map layers and the admin share
one implementation that needs no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

__all__ = ["COORDINATE_DECIMALS", "area_km2", "containing", "geojson_geometries", "same_shape"]

# Reprojection is deterministic, so a re-import yields the same coordinates up to float noise.
SAME_SHAPE_TOLERANCE = 1e-9

# Six decimals of a degree are about 0.1 m: far finer than any boundary drawn on a web map.
COORDINATE_DECIMALS = 6
# Geodesic area on the WGS 84 ellipsoid: correct anywhere on earth, no projection to choose.
_GEOD = Geod(ellps="WGS84")


def containing(parents: Sequence[BaseGeometry], children: Sequence[BaseGeometry]) -> list[int]:
    """Per child the index of the parent that contains its point on surface (-1: none).

    The point on surface lies inside the child, so a child drawn with a slightly different
    border than its parent still falls in the right one.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> containing([box(0, 0, 1, 1), box(1, 0, 2, 1)], [box(1.2, 0.2, 1.4, 0.4), box(5, 5, 6, 6)])
    [1, -1]
    """
    tree = shapely.STRtree(list(parents))
    found = []
    for child in children:
        hits = tree.query(shapely.point_on_surface(child), predicate="within")
        found.append(int(hits[0]) if len(hits) else -1)
    return found


def geojson_geometries(
    geometries: Sequence[BaseGeometry], simplify_tolerance: float | None = None
) -> list[dict[str, Any]]:
    """GeoJSON geometry objects, simplified and rounded in one vectorised pass.

    Examples
    --------
    >>> from shapely.geometry import MultiPolygon, box
    >>> geojson_geometries([MultiPolygon([box(0, 0, 1.23456789, 1)])])[0]["type"]
    'MultiPolygon'
    """
    shapes = np.asarray(geometries, dtype=object)
    if simplify_tolerance and len(shapes):
        simplified = shapely.simplify(shapes, simplify_tolerance, preserve_topology=True)
        # GEOS turns a one-part MultiPolygon into a Polygon; clients expect the stored type.
        collapsed = (shapely.get_type_id(shapes) == shapely.GeometryType.MULTIPOLYGON) & (
            shapely.get_type_id(simplified) == shapely.GeometryType.POLYGON
        )
        simplified[collapsed] = shapely.multipolygons(simplified[collapsed][:, np.newaxis])
        shapes = simplified
    rounded = shapely.transform(shapes, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return [dict(mapping(geometry)) for geometry in rounded]


def same_shape(old: BaseGeometry, new: BaseGeometry) -> bool:
    """Whether two shapes are the same boundary, up to the float noise of a reprojection.

    The same vertices in the same order, each within `SAME_SHAPE_TOLERANCE` degrees.

    Examples
    --------
    >>> from shapely import box
    >>> same_shape(box(7.0, 51.0, 7.1, 51.1), box(7.0, 51.0, 7.1, 51.1 + 1e-12))
    True
    >>> same_shape(box(7.0, 51.0, 7.1, 51.1), box(7.0, 51.0, 7.1, 51.2))
    False
    """
    return bool(shapely.equals_exact(old, new, tolerance=SAME_SHAPE_TOLERANCE))


def area_km2(geometry: BaseGeometry) -> float:
    """The geodesic area of a (Multi)Polygon in EPSG:4326, in square kilometres.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> round(area_km2(box(0, 0, 0.01, 0.01)), 3)  # at the equator
    1.231
    """
    area_m2, _perimeter = _GEOD.geometry_area_perimeter(geometry)
    # pyproj signs the area by ring orientation; the size is what matters here.
    return abs(float(area_m2)) / 1_000_000
