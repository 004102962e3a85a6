"""Operations on area shapes in EPSG:4326: containment, web GeoJSON, geodesic size, dissolving.

Pure functions on shapely geometries, so that the import, the map layers and the admin share
one implementation that needs no database; and the checks of the readers on shapes and their
coordinates: repairs, the range of a CRS, the CRS that numbers are likely in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

__all__ = [
    "COORDINATE_DECIMALS",
    "DISSOLVE_GAP_M",
    "DISSOLVE_SNAP_M",
    "area_km2",
    "bounds_text",
    "containing",
    "dissolve",
    "geojson_geometries",
    "outside_km",
    "polygonal",
    "same_shape",
]

# Reprojection is deterministic, so a re-import yields the same coordinates up to float noise.
SAME_SHAPE_TOLERANCE = 1e-9

# Six decimals of a degree are about 0.1 m: far finer than any boundary drawn on a web map.
COORDINATE_DECIMALS = 6
# Geodesic area on the WGS 84 ellipsoid: correct anywhere on earth, no projection to choose.
_GEOD = Geod(ellps="WGS84")
# Gaps between neighbouring areas narrower than this are slivers of digitising, not holes;
# vertices closer than the snapping distance are one (neighbours drawn a little apart touch).
DISSOLVE_GAP_M, DISSOLVE_SNAP_M = 5.0, 1.0
# A degree of latitude (and of longitude at the equator), for widths given in metres.
_METRES_PER_DEGREE = 111_320.0
WORLD = (-180.0, -90.0, 180.0, 90.0)
# Projected CRSs serve beyond their area of use (UTM 32N for all of Germany, up to 15 °E);
# coordinates further than this outside it are wrong numbers, not a large city.
AREA_OF_USE_MARGIN = 5.0
# Germany (west, south, east, north), where the CRS of misread numbers is looked for.
GERMANY = (5.5, 47.0, 15.5, 55.5)
# The CRSs German geodata come in, tried for numbers that do not fit the CRS they are read in.
LIKELY_CRS = (
    "EPSG:25832", "EPSG:25833", "EPSG:4647", "EPSG:5650", "EPSG:31466", "EPSG:31467",
    "EPSG:31468", "EPSG:31469", "EPSG:3857", "EPSG:4326",
)  # fmt: skip


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


def bounds_text(geometries: Sequence[BaseGeometry]) -> str:
    """The bounding box of shapes in EPSG:4326 as text for people.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> bounds_text([box(6.7725, 50.8304, 7.0, 51.0), box(7.0, 51.0, 7.1620, 51.0850)])
    '6.77–7.16 °E, 50.83–51.09 °N'
    """
    west, south, east, north = shapely.total_bounds(np.asarray(geometries, dtype=object))
    return f"{west:.2f}–{east:.2f} °E, {south:.2f}–{north:.2f} °N"


def outside_km(reference: Sequence[BaseGeometry], shapes: Sequence[BaseGeometry]) -> list[float]:
    """Per shape the distance of its centroid from the nearest reference shape, in kilometres.

    0 for a centroid inside a reference shape. The nearest point is found in degrees and its
    distance measured on the WGS 84 ellipsoid: exact enough to tell a stray area from a
    neighbour.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> city = [box(7.0, 51.0, 7.1, 51.1)]
    >>> inside, east = box(7.02, 51.02, 7.03, 51.03), box(7.2, 51.0, 7.3, 51.1)
    >>> [round(km, 1) for km in outside_km(city, [inside, east])]
    [0.0, 10.5]
    """
    if not len(shapes):
        return []
    tree = shapely.STRtree(list(reference))
    centres = shapely.centroid(np.asarray(shapes, dtype=object))
    nearest = np.full(len(centres), 0)
    found = tree.query_nearest(centres, all_matches=False)
    nearest[found[0]] = found[1]
    lines = shapely.shortest_line(centres, tree.geometries.take(nearest))
    starts, ends = shapely.get_point(lines, 0), shapely.get_point(lines, -1)
    _, _, metres = _GEOD.inv(
        shapely.get_x(starts), shapely.get_y(starts), shapely.get_x(ends), shapely.get_y(ends)
    )
    return [float(value) / 1000 for value in np.atleast_1d(metres)]


def polygonal(geometry: BaseGeometry) -> shapely.MultiPolygon | None:
    """The polygons of a shape as one MultiPolygon, stray points and lines dropped; None if none.

    A (Multi)Polygon keeps its vertices as they are; the polygons of a collection are merged.
    """
    if geometry.is_empty:
        return None
    if isinstance(geometry, shapely.MultiPolygon):
        return geometry
    if isinstance(geometry, shapely.Polygon):
        return shapely.MultiPolygon([geometry])
    kinds = {"Polygon", "MultiPolygon"}
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in kinds and not p.is_empty]
    return polygonal(shapely.union_all(parts)) if parts else None


def dissolve(
    groups: Mapping[str, Sequence[BaseGeometry]],
    *,
    gap_m: float = DISSOLVE_GAP_M,
    snap_m: float = DISSOLVE_SNAP_M,
) -> dict[str, shapely.MultiPolygon]:
    """Merge the shapes of each group into one, without slivers or holes where they touch.

    All shapes of all groups are taken as one coverage: areas that neither overlap nor leave
    gaps. Published layers rarely are one exactly: neighbours' borders differ by centimetres,
    which a plain union leaves as slivers and tiny holes. Unless the shapes form a valid
    coverage without gaps narrower than `gap_m`, the coverage is cleaned first
    (`shapely.coverage_clean`): vertices closer than `snap_m` are snapped together, an overlap
    goes to one of the shapes, a gap narrower than `gap_m` to the neighbour with the longest
    border along it. Each group is then the union of its shapes (`shapely.coverage_union_all`),
    so neighbouring groups share their border exactly. Wider gaps (a lake, an enclave) remain.

    Parameters
    ----------
    groups : mapping of str to sequences of shapely geometries
        The (Multi)Polygons of each group in EPSG:4326, e.g. the Stadtteile of each Stadtbezirk.
    gap_m, snap_m : float, optional
        The width in metres below which a gap between shapes is a sliver to close, and the
        distance below which vertices are snapped together; converted at 111.32 km per degree.

    Returns
    -------
    dict of str to shapely.MultiPolygon
        The merged shape of each group, in the order of `groups`, normalised (`shapely.normalize`)
        so that the same shape comes with the same vertices in the same order.

    Raises
    ------
    ValueError
        If a group has no shapes, or its shapes vanish under those of other groups.

    Examples
    --------
    A frame of four areas around a fifth, drawn with a gap of half a metre around it: their
    union has a hole, dissolved they are one area without one.

    >>> from shapely.geometry import box
    >>> def cell(x0, y0, x1, y1):  # in hundredths of a degree, near Köln
    ...     return box(7 + x0 / 100, 51 + y0 / 100, 7 + x1 / 100, 51 + y1 / 100)
    >>> frame = [cell(0, 0, 3, 1), cell(0, 2, 3, 3), cell(0, 1, 1, 2), cell(2, 1, 3, 2)]
    >>> middle = cell(1.0005, 1.0005, 1.9995, 1.9995)
    >>> [len(part.interiors) for part in shapely.union_all([*frame, middle]).geoms]
    [1, 0]
    >>> merged = dissolve({"1": [*frame, middle]})["1"]
    >>> len(merged.geoms), len(merged.geoms[0].interiors)
    (1, 0)
    """
    empty = [key for key, shapes in groups.items() if not len(shapes)]
    if empty:
        raise ValueError(f"group {empty[0]!r} has no shapes")
    keys = [key for key, shapes in groups.items() for _ in shapes]
    shapes = np.asarray([shape for key in groups for shape in groups[key]], dtype=object)
    gap, snap = gap_m / _METRES_PER_DEGREE, snap_m / _METRES_PER_DEGREE
    if not shapely.coverage_is_valid(shapes, gap_width=gap):
        shapes = shapely.coverage_clean(shapes, gap_width=gap, snapping_distance=snap)
    members: dict[str, list[BaseGeometry]] = {key: [] for key in groups}
    for key, shape in zip(keys, shapes, strict=True):
        if shape is not None and not shape.is_empty:
            members[key].append(shape)
    result = {}
    for key, parts in members.items():
        merged = polygonal(shapely.coverage_union_all(parts)) if parts else None
        if merged is not None and not merged.is_valid:
            merged = polygonal(shapely.make_valid(merged))
        if merged is None:
            raise ValueError(f"the shapes of group {key!r} vanish under those of other groups")
        result[key] = shapely.normalize(merged)  # the same shape, the same vertex order
    return result


def shapes_from_wkb(wkb: Sequence[bytes | None]) -> tuple[list[BaseGeometry | None], set[int]]:
    """Shapes from WKB, and the positions of those whose rings had to be closed."""
    shapes = list(shapely.from_wkb(np.asarray(wkb, dtype=object), on_invalid="ignore"))
    unclosed = set()
    for index, (item, shape) in enumerate(zip(wkb, shapes, strict=True)):
        if item is not None and shape is None:
            shapes[index] = shapely.from_wkb(item, on_invalid="fix")
            unclosed.add(index)
    return shapes, unclosed


def valid_multipolygon(geometry: BaseGeometry) -> tuple[shapely.MultiPolygon | None, str | None]:
    """The shape as a valid MultiPolygon (None if it has no area), and why it was invalid.

    Examples
    --------
    >>> from shapely.geometry import Polygon
    >>> shape, reason = valid_multipolygon(Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]))
    >>> len(shape.geoms), reason
    (2, 'Self-intersection[0.5 0.5]')
    """
    if geometry.is_valid:
        return polygonal(geometry), None
    reason = shapely.is_valid_reason(geometry)
    return polygonal(shapely.make_valid(geometry)), reason


def crs_label(crs: CRS) -> str:
    """A CRS as its code and name, e.g. ``EPSG:25832 (ETRS89 / UTM zone 32N)``."""
    authority = crs.to_authority()
    code = f"{authority[0]}:{authority[1]}" if authority else "a CRS without a code"
    return f"{code} ({crs.name})"


def valid_box(crs: CRS) -> tuple[float, float, float, float]:
    """Where coordinates of the CRS may lie, in degrees (west, south, east, north).

    The world for a geographic CRS; for a projected one its area of use, widened by
    `AREA_OF_USE_MARGIN` degrees.
    """
    area = crs.area_of_use
    if crs.is_geographic or area is None:
        return WORLD
    west, south, east, north = area.bounds
    margin = AREA_OF_USE_MARGIN
    return (
        max(west - margin, -180.0), max(south - margin, -90.0),
        min(east + margin, 180.0), min(north + margin, 90.0),
    )  # fmt: skip


def first_outside(degrees: np.ndarray[Any, Any], box: Sequence[float]) -> int | None:
    """The position of the first longitude/latitude pair outside the box (or not finite)."""
    west, south, east, north = box
    lon, lat = degrees[:, 0], degrees[:, 1]
    inside = np.isfinite(lon) & np.isfinite(lat)
    inside &= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    return None if inside.all() else int(np.argmin(inside))


def range_problem(
    point: tuple[float, float], crs: CRS, how: str, centre: tuple[float, float]
) -> tuple[str, str | None]:
    """What is wrong with a coordinate outside the range of its CRS, and what would settle it.

    The setting is "crs" (or "force_crs" for a CRS the file declares) when the file's numbers
    fit a likely CRS, else None (a stray coordinate). `how` says how the CRS was chosen:
    "declared" (by the file), "given" or "default" (GeoJSON without a crs member); `centre` is
    the middle of the file's coordinates, in `crs`.
    """
    shown = f"({point[0]:.10g}, {point[1]:.10g})"
    name = crs_label(crs)
    if how == "default":
        name = "CRS84 (longitude/latitude, the default of GeoJSON without a crs member)"
    degrees = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(*centre)
    bulk_fits = first_outside(np.array([degrees]), valid_box(crs)) is None
    likely = [] if bulk_fits else likely_crs(centre, crs)
    if not likely:
        limits = "|longitude| ≤ 180, |latitude| ≤ 90"
        if not crs.is_geographic:
            widened = f"its area of use widened by {AREA_OF_USE_MARGIN:g}°"
            limits = f"{bounds_text([shapely.box(*valid_box(crs))])}, {widened}"
        return f"the coordinate {shown} is outside the range of {name} ({limits})", None
    chosen = {"given": " given for the file", "declared": " declared by the file"}.get(how, "")
    fix = "give the file's CRS and force it" if how == "declared" else "give the file's CRS"
    return (
        f"the coordinate {shown} does not fit {name}{chosen}; the numbers are likely in "
        f"{' or '.join(likely)}; {fix}",
        "force_crs" if how == "declared" else "crs",
    )


def likely_crs(centre: tuple[float, float], current: CRS) -> list[str]:
    """The CRSs of `LIKELY_CRS` that put a file's coordinates in Germany, best first.

    `centre` is the middle of the coordinates. A CRS whose own area of use holds the place
    beats one that puts it in Germany only; among those, the one whose area of use is centred
    nearest to the place comes first. UTM 32N and 33N numbers overlap (x 390,000 is 7.4 °E in
    zone 32 and 12.0 °E in zone 33), so both may be named, each with where it puts the place.

    Examples
    --------
    >>> likely_crs((390_000, 5_710_000), CRS.from_user_input("OGC:CRS84"))[0]
    'EPSG:25832 (ETRS89 / UTM zone 32N, placing the file at 7.41 °E, 51.53 °N)'
    >>> likely_crs((3_390_000, 5_710_000), CRS.from_user_input("EPSG:25832"))
    ['EPSG:31467 (DHDN / 3-degree Gauss-Kruger zone 3, placing the file at 7.41 °E, 51.51 °N)']
    """
    found: list[tuple[bool, float, str]] = []
    for code in LIKELY_CRS:
        candidate = CRS.from_user_input(code)
        if candidate.equals(current, ignore_axis_order=True):
            continue
        to_degrees = Transformer.from_crs(candidate, "EPSG:4326", always_xy=True)
        lon, lat = to_degrees.transform(*centre)
        if not _inside((lon, lat), GERMANY):
            continue
        west, south, east, north = candidate.area_of_use.bounds if candidate.area_of_use else WORLD
        own = _inside((lon, lat), (west, south, east, north))
        where = f"{code} ({candidate.name}, placing the file at {lon:.2f} °E, {lat:.2f} °N)"
        found.append((own, abs(lon - (west + east) / 2), where))
    best = [item for item in found if item[0]] or found
    return [where for _, _, where in sorted(best, key=lambda item: item[1])]


def _inside(point: tuple[float, float], box: Sequence[float]) -> bool:
    west, south, east, north = box
    return bool(west <= point[0] <= east and south <= point[1] <= north)
